// The closed-form staleness predictions (sim/predict, docs/PREDICT.md) against independent numbers:
// n − 1 on a complete graph, W − 1 for a parameter server, the ring's distance sum, the Poisson and
// geometric laws, and long simulated runs whose steady-state S_avg the closed forms must hit.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>

#include "sim/config/run_config.hpp"
#include "sim/metrics/steady_state.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/predict/delivery_delays.hpp"
#include "sim/predict/staleness_law.hpp"
#include "sim/predict/staleness_prediction.hpp"
#include "sim/run/experiment.hpp"
#include "tests/cli_support.hpp"
#include "topologies/generators.hpp"

namespace dasgd {
namespace {

using nlohmann::json;

json base_config(json graph, json compute_time, json latency) {
  return json{{"name", "predict_test"},
              {"seed", 3},
              {"graph", std::move(graph)},
              {"compute", {{"time", std::move(compute_time)}}},
              {"link", {{"latency", std::move(latency)}}},
              {"objective", {{"kind", "separable_cosine"}, {"dimension", 2}, {"noise", {{"kind", "gaussian"}, {"sigma2", 0.1}}}}},
              {"algorithm", {{"name", "dasgd"}, {"eta", 0.01}}},
              {"stop", {{"time", 100}}},
              {"record", {{"per_gradient", false}, {"node_stats", false}}},
              {"epsilon", 0.05}};
}

RunConfig parse(const json& document) { return parse_run_config(document, "predict_test.json"); }

json exponential(double mean) { return json{{"law", "exponential"}, {"mean", mean}}; }

TEST(PredictTest, CompleteGraphHomogeneousExponentialZeroLatencyIsNMinusOneExactly) {
  const StalenessPrediction p = predict_staleness(parse(base_config({{"kind", "complete"}, {"nodes", 8}}, exponential(1.0), 0)));
  EXPECT_DOUBLE_EQ(p.s_avg, 7.0);
  EXPECT_EQ(p.validity, Validity::exact);
  EXPECT_EQ(p.distribution_validity, Validity::exact);
  for (const NodePrediction& node : p.per_node) EXPECT_DOUBLE_EQ(node.s_mean, 7.0);
  // Others complete at rate 7 during an Exp(1) computation: geometric with mean 7, P(0) = 1/8.
  ASSERT_FALSE(p.distribution.pmf.empty());
  EXPECT_NEAR(p.distribution.pmf[0], 1.0 / 8, 1e-12);
  EXPECT_NEAR(p.distribution.pmf[3], (1.0 / 8) * std::pow(7.0 / 8, 3), 1e-12);
}

TEST(PredictTest, SlowerComputeScalesTheCountOnlyThroughTheRatesOfOthers) {
  // Complete graph, speeds 1 and 2 (compute means 1 and 0.5), zero latency: node 0 sees the other
  // at rate 2 during mean 1 → 2; node 1 sees rate 1 during 0.5 → 0.5; S_avg = (1·2 + 2·0.5)/3 = 1.
  json config = base_config({{"kind", "complete"}, {"nodes", 2}}, exponential(1.0), 0);
  config["compute"]["speeds"] = json::array({1.0, 2.0});
  const StalenessPrediction p = predict_staleness(parse(config));
  EXPECT_DOUBLE_EQ(p.per_node[0].s_mean, 2.0);
  EXPECT_DOUBLE_EQ(p.per_node[1].s_mean, 0.5);
  EXPECT_DOUBLE_EQ(p.s_avg, 1.0);
}

TEST(PredictTest, RingConstantLatencyAddsRateTimesHopTimesDistanceSum) {
  // Ring of 16: Σ_j d(0, j) = ⌊16²/4⌋ = 64; hop 0.1 s, rate 1: 6.4 in flight, plus 15 during.
  const StalenessPrediction p = predict_staleness(parse(base_config({{"kind", "ring"}, {"nodes", 16}}, exponential(1.0), 0.1)));
  EXPECT_NEAR(p.s_avg, 15 + 6.4, 1e-12);
  EXPECT_NEAR(p.max_delivery_delay, 0.8, 1e-12);
}

TEST(PredictTest, DistanceFormulasEqualShortestPathTreesOnBuiltGraphs) {
  std::vector<double> rates;
  for (int i = 0; i < 64; ++i) rates.push_back(1.0 + 0.37 * (i % 5));
  auto spec = [](std::string kind, std::uint64_t nodes, std::uint64_t rows, std::uint64_t cols, std::uint64_t dim) {
    TopologySpec s;
    s.kind = std::move(kind);
    s.nodes = nodes;
    s.rows = rows;
    s.cols = cols;
    s.dimension = dim;
    return s;
  };
  const struct {
    TopologySpec spec;
    Topology graph;
  } cases[] = {{spec("ring", 64, 0, 0, 0), generate::ring(64)},
               {spec("torus", 0, 8, 8, 0), generate::torus(8, 8)},
               {spec("hypercube", 0, 0, 0, 6), generate::hypercube(6)},
               {spec("grid", 0, 4, 16, 0), generate::grid(4, 16)},
               {spec("star", 64, 0, 0, 0), generate::star(64)},
               {spec("complete", 64, 0, 0, 0), generate::complete(64)}};
  for (const auto& c : cases) {
    const DeliveryDelays formula = formula_delivery_delays(c.spec, rates, 0.25);
    for (PathRule rule : {PathRule::fewest_hops, PathRule::earliest}) {
      const DeliveryDelays bfs = graph_delivery_delays(c.graph, rates, [](EdgeId) { return 0.25; }, rule);
      for (std::size_t i = 0; i < rates.size(); ++i)
        EXPECT_NEAR(formula.weighted_in_flight[i], bfs.weighted_in_flight[i], 1e-9) << c.spec.kind << " node " << i;
      EXPECT_NEAR(formula.max_delay, bfs.max_delay, 1e-12) << c.spec.kind;
    }
    const DeliveryDelays parallel = uniform_hop_delivery_delays(c.graph, rates, 0.25);
    for (std::size_t i = 0; i < rates.size(); ++i)
      EXPECT_NEAR(formula.weighted_in_flight[i], parallel.weighted_in_flight[i], 1e-9) << c.spec.kind << " node " << i;
    EXPECT_NEAR(formula.max_delay, parallel.max_delay, 1e-12) << c.spec.kind;
  }
  // A graph without a formula, 130 nodes (three 64-source passes): bit-parallel BFS = one tree per source.
  const Topology regular = generate::random_regular(130, 3, 7);
  std::vector<double> more(130);
  for (std::size_t i = 0; i < more.size(); ++i) more[i] = 0.5 + 0.01 * static_cast<double>(i);
  const DeliveryDelays trees = graph_delivery_delays(regular, more, [](EdgeId) { return 0.3; }, PathRule::fewest_hops);
  const DeliveryDelays parallel = uniform_hop_delivery_delays(regular, more, 0.3);
  for (std::size_t i = 0; i < more.size(); ++i) EXPECT_NEAR(trees.weighted_in_flight[i], parallel.weighted_in_flight[i], 1e-9);
  EXPECT_NEAR(trees.max_delay, parallel.max_delay, 1e-12);
  // 600 nodes: two full 256-source passes and a partial one; unequal and equal rates (the popcount
  // path), on a sparse graph whose BFS levels leave most nodes complete before the pass ends.
  const Topology sparse = generate::random_regular(600, 3, 11);
  for (const bool equal : {false, true}) {
    std::vector<double> r(600, 1.25);
    if (!equal)
      for (std::size_t i = 0; i < r.size(); ++i) r[i] = 0.5 + 0.001 * static_cast<double>(i);
    const DeliveryDelays t = graph_delivery_delays(sparse, r, [](EdgeId) { return 0.2; }, PathRule::fewest_hops);
    const DeliveryDelays p = uniform_hop_delivery_delays(sparse, r, 0.2);
    for (std::size_t i = 0; i < r.size(); ++i)
      EXPECT_NEAR(t.weighted_in_flight[i], p.weighted_in_flight[i], 1e-9 * t.weighted_in_flight[i]) << "node " << i;
    EXPECT_NEAR(t.max_delay, p.max_delay, 1e-12);
  }
}

TEST(PredictTest, ParameterServerTauAvgIsWorkersMinusOneWhateverTheSpeeds) {
  json config = base_config({{"kind", "star"}, {"nodes", 9}}, exponential(1.0), 0.05);
  config["algorithm"] = {{"name", "parameter_server"}, {"eta", 0.01}};
  config["compute"]["speeds"] = json::array({1.0, 1.0, 2.0, 0.5, 3.0, 1.0, 0.25, 1.5, 1.0});
  const StalenessPrediction p = predict_staleness(parse(config));
  ASSERT_TRUE(p.tau_avg);
  EXPECT_NEAR(*p.tau_avg, 7.0, 1e-12);
  EXPECT_EQ(p.per_node[0].rate, 0.0);  // the server computes nothing
}

TEST(PredictTest, PmfSumsToOneAndMatchesPoissonAndGeometric) {
  const StalenessPmf poisson = tabulate(PoissonGeometric{3.0, 0.0}, 1e-14, 1 << 20);
  double sum = 0;
  for (double x : poisson.pmf) sum += x;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(poisson.pmf[2], std::exp(-3.0) * 9 / 2, 1e-15);
  EXPECT_NEAR(poisson.mean(), 3.0, 1e-10);
  EXPECT_EQ(poisson.quantile(0.5), 3);  // P(N <= 2) = 0.4232, P(N <= 3) = 0.6472
  const StalenessPmf both = tabulate(PoissonGeometric{2.0, 4.0}, 1e-14, 1 << 20);
  EXPECT_NEAR(both.mean(), 6.0, 1e-9);
  EXPECT_NEAR(both.mean_square() - 36.0, 2.0 + 4.0 + 16.0, 1e-8);  // Var = a + g + g²
  // One draw: its expected maximum is its mean; two draws of a fair coin {0, 1}: 3/4.
  EXPECT_NEAR(both.expected_maximum(1), 6.0, 1e-8);
  EXPECT_NEAR(uniform_rank(2).expected_maximum(2), 0.75, 1e-15);
}

TEST(PredictTest, LawsWiderThanTheLimitAreNotTabulated) {
  // A ring of 10^5 nodes: S_avg near 2.5·10^8, beyond the table's 2^22 entries; only the mean is given.
  const StalenessPmf wide = tabulate(PoissonGeometric{2.5e10, 1e6}, 1e-12, 1 << 20);
  EXPECT_TRUE(wide.pmf.empty());
  EXPECT_EQ(wide.tail, 1.0);
  json config = base_config({{"kind", "ring"}, {"nodes", 100000}}, exponential(1.0), 0.1);
  const StalenessPrediction p = predict_staleness(parse(config));
  EXPECT_NEAR(p.s_avg, 99999 + 0.1 * 2.5e9, 1e-9 * p.s_avg);
  EXPECT_FALSE(p.p50);
}

TEST(PredictTest, CountDuringMatchesTwoMomentsAndIsExactForConstantAndExponential) {
  const PoissonGeometric constant = count_during(3.0, 2.0, 0.0);
  EXPECT_DOUBLE_EQ(constant.poisson_mean, 6.0);
  EXPECT_DOUBLE_EQ(constant.geometric_mean, 0.0);
  const PoissonGeometric exp = count_during(3.0, 2.0, 2.0);
  EXPECT_DOUBLE_EQ(exp.poisson_mean, 0.0);
  EXPECT_DOUBLE_EQ(exp.geometric_mean, 6.0);
  const PoissonGeometric gamma = count_during(3.0, 2.0, 1.0);  // Var = 3·2 + 9·1 = 15
  EXPECT_NEAR(gamma.variance(), 15.0, 1e-12);
}

TEST(PredictTest, AveragingAlgorithmsAndNeighboursOnlySayNoClosedForm) {
  json config = base_config({{"kind", "ring"}, {"nodes", 8}}, exponential(1.0), 0.1);
  config["algorithm"] = {{"name", "dpsgd"}, {"eta", 0.01}};
  const StalenessPrediction dpsgd = predict_staleness(parse(config));
  EXPECT_EQ(dpsgd.validity, Validity::no_closed_form);
  ASSERT_FALSE(dpsgd.reasons.empty());
  EXPECT_NE(dpsgd.reasons[0].find("averages models"), std::string::npos);
  config["algorithm"] = {{"name", "dasgd"}, {"eta", 0.01}, {"delivery", "neighbours"}};
  const StalenessPrediction neighbours = predict_staleness(parse(config));
  EXPECT_EQ(neighbours.validity, Validity::no_closed_form);
  EXPECT_NE(neighbours.reasons[0].find("without bound"), std::string::npos);
}

TEST(PredictTest, MinibatchIsTheRankWithinARound) {
  json config = base_config({{"kind", "ring"}, {"nodes", 8}}, exponential(1.0), 0.1);
  config["algorithm"] = {{"name", "minibatch_sgd"}, {"eta", 0.01}};
  const StalenessPrediction p = predict_staleness(parse(config));
  EXPECT_EQ(p.validity, Validity::exact);
  EXPECT_DOUBLE_EQ(p.s_avg, 3.5);
  const RunResult run = run_experiment(parse(config));
  // Complete rounds of 8 have mean exactly 3.5; a partial last round can only lower it.
  const double full_rounds = std::floor(static_cast<double>(run.gradients) / 8) * 8;
  const double measured = run.recorder->statistics().s().mean() * static_cast<double>(run.gradients);
  const double partial = static_cast<double>(run.gradients) - full_rounds;
  EXPECT_NEAR(measured, 3.5 * full_rounds + partial * (partial - 1) / 2, 1e-6);
}

TEST(PredictTest, NodeComputeTimesMatchTheRunsNodeSummaries) {
  json config = base_config({{"kind", "ring"}, {"nodes", 12}}, exponential(1.0), 0.1);
  config["compute"]["speeds"] = {{"law", "uniform"}, {"low", 0.5}, {"high", 2.0}};
  config["compute"]["stragglers"] = {{"fraction", 0.25}, {"slowdown", 3}};
  config["stop"] = {{"time", 2}};
  const StalenessPrediction p = predict_staleness(parse(config));
  const RunResult run = run_experiment(parse(config));
  ASSERT_EQ(p.per_node.size(), run.node_summaries.size());
  for (std::size_t i = 0; i < p.per_node.size(); ++i)
    EXPECT_DOUBLE_EQ(p.per_node[i].mean_compute_time, run.node_summaries[i].mean_compute_time) << i;
}

// Long runs, steady state (warm-up by time), measured against predicted within 2 % where the
// label is "exact in the mean" or "exact". A small representative set; the full sweep is
// bench/predict_accuracy.sh (docs/PREDICT.md).
TEST(PredictTest, MeasuredSteadyStateMatchesPredictedOnLongRuns) {
  std::vector<json> configs;
  configs.push_back(base_config({{"kind", "complete"}, {"nodes", 4}}, exponential(1.0), 0.2));
  json ring = base_config({{"kind", "ring"}, {"nodes", 6}}, {{"law", "gamma"}, {"shape", 2}, {"scale", 0.5}},
                          {{"law", "exponential"}, {"mean", 0.3}});
  ring["compute"]["speeds"] = json::array({1.0, 2.0, 0.5, 1.0, 1.5, 1.0});
  configs.push_back(ring);
  json ps = base_config({{"kind", "star"}, {"nodes", 5}}, {{"law", "uniform"}, {"low", 0.5}, {"high", 1.5}}, 0.1);
  ps["algorithm"] = {{"name", "parameter_server"}, {"eta", 0.01}};
  configs.push_back(ps);
  for (json& c : configs) {
    c["stop"] = {{"time", 6000}};
    c["record"]["staleness_window"] = 60;
    const RunConfig config = parse(c);
    const StalenessPrediction p = predict_staleness(config);
    ASSERT_NE(p.validity, Validity::approximate) << c.dump();
    const RunResult run = run_experiment(config);
    double slowest = 0;
    for (const NodeSummary& n : run.node_summaries) slowest = std::max(slowest, n.mean_compute_time);
    const SteadyState st = steady_state(run.recorder->statistics(), run.end_time, slowest);
    ASSERT_GT(st.count, 10000u);
    EXPECT_NEAR(st.s_avg / p.s_avg, 1.0, 0.02) << c["graph"].dump() << ": measured " << st.s_avg << ", predicted "
                                                << p.s_avg;
    const json summary = run_summary(config, run);
    EXPECT_NEAR(summary["predicted"]["ratio_S_avg_steady_state"].get<double>(), st.s_avg / p.s_avg, 1e-12);
  }
}

TEST(PredictTest, PredictCommandPrintsJsonAndRefusesBadConfigs) {
  const testing::CommandResult ok = testing::run_cli("predict configs/quickstart.json --json", "predict-ok");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const json out = json::parse(ok.out);
  EXPECT_EQ(out["validity"], "exact in the mean");
  EXPECT_EQ(out["per_node"].size(), 16u);
  const testing::CommandResult bad =
      testing::run_cli("predict configs/quickstart.json --set graph.nodes=-3", "predict-bad");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("/graph/nodes"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

TEST(PredictTest, SweepPredictOnlyWritesOneRowPerPointAndRunsNothing) {
  const std::filesystem::path dir = testing::fresh_directory("predict-sweep");
  const testing::CommandResult r = testing::run_cli(
      "sweep configs/sweeps/predict_accuracy.json --predict-only -q --out '" + dir.string() + "'", "predict-sweep");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(testing::read_file(dir / "predicted.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("point,graph.kind,", 0), 0u) << line;
  std::size_t rows = 0, approximate = 0;
  while (std::getline(lines, line)) {
    ++rows;
    if (line.find(",approximate,") != std::string::npos) ++approximate;
  }
  EXPECT_EQ(rows, 160u);
  EXPECT_EQ(approximate, 64u);  // constant compute (32 points) and flooding over random latencies (32 more)
  EXPECT_FALSE(std::filesystem::exists(dir / "points"));
}

// η = 0 means "no gradient steps": every model stays x_0 (f never moves, B_t² = 0), and the
// staleness, which depends on timing only, is the same as with η > 0 on the same seed.
TEST(EtaZeroTest, NoGradientStepsModelsStayAtTheStartAndStalenessIsUnchanged) {
  for (const char* algorithm : {"dasgd", "dpsgd", "minibatch_sgd", "gossip_sgd"}) {
    json config = base_config({{"kind", "ring"}, {"nodes", 6}}, exponential(1.0), 0.1);
    config["algorithm"] = {{"name", algorithm}, {"eta", 0.0}};
    config["stop"] = {{"time", 30}};
    const RunResult still = run_experiment(parse(config));
    config["algorithm"]["eta"] = 0.05;
    const RunResult moving = run_experiment(parse(config));
    ASSERT_GT(still.gradients, 0u) << algorithm;
    EXPECT_EQ(still.gradients, moving.gradients) << algorithm;
    EXPECT_EQ(still.recorder->statistics().s().mean(), moving.recorder->statistics().s().mean()) << algorithm;
    for (const NodeSummary& node : still.node_summaries) EXPECT_DOUBLE_EQ(node.final_f, still.initial_f) << algorithm;
    EXPECT_EQ(still.recorder->mean_b_squared(), 0.0) << algorithm;
    EXPECT_TRUE(still.bounds.empty()) << algorithm;  // every bound needs a step size > 0
  }
}

}  // namespace
}  // namespace dasgd
