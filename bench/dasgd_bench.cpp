// DASGD end to end, in process: the cost of exact staleness tracking. n = 1000 nodes, 10^5
// gradients, complete graph (routed = direct), exponential compute (mean 1), latency 0.1, d = 32.
// Modes: 0 = no observer; 1 = S_t, S_hat_t, B_t^2 and the virtual sequence (no per-delivery sets,
// no gradient norms); 2 = everything a default run records (delivery sets, gradient norms, log).
// Counters: deliveries/s and gradients/s; compare mode 2's time with mode 0's for the overhead.
// BM_DasgdRoutedRing: routed delivery on a ring, tree delivery vs the per-hop walk.
#include <benchmark/benchmark.h>

#include "sim/algorithms/dasgd.hpp"
#include "tests/test_world.hpp"

namespace {

using namespace dasgd;

// The observer for a tracking mode: none (0); S_t, S_hat_t, B_t^2 and the virtual sequence (1);
// everything a default run records: delivery sets, gradient norms, log (2).
std::unique_ptr<GradientRecorder> recorder_for(int mode, const Objective& objective, std::size_t n) {
  if (mode == 0) return nullptr;
  GradientRecorderOptions options;
  options.eta = 0.001;
  options.epsilon = 1e-3;
  options.keep_log = mode == 2;
  options.gradient_norms = mode == 2;
  options.staleness.track_deliveries = mode == 2;
  return std::make_unique<GradientRecorder>(objective, n, options);
}

void BM_DasgdTracking(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto gradients = static_cast<std::uint64_t>(state.range(1));
  const int mode = static_cast<int>(state.range(2));
  for (auto _ : state) {
    state.PauseTiming();
    auto w = testing::make_world(generate::complete(n), testing::cosine_objective(32, 0.1),
                                 testing::compute_law(law::Exponential{1.0}),
                                 testing::link_law(law::Constant{0.1}));
    const std::unique_ptr<GradientRecorder> recorder = recorder_for(mode, *w->objective, n);
    DasgdParams params;
    params.eta = 0.001;
    Dasgd algorithm(w->world, params, recorder.get());
    Simulator simulator;
    state.ResumeTiming();
    testing::run_gradients(algorithm, simulator, gradients);
    benchmark::DoNotOptimize(algorithm.model(0).data());
    state.counters["deliveries_per_s"] =
        benchmark::Counter(static_cast<double>(algorithm.traffic().deliveries), benchmark::Counter::kIsRate);
    state.counters["gradients_per_s"] =
        benchmark::Counter(static_cast<double>(algorithm.gradients_completed()), benchmark::Counter::kIsRate);
    state.counters["events"] = static_cast<double>(simulator.events_processed());
  }
}

BENCHMARK(BM_DasgdTracking)
    ->ArgNames({"n", "gradients", "tracking"})
    ->Args({1000, 100000, 0})
    ->Args({1000, 100000, 1})
    ->Args({1000, 100000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

// Routed delivery on a ring (issue 10): n nodes, hop latency 0.1, g gradients per node, every one
// delivered to every node (stop computing, then drain). Mode 0: no observer; 1: S_t, S_hat_t, B_t^2
// (no per-delivery sets). per_hop = 1 forces the old per-destination path walk for comparison.
void BM_DasgdRoutedRing(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto per_node = static_cast<std::uint64_t>(state.range(1));
  const int mode = static_cast<int>(state.range(2));
  const bool per_hop = state.range(3) != 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto w = testing::make_world(generate::ring(n), testing::cosine_objective(32, 0.1),
                                 testing::compute_law(law::Exponential{1.0}),
                                 testing::link_law(law::Constant{0.1}));
    const std::unique_ptr<GradientRecorder> recorder = recorder_for(mode, *w->objective, n);
    DasgdParams params;
    params.eta = 0.001;
    params.per_hop_routing = per_hop;
    Dasgd algorithm(w->world, params, recorder.get());
    Simulator simulator;
    state.ResumeTiming();
    testing::run_gradients(algorithm, simulator, n * (per_node - 1));
    algorithm.stop_computing();
    simulator.run(algorithm);
    benchmark::DoNotOptimize(algorithm.model(0).data());
    state.counters["deliveries_per_s"] =
        benchmark::Counter(static_cast<double>(algorithm.traffic().deliveries), benchmark::Counter::kIsRate);
    state.counters["events"] = static_cast<double>(simulator.events_processed());
  }
}

BENCHMARK(BM_DasgdRoutedRing)
    ->ArgNames({"n", "per_node", "tracking", "per_hop"})
    ->Args({1000, 5, 0, 0})
    ->Args({1000, 5, 1, 0})
    ->Args({300, 5, 1, 1})
    ->Args({300, 5, 1, 0})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
