// Local SGD meets asynchrony against hand loops and hand-worked schedules: one node is plain SGD,
// Hogwild and partitioned workers step for step, an average sets models exactly to the mean of the
// snapshots, progress made during the collective is kept, blocking local SGD is timing-independent,
// the ring all-reduce takes 2(n−1)L, and every snapshot token is used up.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/algorithms/local_async_sgd.hpp"
#include "sim/config/algorithm_config.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

double figure(const Algorithm& algorithm, const std::string& name) {
  for (const AlgorithmFigure& f : algorithm.figures())
    if (f.name == name) return f.value;
  ADD_FAILURE() << "no figure " << name;
  return NAN;
}

// One node, two workers, compute time exactly 1, no averaging. At each instant worker 0 completes
// first (it was scheduled first), applies, and restarts; then worker 1 completes. Each computation
// misses exactly the one gradient the other worker completed while it ran: t = 1 read ∅ and misses
// 0; t = 2 read {0} and misses 1; t = 3 read {0, 1} and misses 2; ... So S_0 = 0, then
// S_t = Ŝ_t = 1. Reporting a worker's
// start only at its completion would give S_t = 0 throughout: this pins that each computation is
// tracked from its real start, per worker.
TEST(LocalAsyncSgd, TwoWorkersOnOneNodeEachMissTheOtherWorkersGradient) {
  auto w = make_world(generate::complete(1), cosine_objective(4, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  auto recorder = make_recorder(*w, 0.01);
  LocalAsyncSgdParams p;
  p.eta = 0.01;
  p.workers = 2;
  p.local_steps = 0;
  LocalAsyncSgd algorithm(w->world, p, recorder.get());
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 20);
  const auto& log = recorder->log();
  ASSERT_GE(log.size(), 20u);
  EXPECT_EQ(log[0].s, 0u);
  EXPECT_EQ(log[0].s_hat, 0u);
  for (std::size_t t = 1; t < 20; ++t) {
    EXPECT_EQ(log[t].s, 1u) << "t = " << t;
    EXPECT_EQ(log[t].s_hat, 1u) << "t = " << t;
    EXPECT_DOUBLE_EQ(log[t].end - log[t].start, 1.0) << "t = " << t;
  }
}

TEST(LocalAsyncSgd, OneNodeOneWorkerWithoutAveragingIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  LocalAsyncSgdParams p;
  p.eta = eta;
  p.local_steps = 0;  // H = ∞
  LocalAsyncSgd algorithm(w->world, p, nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 50);
  const Vector x = testing::plain_sgd(*w, eta, 50);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
  EXPECT_EQ(algorithm.averages_done(), 0u);
}

// One node, two workers, every compute time 1. Both start at 0 on x0 (noise draws 1 and 2); at each
// integer time worker 0 completes first (FIFO), applies, restarts on the model it just wrote; then
// worker 1 completes, applies, restarts. Partitioned (d = 5, U = 2; the first d mod U blocks hold
// one coordinate more): worker 0 writes coordinates 0..2 only, worker 1 coordinates 3..4.
void expect_hogwild_hand_loop(bool partitioned) {
  const double eta = 0.1;
  const Eigen::Index d = 5;
  auto w = make_world(generate::complete(1), cosine_objective(d, 0.5), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  auto recorder = make_recorder(*w, eta);
  LocalAsyncSgdParams p;
  p.eta = eta;
  p.workers = 2;
  p.local_steps = 0;
  p.partitioned = partitioned;
  LocalAsyncSgd algorithm(w->world, p, recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  EXPECT_EQ(algorithm.block(0), (std::pair<Eigen::Index, Eigen::Index>{0, 3}));
  EXPECT_EQ(algorithm.block(1), (std::pair<Eigen::Index, Eigen::Index>{3, 2}));
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 8);

  Vector x = w->objective->initial_point();
  Rng noise = w->world.streams.stream(Stream::gradient_noise, 0);
  Vector g0(d), g1(d);
  w->objective->stochastic_gradient(0, x, noise, g0);
  w->objective->stochastic_gradient(0, x, noise, g1);
  const double first_b_squared = g0.squaredNorm();  // gradient 1 read x0, virtual model x0 − η g0
  for (int round = 0; round < 4; ++round) {
    if (partitioned) x.segment(0, 3) -= eta * g0.segment(0, 3);
    else x -= eta * g0;
    w->objective->stochastic_gradient(0, x, noise, g0);
    if (partitioned) x.segment(3, 2) -= eta * g1.segment(3, 2);
    else x -= eta * g1;
    w->objective->stochastic_gradient(0, x, noise, g1);
  }
  for (Eigen::Index j = 0; j < d; ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j)) << j;
  // The observer saw the read model of each worker (reported at completion): B_1² exact.
  ASSERT_EQ(recorder->log().size(), 8u);
  if (!partitioned) {
    EXPECT_NEAR(recorder->log()[1].b_squared, first_b_squared, 1e-12 * first_b_squared);
  }
}

TEST(LocalAsyncSgd, HogwildWorkersShareOneModelStepForStep) { expect_hogwild_hand_loop(false); }
TEST(LocalAsyncSgd, PartitionedWorkersUpdateOnlyTheirBlock) { expect_hogwild_hand_loop(true); }

// η = 0 and distinct starting models: nothing moves a model between snapshot and average
// (x_i^now = s_i), so after the average every model is exactly s̄ = (Σ_i s_i)/n.
TEST(LocalAsyncSgd, AverageSetsEveryModelExactlyToTheMeanOfSnapshotsWhenNothingMoved) {
  const std::size_t n = 4;
  const Eigen::Index d = 5;
  auto w = make_world(generate::ring(n), cosine_objective(d, 0.2), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  LocalAsyncSgdParams p;
  p.eta = 0.0;
  p.workers = 2;
  p.local_steps = 3;
  LocalAsyncSgd algorithm(w->world, p, nullptr);
  Rng rng(4);
  Vector mean = Vector::Zero(d);
  for (NodeId i = 0; i < n; ++i) {
    Vector x(d);
    for (Eigen::Index j = 0; j < d; ++j) x(j) = rng.normal();
    algorithm.set_model(i, x);
    if (i == 0) mean = x;
    else mean += x;
  }
  mean /= static_cast<double>(n);
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_while(algorithm, [&] { return algorithm.averages_done() < 1; });
  for (NodeId i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) EXPECT_EQ(algorithm.model(i)(j), mean(j)) << i << " " << j;
}

// Two nodes (one edge), H = 2, U = 1, node 0 takes 1 per gradient, node 1 takes 1.25, latency 0.3:
// node 0 snapshots s_0 = a2 at 2, node 1 snapshots s_1 = b2 at 2.5; the all-reduce runs 2.5 → 3.1
// (2(n−1) = 2 steps of 0.3). Node 0 completes a gradient at 3.0, during it: a3 = a2 − η g(a2).
// At 3.1: x_0 = a3 + (s̄ − a2) (progress kept), x_1 = s̄ (nothing moved). Gradient sets at 3.2:
// node 0 has its 3 and node 1's 2 = 5; node 1 has its 2 and node 0's snapshot 2 = 4.
TEST(LocalAsyncSgd, ProgressMadeDuringTheCollectiveIsKept) {
  const double eta = 0.1;
  const Eigen::Index d = 3;
  ComputeModelSpec compute = compute_law(law::Constant{1.0});
  compute.speeds = std::vector<double>{1.0, 0.8};
  auto w = make_world(generate::complete(2), cosine_objective(d, 0.5), compute, link_law(law::Constant{0.3}));
  auto recorder = make_recorder(*w, eta);
  LocalAsyncSgdParams p;
  p.eta = eta;
  p.local_steps = 2;
  LocalAsyncSgd algorithm(w->world, p, recorder.get());
  recorder->set_virtual_step(algorithm.virtual_step());
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_until(algorithm, 3.2);

  auto sgd = [&](NodeId node, Vector x, int steps, Vector* before_last) {
    Rng noise = w->world.streams.stream(Stream::gradient_noise, node);
    Vector g(d);
    for (int s = 0; s < steps; ++s) {
      if (before_last != nullptr && s == steps - 1) *before_last = x;
      w->objective->stochastic_gradient(node, x, noise, g);
      x -= eta * g;
    }
    return x;
  };
  Vector a2(d);
  const Vector a3 = sgd(0, w->objective->initial_point(), 3, &a2);
  const Vector b2 = sgd(1, w->objective->initial_point(), 2, nullptr);
  Vector mean = a2;
  mean += b2;
  mean /= 2.0;
  const Vector expected0 = a3 + (mean - a2);
  for (Eigen::Index j = 0; j < d; ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(0)(j), expected0(j)) << j;
    EXPECT_EQ(algorithm.model(1)(j), mean(j)) << j;
  }
  EXPECT_EQ(algorithm.averages_done(), 1u);
  EXPECT_EQ(algorithm.gradients_completed(), 5u);
  EXPECT_NEAR(figure(algorithm, "mean_collective_duration"), 0.6, 1e-12);
  EXPECT_NEAR(figure(algorithm, "mean_collective_wait"), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(figure(algorithm, "fraction_computed_during_average"), 1.0 / 5.0);
  EXPECT_EQ(recorder->tracker().applied_count(0), 5u);
  EXPECT_EQ(recorder->tracker().applied_count(1), 4u);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
}

// Blocking (post-local SGD) is synchronous: R rounds of H local steps then an exact average, the
// same iterates under any delays. Checked against a hand loop under two different delay laws.
TEST(LocalAsyncSgd, BlockingLocalSgdIsHandLocalSgdWhateverTheDelays) {
  const std::size_t n = 3;
  const Eigen::Index d = 4;
  const double eta = 0.05;
  const std::uint64_t h = 3, rounds = 4;
  for (int laws = 0; laws < 2; ++laws) {
    ComputeModelSpec compute = laws == 0 ? compute_law(law::Exponential{1.0}) : compute_law(law::Pareto{0.5, 1.5});
    LinkModelSpec link = laws == 0 ? link_law(law::Constant{0.05}) : link_law(law::LogNormal{-1.0, 1.0});
    auto w = make_world(generate::ring(n), cosine_objective(d, 0.4), compute, link);
    LocalAsyncSgdParams p;
    p.eta = eta;
    p.local_steps = h;
    p.blocking = true;
    LocalAsyncSgd algorithm(w->world, p, nullptr);
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_while(algorithm, [&] { return algorithm.averages_done() < rounds; });

    std::vector<Rng> noise;
    for (NodeId i = 0; i < n; ++i) noise.push_back(w->world.streams.stream(Stream::gradient_noise, i));
    Vector average = w->objective->initial_point(), g(d);
    for (std::uint64_t r = 0; r < rounds; ++r) {
      Vector sum(d);
      for (NodeId i = 0; i < n; ++i) {
        Vector x = average;
        for (std::uint64_t s = 0; s < h; ++s) {
          w->objective->stochastic_gradient(i, x, noise[i], g);
          x -= eta * g;
        }
        if (i == 0) sum = x;
        else sum += x;
      }
      average = sum / static_cast<double>(n);
    }
    EXPECT_EQ(algorithm.gradients_completed(), n * h * rounds);
    EXPECT_EQ(figure(algorithm, "fraction_computed_during_average"), 0.0);
    for (NodeId i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < d; ++j) EXPECT_DOUBLE_EQ(algorithm.model(i)(j), average(j)) << laws << i << j;
  }
}

// Ring all-reduce on adjacent ring nodes with constant latency L: 2(n−1) steps of L; every step
// each node sends one chunk of ceil(d/n)·8 + 32 bytes.
TEST(LocalAsyncSgd, RingAllReduceTakesTwoNMinusOneLatencies) {
  for (const auto& topology : {generate::ring(5), generate::complete(5)}) {
    auto w = make_world(topology, cosine_objective(8, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.2}));
    LocalAsyncSgdParams p;
    p.eta = 0.01;
    LocalAsyncSgd algorithm(w->world, p, nullptr);
    EXPECT_NEAR(algorithm.ring_allreduce(1.0), 1.0 + 2 * 4 * 0.2, 1e-12);
    EXPECT_EQ(algorithm.traffic().messages, 2u * 4u * 5u);
    EXPECT_EQ(algorithm.traffic().bytes, 2u * 4u * 5u * (2u * 8u + 32u));
  }
  // Star S5 (centre 0): ring hops 1→2, 2→3, 3→4 go through the centre (2 hops each).
  auto w = make_world(generate::star(5), cosine_objective(8, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.2}));
  LocalAsyncSgdParams p;
  p.eta = 0.01;
  LocalAsyncSgd algorithm(w->world, p, nullptr);
  algorithm.ring_allreduce(0.0);
  EXPECT_EQ(algorithm.traffic().messages, 2u * 4u * (1u + 2u + 2u + 2u + 1u));
}

// Every snapshot token is used up: merged n−1 times at each average, or dropped when computing stops
// while a collective is still gathering.
TEST(LocalAsyncSgd, EverySnapshotTokenIsUsedUp) {
  for (const SimTime stop_at : {20.0, 20.5, 21.0, 33.3}) {
    auto w = make_world(generate::torus(2, 3), cosine_objective(5, 0.3), compute_law(law::Exponential{1.0}),
                        link_law(law::Exponential{0.5}));
    auto recorder = make_recorder(*w, 0.02);
    LocalAsyncSgdParams p;
    p.eta = 0.02;
    p.workers = 2;
    p.local_steps = 3;
    LocalAsyncSgd algorithm(w->world, p, recorder.get());
    recorder->set_virtual_step(algorithm.virtual_step());
    Simulator simulator;
    algorithm.start(simulator);
    simulator.run_until(algorithm, stop_at);
    algorithm.stop_computing();
    simulator.run(algorithm);
    EXPECT_GT(algorithm.averages_done(), 1u);
    EXPECT_EQ(recorder->open_model_snapshots(), 0u) << stop_at;
    // Averages preserve the node average, so it moved by −(η/n) Σ g: the virtual model.
    Vector mean = Vector::Zero(5);
    for (NodeId i = 0; i < 6; ++i) mean += algorithm.model(i) / 6.0;
    EXPECT_LT((mean - recorder->virtual_model()).norm(), 1e-12);
  }
}

TEST(LocalAsyncSgdConfig, ParsesKeysAndRefusesContradictions) {
  auto ok = nlohmann::json::parse(
      R"({"name": "local_async_sgd", "eta": 0.1, "workers": 4, "local_steps": 8, "partitioned": true})");
  JsonReader reader(ok, "/algorithm");
  const AlgorithmSpec spec = parse_algorithm(reader);
  EXPECT_EQ(spec.name, "local_async_sgd");
  auto w = make_world(generate::ring(3), cosine_objective(8, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.1}));
  const auto built = spec.build(w->world, nullptr);
  EXPECT_DOUBLE_EQ(built->virtual_step(), 0.1 / 3);
  for (const char* bad : {R"({"name": "local_async_sgd", "eta": 0.1, "workers": 2, "blocking": true})",
                          R"({"name": "local_async_sgd", "eta": 0.1, "workers": 0})",
                          R"({"name": "local_async_sgd", "eta": -1})",
                          R"({"name": "local_async_sgd", "eta": 0.1, "local_step": 3})"}) {
    auto doc = nlohmann::json::parse(bad);
    JsonReader r(doc, "/algorithm");
    EXPECT_THROW(parse_algorithm(r), ConfigError) << bad;
  }
  auto many = nlohmann::json::parse(R"({"name": "local_async_sgd", "eta": 0.1, "workers": 9, "partitioned": true})");
  JsonReader r(many, "/algorithm");
  EXPECT_THROW(parse_algorithm(r).build(w->world, nullptr), std::invalid_argument);  // 9 blocks > d = 8
}

}  // namespace
}  // namespace dasgd
