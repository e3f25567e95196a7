// Tests of `dasgd schema` (sim/config/config_schema): every shipped config validates against the
// generated JSON Schema under python3-jsonschema, the readers and the schema refuse the same bad
// configs, the exploration reaches every graph kind, law, objective and algorithm, "$schema" is
// accepted and kept out of config.json, and docs/CONFIG.md and docs/config.schema.json are what
// the command prints now.
#include "sim/config/algorithm_config.hpp"
#include "sim/config/config_schema.hpp"
#include "sim/config/json_file.hpp"
#include "sim/config/objective_config.hpp"
#include "sim/config/run_config.hpp"
#include "sim/config/topology_config.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_support.hpp"

namespace dasgd {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string source = DASGD_SOURCE_DIR;

json quickstart() { return read_json_file(source + "/configs/quickstart.json"); }

json with(json document, const std::string& pointer, const json& value) {
  document[json::json_pointer(pointer)] = value;
  return document;
}

json without(json document, const std::string& pointer) {
  const json::json_pointer at(pointer);
  document[at.parent_pointer()].erase(at.back());
  return document;
}

// Configs the readers refuse for one key's type, range, name or choice: the schema must too.
std::vector<std::pair<std::string, json>> bad_configs() {
  json lognormal_mixed = quickstart();
  return {
      {"negative_nodes", with(quickstart(), "/graph/nodes", -3)},
      {"nodes_as_text", with(quickstart(), "/graph/nodes", "16")},
      {"fractional_nodes", with(quickstart(), "/graph/nodes", 2.5)},
      {"unknown_graph_kind", with(quickstart(), "/graph/kind", "rnig")},
      {"unknown_graph_key", with(quickstart(), "/graph/nodez", 5)},
      {"unknown_top_level_key", with(quickstart(), "/sede", 1)},
      {"unknown_law", with(quickstart(), "/compute/time/law", "exp")},
      {"law_without_its_mean", without(quickstart(), "/compute/time/mean")},
      {"key_of_another_law", with(quickstart(), "/compute/time/value", 1)},
      {"negative_latency_mean", with(quickstart(), "/link/latency/mean", -1)},
      {"negative_eta", with(quickstart(), "/algorithm/eta", -0.1)},
      {"unknown_delivery", with(quickstart(), "/algorithm/delivery", "broadcast")},
      {"unknown_algorithm", with(quickstart(), "/algorithm/name", "adam")},
      {"key_of_another_algorithm", with(quickstart(), "/algorithm/local_steps", 4)},
      {"noise_variance_as_text", with(quickstart(), "/objective/noise/sigma2", "a")},
      {"negative_stop_time", with(quickstart(), "/stop/time", -1)},
      {"per_gradient_as_text", with(quickstart(), "/record/per_gradient", "yes")},
      {"trace_as_text", with(quickstart(), "/record/trace", "yes")},
      {"straggler_fraction_above_one", with(quickstart(), "/compute/stragglers", json{{"fraction", 1.5}, {"slowdown", 2}})},
      {"zero_epsilon", with(quickstart(), "/epsilon", 0)},
      {"torus_without_cols", with(quickstart(), "/graph", json{{"kind", "torus"}, {"rows", 4}})},
      {"graph_as_a_list", with(quickstart(), "/graph", json::array({1}))},
  };
}

// Configs both must accept beyond the shipped ones: other forms of the same keys.
std::vector<std::pair<std::string, json>> good_configs() {
  return {
      {"compute_time_as_a_number", with(quickstart(), "/compute/time", 0.5)},
      {"lognormal_by_mean_and_cv", with(quickstart(), "/compute/time", json{{"law", "lognormal"}, {"mean", 1}, {"cv", 0.5}})},
      {"lognormal_by_mu_and_sigma", with(quickstart(), "/compute/time", json{{"law", "lognormal"}, {"mu", 0}, {"sigma", 0.5}})},
      {"speeds_as_a_list", with(quickstart(), "/compute/speeds", json::array({1, 2}))},
      {"speeds_as_a_law", with(quickstart(), "/compute/speeds", json{{"law", "uniform"}, {"low", 0.5}, {"high", 2}})},
      {"algorithm_without_name", without(quickstart(), "/algorithm/name")},
      {"trace_subset", with(quickstart(), "/record/trace", json{{"nodes", {0, 1}}, {"until", 5}})},
      {"deliveries_auto", with(quickstart(), "/record/deliveries", "auto")},
      {"torus", with(quickstart(), "/graph", json{{"kind", "torus"}, {"rows", 4}, {"cols", 4}})},
      {"graph_file", with(quickstart(), "/graph", json{{"kind", "file"}, {"path", "g.mtx"}})},
  };
}

bool reader_accepts(const json& document, std::string& error) {
  try {
    parse_run_config(document, source + "/configs/x.json");
  } catch (const ConfigError& e) {
    error = e.what();
    return false;
  }
  return true;
}

struct SchemaVerdict {
  bool valid = false;
  std::string error;
};

// Runs tests/schema_check.py over the cases; empty when python3-jsonschema is missing.
std::map<std::string, SchemaVerdict> schema_verdicts(const std::vector<std::pair<std::string, json>>& cases) {
  const fs::path dir = testing::fresh_directory("schema");
  std::ofstream(dir / "schema.json") << run_config_schema().dump(2);
  json list = json::array();
  for (const auto& [name, document] : cases) list.push_back({{"name", name}, {"document", document}});
  std::ofstream(dir / "cases.json") << list.dump();
  const std::string command = "/usr/bin/python3 '" + source + "/tests/schema_check.py' '" + (dir / "schema.json").string() +
                              "' '" + (dir / "cases.json").string() + "' > '" + (dir / "out").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::map<std::string, SchemaVerdict> verdicts;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return verdicts;
  EXPECT_EQ(status, 0) << testing::read_file(dir / "out");
  std::istringstream lines(testing::read_file(dir / "out"));
  for (std::string line; std::getline(lines, line);) {
    const json verdict = json::parse(line);
    verdicts[verdict["name"]] = {verdict["valid"].get<bool>(), verdict["error"].get<std::string>()};
  }
  fs::remove_all(dir);
  return verdicts;
}

std::vector<std::pair<std::string, json>> shipped_configs() {
  std::vector<std::pair<std::string, json>> configs;
  for (const auto& entry : fs::directory_iterator(source + "/configs"))
    if (entry.path().extension() == ".json") configs.emplace_back(entry.path().filename().string(), read_json_file(entry.path().string()));
  for (const auto& entry : fs::directory_iterator(source + "/configs/study"))  // the fault study's
    if (entry.path().extension() == ".json")
      configs.emplace_back("study/" + entry.path().filename().string(), read_json_file(entry.path().string()));
  std::sort(configs.begin(), configs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return configs;
}

TEST(Schema, EveryShippedConfigAndEveryOtherAcceptedFormValidates) {
  auto cases = shipped_configs();
  ASSERT_GE(cases.size(), 20u);
  const auto good = good_configs();
  cases.insert(cases.end(), good.begin(), good.end());
  for (const auto& [name, document] : cases) {
    std::string error;
    EXPECT_TRUE(reader_accepts(document, error)) << name << ": " << error;
  }
  const auto verdicts = schema_verdicts(cases);
  if (verdicts.empty()) GTEST_SKIP() << "python3-jsonschema is not installed (.ci/install-deps installs it)";
  for (const auto& [name, document] : cases) {
    ASSERT_TRUE(verdicts.count(name)) << name;
    EXPECT_TRUE(verdicts.at(name).valid) << name << ": " << verdicts.at(name).error;
  }
}

TEST(Schema, ReaderAndSchemaRefuseTheSameBadConfigs) {
  const auto cases = bad_configs();
  for (const auto& [name, document] : cases) {
    std::string error;
    EXPECT_FALSE(reader_accepts(document, error)) << name;
  }
  const auto verdicts = schema_verdicts(cases);
  if (verdicts.empty()) GTEST_SKIP() << "python3-jsonschema is not installed (.ci/install-deps installs it)";
  for (const auto& [name, document] : cases) {
    ASSERT_TRUE(verdicts.count(name)) << name;
    EXPECT_FALSE(verdicts.at(name).valid) << name << " passed the schema";
  }
}

TEST(Schema, ExplorationReachesEveryGraphKindObjectiveAndAlgorithm) {
  const json schema = run_config_schema();
  const auto enum_of = [&](const std::string& object, const std::string& key) {
    return schema["properties"][object]["properties"][key]["enum"].get<std::vector<std::string>>();
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(enum_of("graph", "kind")), sorted(topology_kinds()));
  EXPECT_EQ(sorted(enum_of("objective", "kind")), sorted(objective_kinds()));
  EXPECT_EQ(sorted(enum_of("algorithm", "name")), sorted(algorithm_names()));
  EXPECT_EQ(schema["properties"]["compute"]["properties"]["time"]["anyOf"].size(), 2u);  // a number, or a law
  EXPECT_LT(schema_exploration_runs(), 40000u);  // ended by running out of new variants, not by the budget
}

TEST(Schema, SchemaKeyIsAcceptedAndLeftOutOfTheResolvedConfig) {
  const json document = quickstart();
  ASSERT_TRUE(document.contains("$schema"));
  const RunConfig config = parse_run_config(document, source + "/configs/quickstart.json");
  EXPECT_FALSE(config.resolved.contains("$schema"));
  EXPECT_EQ(config.resolved, parse_run_config(without(document, "/$schema"), source + "/configs/quickstart.json").resolved);
}

TEST(Schema, CommittedReferenceAndSchemaAreWhatTheCommandPrintsNow) {
  const auto markdown = testing::run_cli("schema --markdown", "schema-md");
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_EQ(markdown.out, testing::read_file(source + "/docs/CONFIG.md"))
      << "docs/CONFIG.md is stale: regenerate it with build/dasgd schema --markdown > docs/CONFIG.md";
  const auto schema = testing::run_cli("schema", "schema-json");
  ASSERT_EQ(schema.exit_code, 0) << schema.err;
  EXPECT_EQ(schema.out, testing::read_file(source + "/docs/config.schema.json"))
      << "docs/config.schema.json is stale: regenerate it with build/dasgd schema > docs/config.schema.json";
}

}  // namespace
}  // namespace dasgd
