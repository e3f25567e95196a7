// Sweep files without running anything: ranges and log-ranges against hand-computed values, the
// Cartesian order with zipped axes and seeds, refusals (zip lengths, overlapping axes, unknown keys),
// validation of every point through parse_run_config, the sweep hash, config paths.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/config/json_reader.hpp"
#include "sim/sweep/config_path.hpp"
#include "sim/sweep/point_record.hpp"
#include "sim/sweep/result_table.hpp"
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
  ASSERT_EQ(sweep.point_count, 1u);
  EXPECT_FALSE(sweep.point(0).seed.has_value());
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

TEST(SweepPoints, TenToTheThirteenPointsAreRefusedFromTheAxesAlone) {
  // 10^5 × 10^5 × 1000 seeds: counted, never expanded (expanding would need petabytes).
  const std::string refused = config_error([] {
    make_sweep(spec_with(json::parse(R"([{"path": "algorithm.eta", "log_range": {"from": 1e-4, "to": 1, "steps": 100000}},
                                         {"path": "link.latency.mean", "range": {"from": 0.01, "to": 1, "steps": 100000}}])"),
                         1000));
  });
  EXPECT_NE(refused.find("/axes: expected at most 10^8 points"), std::string::npos) << refused;
  EXPECT_NE(refused.find("got 1e+13 (100000 x 100000 x 1000 seeds)"), std::string::npos) << refused;
}

TEST(SweepPoints, PointsAreDecodedFromTheirIndexInRowMajorOrder) {
  // 3 × 2 × 2 seeds: K = ((a · 2) + b) · 2 + s.
  const Sweep sweep = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [6, 8, 10]},
                                                          {"path": "algorithm.eta", "values": [0.1, 0.2]}])"),
                                           json{7, 9}));
  ASSERT_EQ(sweep.point_count, 12u);
  EXPECT_EQ(describe_point(sweep.point(0)), "graph.nodes=6 algorithm.eta=0.1 seed=7");
  EXPECT_EQ(describe_point(sweep.point(7)), "graph.nodes=8 algorithm.eta=0.2 seed=9");   // a=1 b=1 s=1
  EXPECT_EQ(describe_point(sweep.point(10)), "graph.nodes=10 algorithm.eta=0.2 seed=7");  // a=2 b=1 s=0
  EXPECT_EQ(sweep.point(11).index, 11u);
}

TEST(SweepPoints, LargeSweepsValidateEveryAxisValueAndASampleNotEveryPoint) {
  // 100 node counts × 10^4 step sizes × 10 seeds = 10^7 points: the sample grows with the axes.
  json nodes = json::array();
  for (int n = 3; n < 102; ++n) nodes.push_back(n);
  nodes.push_back(2);  // invalid for a ring, and the last value of the first axis
  const Sweep sweep = make_sweep(spec_with(
      json::array({json{{"path", "graph.nodes"}, {"values", nodes}},
                   json::parse(R"({"path": "algorithm.eta", "log_range": {"from": 1e-4, "to": 1, "steps": 10000}})")}),
      10));
  ASSERT_EQ(sweep.point_count, 10000000u);
  const std::vector<std::size_t> sample = validation_sample(sweep);
  EXPECT_LE(sample.size(), 100u + 10000u + 2u + 257u);
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
  // Every value of each axis, the others at their first value: node count v at K = v · 10^5.
  for (std::size_t v = 0; v < 100; ++v) EXPECT_TRUE(std::binary_search(sample.begin(), sample.end(), v * 100000)) << v;
  for (std::size_t e = 0; e < 10000; e += 997) EXPECT_TRUE(std::binary_search(sample.begin(), sample.end(), e * 10)) << e;
  EXPECT_TRUE(std::binary_search(sample.begin(), sample.end(), sweep.point_count - 1));
  const std::string refused = config_error([&] { validate_points(sweep); });
  EXPECT_NE(refused.find("point 9900000 (graph.nodes=2 algorithm.eta=0.0001 seed=1)"), std::string::npos) << refused;
  // Small sweeps are checked point by point.
  const Sweep small = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8, 16]}])"), 3));
  EXPECT_EQ(validation_sample(small), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
}

TEST(SweepResults, TaskArrayListsTheTasksCoveringMissingPoints) {
  // 3 points per task: points 0-2 are task 0, 6-8 task 2, 9 task 3, 25 task 8.
  EXPECT_EQ(task_array({0, 1, 2, 7, 8, 9, 25}, 3, 0), "0,2-3,8");
  std::size_t below = 0;
  EXPECT_EQ(task_array({0, 1, 2, 7, 8, 9, 25}, 3, 1, &below), "0,2,8");  // task t covers 1+3t .. 3+3t
  EXPECT_EQ(below, 1u);
  EXPECT_EQ(task_array({}, 5, 0), "");
  EXPECT_EQ(task_array({4, 5, 6}, 1, 0), "4-6");
}

TEST(SweepRecords, TransientFailuresWaitForARetryThenCountAsFailedAfterThreeInARow) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dasgd_sweep_retry_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const Sweep sweep = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8, 16]}])")), dir.string());
  claim_sweep_directory(sweep);
  PointOutcome disk_full{failure_record(sweep, 1, "cannot write: No space left on device"), true};
  EXPECT_FALSE(record_outcome(sweep, 1, disk_full));
  EXPECT_FALSE(read_point_record(sweep, 1).has_value());  // still missing: it runs again on resume
  EXPECT_EQ((*read_retry_record(sweep, 1))["attempts"], 1);
  EXPECT_EQ(recorded_points(sweep), (std::vector<bool>{false, false}));
  EXPECT_EQ(retried_points(sweep), (std::vector<bool>{false, true}));
  const SweepTally tally = tally_points(sweep);
  EXPECT_EQ(tally.missing, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(tally.transient, 1u);
  EXPECT_FALSE(record_outcome(sweep, 1, disk_full));
  EXPECT_TRUE(record_outcome(sweep, 1, disk_full));  // the third in a row is a result
  const auto record = read_point_record(sweep, 1);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ((*record)["status"], "failed");
  EXPECT_NE((*record)["reason"].get<std::string>().find("3 times in a row"), std::string::npos);
  EXPECT_FALSE(read_retry_record(sweep, 1).has_value());
  // A successful rerun after a transient failure removes the retry file.
  EXPECT_FALSE(record_outcome(sweep, 0, disk_full));
  PointOutcome ran = run_point(sweep, 0);
  EXPECT_FALSE(ran.transient);
  EXPECT_TRUE(record_outcome(sweep, 0, ran));
  EXPECT_EQ((*read_point_record(sweep, 0))["status"], "completed");
  EXPECT_EQ(retried_points(sweep), (std::vector<bool>{false, false}));
  std::filesystem::remove_all(dir);
}

TEST(SweepRecords, ARecordWhoseStatusNamesNoRunStatusIsRefusedWithItsPath) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dasgd_sweep_status_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const Sweep sweep = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8]}])")), dir.string());
  claim_sweep_directory(sweep);
  write_point_record(sweep, json{{"sweep_hash", sweep.hash}, {"point", 0}, {"seed", 1}, {"status", "done"}});
  try {
    read_point_record(sweep, 0);
    ADD_FAILURE() << "a record with status \"done\" was read";
  } catch (const std::runtime_error& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find(point_record_path(sweep, 0).string() + ": status: "), std::string::npos) << what;
    EXPECT_NE(what.find("\"done\""), std::string::npos) << what;
  }
  write_point_record(sweep, json{{"sweep_hash", sweep.hash}, {"point", 0}, {"seed", 1}, {"status", "diverged"}});
  EXPECT_EQ(tally_points(sweep).diverged, 1u);
  std::filesystem::remove_all(dir);
}

TEST(SweepRecords, AnInvalidPointOutsideTheSampleIsAFailedRowNotARun) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dasgd_sweep_invalid_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const Sweep sweep = make_sweep(spec_with(json::parse(R"([{"path": "graph.nodes", "values": [8, 2]}])")), dir.string());
  claim_sweep_directory(sweep);
  const PointOutcome outcome = run_point(sweep, 1);
  EXPECT_FALSE(outcome.transient);
  EXPECT_EQ(outcome.record["status"], "failed");
  EXPECT_EQ(outcome.record["results"], nullptr);
  EXPECT_NE(outcome.record["reason"].get<std::string>().find("invalid config: point 1 (graph.nodes=2)"), std::string::npos)
      << outcome.record["reason"];
  std::filesystem::remove_all(dir);
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
    EXPECT_GE(sweep.point_count, 10u);
    EXPECT_LE(sweep.point_count, 200u);  // each study stays a minute-sized job on 2 cores
    EXPECT_NO_THROW(validate_points(sweep));
    EXPECT_EQ(sweep.directory, std::filesystem::path("runs/sweeps") / sweep.spec.name);
  }
  EXPECT_GE(files, 4u);
}

}  // namespace
}  // namespace dasgd
