// DASGD's node behaviour against hand-worked schedules and invariants: lock-step staleness, one-node
// SGD, every gradient applied exactly once everywhere, delivery modes.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "sim/algorithms/dasgd.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

// Zero latency, complete graph, every compute time exactly 1: all n nodes complete at t = 1, 2, ...
// in node order (FIFO ties). By the spec's tie rule a node starts its next computation right after
// its completion, before any arrival scheduled at that instant, so in round r >= 1 node p reads its
// own round r-1 gradient plus every gradient of rounds <= r-2:
//   |G| = n(r-1) + 1, t = nr + p  =>  S_t = n - 1 + p;
// min M_t is the first round r-1 gradient of another node: n(r-1), or n(r-1) + 1 when p = 0, so
//   S_hat_t = n + p for p > 0 and n - 1 for p = 0.
// Round 0 reads the empty set: S_t = S_hat_t = p.
TEST(DasgdStaleness, LockStepOnCompleteGraphMatchesTieRule) {
  const std::size_t n = 5;
  const int rounds = 6;
  auto w = make_world(generate::complete(n), cosine_objective(4, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  auto recorder = make_recorder(*w, 0.01);
  DasgdParams params;
  params.eta = 0.01;
  Dasgd algorithm(w->world, params, recorder.get());
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, n * rounds);
  ASSERT_EQ(recorder->log().size(), n * rounds);
  double expected_sum = 0;
  for (const GradientLogRow& row : recorder->log()) {
    const std::uint64_t r = row.t / n, p = row.t % n;
    EXPECT_EQ(row.node, p) << "t = " << row.t;
    const std::uint64_t s = r == 0 ? p : n - 1 + p;
    const std::uint64_t s_hat = r == 0 ? p : (p == 0 ? n - 1 : n + p);
    EXPECT_EQ(row.s, s) << "t = " << row.t;
    EXPECT_EQ(row.s_hat, s_hat) << "t = " << row.t;
    expected_sum += static_cast<double>(s);
  }
  EXPECT_DOUBLE_EQ(recorder->statistics().s().mean(), expected_sum / (n * rounds));
  EXPECT_EQ(recorder->statistics().s().max(), static_cast<std::int64_t>(2 * n - 2));
}

// Two nodes, compute times 1 (node 0) and 1.5 (node 1), latency 0.25 both ways.
// Completions: t0 = node0 @1, t1 = node1 @1.5, t2 = node0 @2, t3 = node1 @3, t4 = node0 @3, ...
// Node 0's second computation starts at 1 with G = {0}; gradient 1 (node 1 @1.5) arrives at 1.75.
// t2 (node0, started 1, G = {0}) -> M = {1}: S = 1, S_hat = 2 - 1 = 1.
// t1 (node1, started 0, G = {})  -> M = {0}: S = 1, S_hat = 1.
// t3 (node1, started 1.5, G = {1} since gradient 0 arrived at 1.25? yes 1.25 < 1.5: G = {0, 1})
//   -> M = {2}: S = 1, S_hat = 3 - 2 = 1.
// t4 (node0, started 2, G = {0, 1, 2}) -> M = {3}: S = 1, S_hat = 1.
TEST(DasgdStaleness, TwoNodeHandWorkedSchedule) {
  auto w = make_world(generate::complete(2), cosine_objective(3, 0.0), [] {
    ComputeModelSpec spec = compute_law(law::Constant{1.0});
    spec.speeds = std::vector<double>{1.0, 1.0 / 1.5};
    return spec;
  }(), link_law(law::Constant{0.25}));
  auto recorder = make_recorder(*w, 0.01);
  DasgdParams params;
  params.eta = 0.01;
  Dasgd algorithm(w->world, params, recorder.get());
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 5);
  const auto& log = recorder->log();
  ASSERT_EQ(log.size(), 5u);
  const std::uint64_t nodes[] = {0, 1, 0, 1, 0};
  const double ends[] = {1.0, 1.5, 2.0, 3.0, 3.0};
  const std::uint64_t s[] = {0, 1, 1, 1, 1};
  const std::uint64_t s_hat[] = {0, 1, 1, 1, 1};
  for (std::size_t t = 0; t < 5; ++t) {
    EXPECT_EQ(log[t].node, nodes[t]) << t;
    EXPECT_DOUBLE_EQ(log[t].end, ends[t]) << t;
    EXPECT_EQ(log[t].s, s[t]) << t;
    EXPECT_EQ(log[t].s_hat, s_hat[t]) << t;
  }
}

// One node: DASGD is plain SGD, step for step, with the node's gradient-noise stream.
TEST(Dasgd, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  DasgdParams params;
  params.eta = eta;
  Dasgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 50);
  const Vector x = testing::plain_sgd(*w, eta, 50);
  EXPECT_EQ(algorithm.gradients_completed(), 50u);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// After computing stops and the network drains, every model has applied every gradient exactly
// once: all models equal x_0 - eta * sum of all gradients (the virtual sequence's last point).
void expect_all_models_equal_virtual_sequence(Topology topology, Delivery delivery, std::uint64_t batch) {
  const double eta = 0.02;
  auto w = make_world(std::move(topology), cosine_objective(5, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.3}));
  auto recorder = make_recorder(*w, eta);
  DasgdParams params;
  params.eta = eta;
  params.delivery = delivery;
  params.batch = batch;
  Dasgd algorithm(w->world, params, recorder.get());
  Simulator simulator;
  const std::size_t n = w->topology.num_nodes();
  const std::uint64_t gradients = 40 * n * batch;
  algorithm.start(simulator);
  // Stop right after a whole number of batches per node is impossible to force; so stop computing
  // when `gradients` are done and drain: unsent partial batches stay local, so compare only when b=1.
  simulator.run_while(algorithm, [&] { return algorithm.gradients_completed() < gradients; });
  algorithm.stop_computing();
  simulator.run(algorithm);
  ASSERT_TRUE(simulator.pending() == 0);
  if (batch == 1) {
    for (NodeId i = 0; i < n; ++i)
      EXPECT_LT((algorithm.model(i) - recorder->virtual_model()).norm(), 1e-12) << "node " << i;
    EXPECT_EQ(algorithm.traffic().deliveries, (n - 1) * algorithm.gradients_completed());
    EXPECT_EQ(recorder->statistics().deliveries(), (n - 1) * algorithm.gradients_completed());
  }
  EXPECT_EQ(recorder->tracker().live_gradients(),
            batch == 1 ? 0u : recorder->tracker().live_gradients());
}

TEST(Dasgd, RoutedDeliveryAppliesEveryGradientOnceEverywhere) {
  expect_all_models_equal_virtual_sequence(generate::ring(7), Delivery::routed, 1);
}
TEST(Dasgd, FloodingDeliveryAppliesEveryGradientOnceEverywhere) {
  expect_all_models_equal_virtual_sequence(generate::torus(3, 3), Delivery::flooding, 1);
}
TEST(Dasgd, BatchedMessagesCarryEveryGradientOfTheBatch) {
  expect_all_models_equal_virtual_sequence(generate::complete(4), Delivery::routed, 3);
}

// Flooding on an even ring of n nodes, per gradient: the origin sends 2, the nodes at distance
// 1 .. n/2 - 1 each forward 1 (away from the origin), the opposite node gets two copies and forwards
// the first to the other side: n + 1 messages, n - 1 deliveries, 2 duplicates dropped.
TEST(Dasgd, FloodingOnEvenRingSendsNPlusOneMessagesPerGradient) {
  const std::size_t n = 6;
  auto w = make_world(generate::ring(n), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.01}));
  DasgdParams params;
  params.eta = 0.01;
  params.delivery = Delivery::flooding;
  Dasgd algorithm(w->world, params, nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 3 * n);
  algorithm.stop_computing();
  simulator.run(algorithm);
  const std::uint64_t g = algorithm.gradients_completed();
  EXPECT_EQ(algorithm.traffic().deliveries, g * (n - 1));
  EXPECT_EQ(algorithm.traffic().messages, g * (n + 1));
  EXPECT_EQ(algorithm.traffic().duplicates, g * 2);
}

// Neighbours-only delivery never relays: on a ring, non-neighbours never receive, so S grows
// with the run (the ablation's point).
TEST(Dasgd, NeighboursOnlyStalenessGrowsWithoutBound) {
  auto w = make_world(generate::ring(6), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  auto recorder = make_recorder(*w, 0.01);
  DasgdParams params;
  params.eta = 0.01;
  params.delivery = Delivery::neighbours;
  Dasgd algorithm(w->world, params, recorder.get());
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 600);
  const auto& log = recorder->log();
  // Each node sees its own and two neighbours' gradients: 3 of every 6, so S_t ~ t/2.
  EXPECT_GT(log.back().s, 250u);
  EXPECT_GT(log.back().s, log[log.size() / 2].s + 100);
}

// Every apply in the order the run makes it: (node, gradient, time, own).
struct ApplyLog final : GradientObserver {
  struct Row {
    NodeId node;
    std::uint64_t t;
    SimTime r;
    bool own;
    bool operator==(const Row&) const = default;
  };
  std::vector<Row> rows;
  std::uint64_t on_compute_start(NodeId, SimTime, ConstVectorRef) override { return 0; }
  void on_compute_complete(NodeId, std::uint64_t, SimTime, SimTime, ConstVectorRef, std::uint64_t) override {}
  void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) override { rows.push_back({node, t, r, own}); }
  std::uint64_t on_model_sent(NodeId, SimTime, std::uint32_t) override { return 0; }
  void on_model_merged(NodeId, std::uint64_t, SimTime) override {}
  void on_model_dropped(std::uint64_t) override {}
};

struct RoutedRun {
  ApplyLog log;
  Eigen::MatrixXd models;
  std::uint64_t events = 0;
  TrafficCounters traffic;
  bool tree = false;
};

RoutedRun run_routed(const Topology& topology, const ComputeModelSpec& compute, const LinkModelSpec& link,
                     std::uint64_t seed, bool per_hop, std::uint64_t gradients, std::uint64_t batch = 1) {
  auto w = make_world(topology, cosine_objective(3, 0.1), compute, link, seed);
  RoutedRun run;
  DasgdParams params;
  params.eta = 0.01;
  params.batch = batch;
  params.per_hop_routing = per_hop;
  params.tree_cache_bytes = seed % 2 == 0 ? std::size_t{1} << 20 : 0;
  Dasgd algorithm(w->world, params, &run.log);
  run.tree = algorithm.tree_routing();
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, gradients);
  algorithm.stop_computing();
  simulator.run(algorithm);
  run.models.resize(3, static_cast<Eigen::Index>(topology.num_nodes()));
  for (NodeId i = 0; i < topology.num_nodes(); ++i) run.models.col(i) = algorithm.model(i);
  run.events = simulator.events_processed();
  run.traffic = algorithm.traffic();
  return run;
}

// Routed delivery over shortest-path trees (one draw per tree arc, batches expanded lazily, one
// pending event per broadcast) runs the per-hop walk's schedule exactly where hop times are
// deterministic: the same applies in the same order at the same times (ties included: constant
// compute 1 and hop 0.5 make arrivals coincide with completions and with each other), the same
// models bit for bit, the same event count and traffic.
TEST(DasgdRouted, TreeDeliveryRunsThePerHopScheduleExactlyWithConstantLatencies) {
  struct Case {
    Topology topology;
    Distribution compute;
    double latency;
  };
  std::vector<Case> cases;
  cases.push_back({generate::ring(8), law::Constant{1.0}, 0.5});
  cases.push_back({generate::ring(9), law::Constant{1.0}, 0.25});
  cases.push_back({generate::torus(3, 4), law::Constant{0.5}, 0.125});
  cases.push_back({generate::complete(6), law::Constant{1.0}, 0.0});
  cases.push_back({generate::ring(11), law::Exponential{1.0}, 0.1});
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    cases.push_back({generate::erdos_renyi(14, 0.25, seed), law::Exponential{1.0}, 0.1});
    cases.push_back({generate::random_regular(12, 3, seed), law::Uniform{0.5, 1.5}, 0.2});
    cases.push_back({generate::barabasi_albert(15, 2, seed), law::Constant{1.0}, 0.5});
  }
  std::uint64_t seed = 1;
  for (const Case& c : cases) {
    for (const std::uint64_t batch : {1, 2}) {
      SCOPED_TRACE(c.topology.name() + " seed " + std::to_string(seed) + " batch " + std::to_string(batch));
      const auto link = link_law(law::Constant{c.latency});
      const RoutedRun walk = run_routed(c.topology, compute_law(c.compute), link, seed, true, 150, batch);
      const RoutedRun tree = run_routed(c.topology, compute_law(c.compute), link, seed, false, 150, batch);
      EXPECT_FALSE(walk.tree);
      EXPECT_TRUE(tree.tree);
      ASSERT_EQ(tree.log.rows.size(), walk.log.rows.size());
      EXPECT_TRUE(tree.log.rows == walk.log.rows);
      EXPECT_TRUE((tree.models.array() == walk.models.array()).all());
      EXPECT_EQ(tree.events, walk.events);
      EXPECT_EQ(tree.traffic.messages, walk.traffic.messages);
      EXPECT_EQ(tree.traffic.deliveries, walk.traffic.deliveries);
      ++seed;
    }
  }
}

// With random hop times the tree and the walk draw differently but deliver the same set: every
// gradient reaches every node exactly once, each arrival no earlier than its send.
TEST(DasgdRouted, TreeDeliveryWithRandomLatencyAppliesEveryGradientOnceEverywhere) {
  const Topology graph = generate::erdos_renyi(16, 0.2, 4);
  const RoutedRun run = run_routed(graph, compute_law(law::Exponential{1.0}),
                                   link_law(law::Exponential{0.3}), 5, false, 200);
  ASSERT_TRUE(run.tree);
  std::map<std::pair<NodeId, std::uint64_t>, int> count;
  std::map<std::uint64_t, SimTime> sent;
  for (const auto& row : run.log.rows) {
    ++count[{row.node, row.t}];
    if (row.own) sent[row.t] = row.r;
  }
  EXPECT_EQ(count.size(), sent.size() * 16);
  for (const auto& [key, k] : count) EXPECT_EQ(k, 1);
  for (const auto& row : run.log.rows) EXPECT_GE(row.r, sent[row.t]);
}

// FIFO and bandwidth-limited links keep the per-hop walk.
TEST(DasgdRouted, FifoAndBandwidthLinksWalkEveryHop) {
  const Topology ring = generate::ring(5);
  auto fifo = link_law(law::Exponential{0.1});
  fifo.fifo = true;
  auto bandwidth = link_law(law::Constant{0.1});
  bandwidth.bandwidth = 1e6;
  EXPECT_FALSE(run_routed(ring, compute_law(law::Exponential{1.0}), fifo, 1, false, 20).tree);
  EXPECT_FALSE(run_routed(ring, compute_law(law::Exponential{1.0}), bandwidth, 1, false, 20).tree);
  EXPECT_TRUE(run_routed(ring, compute_law(law::Exponential{1.0}), link_law(law::Exponential{0.1}), 1,
                         false, 20).tree);
}

}  // namespace
}  // namespace dasgd
