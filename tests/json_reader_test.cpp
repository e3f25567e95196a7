// Tests for the path-aware config reader (sim/config/json_reader): every getter's accept/refuse
// cases with the exact message and JSON pointer, defaults written back, unknown keys with
// did-you-mean, and command-line overrides.
#include "sim/config/json_reader.hpp"
#include "sim/config/json_file.hpp"
#include "sim/config/run_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dasgd {
namespace {

using nlohmann::json;

// The full message of the ConfigError thrown by `f`, or "" when nothing was thrown.
template <typename F>
std::string config_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonReader, PositiveNamesPointerAndValue) {
  json doc = json::parse(R"({"link": {"latency": {"mean": -1}}})");
  JsonReader root(doc, "");
  JsonReader latency = root.object("link").object("latency");
  EXPECT_EQ(latency.path(), "/link/latency");
  EXPECT_EQ(config_error([&] { latency.positive("mean"); }),
            "/link/latency/mean: expected a positive number, got -1");
  try {
    latency.positive("mean");
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "/link/latency/mean");
  }
}

TEST(JsonReader, NumberGettersAcceptAndRefuse) {
  json doc = json::parse(R"({"a": 2.5, "b": 0, "c": 1, "d": 0.5, "s": "3", "t": true,
                             "neg": -0.1, "big": 1.5})");
  JsonReader r(doc, "/x");
  EXPECT_DOUBLE_EQ(r.number("a"), 2.5);
  EXPECT_DOUBLE_EQ(r.non_negative("b"), 0.0);
  EXPECT_DOUBLE_EQ(r.probability("c"), 1.0);
  EXPECT_DOUBLE_EQ(r.probability("b"), 0.0);
  EXPECT_DOUBLE_EQ(r.open_probability("d"), 0.5);
  EXPECT_EQ(config_error([&] { r.number("s"); }), "/x/s: expected a number, got \"3\"");
  EXPECT_EQ(config_error([&] { r.number("t"); }), "/x/t: expected a number, got true");
  EXPECT_EQ(config_error([&] { r.positive("b"); }), "/x/b: expected a positive number, got 0");
  EXPECT_EQ(config_error([&] { r.non_negative("neg"); }),
            "/x/neg: expected a non-negative number, got -0.1");
  EXPECT_EQ(config_error([&] { r.probability("big"); }),
            "/x/big: expected a probability in [0, 1], got 1.5");
  EXPECT_EQ(config_error([&] { r.open_probability("c"); }),
            "/x/c: expected a probability in (0, 1), got 1");
  EXPECT_EQ(config_error([&] { r.open_probability("b"); }),
            "/x/b: expected a probability in (0, 1), got 0");
}

TEST(JsonReader, MissingRequiredKeySaysWhatWasExpected) {
  json doc = json::object();
  JsonReader r(doc, "/graph");
  EXPECT_EQ(config_error([&] { r.positive_count("nodes"); }),
            "/graph/nodes: missing required key, expected a positive integer");
  json nulls = json::parse(R"({"nodes": null})");
  JsonReader n(nulls, "/graph");
  EXPECT_EQ(config_error([&] { n.positive_count("nodes"); }),
            "/graph/nodes: expected a positive integer, got null");
}

TEST(JsonReader, IntegersAcceptExactlyIntegralFloatsOnly) {
  json doc = json::parse(R"({"i": -7, "e": 1e3, "f": 1.5, "b": false, "s": "4", "u": 0,
                             "huge": 18446744073709551615, "neg": -3, "zero": 0.0})");
  JsonReader r(doc, "");
  EXPECT_EQ(r.integer("i"), -7);
  EXPECT_EQ(r.integer("e"), 1000);
  EXPECT_EQ(r.count("e"), 1000u);
  EXPECT_EQ(r.count("u"), 0u);
  EXPECT_EQ(r.count("huge"), 18446744073709551615ull);
  EXPECT_EQ(r.positive_count("e"), 1000u);
  EXPECT_EQ(config_error([&] { r.integer("f"); }), "/f: expected an integer, got 1.5");
  EXPECT_EQ(config_error([&] { r.integer("b"); }), "/b: expected an integer, got false");
  EXPECT_EQ(config_error([&] { r.integer("s"); }), "/s: expected an integer, got \"4\"");
  EXPECT_EQ(config_error([&] { r.integer("huge"); }),
            "/huge: expected an integer, got 18446744073709551615");
  EXPECT_EQ(config_error([&] { r.count("neg"); }), "/neg: expected a non-negative integer, got -3");
  EXPECT_EQ(config_error([&] { r.count("f"); }), "/f: expected a non-negative integer, got 1.5");
  EXPECT_EQ(config_error([&] { r.positive_count("u"); }), "/u: expected a positive integer, got 0");
  EXPECT_EQ(config_error([&] { r.positive_count("zero"); }),
            "/zero: expected a positive integer, got 0.0");
}

TEST(JsonReader, BooleanStringAndNumberList) {
  json doc = json::parse(R"({"b": true, "one": 1, "s": "hi", "l": [1, 2.5, -3],
                             "bad": [1, "x"], "notlist": 3})");
  JsonReader r(doc, "/o");
  EXPECT_TRUE(r.boolean("b"));
  EXPECT_EQ(config_error([&] { r.boolean("one"); }), "/o/one: expected true or false, got 1");
  EXPECT_EQ(r.string("s"), "hi");
  EXPECT_EQ(config_error([&] { r.string("one"); }), "/o/one: expected a string, got 1");
  EXPECT_EQ(r.number_list("l"), (std::vector<double>{1.0, 2.5, -3.0}));
  EXPECT_EQ(config_error([&] { r.number_list("bad"); }), "/o/bad/1: expected a number, got \"x\"");
  EXPECT_EQ(config_error([&] { r.number_list("notlist"); }),
            "/o/notlist: expected a list of numbers, got 3");
}

TEST(JsonReader, ChoiceSuggestsTheClosestSpelling) {
  json doc = json::parse(R"({"kind": "rnig", "other": "zzzzzzzz", "n": 3, "ok": "torus"})");
  JsonReader r(doc, "/graph");
  const std::vector<std::string> kinds{"ring", "torus", "complete"};
  EXPECT_EQ(r.choice("ok", kinds), "torus");
  EXPECT_EQ(config_error([&] { r.choice("kind", kinds); }),
            "/graph/kind: expected one of ring, torus, complete, got \"rnig\" (did you mean "
            "\"ring\"?)");
  EXPECT_EQ(config_error([&] { r.choice("other", kinds); }),
            "/graph/other: expected one of ring, torus, complete, got \"zzzzzzzz\"");
  EXPECT_EQ(config_error([&] { r.choice("n", kinds); }),
            "/graph/n: expected one of ring, torus, complete, got 3");
}

TEST(JsonReader, DefaultsAreWrittenBackWhenAbsent) {
  json doc = json::parse(R"({"given": 4, "nothing": null})");
  JsonReader r(doc, "");
  EXPECT_EQ(r.count_or("given", 9), 4u);
  EXPECT_EQ(r.count_or("nodes", 16), 16u);
  EXPECT_DOUBLE_EQ(r.positive_or("eta", 0.05), 0.05);
  EXPECT_DOUBLE_EQ(r.number_or("nothing", -2.0), -2.0);
  EXPECT_EQ(r.integer_or("offset", -3), -3);
  EXPECT_TRUE(r.boolean_or("flag", true));
  EXPECT_EQ(r.string_or("name", "run"), "run");
  EXPECT_EQ(r.choice_or("kind", {"ring", "torus"}, "torus"), "torus");
  EXPECT_DOUBLE_EQ(r.probability_or("p", 0.25), 0.25);
  EXPECT_DOUBLE_EQ(r.non_negative_or("z", 0.0), 0.0);
  EXPECT_EQ(r.positive_count_or("k", 2), 2u);
  JsonReader sub = r.object_or_empty("noise");
  EXPECT_DOUBLE_EQ(sub.number_or("sigma", 1.0), 1.0);
  const json expected = json::parse(R"({"given": 4, "nodes": 16, "eta": 0.05, "nothing": -2.0,
      "offset": -3, "flag": true, "name": "run", "kind": "torus", "p": 0.25, "z": 0.0, "k": 2,
      "noise": {"sigma": 1.0}})");
  EXPECT_EQ(doc, expected);
  EXPECT_NO_THROW(r.finish());
  EXPECT_NO_THROW(sub.finish());
}

TEST(JsonReader, PresentValueStillValidatedWhenDefaulted) {
  json doc = json::parse(R"({"eta": -1})");
  JsonReader r(doc, "/algorithm");
  EXPECT_EQ(config_error([&] { r.positive_or("eta", 0.1); }),
            "/algorithm/eta: expected a positive number, got -1");
  EXPECT_EQ(doc["eta"], -1);
}

TEST(JsonReader, UnknownKeyWithAndWithoutSuggestion) {
  json doc = json::parse(R"({"nodez": 64, "kind": "ring"})");
  JsonReader r(doc, "/graph");
  r.string("kind");
  r.count_or("nodes", 16);
  EXPECT_EQ(config_error([&] { r.finish(); }), "/graph/nodez: unknown key (did you mean \"nodes\"?)");

  json far = json::parse(R"({"kind": "ring", "colour": 1})");
  JsonReader f(far, "/graph");
  f.string("kind");
  EXPECT_EQ(config_error([&] { f.finish(); }), "/graph/colour: unknown key");

  // A key only asked about with has() is still a candidate for the suggestion.
  json asked = json::parse(R"({"sedd": 1})");
  JsonReader a(asked, "");
  EXPECT_FALSE(a.has("seed"));
  EXPECT_EQ(config_error([&] { a.finish(); }), "/sedd: unknown key (did you mean \"seed\"?)");
}

TEST(JsonReader, SubReaderKeysAndAcceptedKeysCountAsRead) {
  json doc = json::parse(R"({"graph": {"nodes": 3}, "runs": [{"seed": 1}, {"seed": 2}],
                             "comment": "x"})");
  JsonReader r(doc, "");
  JsonReader g = r.object("graph");
  EXPECT_EQ(g.count("nodes"), 3u);
  auto runs = r.object_list("runs");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].path(), "/runs/1");
  EXPECT_EQ(runs[1].count("seed"), 2u);
  r.accept("comment");
  EXPECT_NO_THROW(r.finish());
  EXPECT_NO_THROW(g.finish());
}

TEST(JsonReader, ObjectAndListShapesAreChecked) {
  json doc = json::parse(R"({"graph": 3, "runs": [{"a": 1}, 7], "flat": {"a": 1}})");
  JsonReader r(doc, "");
  EXPECT_EQ(config_error([&] { r.object("graph"); }), "/graph: expected an object, got 3");
  EXPECT_EQ(config_error([&] { r.object("missing"); }),
            "/missing: missing required key, expected an object");
  EXPECT_EQ(config_error([&] { r.object_list("runs"); }), "/runs/1: expected an object, got 7");
  EXPECT_EQ(config_error([&] { r.object_list("flat"); }),
            "/flat: expected a list of objects, got {\"a\":1}");
  json scalar = 5;
  JsonReader s(scalar, "");
  EXPECT_EQ(config_error([&] { s.number("x"); }), "/: expected an object, got 5");
}

TEST(JsonReader, PointerTokensAreEscaped) {
  json doc = json::parse(R"({"a/b": {"c~d": "x"}})");
  JsonReader r(doc, "");
  JsonReader sub = r.object("a/b");
  EXPECT_EQ(sub.path(), "/a~1b");
  EXPECT_EQ(config_error([&] { sub.number("c~d"); }), "/a~1b/c~0d: expected a number, got \"x\"");
}

TEST(EditDistance, MatchesHandWorkedCases) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("rnig", "ring"), 2u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(DidYouMean, RespectsDistanceLimit) {
  EXPECT_EQ(did_you_mean("nodez", {"kind", "nodes"}), "nodes");
  EXPECT_EQ(did_you_mean("xyz", {"kind", "nodes"}), std::nullopt);
  // |key| = 12 allows distance 4: "latencymeans" → "latency_mean" is 2 edits.
  EXPECT_EQ(did_you_mean("latencymeans", {"latency_mean"}), "latency_mean");
  EXPECT_EQ(did_you_mean("abcdef", {"uvwxyz"}), std::nullopt);
  EXPECT_EQ(did_you_mean("ab", {}), std::nullopt);
}

TEST(ApplyOverride, DottedPointerAndStringFallback) {
  json doc = json::parse(R"({"algorithm": {"eta": 0.1}, "graph": {"kind": "ring", "nodes": 8}})");
  apply_override(doc, "algorithm.eta=0.05");
  apply_override(doc, "/graph/nodes=64");
  apply_override(doc, "graph.kind=torus");
  apply_override(doc, "objective.noise={\"kind\":\"gaussian\"}");
  apply_override(doc, "run.quiet=true");
  apply_override(doc, "run.label=");
  const json expected = json::parse(R"({"algorithm": {"eta": 0.05},
      "graph": {"kind": "torus", "nodes": 64}, "objective": {"noise": {"kind": "gaussian"}},
      "run": {"quiet": true, "label": ""}})");
  EXPECT_EQ(doc, expected);
  EXPECT_TRUE(doc["graph"]["nodes"].is_number_integer());
}

TEST(ApplyOverride, ArrayIndicesAndPointerEscapes) {
  json doc = json::parse(R"({"graph": {"speeds": [1, 2, 3]}, "runs": [{"seed": 1}]})");
  apply_override(doc, "graph.speeds.2=9.5");
  apply_override(doc, "/graph/speeds/3=4");       // one past the end appends
  apply_override(doc, "/graph/speeds/-=5");       // RFC 6901 "-" appends too
  apply_override(doc, "runs.0.seed=7");
  apply_override(doc, "/a~1b/c~0d=1");
  EXPECT_EQ(doc["graph"]["speeds"], json::parse("[1, 2, 9.5, 4, 5]"));
  EXPECT_EQ(doc["runs"][0]["seed"], 7);
  EXPECT_EQ(doc["a/b"]["c~d"], 1);
}

TEST(ApplyOverride, NullRemovesTheKeyOrElementAndAnAbsentOneIsLeftAlone) {
  json doc = json::parse(R"({"stop": {"time": 5, "grad_norm_sq": 0.1}, "speeds": [1, 2, 3]})");
  apply_override(doc, "stop.grad_norm_sq=null");
  apply_override(doc, "/speeds/1=null");
  apply_override(doc, "absent.key=null");
  apply_override(doc, "speeds.7=null");
  EXPECT_EQ(doc, json::parse(R"({"stop": {"time": 5}, "speeds": [1, 3]})"));
  EXPECT_EQ(config_error([&] { apply_override(doc, "stop.time.x=null"); }),
            "--set: \"stop.time.x=null\": cannot remove a key inside /stop/time, which is 5");
}

TEST(ApplyOverride, NullOnAConfigKeyBringsBackItsDefault) {
  const std::string quickstart = std::string(DASGD_SOURCE_DIR) + "/configs/quickstart.json";
  EXPECT_EQ(load_run_config(quickstart, {}).epsilon, 0.05);
  const RunConfig config = load_run_config(quickstart, {"epsilon=null"});
  EXPECT_EQ(config.epsilon, 1e-2);  // the default without stop.grad_norm_sq
  EXPECT_EQ(config.resolved["epsilon"], 1e-2);
}

TEST(ApplyOverride, MalformedAssignmentsAreConfigErrors) {
  json doc = json::parse(R"({"graph": {"nodes": 8, "speeds": [1, 2]}})");
  const json before = doc;
  EXPECT_EQ(config_error([&] { apply_override(doc, "graph.nodes"); }),
            "--set: \"graph.nodes\": expected path=value");
  EXPECT_EQ(config_error([&] { apply_override(doc, "=3"); }),
            "--set: \"=3\": expected a non-empty path before '='");
  EXPECT_EQ(config_error([&] { apply_override(doc, "graph..nodes=3"); }),
            "--set: \"graph..nodes=3\": expected a key between the dots");
  EXPECT_EQ(config_error([&] { apply_override(doc, "graph.speeds.5=1"); }),
            "--set: \"graph.speeds.5=1\": array index 5 out of range at /graph/speeds (size 2)");
  EXPECT_EQ(config_error([&] { apply_override(doc, "graph.speeds.x=1"); }),
            "--set: \"graph.speeds.x=1\": expected an array index at /graph/speeds, got \"x\"");
  EXPECT_EQ(config_error([&] { apply_override(doc, "graph.nodes.x=1"); }),
            "--set: \"graph.nodes.x=1\": cannot set a key inside /graph/nodes, which is 8");
  EXPECT_EQ(config_error([&] { apply_override(doc, "/a~2=1"); }),
            "--set: \"/a~2=1\": expected ~0 or ~1 after '~' in the JSON pointer");
  try {
    apply_override(doc, "nothing");
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "--set");
  }
  EXPECT_EQ(doc, before);
}

TEST(ParseJsonText, NumberOverflowNamesThePointerLineAndColumn) {
  try {
    parse_json_text("{\"a\": [1, {\"b\": 2}, {\"c\": [0, 0,\n 1e400]}]}");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "/a/2/c/2");
    EXPECT_EQ(std::string(e.what()),
              "/a/2/c/2: expected a number within +-1.8e308 (a double), got 1e400 (line 2, column 6)");
  }
  // Underflow is not an error: 1e-400 reads as 0, as strtod gives it.
  EXPECT_EQ(parse_json_text("{\"x\": 1e-400}")["x"].get<double>(), 0.0);
  // The largest double is accepted; one digit more overflows.
  EXPECT_EQ(parse_json_text("[1.7976931348623157e308]")[0].get<double>(), 1.7976931348623157e308);
  EXPECT_EQ(config_error([] { parse_json_text("[1.8e308]"); }).rfind("/0: expected a number within", 0), 0u);
}

TEST(ParseJsonText, SyntaxErrorsGiveLineAndColumnWithoutTheLibraryTag) {
  EXPECT_EQ(config_error([] { parse_json_text("{\n  \"a\": }"); }),
            "line 2, column 8: expected valid JSON: syntax error while parsing value - unexpected '}'; "
            "expected '[', '{', or a literal");
}

TEST(ParseJsonText, NestingIsLimitedToSixtyFourLevelsOutsideStringsAndComments) {
  const std::string deepest = std::string(max_json_depth, '[') + std::string(max_json_depth, ']');
  EXPECT_NO_THROW(parse_json_text(deepest));
  const std::string deeper = std::string(max_json_depth + 1, '[') + std::string(max_json_depth + 1, ']');
  EXPECT_EQ(config_error([&] { parse_json_text(deeper); }),
            "line 1, column 65: expected JSON nested at most 64 levels deep, got deeper");
  // Brackets inside strings and comments do not count.
  const std::string quoted = "{\"s\": \"" + std::string(200, '[') + "\\\"[[\", /* " + std::string(200, '{') +
                             " */ \"t\": 1 // [[[[\n}";
  EXPECT_EQ(parse_json_text(quoted)["t"], 1);
}

TEST(ReadJsonFile, RefusesWhatIsNotARegularFile) {
  EXPECT_EQ(config_error([] { read_json_file("/"); }), "is a directory, expected a file");
  EXPECT_EQ(config_error([] { read_json_file("/dev/null"); }),
            "is not a regular file (a FIFO, socket or device), expected a file");
  EXPECT_EQ(config_error([] { read_json_file("/nonexistent/x.json"); }), "no such file");
}

TEST(ConfigErrorMessage, AnEmptyPathLeavesJustTheMessage) {
  EXPECT_STREQ(ConfigError("", "cannot be opened").what(), "cannot be opened");
  EXPECT_STREQ(ConfigError("/a", "bad").what(), "/a: bad");
}

}  // namespace
}  // namespace dasgd
