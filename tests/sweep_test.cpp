// Sweep files without running anything: ranges and log-ranges against hand-computed values, the
// Cartesian order with zipped axes and seeds, refusals (zip lengths, overlapping axes, unknown keys),
// validation of every point through parse_run_config, the sweep hash, config paths.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "sim/config/json_reader.hpp"
#include "sim/sweep/config_path.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json base_config() {
  return json::parse(R"({
    "graph": {"kind": "ring", "nodes": 8},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "shifted_exponential", "shift": 0.05, "mean": 0.05}},
    "objective": {"kind": "separable_cosine", "dimension": 4, "noise": {"kind": "gaussian", "sigma2": 0.1}},
    "algorithm": {"name": "dasgd", "eta": 0.01, "delivery": "routed"},
    "stop": {"time": 5},
    "epsilon": 0.05})");
}

SweepSpec spec_with(json axes, json seeds = nullptr) {
  json document{{"base", base_config()}, {"axes", std::move(axes)}};
  if (!seeds.is_null()) document["seeds"] = std::move(seeds);
  return parse_sweep_spec(document, "/tmp/sweeps/test.json");
}

// The ConfigError message, or "" when none was thrown.
template <typename F>
std::string config_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(SweepRange, LinearIncludesBothEndpointsAndQuarterSteps) {
  const std::vector<double> values = linear_range(0.0, 1.0, 5);
  EXPECT_EQ(values, (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  const std::vector<double> down = linear_range(0.3, -0.1, 3);  // 0.3 - 0.4 is not exactly -0.1
  EXPECT_EQ(down.front(), 0.3);
  EXPECT_EQ(down.back(), -0.1);
  EXPECT_EQ(down[1], 0.1);  // 0.09999999999999998 before rounding to 15 digits
  EXPECT_EQ(linear_range(0.2, 1.0, 5), (std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(linear_range(0.1, 0.9, 9)[2], 0.3);
  EXPECT_EQ(linear_range(2.0, 2.0, 1), std::vector<double>{2.0});
  EXPECT_THROW(linear_range(0, 1, 0), std::invalid_argument);
}

TEST(SweepRange, LogRangeIsEvenInLog10WithExactEndpoints) {
  const std::vector<double> values = log_range(0.1, 10.0, 5);
  ASSERT_EQ(values.size(), 5u);
  EXPECT_EQ(values[0], 0.1);
  EXPECT_EQ(values[4], 10.0);
  EXPECT_DOUBLE_EQ(values[1], 1.0 / std::sqrt(10.0));
  EXPECT_DOUBLE_EQ(values[2], 1.0);
  EXPECT_DOUBLE_EQ(values[3], std::sqrt(10.0));
  const std::vector<double> decades = log_range(1e-3, 1e3, 7);
  EXPECT_EQ(decades, (std::vector<double>{1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3}));
  EXPECT_THROW(log_range(0.0, 1.0, 3), std::invalid_argument);
}

TEST(SweepFile, RangesOverIntegersStayIntegersAndOthersBecomeNumbers) {
  const SweepSpec spec = spec_with(json::parse(R"([
    {"path": "graph.nodes", "range": {"from": 8, "to": 32, "steps": 4}},
    {"path": "algorithm.eta", "range": {"from": 0, "to": 1, "steps": 3}},
    {"path": "link.latency.mean", "log_range": {"from": 0.01, "to": 1, "steps": 3}}])"));
  ASSERT_EQ(spec.axes.size(), 3u);
  EXPECT_EQ(json(spec.axes[0].columns[0].values).dump(), "[8,16,24,32]");
  EXPECT_TRUE(spec.axes[1].columns[0].values[1].is_number_float());
  EXPECT_EQ(spec.axes[1].columns[0].values[1].get<double>(), 0.5);
  EXPECT_EQ(spec.axes[2].columns[0].values[0].get<double>(), 0.01);
  EXPECT_DOUBLE_EQ(spec.axes[2].columns[0].values[1].get<double>(), 0.1);
}

TEST(SweepFile, SeedsCountMeansOneToNAndListsAreKept) {
  EXPECT_EQ(spec_with(json::array(), 3).seeds, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(spec_with(json::array(), json{7, 11}).seeds, (std::vector<std::uint64_t>{7, 11}));
  EXPECT_NE(config_error([] { spec_with(json::array(), json{7, 7}); }).find("/seeds/1"), std::string::npos);
  EXPECT_NE(config_error([] { spec_with(json::array(), json{-1}); }).find("/seeds/0"), std::string::npos);
  EXPECT_NE(config_error([] { spec_with(json::array(), 0); }).find("/seeds"), std::string::npos);
}

TEST(SweepFile, ZipLengthMismatchIsRefusedNamingTheAxis) {
  const std::string message = config_error([] {
    spec_with(json::parse(R"([{"path": "algorithm.eta", "values": [0.1]},
      {"zip": [{"path": "graph.kind", "values": ["ring", "torus"]},
               {"path": "graph.nodes", "values": [16, null, 4]}]}])"));
  });
  EXPECT_NE(message.find("/axes/1/zip/1"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 2 values"), std::string::npos) << message;
  EXPECT_NE(message.find("got 3"), std::string::npos) << message;
}

TEST(SweepFile, RefusesOverlappingAxesAndSeedAxisBesideSeeds) {
  EXPECT_NE(config_error([] {
              spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8]},
                                        {"path": "/graph/nodes", "values": [16]}])"));
            }).find("/axes/1/path"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              spec_with(json::parse(R"([{"path": "graph", "values": [{}]},
                                        {"zip": [{"path": "graph.kind", "values": ["ring"]}]}])"));
            }).find("/axes/1/zip/0/path"),
            std::string::npos);
  EXPECT_NE(config_error([] { spec_with(json::parse(R"([{"path": "seed", "values": [1, 2]}])"), 2); })
                .find("\"seeds\""),
            std::string::npos);
}

TEST(SweepFile, UnknownKeysAndMissingFormsAreRefused) {
  const std::string typo = config_error([] {
    parse_sweep_spec(json{{"base", base_config()}, {"axis", json::array()}}, "x.json");
  });
  EXPECT_NE(typo.find("/axis"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean \"axes\""), std::string::npos) << typo;
  const std::string two_forms = config_error([] {
    spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8], "range": {"from": 1, "to": 2, "steps": 2}}])"));
  });
  EXPECT_NE(two_forms.find("/axes/0"), std::string::npos) << two_forms;
  EXPECT_NE(config_error([] { parse_sweep_spec(json{{"axes", json::array()}}, "x.json"); }).find("/base"),
            std::string::npos);
}

TEST(SweepPoints, CartesianOrderFirstAxisSlowestZipTogetherSeedsInnermost) {
  const SweepSpec spec = spec_with(json::parse(R"([
    {"path": "algorithm.eta", "values": [0.01, 0.02]},
    {"zip": [{"path": "graph.kind", "values": ["ring", "torus"]},
             {"path": "graph.nodes", "values": [8, null]},
             {"path": "graph.rows", "values": [null, 2]},
             {"path": "graph.cols", "values": [null, 3]}]}])"),
                                   2);
  const std::vector<SweepPoint> points = expand_points(spec);
  ASSERT_EQ(points.size(), 8u);  // 2 x 2 x 2 seeds
  std::vector<std::string> described;
  for (const SweepPoint& p : points) described.push_back(describe_point(p));
  EXPECT_EQ(described[0], "algorithm.eta=0.01 graph.kind=ring graph.nodes=8 graph.rows=null graph.cols=null seed=1");
  EXPECT_EQ(described[1], "algorithm.eta=0.01 graph.kind=ring graph.nodes=8 graph.rows=null graph.cols=null seed=2");
  EXPECT_EQ(described[2], "algorithm.eta=0.01 graph.kind=torus graph.nodes=null graph.rows=2 graph.cols=3 seed=1");
  EXPECT_EQ(described[4], "algorithm.eta=0.02 graph.kind=ring graph.nodes=8 graph.rows=null graph.cols=null seed=1");
  EXPECT_EQ(points[7].index, 7u);

  // null removes the key: the torus point parses (a torus refuses "nodes").
  const Sweep sweep = make_sweep(spec);
  validate_points(sweep);
  EXPECT_EQ(point_config(sweep, 2).graph.kind, "torus");
  EXPECT_EQ(point_config(sweep, 2).graph.rows, 2u);
  EXPECT_EQ(point_config(sweep, 3).seed, 2u);
  EXPECT_EQ(point_config(sweep, 4).algorithm.eta, 0.02);
  EXPECT_EQ(sweep.axis_paths, (std::vector<std::string>{"algorithm.eta", "graph.kind", "graph.nodes", "graph.rows", "graph.cols"}));
}

TEST(SweepPoints, NoAxesNoSeedsIsOnePointWithTheBaseSeed) {
  const Sweep sweep = make_sweep(spec_with(json::array()));
  ASSERT_EQ(sweep.points.size(), 1u);
  EXPECT_FALSE(sweep.points[0].seed.has_value());
  EXPECT_EQ(point_config(sweep, 0).seed, 1u);
}

TEST(SweepPoints, EveryPointIsValidatedAndTheFirstBadOneIsNamedWithItsPath) {
  const std::string unknown = config_error([] {
    validate_points(make_sweep(spec_with(json::parse(R"([{"path": "graph.nodez", "values": [8]}])"))));
  });
  EXPECT_NE(unknown.find("point 0 (graph.nodez=8)"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("/graph/nodez: unknown key"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("did you mean \"nodes\""), std::string::npos) << unknown;

  const std::string refused = config_error([] {
    validate_points(make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8, 16, 2]}])"), 2)));
  });
  EXPECT_NE(refused.find("point 4 (graph.nodes=2 seed=1)"), std::string::npos) << refused;
  EXPECT_NE(refused.find("/graph/nodes: expected an integer >= 3"), std::string::npos) << refused;
}

TEST(SweepPoints, HashIgnoresLayoutButNotValues) {
  const json axes = json::parse(R"([{"path": "graph.nodes", "values": [8, 16]}])");
  const Sweep a = make_sweep(spec_with(axes, 2));
  const Sweep b = make_sweep(spec_with(json::parse(R"([ { "values" : [8,16], "path":"graph.nodes" } ])"), 2));
  const Sweep c = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8, 17]}])"), 2));
  const Sweep d = make_sweep(spec_with(axes, 3));
  EXPECT_EQ(a.hash.size(), 16u);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_NE(a.hash, c.hash);
  EXPECT_NE(a.hash, d.hash);
}

TEST(ConfigPath, SetsCreatesIndexesAndRemoves) {
  json document{{"graph", {{"kind", "ring"}, {"nodes", 8}}}, {"speeds", {1, 2}}};
  set_config_path(document, "graph.nodes", 16);
  set_config_path(document, "/link/latency/mean", 0.5);  // intermediate objects created
  set_config_path(document, "speeds.1", 5);
  set_config_path(document, "speeds.2", 7);              // one past the end appends
  EXPECT_EQ(document.dump(), R"({"graph":{"kind":"ring","nodes":16},"link":{"latency":{"mean":0.5}},"speeds":[1,5,7]})");
  set_config_path(document, "graph.nodes", nullptr);
  set_config_path(document, "absent.key", nullptr);      // removing what is not there: nothing
  EXPECT_EQ(document["graph"].dump(), R"({"kind":"ring"})");
  EXPECT_FALSE(document.contains("absent"));
  EXPECT_THROW(set_config_path(document, "graph.kind.x", 1), std::invalid_argument);
  EXPECT_THROW(set_config_path(document, "speeds.9", 1), std::invalid_argument);
  EXPECT_THROW(config_path_tokens("a..b"), std::invalid_argument);
  EXPECT_EQ(config_path_tokens("/a~1b/c~0"), (std::vector<std::string>{"a/b", "c~"}));
}

TEST(SweepStudies, EveryShippedSweepExpandsAndValidates) {
  const std::filesystem::path directory = std::filesystem::path(DASGD_SOURCE_DIR) / "configs" / "sweeps";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    const Sweep sweep = load_sweep(entry.path());
    EXPECT_GE(sweep.points.size(), 10u);
    EXPECT_LE(sweep.points.size(), 200u);  // each study stays a minute-sized job on 2 cores
    EXPECT_NO_THROW(validate_points(sweep));
    EXPECT_EQ(sweep.directory, std::filesystem::path("runs/sweeps") / sweep.spec.name);
  }
  EXPECT_GE(files, 4u);
}

}  // namespace
}  // namespace dasgd
