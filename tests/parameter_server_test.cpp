// Parameter-server ASGD against known numbers: one worker is plain SGD, τ_avg = n_w − 1 for always-busy
// workers whatever the compute law, the spec's S_t equals τ_t with zero latency, the delay-adaptive
// step, and a clear refusal of graphs that are not stars.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "sim/algorithms/parameter_server.hpp"
#include "sim/config/algorithm_config.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

// Hands each event to the algorithm and lets the test look after it.
struct WatchedHandler final : EventHandler {
  Algorithm* algorithm = nullptr;
  std::function<void(const Event&)> after;
  void handle(Simulator& simulator, const Event& event) override {
    algorithm->handle(simulator, event);
    after(event);
  }
};

ParameterServerParams constant_step(double eta) {
  ParameterServerParams params;
  params.eta = eta;
  return params;
}

// Star of 2: one server, one worker. The server's model after k updates is plain SGD's k-th iterate
// (the worker's gradient noise stream, node 1), and the worker holds the iterate it last pulled.
// This is the closest check to "one node" that a server/worker split allows.
TEST(ParameterServer, OneWorkerIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::star(2), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.2}));
  ParameterServer algorithm(w->world, constant_step(eta), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 50);
  algorithm.stop_computing();
  simulator.run(algorithm);
  Vector x = w->objective->initial_point();
  Vector before_last = x;
  Vector g(x.size());
  Rng noise = w->world.streams.stream(Stream::gradient_noise, 1);
  for (int k = 0; k < 50; ++k) {
    before_last = x;
    w->objective->stochastic_gradient(1, x, noise, g);
    x -= eta * g;
  }
  EXPECT_EQ(algorithm.server_version(), 50u);
  EXPECT_EQ(algorithm.gradients_of(1), 50u);
  EXPECT_EQ(algorithm.gradients_of(0), 0u);
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    EXPECT_DOUBLE_EQ(algorithm.model(ParameterServer::server)(j), x(j));
    EXPECT_DOUBLE_EQ(algorithm.model(1)(j), before_last(j));
  }
  // One worker never waits on anyone: every delay is 0.
  EXPECT_EQ(algorithm.delay_max(), 0u);
  // 50 pushes, and 50 pulls (the first at time 0, then one reply per update but the last).
  EXPECT_EQ(algorithm.traffic().messages, 100u);
  EXPECT_EQ(algorithm.traffic().deliveries, 50u);
}

// n_w always-busy workers, zero latency: each update falls inside the open window of every other
// worker, so Σ τ = (n_w − 1)·T up to the updates made after stop_computing, which miss the windows
// of workers already finished: |τ_avg − (n_w − 1)| ≤ n_w² / (2T), whatever the compute law.
void expect_mean_delay_is_workers_minus_one(Distribution law) {
  const std::size_t workers = 8;
  const std::uint64_t gradients = 20000;
  auto w = make_world(generate::star(workers + 1), cosine_objective(2, 0.1), compute_law(law),
                      link_law(law::Constant{0.0}), 7);
  ParameterServer algorithm(w->world, constant_step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, gradients);
  algorithm.stop_computing();
  simulator.run(algorithm);
  const double updates = static_cast<double>(algorithm.server_version());
  ASSERT_GE(updates, static_cast<double>(gradients));
  const double slack = static_cast<double>(workers * workers) / (2.0 * updates);
  EXPECT_NEAR(algorithm.delay_mean(), static_cast<double>(workers - 1), slack + 1e-12);
  EXPECT_LE(algorithm.delay_quantile(0.5), algorithm.delay_quantile(0.9));
  EXPECT_LE(algorithm.delay_quantile(0.9), algorithm.delay_quantile(0.99));
  EXPECT_LE(algorithm.delay_quantile(0.99), algorithm.delay_max());
}

TEST(ParameterServerDelay, MeanIsWorkersMinusOneWithExponentialCompute) {
  expect_mean_delay_is_workers_minus_one(law::Exponential{1.0});
}
TEST(ParameterServerDelay, MeanIsWorkersMinusOneWithHeavyTailedCompute) {
  expect_mean_delay_is_workers_minus_one(law::Pareto{1.0, 1.5});
}

// Lock-step workers (constant compute 1, zero latency): every worker reads right after its own update
// and sees the other n_w − 1 updates of the round land before its next one: τ = n_w − 1 exactly.
TEST(ParameterServerDelay, LockStepWorkersAllSeeWorkersMinusOne) {
  const std::size_t workers = 4;
  auto w = make_world(generate::star(workers + 1), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  ParameterServer algorithm(w->world, constant_step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, workers * 10);
  // Stopped right after round 9's last completion, before round 9's pushes land: 9 rounds applied.
  // Round 0: the k-th worker to push waits on the k before it (τ = 0, 1, 2, 3); rounds 1..8: n_w − 1.
  ASSERT_EQ(algorithm.server_version(), workers * 9);
  EXPECT_EQ(algorithm.delay_max(), workers - 1);
  EXPECT_EQ(algorithm.delay_histogram()[workers - 1], 1 + 8 * workers);
  for (std::size_t tau = 0; tau + 1 < workers; ++tau) EXPECT_EQ(algorithm.delay_histogram()[tau], 1u) << tau;
}

// Zero latency: the worker's gradient set is the server's at the pull, and the server applies in
// completion order, so S_t = t − |G_t| = (server version at apply) − (version pulled) = τ_t, exactly.
void expect_staleness_equals_server_delay(Distribution law) {
  const std::size_t workers = 5;
  const double eta = 0.02;
  auto w = make_world(generate::star(workers + 1), cosine_objective(3, 0.2), compute_law(law),
                      link_law(law::Constant{0.0}), 3);
  auto recorder = make_recorder(*w, eta);
  ParameterServer algorithm(w->world, constant_step(eta), recorder.get());
  std::map<std::uint64_t, std::uint64_t> delay_of;
  WatchedHandler watched;
  watched.algorithm = &algorithm;
  watched.after = [&](const Event& event) {
    if (event.type == ParameterServer::gradient_arrival)
      delay_of[algorithm.last_update().gradient] = algorithm.last_update().delay;
  };
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_while(watched, [&] { return algorithm.gradients_completed() < 3000; });
  algorithm.stop_computing();
  simulator.run(watched);
  ASSERT_EQ(delay_of.size(), recorder->log().size());
  std::uint64_t positive = 0;
  for (const GradientLogRow& row : recorder->log()) {
    ASSERT_EQ(delay_of.count(row.t), 1u) << "t = " << row.t;
    EXPECT_EQ(row.s, delay_of[row.t]) << "t = " << row.t;
    positive += row.s > 0 ? 1 : 0;
  }
  EXPECT_GT(positive, 1000u);  // the check is not vacuous
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
}

TEST(ParameterServerStaleness, EqualsServerDelayWithZeroLatency) {
  expect_staleness_equals_server_delay(law::Exponential{1.0});
}
TEST(ParameterServerStaleness, EqualsServerDelayWithTiedComputeTimes) {
  expect_staleness_equals_server_delay(law::Constant{1.0});
}

// Delay-adaptive step (Mishchenko et al. 2022): η_t = η n_w / max(n_w, τ_t). One slow worker (speed
// 1/20) sees delays far above n_w, so both branches occur; the server's model moves by exactly η_t·g_t.
TEST(ParameterServer, DelayAdaptiveStepShrinksLikeOneOverTau) {
  const std::size_t workers = 4;
  const double eta = 0.1;
  auto w = make_world(generate::star(workers + 1), cosine_objective(3, 0.5), [] {
    ComputeModelSpec spec = compute_law(law::Exponential{1.0});
    spec.speeds = std::vector<double>{1.0, 0.05, 1.0, 1.0, 1.0};
    return spec;
  }(), link_law(law::Constant{0.0}));
  auto recorder = make_recorder(*w, eta);
  ParameterServerParams params = constant_step(eta);
  params.step = ServerStep::delay_adaptive;
  ParameterServer algorithm(w->world, params, recorder.get());
  Vector server_before = algorithm.model(ParameterServer::server);
  int long_delays = 0, short_delays = 0;
  WatchedHandler watched;
  watched.algorithm = &algorithm;
  watched.after = [&](const Event& event) {
    if (event.type != ParameterServer::gradient_arrival) return;
    const ServerUpdate& u = algorithm.last_update();
    const double nw = static_cast<double>(workers);
    const double expected = u.delay > workers ? eta * nw / static_cast<double>(u.delay) : eta;
    EXPECT_DOUBLE_EQ(u.step, expected) << "tau = " << u.delay;
    const double moved = (algorithm.model(ParameterServer::server) - server_before).norm();
    EXPECT_NEAR(moved, expected * recorder->log()[u.gradient].gradient_norm, 1e-12);
    server_before = algorithm.model(ParameterServer::server);
    (u.delay > workers ? long_delays : short_delays) += 1;
  };
  Simulator simulator;
  algorithm.start(simulator);
  simulator.run_while(watched, [&] { return algorithm.gradients_completed() < 2000; });
  EXPECT_GT(long_delays, 10);
  EXPECT_GT(short_delays, 1000);
}

TEST(ParameterServer, RefusesGraphsThatAreNotStarsNamingGraphKind) {
  for (Topology topology : {generate::ring(5), generate::complete(4), generate::star(1)}) {
    auto w = make_world(std::move(topology), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.0}));
    try {
      ParameterServer algorithm(w->world, constant_step(0.01), nullptr);
      ADD_FAILURE() << "accepted " << w->topology.name();
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("/graph/kind"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("star"), std::string::npos) << error.what();
    }
  }
}

TEST(ParameterServer, FiguresReportDelayDistribution) {
  auto w = make_world(generate::star(4), cosine_objective(2, 0.1), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.1}));
  ParameterServer algorithm(w->world, constant_step(0.01), nullptr);
  Simulator simulator;
  testing::run_gradients(algorithm, simulator, 500);
  std::map<std::string, double> figures;
  for (const AlgorithmFigure& f : algorithm.figures()) figures[f.name] = f.value;
  EXPECT_DOUBLE_EQ(figures.at("tau_avg"), algorithm.delay_mean());
  EXPECT_DOUBLE_EQ(figures.at("tau_max"), static_cast<double>(algorithm.delay_max()));
  EXPECT_DOUBLE_EQ(figures.at("tau_p90"), static_cast<double>(algorithm.delay_quantile(0.9)));
  EXPECT_DOUBLE_EQ(figures.at("tau_p99"), static_cast<double>(algorithm.delay_quantile(0.99)));
  EXPECT_NEAR(figures.at("step_avg"), 0.01, 1e-15);
  EXPECT_EQ(algorithm.virtual_step(), 0.01);
}

TEST(ParameterServerConfig, ParsesStepAndRefusesUnknownOnes) {
  nlohmann::json good = {{"name", "parameter_server"}, {"eta", 0.1}, {"step", "delay_adaptive"}};
  JsonReader reader(good, "/algorithm");
  const AlgorithmSpec spec = parse_algorithm(reader);
  EXPECT_EQ(spec.name, "parameter_server");
  EXPECT_DOUBLE_EQ(spec.eta, 0.1);
  auto w = make_world(generate::star(3), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.0}));
  EXPECT_EQ(spec.build(w->world, nullptr)->name(), "parameter_server");
  nlohmann::json bad = {{"name", "parameter_server"}, {"eta", 0.1}, {"step", "sometimes"}};
  JsonReader bad_reader(bad, "/algorithm");
  EXPECT_THROW(parse_algorithm(bad_reader), ConfigError);
}

}  // namespace
}  // namespace dasgd
