// stop.gradients_per_node against hand-worked schedules: with constant compute times c_i = c / speed_i
// node i completes its k-th gradient at exactly k·c_i, so a budget B is reached at B·c_i and the run
// ends at B·max c_i (plus the last message's latency with stop.drain); round-based algorithms run B
// rounds (local SGD B / H); the parameter server's workers stop, and its last push stays unapplied
// unless stop.drain is set. First to fire of time, gradients and the budget wins; bad budgets are
// refused at their path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "sim/config/run_config.hpp"
#include "sim/predict/staleness_prediction.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

// n nodes, constant compute time 1 at speeds 1, 2, 4, ... (c_i = 2^-i), constant latency 0.1.
json world(const std::string& algorithm, const std::string& graph, int nodes, std::uint64_t budget) {
  json speeds = json::array();
  for (int i = 0; i < nodes; ++i) speeds.push_back(1 << std::min(i, 2));
  return {{"seed", 3},
          {"graph", {{"kind", graph}, {"nodes", nodes}}},
          {"compute", {{"time", {{"law", "constant"}, {"value", 1.0}}}, {"speeds", speeds}}},
          {"link", {{"latency", {{"law", "constant"}, {"value", 0.1}}}}},
          {"objective", {{"kind", "quadratic"}, {"dimension", 2}}},
          {"algorithm", {{"name", algorithm}, {"eta", 0.01}}},
          {"stop", {{"gradients_per_node", budget}}}};
}

RunResult run(const json& document) { return run_experiment(parse_run_config(document, "gradient_budget_test.json")); }

// Last completion time of each node, from the per-gradient log.
std::map<NodeId, double> last_end(const RunResult& result) {
  std::map<NodeId, double> out;
  for (const GradientLogRow& row : result.recorder->log()) out[row.node] = std::max(out[row.node], row.end);
  return out;
}

TEST(GradientBudget, DasgdNodesStopAtTheirBudgetAtBTimesTheirComputeTime) {
  // Speeds 1, 2, 4, 4: c = 1, 0.5, 0.25, 0.25; budget 4 reached at 4, 2, 1, 1.
  const RunResult r = run(world("dasgd", "complete", 4, 4));
  EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node);
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(r.gradients, 16u);
  for (const NodeSummary& node : r.node_summaries) EXPECT_EQ(node.gradients, 4u) << "node " << node.node;
  const std::map<NodeId, double> last = last_end(r);
  EXPECT_DOUBLE_EQ(last.at(0), 4.0);
  EXPECT_DOUBLE_EQ(last.at(1), 2.0);
  EXPECT_DOUBLE_EQ(last.at(2), 1.0);
  EXPECT_DOUBLE_EQ(last.at(3), 1.0);
  EXPECT_DOUBLE_EQ(r.end_time, 4.0);  // the slowest node's 4th completion; its messages undelivered
}

TEST(GradientBudget, DrainDeliversTheLastGradientOneLatencyLater) {
  json document = world("dasgd", "complete", 4, 4);
  document["stop"]["drain"] = true;
  const RunResult r = run(document);
  EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node);
  EXPECT_EQ(r.gradients, 16u);  // nobody starts anything after its budget, drained or not
  EXPECT_NEAR(r.end_time, 4.1, 1e-12);  // node 0's last gradient reaches its neighbours 0.1 later
}

TEST(GradientBudget, AsynchronousAlgorithmsGiveEveryNodeExactlyItsBudget) {
  for (const char* algorithm : {"dasgd", "gossip_sgd", "adpsgd", "sparsified_asgd", "local_async_sgd"}) {
    const RunResult r = run(world(algorithm, "ring", 4, 6));
    EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node) << algorithm;
    for (const NodeSummary& node : r.node_summaries) EXPECT_EQ(node.gradients, 6u) << algorithm << " node " << node.node;
    EXPECT_EQ(r.gradients, 24u) << algorithm;
  }
}

TEST(GradientBudget, ParameterServerWorkersStopAndTheLastPushIsUnappliedWithoutDrain) {
  // Star of 4: node 0 serves, workers 1, 2, 3 at c = 0.5, 0.25, 0.25 (speeds 2, 4, 4); zero latency.
  json document = world("parameter_server", "star", 4, 5);
  document["link"]["latency"]["value"] = 0.0;
  const RunResult r = run(document);
  EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node);
  EXPECT_EQ(r.node_summaries[0].gradients, 0u);  // the server computes none
  for (NodeId w = 1; w < 4; ++w) EXPECT_EQ(r.node_summaries[w].gradients, 5u);
  EXPECT_DOUBLE_EQ(r.end_time, 2.5);  // worker 1's 5th completion
  // The run stops at that completion: its push (arriving at the same instant, a later event) is
  // never applied, so it alone has no τ.
  std::size_t unapplied = 0;
  for (const GradientLogRow& row : r.recorder->log()) unapplied += row.tau ? 0 : 1;
  EXPECT_EQ(unapplied, 1u);
  EXPECT_FALSE(r.recorder->log().back().tau.has_value());

  document["stop"]["drain"] = true;
  const RunResult drained = run(document);
  for (const GradientLogRow& row : drained.recorder->log()) EXPECT_TRUE(row.tau.has_value()) << "t = " << row.t;
}

TEST(GradientBudget, RoundAlgorithmsRunBudgetRoundsAndLocalSgdBudgetOverH) {
  for (const char* algorithm : {"minibatch_sgd", "dpsgd"}) {
    const RunResult r = run(world(algorithm, "ring", 4, 3));
    EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node) << algorithm;
    for (const NodeSummary& node : r.node_summaries) EXPECT_EQ(node.gradients, 3u) << algorithm;
    const auto rounds = std::find_if(r.figures.begin(), r.figures.end(), [](const AlgorithmFigure& f) { return f.name == "rounds"; });
    ASSERT_NE(rounds, r.figures.end()) << algorithm;
    EXPECT_EQ(rounds->value, 3.0) << algorithm;
  }
  json local = world("local_sgd", "ring", 4, 6);
  local["algorithm"]["local_steps"] = 2;
  const RunResult r = run(local);
  EXPECT_EQ(r.stop_reason, RunStopReason::gradients_per_node);
  for (const NodeSummary& node : r.node_summaries) EXPECT_EQ(node.gradients, 6u);
  const auto rounds = std::find_if(r.figures.begin(), r.figures.end(), [](const AlgorithmFigure& f) { return f.name == "rounds"; });
  ASSERT_NE(rounds, r.figures.end());
  EXPECT_EQ(rounds->value, 3.0);
}

TEST(GradientBudget, FirstStopRuleToFireWins) {
  json by_count = world("dasgd", "complete", 4, 100);
  by_count["stop"]["gradients"] = 10;
  EXPECT_EQ(run(by_count).stop_reason, RunStopReason::gradients);
  EXPECT_EQ(run(by_count).gradients, 10u);
  json by_time = world("dasgd", "complete", 4, 4);
  by_time["stop"]["time"] = 1.5;  // node 0 has 1 of its 4 gradients then
  const RunResult timed = run(by_time);
  EXPECT_EQ(timed.stop_reason, RunStopReason::time);
  EXPECT_EQ(timed.node_summaries[0].gradients, 1u);
  by_time["stop"]["time"] = 10;  // the budget is reached first, at 4
  EXPECT_EQ(run(by_time).stop_reason, RunStopReason::gradients_per_node);
}

// dasgd predict's run length: n·B gradients (the parameter server: its workers'), ending at
// B / min μ_i, the time the runs above end at.
TEST(GradientBudget, PredictionCountsBPerComputingNodeAndEndsAtTheSlowest) {
  const StalenessPrediction dasgd = predict_staleness(parse_run_config(world("dasgd", "complete", 4, 4), "p.json"));
  EXPECT_DOUBLE_EQ(dasgd.expected_gradients, 16.0);
  EXPECT_DOUBLE_EQ(dasgd.expected_run_time, 4.0);
  json server = world("parameter_server", "star", 4, 5);
  server["link"]["latency"]["value"] = 0.0;
  const StalenessPrediction ps = predict_staleness(parse_run_config(server, "p.json"));
  EXPECT_DOUBLE_EQ(ps.expected_gradients, 15.0);
  EXPECT_DOUBLE_EQ(ps.expected_run_time, 2.5);
}

void expect_refused(json document, const std::string& path, const std::string& words) {
  try {
    parse_run_config(std::move(document), "gradient_budget_test.json");
    FAIL() << "accepted; expected a refusal at " << path;
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.path(), path) << error.what();
    EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
  }
}

TEST(GradientBudget, RefusesAnythingButAPositiveIntegerAtItsPath) {
  for (const json& bad : {json(0), json(-3), json(2.5), json("ten"), json(true)}) {
    json document = world("dasgd", "ring", 4, 1);
    document["stop"]["gradients_per_node"] = bad;
    expect_refused(document, "/stop/gradients_per_node", "expected");
  }
}

TEST(GradientBudget, LocalSgdNeedsABudgetThatLocalStepsDivides) {
  json document = world("local_sgd", "ring", 4, 5);
  document["algorithm"]["local_steps"] = 2;
  expect_refused(document, "/stop/gradients_per_node", "multiple of algorithm.local_steps (2)");
  json blocking = world("local_async_sgd", "ring", 4, 6);
  blocking["algorithm"]["blocking"] = true;  // local_steps defaults to 4
  expect_refused(blocking, "/stop/gradients_per_node", "multiple of algorithm.local_steps (4)");
}

TEST(GradientBudget, IsAStopRuleOnItsOwn) {
  json document = world("dasgd", "ring", 4, 2);
  const RunConfig config = parse_run_config(document, "gradient_budget_test.json");
  EXPECT_EQ(config.stop.gradients_per_node, 2u);
  EXPECT_FALSE(config.stop.time || config.stop.gradients);
  document["stop"] = json::object();
  expect_refused(document, "/stop", "gradients_per_node");
}

// docs/EXPERIMENTS.md, "What stop.gradients leaves unapplied": the parameter server applies a push
// when it arrives, so at the stop the pushes completed within the last latency L are unapplied
// (their τ empty), and none with drain.
TEST(StopGradientsUnapplied, ParameterServerPushesStillOnTheirWayUp) {
  json document = world("parameter_server", "star", 4, 1);
  document["compute"]["speeds"] = {1.0, 1.0, 1.7, 2.9};  // c = 1, 1/1.7, 1/2.9: no two events coincide
  document["link"]["latency"]["value"] = 0.3;
  document["stop"] = {{"gradients", 20}};
  const RunResult r = run(document);
  ASSERT_EQ(r.gradients, 20u);
  std::size_t in_flight = 0, untimed = 0;
  for (const GradientLogRow& row : r.recorder->log()) {
    const bool on_the_way = row.end + 0.3 > r.end_time;
    in_flight += on_the_way ? 1 : 0;
    untimed += row.tau ? 0 : 1;
    EXPECT_EQ(row.tau.has_value(), !on_the_way) << "t = " << row.t << ", completed at " << row.end;
  }
  EXPECT_GE(in_flight, 1u);  // at least the 20th
  EXPECT_EQ(untimed, in_flight);
  document["stop"]["drain"] = true;
  for (const GradientLogRow& row : run(document).recorder->log()) EXPECT_TRUE(row.tau.has_value()) << "t = " << row.t;
}

// AD-PSGD applies a gradient when its exchange finishes: at the stop the node average x̄ misses
// (η/n) Σ of the unapplied gradients against the virtual sequence x_T (which holds all T), at
// least the T-th; drained, x̄ = x_T to rounding. x̄ from record.models (every node).
TEST(StopGradientsUnapplied, AdpsgdLastExchangeUnfinishedUnlessDrained) {
  json document = world("adpsgd", "ring", 4, 1);
  document["stop"] = {{"gradients", 40}};
  document["record"] = {{"models", {{"nodes", "all"}}}};
  const auto gap = [](const RunResult& r) {
    const ModelLog& log = r.models;
    Vector average = Vector::Zero(2);
    for (std::size_t row = log.rows() - 4; row < log.rows(); ++row)
      average += Eigen::Map<const Vector>(log.values.data() + row * 2, 2) / 4.0;
    return (average - r.recorder->virtual_model()).norm();
  };
  const RunResult stopped = run(document);
  const double step = 0.01 / 4 * stopped.recorder->log().back().gradient_norm;  // (η/n)‖g_T‖
  EXPECT_GT(gap(stopped), 1e-3 * step);
  document["stop"]["drain"] = true;
  EXPECT_LT(gap(run(document)), 1e-12);
}

}  // namespace
}  // namespace dasgd
