// AD-PSGD against known numbers: one node is plain SGD, a hand-worked two-node schedule (locks,
// waits, messages, models), exchanges preserve the node average exactly, the average follows the
// virtual sequence with step η/n, and no deadlock on ring, complete graph and star over many seeds.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/algorithms/adpsgd.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

AdpsgdParams step(double eta) {
  AdpsgdParams params;
  params.eta = eta;
  return params;
}

Vector node_average(const Algorithm& algorithm) {
  Vector sum = Vector::Zero(algorithm.model(0).size());
  for (NodeId i = 0; i < algorithm.num_nodes(); ++i) sum += algorithm.model(i);
  return sum / static_cast<double>(algorithm.num_nodes());
}

// Largest per-coordinate spread max_i x_i − min_i x_i.
double disagreement(const Algorithm& algorithm) {
  const Eigen::Index d = algorithm.model(0).size();
  double worst = 0;
  for (Eigen::Index k = 0; k < d; ++k) {
    double lo = algorithm.model(0)(k), hi = lo;
    for (NodeId i = 1; i < algorithm.num_nodes(); ++i) {
      lo = std::min(lo, algorithm.model(i)(k));
      hi = std::max(hi, algorithm.model(i)(k));
    }
    worst = std::max(worst, hi - lo);
  }
  return worst;
}

TEST(Adpsgd, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  Adpsgd algorithm(w->world, step(eta), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 50);
  const Vector x = testing::plain_sgd(*w, eta, 50);
  EXPECT_EQ(algorithm.gradients_completed(), 50u);
  EXPECT_EQ(algorithm.traffic().messages, 0u);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// Two nodes, compute 1, latency 0.25, exact gradients, both start from x with gradient g = ∇f(x).
// t = 1: node 0 (lower) takes lock(0), sends x to 1; node 1 (higher) sends a lock request to 0.
// 1.25: node 1 averages (x, x) = x, replies; the request queues at 0 (lock(0) held).
// 1.5: node 0 gets x, applies g: x0 = x − ηg; releases lock(0) to node 1's exchange (lock wait 0.25),
//      which sends x0 to 1.
// 1.75: node 1 averages: (x + x − ηg)/2, applies g: x1 = x − 1.5ηg; replies.
// 2.0: node 0 takes the average: x0 = x − 0.5ηg. Exchange waits 0.5 (node 0) and 0.75 (node 1).
TEST(Adpsgd, TwoNodeHandWorkedSchedule) {
  const double eta = 0.1;
  const Eigen::Index d = 3;
  auto w = make_world(generate::complete(2), cosine_objective(d, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  Adpsgd algorithm(w->world, step(eta), nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 2.2);
  const Vector x = w->objective->initial_point();
  Vector g(d);
  w->objective->gradient(x, g);
  const Vector x0 = x - 0.5 * eta * g;
  const Vector x1 = x - 1.5 * eta * g;
  for (Eigen::Index j = 0; j < d; ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x0(j));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(j), x1(j));
  }
  EXPECT_EQ(algorithm.exchanges(), 2u);
  EXPECT_DOUBLE_EQ(algorithm.mean_exchange_wait(), (0.5 + 0.75) / 2);
  EXPECT_DOUBLE_EQ(algorithm.mean_lock_wait(), (0.0 + 0.25) / 2);
  // Four model messages and one header-only lock request.
  EXPECT_EQ(algorithm.traffic().messages, 5u);
  EXPECT_EQ(algorithm.traffic().bytes, static_cast<std::uint64_t>(4 * (8 * d + 32) + 32));
  EXPECT_EQ(algorithm.traffic().deliveries, 4u);
  EXPECT_EQ(algorithm.locks_held(), 0u);
}

// η = 0, distinct starting models: each exchange replaces two models by their average, so once the
// network drains the node average is the starting one (to rounding), and the spread has shrunk.
TEST(Adpsgd, ExchangesPreserveTheNodeAverage) {
  for (Topology topology : {generate::ring(7), generate::complete(5), generate::star(6)}) {
    const std::size_t n = topology.num_nodes();
    auto w = make_world(std::move(topology), cosine_objective(4, 0.0), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.3}), 11);
    Adpsgd algorithm(w->world, step(0.0), nullptr);
    Rng init(99);
    for (NodeId i = 0; i < n; ++i) {
      Vector x(4);
      for (Eigen::Index k = 0; k < 4; ++k) x(k) = 10.0 * init.normal();
      algorithm.set_model(i, x);
    }
    const Vector mean0 = node_average(algorithm);
    const double spread0 = disagreement(algorithm);
    Simulator simulator;
    testing::run_gradients(algorithm, simulator, 100 * n);
    algorithm.stop_computing();
    simulator.run(algorithm);
    EXPECT_LT((node_average(algorithm) - mean0).norm(), 1e-12 * (1 + mean0.norm())) << w->topology.name();
    EXPECT_LT(disagreement(algorithm), 1e-4 * spread0) << w->topology.name();
    EXPECT_EQ(algorithm.exchanges(), algorithm.gradients_completed());
  }
}

// η > 0: exchanges keep the sum, and each gradient is applied once at its node, so after the drain
// the node average is x_0 − (η/n) Σ_t g_t: the virtual sequence with step virtual_step() = η/n.
TEST(Adpsgd, NodeAverageEndsOnTheVirtualSequence) {
  const double eta = 0.05;
  auto w = make_world(generate::torus(3, 3), cosine_objective(5, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  auto recorder = make_recorder(*w, eta);
  Adpsgd algorithm(w->world, step(eta), recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  EXPECT_DOUBLE_EQ(algorithm.virtual_step(), eta / 9);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 900);
  algorithm.stop_computing();
  simulator.run(algorithm);
  EXPECT_LT((node_average(algorithm) - recorder->virtual_model()).norm(), 1e-12);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
  EXPECT_EQ(recorder->log().size(), algorithm.gradients_completed());
}

// Exchanges overlap heavily when latency is comparable to compute time. For many seeds: every node
// keeps computing (no node starves behind a lock), the run drains completely, and no lock is left.
TEST(Adpsgd, NoDeadlockOnRingCompleteAndStarForManySeeds) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    for (int shape = 0; shape < 3; ++shape) {
      Topology topology = shape == 0 ? generate::ring(8) : shape == 1 ? generate::complete(6) : generate::star(7);
      const std::size_t n = topology.num_nodes();
      auto w = make_world(std::move(topology), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                          link_law(law::Exponential{0.5}), seed);
      Adpsgd algorithm(w->world, step(0.01), nullptr);
      Simulator simulator;
      const std::uint64_t target = 150 * n;
      testing::run_gradients(algorithm, simulator, target);
      ASSERT_EQ(algorithm.gradients_completed(), target) << w->topology.name() << " seed " << seed;
      for (NodeId i = 0; i < n; ++i)
        EXPECT_GT(algorithm.gradients_of(i), 30u) << w->topology.name() << " seed " << seed << " node " << i;
      EXPECT_GT(algorithm.mean_lock_wait(), 0.0) << "no contention: the test would not exercise the locks";
      algorithm.stop_computing();
      simulator.run(algorithm);
      EXPECT_EQ(simulator.pending(), 0u);
      EXPECT_EQ(algorithm.exchanges_in_flight(), 0u);
      EXPECT_EQ(algorithm.locks_held(), 0u);
      EXPECT_EQ(algorithm.exchanges(), algorithm.gradients_completed());
    }
  }
}

TEST(Adpsgd, FiguresNameExchangesAndWaits) {
  auto w = make_world(generate::ring(5), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.3}));
  Adpsgd algorithm(w->world, step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 300);
  std::vector<std::string> names;
  for (const AlgorithmFigure& f : algorithm.figures()) names.push_back(f.name);
  for (const char* expected : {"exchanges", "exchange_wait_avg", "lock_wait_avg"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  EXPECT_GE(algorithm.mean_exchange_wait(), algorithm.mean_lock_wait());
}

}  // namespace
}  // namespace dasgd
