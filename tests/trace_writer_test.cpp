// Tests of record.trace (sim/config/trace_config, sim/output/trace_writer): trace.json parses back
// as JSON, its spans and arrows match the run's own counters, spans on a track never overlap, the
// node subset and time window hold, fault records become instants, and bad keys are refused.
#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/output/trace_writer.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/experiment.hpp"
#include "sim/run/run_files.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "tests/cli_support.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json small_config(const std::string& algorithm) {
  return json::parse(R"({
    "name": "trace", "seed": 3,
    "graph": {"kind": "ring", "nodes": 6},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "constant", "value": 0.2}},
    "objective": {"kind": "quadratic", "dimension": 4},
    "algorithm": {"name": ")" + algorithm + R"(", "eta": 0.01},
    "stop": {"time": 20},
    "record": {"trace": true}})");
}

struct TracedRun {
  RunResult result;
  json trace;
  std::uint64_t spans = 0;
};

TracedRun traced_run(json document, const std::string& tag) {
  const RunConfig config = parse_run_config(std::move(document), "trace.json");
  const std::filesystem::path dir = testing::fresh_directory("trace-" + tag);
  std::unique_ptr<TraceWriter> writer;
  RunOptions options;
  options.observe = [&](GradientObserver* inner, std::size_t nodes) {
    writer = std::make_unique<TraceWriter>(dir / "trace.json", *config.record.trace, nodes, inner);
    return static_cast<GradientObserver*>(writer.get());
  };
  TracedRun run;
  run.result = run_experiment(config, options);
  commit_trace(*writer, run.result);
  run.spans = writer->compute_spans();
  std::ifstream in(dir / "trace.json");
  run.trace = json::parse(in);  // throws (failing the test) unless the whole file is valid JSON
  std::filesystem::remove_all(dir);
  return run;
}

std::size_t count(const json& trace, const std::string& phase, const std::string& category = "") {
  return static_cast<std::size_t>(std::count_if(trace["traceEvents"].begin(), trace["traceEvents"].end(), [&](const json& e) {
    return e["ph"] == phase && (category.empty() || e.value("cat", "") == category);
  }));
}

TEST(TraceWriter, SpansEqualGradientsAndArrowsEqualDeliveriesOfAFullDasgdRun) {
  const TracedRun run = traced_run(small_config("dasgd"), "dasgd");
  ASSERT_GT(run.result.gradients, 50u);
  EXPECT_EQ(count(run.trace, "X", "compute"), run.result.gradients);
  EXPECT_EQ(run.spans, run.result.gradients);
  // DASGD with batch 1 carries one gradient per delivery: one arrow each.
  EXPECT_EQ(count(run.trace, "s"), run.result.traffic.deliveries);
  EXPECT_EQ(count(run.trace, "f"), run.result.traffic.deliveries);
  // Every arrow has one start and one end with the same id, and the end is never before the start.
  std::map<std::uint64_t, double> starts;
  for (const json& e : run.trace["traceEvents"]) {
    if (e["ph"] == "s") {
      EXPECT_TRUE(starts.emplace(e["id"].get<std::uint64_t>(), e["ts"].get<double>()).second);
    }
  }
  for (const json& e : run.trace["traceEvents"]) {
    if (e["ph"] != "f") continue;
    ASSERT_TRUE(starts.count(e["id"].get<std::uint64_t>()));
    EXPECT_LE(starts[e["id"].get<std::uint64_t>()], e["ts"].get<double>());
  }
  EXPECT_EQ(count(run.trace, "M"), 1u + 2u * 6u);  // the process name, a name and order per node
}

TEST(TraceWriter, ComputeSpansOnOneTrackNeverOverlap) {
  const TracedRun run = traced_run(small_config("dasgd"), "nesting");
  // In whole nanoseconds, as the viewer reads the microsecond text with three decimals.
  const auto ns = [](const json& microseconds) { return std::llround(microseconds.get<double>() * 1000); };
  std::map<std::uint64_t, std::vector<std::pair<long long, long long>>> spans;
  for (const json& e : run.trace["traceEvents"])
    if (e["ph"] == "X" && e["cat"] == "compute")
      spans[e["tid"].get<std::uint64_t>()].emplace_back(ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]));
  EXPECT_EQ(spans.size(), 6u);
  for (auto& [tid, list] : spans) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LE(list[i - 1].second, list[i].first) << "track " << tid;
  }
}

TEST(TraceWriter, ModelMergesOfAnAveragingAlgorithmAreArrowsToo) {
  const TracedRun run = traced_run(small_config("gossip_sgd"), "gossip");
  EXPECT_EQ(count(run.trace, "X", "compute"), run.result.gradients);
  EXPECT_EQ(count(run.trace, "f"), run.result.traffic.deliveries);  // one merge per delivered model
}

TEST(TraceWriter, NodeSubsetAndTimeWindowKeepOnlyTheirEvents) {
  json document = small_config("dasgd");
  document["record"]["trace"] = json::parse(R"({"nodes": [1, 2], "from": 5, "until": 10})");
  const TracedRun run = traced_run(document, "subset");
  ASSERT_GT(count(run.trace, "X", "compute"), 0u);
  for (const json& e : run.trace["traceEvents"]) {
    if (e["ph"] == "M") continue;
    const auto tid = e["tid"].get<std::uint64_t>();
    EXPECT_TRUE(tid == 1 || tid == 2) << e.dump();
    const double ts = e["ts"].get<double>();
    const double end = ts + e.value("dur", 0.0);
    EXPECT_TRUE(end >= 5e6 && ts <= 10e6) << e.dump();
  }
  EXPECT_GT(count(run.trace, "f"), 0u);  // nodes 1 and 2 are neighbours on the ring
}

// Node crashes and recoveries, link outages and losses (no reliable transport: gradients are lost
// for good), on the ring of small_config.
json faulty_config() {
  json document = small_config("dasgd");
  document["faults"] = json::parse(R"({
    "nodes": {"renewal": {"up": {"law": "exponential", "mean": 4.0}, "down": {"law": "exponential", "mean": 1.0}},
              "messages": "drop", "recovery": "keep"},
    "links": {"loss": {"model": "bernoulli", "p": 0.1},
              "outages": {"up_time": {"law": "exponential", "mean": 5}, "down_time": {"law": "exponential", "mean": 1}}}})");
  return document;
}

TEST(TraceWriter, TracingARunWithLostGradientsAndCrashesChangesNoFigure) {
  // The writer sits between the algorithm and the staleness recorder: every call must reach it.
  const json document = faulty_config();
  const RunConfig config = parse_run_config(document, "trace.json");
  const RunResult plain = run_experiment(config);
  const TracedRun traced = traced_run(document, "unchanged");
  const json summary = run_summary(config, plain);
  ASSERT_GT(summary["link_faults"]["gradients_never_received"].get<std::uint64_t>(), 0u) << summary.dump(1);
  EXPECT_EQ(run_summary(config, traced.result), summary);
}

TEST(TraceWriter, EveryFaultRecordIsAnInstantEveryCrashADownSpanAndEveryLostGradientALossInstant) {
  const TracedRun run = traced_run(faulty_config(), "faults");
  const std::vector<FaultRecord>& records = run.result.fault_log.records();
  const auto records_of = [&](FaultKind kind) {
    return static_cast<std::size_t>(
        std::count_if(records.begin(), records.end(), [&](const FaultRecord& r) { return r.kind == kind; }));
  };
  ASSERT_GT(records_of(FaultKind::node_down), 0u);
  ASSERT_GT(records_of(FaultKind::link_down), 0u);
  EXPECT_EQ(count(run.trace, "i", "fault"), records.size());
  // Each instant of a node's record on that node's track, in the timeline's order.
  std::vector<std::int64_t> tracks;
  for (const json& e : run.trace["traceEvents"])
    if (e["ph"] == "i" && e["cat"] == "fault") tracks.push_back(e.contains("tid") ? e["tid"].get<std::int64_t>() : -1);
  ASSERT_EQ(tracks.size(), records.size());
  for (std::size_t k = 0; k < records.size(); ++k) EXPECT_EQ(tracks[k], records[k].node) << k;
  EXPECT_EQ(count(run.trace, "X", "outage"), records_of(FaultKind::node_down));  // one per crash
  const std::uint64_t lost = run_summary(parse_run_config(faulty_config(), "x.json"), run.result)["link_faults"]
                                        ["gradients_never_received"].get<std::uint64_t>();
  ASSERT_GT(lost, 0u);
  EXPECT_EQ(count(run.trace, "i", "loss"), lost);
  // A node's down spans and its computations share its track without overlapping.
  const auto ns = [](const json& microseconds) { return std::llround(microseconds.get<double>() * 1000); };
  std::map<std::uint64_t, std::vector<std::pair<long long, long long>>> spans;
  for (const json& e : run.trace["traceEvents"])
    if (e["ph"] == "X" && (e["cat"] == "compute" || e["cat"] == "outage"))
      spans[e["tid"].get<std::uint64_t>()].emplace_back(ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]));
  for (auto& [tid, list] : spans) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LE(list[i - 1].second, list[i].first) << "track " << tid;
  }
}

TEST(TraceWriter, FaultRecordsBecomeInstantsOnTheirNodeOrTheWholeRun) {
  const std::filesystem::path dir = testing::fresh_directory("trace-faults");
  TraceSpec spec;
  spec.nodes = {0, 2};
  TraceWriter writer(dir / "trace.json", spec, 3, nullptr);
  FaultLog log;
  log.append(1.0, FaultKind::node_down, 2);
  log.append(2.0, FaultKind::node_up, 1);  // node 1 is not traced
  log.append(3.0, FaultKind::link_down, -1, 4);
  writer.add_faults(log, 5.0);
  writer.commit();
  std::ifstream in(dir / "trace.json");
  const json trace = json::parse(in);
  ASSERT_EQ(count(trace, "i", "fault"), 2u);
  EXPECT_EQ(writer.fault_instants(), 2u);
  // Node 2 never comes back: down from its crash to the end of the run, on its track.
  ASSERT_EQ(count(trace, "X", "outage"), 1u);
  const json& span = *std::find_if(trace["traceEvents"].begin(), trace["traceEvents"].end(),
                                   [](const json& e) { return e["ph"] == "X"; });
  EXPECT_EQ(span["tid"], 2);
  EXPECT_EQ(span["ts"], 1e6);
  EXPECT_EQ(span["dur"], 4e6);
  EXPECT_EQ(span["args"]["recovered"], false);
  const json& down = *std::find_if(trace["traceEvents"].begin(), trace["traceEvents"].end(),
                                   [](const json& e) { return e["ph"] == "i"; });
  EXPECT_EQ(down["name"], "node_down");
  EXPECT_EQ(down["tid"], 2);
  EXPECT_EQ(down["ts"], 1e6);
  std::filesystem::remove_all(dir);
}

TEST(TraceWriter, CostEstimateCountsTheTracedShareOfNodesAndTime) {
  json document = small_config("dasgd");
  const CostEstimate all = estimate_cost(parse_run_config(document, "x.json"));
  EXPECT_NEAR(all.trace_disk_bytes, 3 * all.events * trace_bytes_per_event, 1e-6 * all.trace_disk_bytes);
  document["record"]["trace"] = json::parse(R"({"nodes": [0, 1, 2], "until": 10})");  // half the nodes, half the time
  EXPECT_NEAR(estimate_cost(parse_run_config(document, "x.json")).trace_disk_bytes, all.trace_disk_bytes / 4,
              1e-6 * all.trace_disk_bytes);
  document["record"].erase("trace");
  EXPECT_EQ(estimate_cost(parse_run_config(document, "x.json")).trace_disk_bytes, 0.0);
}

TEST(TraceConfig, AbsentFalseTrueAndObjectFormsAndTheirErrors) {
  json document = small_config("dasgd");
  document["record"].erase("trace");
  const RunConfig absent = parse_run_config(document, "x.json");
  EXPECT_FALSE(absent.record.trace.has_value());
  EXPECT_FALSE(absent.resolved["record"].contains("trace"));  // nothing written back
  document["record"]["trace"] = false;
  EXPECT_FALSE(parse_run_config(document, "x.json").record.trace.has_value());
  document["record"]["trace"] = json::parse(R"({"nodes": [3], "until": 7})");
  const RunConfig subset = parse_run_config(document, "x.json");
  ASSERT_TRUE(subset.record.trace.has_value());
  EXPECT_EQ(subset.record.trace->nodes, std::vector<std::uint64_t>{3});
  EXPECT_EQ(subset.record.trace->from, 0.0);
  EXPECT_EQ(subset.record.trace->until, 7.0);
  const auto error = [&](const std::string& trace) {
    json bad = small_config("dasgd");
    bad["record"]["trace"] = json::parse(trace);
    try {
      parse_run_config(bad, "x.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(error(R"("yes")"), "/record/trace: expected true, false or an object {nodes, from, until}, got \"yes\"");
  EXPECT_EQ(error(R"({"nodes": [1.5]})"), "/record/trace/nodes/0: expected a node id (an integer >= 0), got 1.5");
  EXPECT_EQ(error(R"({"from": 5, "until": 2})"), "/record/trace/until: expected a number greater than from = 5, got 2");
  EXPECT_EQ(error(R"({"until": 2, "nodez": [1]})"), "/record/trace/nodez: unknown key (did you mean \"nodes\"?)");
}

TEST(TraceCli, RunWritesTraceJsonListedInTheManifestAndRefusesANodeOutsideTheGraph) {
  const std::filesystem::path out = testing::fresh_directory("trace-cli");
  const auto ok = testing::run_cli("run configs/quickstart.json -q --set stop.time=5 --set record.trace=true --out " +
                                   (out / "run").string(), "trace-ok");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(json::accept(testing::read_file(out / "run" / "trace.json")));
  EXPECT_NE(testing::read_file(out / "run" / ".dasgd-manifest.json").find("trace.json"), std::string::npos);
  const auto bad = testing::run_cli("run configs/quickstart.json -q --set 'record.trace={\"nodes\":[16]}' --out " +
                                    (out / "bad").string(), "trace-bad");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("/record/trace/nodes/0: expected a node id below 16"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(out / "bad" / "trace.json"));
  std::filesystem::remove_all(out);
}

TEST(TraceCli, FaultInstantsInTraceJsonEqualTheFaultsCsvRowsOfItsNodesAndWindow) {
  const std::filesystem::path out = testing::fresh_directory("trace-cli-faults");
  json document = faulty_config();
  document["record"]["trace"] = json::parse(R"({"nodes": [0, 1, 2], "from": 5, "until": 15})");
  {
    std::ofstream config(out / "faulty.json");
    config << document.dump(2);
  }
  const auto r = testing::run_cli("run " + (out / "faulty.json").string() + " -q --out " + (out / "run").string(), "trace-faults");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = testing::read_file(out / "run" / "trace.json");
  ASSERT_TRUE(json::accept(text));
  // faults.csv: time,kind,node,edge; a row is traced when in [5, 15] and about no node or one of 0, 1, 2.
  std::istringstream rows(testing::read_file(out / "run" / "faults.csv"));
  std::string line;
  std::getline(rows, line);
  ASSERT_EQ(line, "time,kind,node,edge");
  std::size_t all = 0, traced = 0;
  while (std::getline(rows, line)) {
    std::istringstream cells(line);
    std::string time, kind, node;
    std::getline(cells, time, ',');
    std::getline(cells, kind, ',');
    std::getline(cells, node, ',');
    ++all;
    const double t = std::stod(time);
    const long long n = std::stoll(node);
    if (t >= 5 && t <= 15 && n <= 2) ++traced;
  }
  ASSERT_GT(traced, 0u);
  ASSERT_LT(traced, all);  // the limits left some out
  EXPECT_EQ(count(json::parse(text), "i", "fault"), traced);
}

}  // namespace
}  // namespace dasgd
