// Local SGD against hand loops: one node is plain SGD, H local steps then a global average, H = 1 is
// minibatch SGD, iterates do not depend on the delay draws, and each average makes every node's
// gradient set the union of all of them.
#include <gtest/gtest.h>

#include "sim/algorithms/local_sgd.hpp"
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

TEST(LocalSgd, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  LocalSgd algorithm(w->world, {eta, 3, 32}, nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, 10);
  const Vector x = testing::plain_sgd(*w, eta, 30);
  EXPECT_EQ(algorithm.gradients_completed(), 30u);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// Stich 2019, Algorithm 1: x_i ← x_i − η g_i(x_i) H times, then x_i ← (1/n) Σ_j x_j.
TEST(LocalSgd, EqualsHandLoopOfLocalStepsThenAverage) {
  const double eta = 0.1;
  const std::size_t n = 4, H = 3;
  const int rounds = 8;
  auto w = make_world(generate::ring(n), cosine_objective(5, 0.4), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.3}));
  LocalSgd algorithm(w->world, {eta, H, 32}, nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, rounds);

  Eigen::MatrixXd x(5, static_cast<Eigen::Index>(n));
  x.colwise() = w->objective->initial_point();
  Vector g(5);
  std::vector<Rng> noise;
  for (std::size_t i = 0; i < n; ++i) noise.push_back(w->world.streams.stream(Stream::gradient_noise, i));
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t h = 0; h < H; ++h) {
        w->objective->stochastic_gradient(static_cast<std::uint32_t>(i), x.col(static_cast<Eigen::Index>(i)),
                                          noise[i], g);
        x.col(static_cast<Eigen::Index>(i)) -= eta * g;
      }
    const Vector average = x.rowwise().mean();
    x.colwise() = average;
  }
  for (NodeId i = 0; i < n; ++i) EXPECT_LT((algorithm.model(i) - x.col(i)).norm(), 1e-12);
}

TEST(LocalSgd, OneLocalStepIsMinibatchSgd) {
  const double eta = 0.1;
  auto w = make_world(generate::grid(2, 3), cosine_objective(4, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  LocalSgd local(w->world, {eta, 1, 32}, nullptr);
  MinibatchSgd minibatch(w->world, {eta, 32}, nullptr);
  Simulator sl, sm;
  run_rounds(local, sl, 20);
  run_rounds(minibatch, sm, 20);
  for (NodeId i = 0; i < 6; ++i) EXPECT_LT((local.model(i) - minibatch.model(i)).norm(), 1e-12);
}

TEST(LocalSgd, IteratesDoNotDependOnTheDelayDraws) {
  const double eta = 0.1;
  auto fast = make_world(generate::star(5), cosine_objective(4, 0.5), compute_law(law::Exponential{1.0}),
                         link_law(law::Constant{0.01}), 3);
  auto slow = make_world(generate::star(5), cosine_objective(4, 0.5), compute_law(law::Uniform{0.5, 4.0}),
                         link_law(law::Exponential{1.5}), 3);
  LocalSgd a(fast->world, {eta, 4, 32}, nullptr), b(slow->world, {eta, 4, 32}, nullptr);
  Simulator sa, sb;
  run_rounds(a, sa, 10);
  run_rounds(b, sb, 10);
  EXPECT_NE(sa.now(), sb.now());
  for (NodeId i = 0; i < 5; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) EXPECT_EQ(a.model(i)(j), b.model(i)(j));
}

// Complete graph of 3: the tree is a star (depth 1). Compute 1 per step, H = 3, latency 0.25:
// a round is 3 + 0.25 + 0.25 = 3.5, with 4 all-reduce messages.
TEST(LocalSgd, RoundIsLocalPhasePlusAllReduce) {
  auto w = make_world(generate::complete(3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  LocalSgd algorithm(w->world, {0.1, 3, 32}, nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, 4);
  EXPECT_DOUBLE_EQ(algorithm.mean_round_time(), 3.5);
  EXPECT_DOUBLE_EQ(algorithm.mean_barrier_wait(), 0.5);
  EXPECT_EQ(algorithm.traffic().messages, 4u * 4u);
}

// Node i's h-th step of round r reads a model holding every gradient of earlier rounds (n·H·r) and
// its own h earlier steps of this round: S_t = t − n·H·r − h. After each average every gradient is
// in every set, and the node average is the virtual sequence with step η/n.
TEST(LocalSgd, AverageMakesEveryGradientSetTheUnion) {
  const double eta = 0.1;
  const std::size_t n = 4, H = 3;
  auto w = make_world(generate::ring(n), cosine_objective(3, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  auto recorder = make_recorder(*w, eta);
  LocalSgd algorithm(w->world, {eta, H, 32}, recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  Simulator simulator;
  run_rounds(algorithm, simulator, 6);
  std::vector<std::uint64_t> steps(n, 0);
  for (const GradientLogRow& row : recorder->log()) {
    const std::uint64_t k = steps[row.node]++;
    const std::uint64_t r = k / H, h = k % H;
    EXPECT_EQ(row.s, row.t - n * H * r - h) << "t = " << row.t;
  }
  EXPECT_EQ(recorder->log().size(), 6 * n * H);
  EXPECT_EQ(recorder->tracker().live_gradients(), 0u);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
  EXPECT_LT((algorithm.model(2) - recorder->virtual_model()).norm(), 1e-12);
}

// H has no natural default (Stich 2019 ties it to the step size and T): the config must give it.
TEST(LocalSgdConfig, LocalStepsAreRequired) {
  nlohmann::json section = {{"name", "local_sgd"}, {"eta", 0.1}};
  JsonReader reader(section, "/algorithm");
  try {
    parse_algorithm(reader);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.path(), "/algorithm/local_steps");
  }
}

TEST(LocalSgdConfig, BuildsWithTheGivenLocalSteps) {
  nlohmann::json section = {{"name", "local_sgd"}, {"eta", 0.1}, {"local_steps", 5}};
  JsonReader reader(section, "/algorithm");
  const AlgorithmSpec spec = parse_algorithm(reader);
  auto w = make_world(generate::ring(4), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}));
  const auto algorithm = spec.build(w->world, nullptr);
  EXPECT_EQ(algorithm->name(), "local_sgd");
  EXPECT_DOUBLE_EQ(algorithm->virtual_step(), 0.1 / 4);
  bool found = false;
  for (const AlgorithmFigure& figure : algorithm->figures())
    if (figure.name == "local_steps") found = figure.value == 5.0;
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace dasgd
