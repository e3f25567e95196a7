// Synchronous minibatch SGD against hand loops and hand-worked round times: one node is plain SGD,
// n nodes are SGD with the averaged gradient whatever the delays, the round lasts the slowest node
// plus a tree all-reduce, and every gradient of a round is applied everywhere at the barrier.
#include <gtest/gtest.h>

#include "sim/algorithms/minibatch_sgd.hpp"
#include "sim/config/algorithm_config.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

using testing::run_rounds;

TEST(MinibatchSgd, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  MinibatchSgd algorithm(w->world, {eta, 32}, nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, 40);
  const Vector x = testing::plain_sgd(*w, eta, 40);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// x ← x − η (1/n) Σ_i g_i(x), node i drawing from its own gradient-noise stream.
Vector averaged_gradient_sgd(const testing::TestWorld& w, double eta, int rounds) {
  const std::size_t n = w.topology.num_nodes();
  Vector x = w.objective->initial_point();
  Vector g(x.size()), average(x.size());
  std::vector<Rng> noise;
  for (std::size_t i = 0; i < n; ++i) noise.push_back(w.world.streams.stream(Stream::gradient_noise, i));
  for (int r = 0; r < rounds; ++r) {
    average.setZero();
    for (std::size_t i = 0; i < n; ++i) {
      w.objective->stochastic_gradient(static_cast<std::uint32_t>(i), x, noise[i], g);
      average += g / static_cast<double>(n);
    }
    x -= eta * average;
  }
  return x;
}

TEST(MinibatchSgd, EqualsSgdWithTheAveragedGradient) {
  const double eta = 0.1;
  auto w = make_world(generate::ring(6), cosine_objective(5, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  MinibatchSgd algorithm(w->world, {eta, 32}, nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, 30);
  const Vector x = averaged_gradient_sgd(*w, eta, 30);
  for (NodeId i = 0; i < 6; ++i) EXPECT_LT((algorithm.model(i) - x).norm(), 1e-12 * (1 + x.norm()));
  EXPECT_EQ(algorithm.gradients_completed(), 6u * 30u);
}

TEST(MinibatchSgd, IteratesDoNotDependOnTheDelayDraws) {
  const double eta = 0.1;
  auto fast = make_world(generate::torus(3, 3), cosine_objective(4, 0.5), compute_law(law::Exponential{1.0}),
                         link_law(law::Constant{0.01}), 7);
  auto slow = make_world(generate::torus(3, 3), cosine_objective(4, 0.5),
                         compute_law(law::Uniform{0.5, 4.0}), link_law(law::Exponential{1.5}), 7);
  MinibatchSgd a(fast->world, {eta, 32}, nullptr), b(slow->world, {eta, 32}, nullptr);
  Simulator sa, sb;
  run_rounds(a, sa, 25);
  run_rounds(b, sb, 25);
  EXPECT_NE(sa.now(), sb.now());
  for (NodeId i = 0; i < 9; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) EXPECT_EQ(a.model(i)(j), b.model(i)(j));
}

// Star of 4 (centre 0), node i computes in i + 1 (speeds 1, 1/2, 1/3, 1/4), latency 0.5 per hop.
// The tree is the star rooted at 0: leaves' sums arrive at 2.5, 3.5, 4.5; the root has them all at
// 4.5 and its broadcast lands at 5. Waits 4, 3, 2, 1: mean 2.5, idle fraction 10 / (4 · 5) = 0.5.
TEST(MinibatchSgd, RoundIsSlowestNodePlusReduceAndBroadcast) {
  ComputeModelSpec compute = compute_law(law::Constant{1.0});
  compute.speeds = std::vector<double>{1.0, 0.5, 1.0 / 3.0, 0.25};
  auto w = make_world(generate::star(4), cosine_objective(3, 0.0), compute, link_law(law::Constant{0.5}));
  MinibatchSgd algorithm(w->world, {0.1, 32}, nullptr);
  EXPECT_EQ(algorithm.all_reduce().root(), 0u);
  EXPECT_EQ(algorithm.all_reduce().depth(), 1u);
  Simulator simulator;
  run_rounds(algorithm, simulator, 3);
  EXPECT_DOUBLE_EQ(simulator.now(), 15.0);
  EXPECT_DOUBLE_EQ(algorithm.mean_round_time(), 5.0);
  EXPECT_DOUBLE_EQ(algorithm.mean_barrier_wait(), 2.5);
  EXPECT_DOUBLE_EQ(algorithm.idle_fraction(), 0.5);
  EXPECT_EQ(algorithm.traffic().messages, 3u * 6u);
  EXPECT_EQ(algorithm.traffic().bytes, 3u * 6u * (3u * 8u + 32u));
}

// Ring of 6: the double sweep roots the tree at a node of eccentricity 3, so with compute 1 and
// latency 0.5 a round is 1 + 2 · 3 · 0.5 = 4.
TEST(MinibatchSgd, RingRoundIsComputePlusTwiceTheRadiusInHops) {
  auto w = make_world(generate::ring(6), cosine_objective(3, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}));
  MinibatchSgd algorithm(w->world, {0.1, 32}, nullptr);
  EXPECT_EQ(algorithm.all_reduce().depth(), 3u);
  Simulator simulator;
  run_rounds(algorithm, simulator, 2);
  EXPECT_DOUBLE_EQ(algorithm.mean_round_time(), 4.0);
  EXPECT_EQ(algorithm.traffic().messages, 2u * 10u);
}

// Every gradient of round r is computed on the model holding all n·r earlier gradients, so the
// one completing p-th in its round has S_t = Ŝ_t = p; after each barrier the models equal the
// virtual sequence with step η/n.
TEST(MinibatchSgd, StalenessIsTheCompletionPositionWithinTheRound) {
  const double eta = 0.1;
  const std::size_t n = 5;
  auto w = make_world(generate::complete(n), cosine_objective(4, 0.2), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.05}));
  auto recorder = make_recorder(*w, eta);
  MinibatchSgd algorithm(w->world, {eta, 32}, recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  Simulator simulator;
  run_rounds(algorithm, simulator, 12);
  ASSERT_EQ(recorder->log().size(), 12 * n);
  for (const GradientLogRow& row : recorder->log()) {
    EXPECT_EQ(row.s, row.t % n) << "t = " << row.t;
    EXPECT_EQ(row.s_hat, row.t % n) << "t = " << row.t;
  }
  EXPECT_EQ(recorder->statistics().deliveries(), 12 * n * (n - 1));
  EXPECT_LT((algorithm.model(0) - recorder->virtual_model()).norm(), 1e-12);
  EXPECT_EQ(recorder->tracker().live_gradients(), 0u);
}

TEST(MinibatchSgdConfig, UnknownKeyIsRefusedWithItsPath) {
  nlohmann::json section = {{"name", "minibatch_sgd"}, {"eta", 0.1}, {"local_steps", 2}};
  JsonReader reader(section, "/algorithm");
  try {
    parse_algorithm(reader);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.path(), "/algorithm/local_steps");
  }
}

}  // namespace
}  // namespace dasgd
