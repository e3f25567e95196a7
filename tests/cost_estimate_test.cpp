// The cost estimator against independently known numbers: its node and edge counts against the
// graphs the generators really build, model bytes against n·d·8 per copy, gradients and end time
// against the closed form n·T/mean, and the memory-size parser on hand-worked cases.
#include "sim/run/cost_estimate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sim/config/topology_config.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

RunConfig config_with(const json& patch) {
  json config = json::parse(R"({
    "graph": {"kind": "ring", "nodes": 8},
    "compute": {"time": {"law": "exponential", "mean": 0.5}},
    "link": {"latency": 0.1},
    "objective": {"kind": "separable_cosine", "dimension": 10},
    "algorithm": {"name": "gossip_sgd", "eta": 0.01},
    "stop": {"time": 100},
    "record": {"deliveries": false}
  })");
  if (patch.is_object()) config.merge_patch(patch);
  return parse_run_config(config, "x.json");
}

TEST(CostEstimate, NodeAndEdgeCountsMatchTheBuiltGraphs) {
  const char* graphs[] = {
      R"({"kind": "ring", "nodes": 17})",         R"({"kind": "torus", "rows": 3, "cols": 5})",
      R"({"kind": "torus", "rows": 2, "cols": 6})", R"({"kind": "grid", "rows": 4, "cols": 7})",
      R"({"kind": "complete", "nodes": 23})",      R"({"kind": "star", "nodes": 9})",
      R"({"kind": "hypercube", "dimension": 6})",  R"({"kind": "balanced_tree", "branching": 3, "height": 4})",
      R"({"kind": "random_regular", "nodes": 20, "degree": 3})",
      R"({"kind": "watts_strogatz", "nodes": 20, "k": 4, "beta": 0.2})",
      R"({"kind": "barabasi_albert", "nodes": 30, "m": 2})"};
  for (const char* text : graphs) {
    json graph = json::parse(text);
    for (const char* key : {"nodes"}) if (!graph.contains(key)) graph[key] = nullptr;  // drop the base's
    const RunConfig config = config_with({{"graph", graph}});
    const CostEstimate cost = estimate_cost(config);
    const Topology topology = build_topology(config.graph, 1);
    EXPECT_EQ(cost.nodes, static_cast<double>(topology.num_nodes())) << text;
    EXPECT_EQ(cost.edges, static_cast<double>(topology.num_edges())) << text;
    EXPECT_EQ(cost.arcs, static_cast<double>(topology.num_arcs())) << text;
  }
}

TEST(CostEstimate, SizesWorldsTooLargeToBuildWithoutOverflow) {
  const CostEstimate complete = estimate_cost(config_with({{"graph", {{"kind", "complete"}, {"nodes", 92682}}}}));
  EXPECT_EQ(complete.edges, 92682.0 * 92681.0 / 2);
  const CostEstimate cube = estimate_cost(config_with(json::parse(R"({"graph": {"kind": "hypercube", "dimension": 27, "nodes": null}})")));
  EXPECT_EQ(cube.nodes, 134217728.0);
  EXPECT_EQ(cube.edges, 27.0 * 67108864.0);
  EXPECT_GT(cube.graph_bytes, cube.edges * 8);
}

TEST(CostEstimate, ModelBytesAreNodesTimesDimensionTimesEightPerCopy) {
  const CostEstimate cost = estimate_cost(config_with({{"objective", {{"dimension", 100000000}}}}));
  EXPECT_EQ(cost.model_copies, 3);
  EXPECT_DOUBLE_EQ(cost.model_bytes, 8 * 1e8 * 8 * 3 + 8 * 1e8 * 8);
  EXPECT_EQ(cost.largest_component_path, "/objective/dimension");
  EXPECT_THROW(refuse_if_too_costly(cost, 4.0 * (1 << 30), "test"), ConfigError);
  EXPECT_NO_THROW(refuse_if_too_costly(cost, 1e12, "test"));
}

// record.staleness false attaches no observer, so the tracker's window (n·(1 + n/4·latency/mean)
// gradients on a ring: 2.5e10 at 10^6 nodes, "1 TB") must not be counted, or such runs are refused.
TEST(CostEstimate, StalenessOffCountsNoTrackingMemory) {
  const json ring = {{"graph", {{"kind", "ring"}, {"nodes", 1000000}}}, {"stop", {{"time", 1}}}};
  const CostEstimate on = estimate_cost(config_with(ring));
  EXPECT_GT(on.tracking_bytes, 1e12);
  json off = ring;
  off["record"] = {{"deliveries", false}, {"staleness", false}};
  EXPECT_EQ(estimate_cost(config_with(off)).tracking_bytes, 0.0);
  off["record"]["deliveries"] = true;
  EXPECT_EQ(estimate_cost(config_with(off)).tracking_bytes, 0.0);
}

TEST(CostEstimate, GradientsAreNodesTimesStopTimeOverTheMeanComputeTime) {
  // 8 nodes, mean 0.5 s, T = 100 s: 1600 gradients; a gradient stop that comes first wins.
  EXPECT_DOUBLE_EQ(estimate_cost(config_with({})).gradients, 1600);
  EXPECT_DOUBLE_EQ(estimate_cost(config_with({})).end_time, 100);
  const CostEstimate by_count = estimate_cost(config_with({{"stop", {{"gradients", 400}}}}));
  EXPECT_DOUBLE_EQ(by_count.gradients, 400);
  EXPECT_DOUBLE_EQ(by_count.end_time, 25);
  // Speeds 2 on every node halve the compute time.
  const CostEstimate fast = estimate_cost(config_with(json::parse(R"({"compute": {"speeds": [2,2,2,2,2,2,2,2]}})")));
  EXPECT_DOUBLE_EQ(fast.gradients, 3200);
}

TEST(CostEstimate, AnIntervalBelowTheClocksResolutionAtTheEstimatedEndIsRefused) {
  // Gradient stop only: the run ends near t = 25 s, where 1e-11 s is below 25 * 2^-40.
  EXPECT_THROW(estimate_cost(config_with(json::parse(R"({"stop": {"time": null, "gradients": 400}, "record": {"interval": 1e-11}})"))),
               ConfigError);
  EXPECT_NO_THROW(estimate_cost(config_with(json::parse(R"({"stop": {"time": null, "gradients": 400}, "record": {"interval": 1e-9}})"))));
}

TEST(CostEstimate, OnlyLargeRunsAreWorthTellingBeforeTheyStart) {
  EXPECT_FALSE(worth_telling(estimate_cost(config_with({}))));
  EXPECT_TRUE(worth_telling(estimate_cost(config_with({{"objective", {{"dimension", 100000000}}}}))));
  EXPECT_TRUE(worth_telling(estimate_cost(config_with({{"stop", {{"time", 1e7}}}, {"record", {{"per_gradient", false}}}}))));
}

TEST(ParseMemorySize, ReadsBinaryUnits) {
  EXPECT_EQ(parse_memory_size("4G"), 4.0 * (1ull << 30));
  EXPECT_EQ(parse_memory_size("512M"), 512.0 * (1 << 20));
  EXPECT_EQ(parse_memory_size("1.5TiB"), 1.5 * (1ull << 40));
  EXPECT_EQ(parse_memory_size("800k"), 800.0 * 1024);
  EXPECT_EQ(parse_memory_size("1000000"), 1e6);
  EXPECT_FALSE(parse_memory_size("4Q"));
  EXPECT_FALSE(parse_memory_size("-1G"));
  EXPECT_FALSE(parse_memory_size(""));
  EXPECT_FALSE(parse_memory_size("G"));
}

TEST(CostDescription, WritesNumbersAsAPersonWould) {
  EXPECT_EQ(human_bytes(2.4e11), "240 GB");
  EXPECT_EQ(human_bytes(3.8e9), "3.8 GB");
  EXPECT_EQ(human_duration(0.42), "0.42 s");
  EXPECT_EQ(human_duration(7200), "2 h");
}

}  // namespace
}  // namespace dasgd
