// Push-gossip SGD on a ring (the peers' "gossip-ring" scenario: d = 32, Exp(1) compute, constant
// latency 0.1, T = 100 simulated seconds for n ≤ 1000, T = 20 for n = 10^4), in process, with:
//   tracking = 0  no observer at all (every staleness figure off: the floor);
//   tracking = 1  exact gradient-set staleness only: StalenessTracker (the layout a run picks for
//                 averaging algorithms, origin_prefixes) + StalenessStatistics, no model copies;
//   tracking = 2  the GradientRecorder a default run attaches (sets, B_t², ‖∇f‖² on x_t and v_t,
//                 the virtual sequence; no per-gradient log);
//   tracking = 3  as 1, with the bit_window layout (the general representation, for comparison).
// Counters: ns_per_event (wall ns per processed event), tracker_MB (the tracker's own bytes at the
// end); with tracking = 1, entries_per_node (vector-clock entries), in_place_share (merges that
// raised counts in the receiver's own clock rather than building a new one) and rescans_per_merge
// (merges after which known_min was recomputed over every entry). Compare ns_per_event of 1 and 2 with 0 at the same n (ratios, medians over repetitions:
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <deque>

#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/metrics/staleness_statistics.hpp"
#include "sim/metrics/staleness_tracker.hpp"
#include "tests/test_world.hpp"

namespace {

using namespace dasgd;

// Exact staleness and nothing else: what "gradient-set staleness on" costs by itself.
class SetsOnlyObserver final : public GradientObserver {
 public:
  SetsOnlyObserver(std::size_t n, SetLayout layout)
      : tracker_(n, {false, layout}), statistics_(n), tickets_(n) {}

  std::uint64_t on_compute_start(NodeId node, SimTime s, ConstVectorRef) override {
    tickets_[node] = tracker_.on_compute_start(node, s);
    return node;
  }
  void on_compute_complete(NodeId node, std::uint64_t, SimTime, SimTime c, ConstVectorRef,
                           std::uint64_t) override {
    statistics_.add(tracker_.on_compute_complete(node, tickets_[node], c));
  }
  void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) override {
    statistics_.add(tracker_.on_apply(node, t, r, own));
  }
  std::uint64_t on_model_sent(NodeId source, SimTime, std::uint32_t uses) override {
    sent_.push_back({tracker_.snapshot_set(source), uses});
    return first_ + sent_.size() - 1;
  }
  void on_model_merged(NodeId node, std::uint64_t token, SimTime) override {
    tracker_.merge(node, sent_[token - first_].set);
    on_model_dropped(token);
  }
  void on_model_dropped(std::uint64_t token) override {
    Sent& sent = sent_[token - first_];
    if (--sent.uses == 0) tracker_.release_snapshot(sent.set);
    while (!sent_.empty() && sent_.front().uses == 0) {
      sent_.pop_front();
      ++first_;
    }
  }
  const StalenessTracker& tracker() const { return tracker_; }

 private:
  struct Sent {
    GradientSetSnapshot set;
    std::uint32_t uses;
  };
  StalenessTracker tracker_;
  StalenessStatistics statistics_;
  std::vector<ComputationTicket> tickets_;
  std::deque<Sent> sent_;
  std::uint64_t first_ = 0;
};

ObjectiveSpec peer_objective() {
  ObjectiveSpec spec;
  spec.kind = "quadratic";
  spec.dimension = 32;
  spec.quadratic.min_eigenvalue = 1.0;
  spec.quadratic.max_eigenvalue = 1.0;
  spec.quadratic.reflections = 0;
  spec.noise.kind = NoiseKind::gaussian;
  spec.noise.sigma2 = 0.01;
  return spec;
}

void BM_GossipRingTracking(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto horizon = static_cast<SimTime>(state.range(1));
  const int mode = static_cast<int>(state.range(2));
  for (auto _ : state) {
    state.PauseTiming();
    auto w = testing::make_world(generate::ring(n), peer_objective(),
                                 testing::compute_law(law::Exponential{1.0}),
                                 testing::link_law(law::Constant{0.1}));
    std::unique_ptr<SetsOnlyObserver> sets;
    std::unique_ptr<GradientRecorder> recorder;
    GradientObserver* observer = nullptr;
    if (mode == 1 || mode == 3) {
      sets = std::make_unique<SetsOnlyObserver>(
          n, mode == 1 ? SetLayout::origin_prefixes : SetLayout::bit_window);
      observer = sets.get();
    } else if (mode == 2) {
      GradientRecorderOptions options;
      options.eta = 0.05;
      options.epsilon = 0.05;
      options.keep_log = false;
      options.staleness.layout = SetLayout::origin_prefixes;
      recorder = std::make_unique<GradientRecorder>(*w->objective, n, options);
      observer = recorder.get();
    }
    GossipSgdParams params;
    params.eta = 0.05;
    GossipSgd algorithm(w->world, params, observer);
    if (recorder) recorder->set_virtual_step(algorithm.virtual_step());
    Simulator simulator;
    state.ResumeTiming();
    algorithm.start(simulator);
    simulator.run_while(algorithm, [] { return true; }, horizon);
    state.PauseTiming();
    benchmark::DoNotOptimize(algorithm.model(0).data());
    const auto events = static_cast<double>(simulator.events_processed());
    state.counters["events"] = events;
    state.counters["ns_per_event"] =
        benchmark::Counter(events * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    if (sets) {
      state.counters["tracker_MB"] = static_cast<double>(sets->tracker().bytes()) / 1e6;
      state.counters["entries_per_node"] =
          static_cast<double>(sets->tracker().clock_entries()) / static_cast<double>(n);
      const StalenessTracker::MergePaths& paths = sets->tracker().merge_paths();
      const auto merges = static_cast<double>(std::max<std::uint64_t>(paths.in_place + paths.rebuilt, 1));
      state.counters["in_place_share"] = static_cast<double>(paths.in_place) / merges;
      state.counters["rescans_per_merge"] = static_cast<double>(paths.rescans) / merges;
    }
    if (recorder) state.counters["tracker_MB"] = static_cast<double>(recorder->tracker().bytes()) / 1e6;
    state.ResumeTiming();
  }
}

BENCHMARK(BM_GossipRingTracking)
    ->ArgNames({"n", "T", "tracking"})
    ->Args({100, 100, 0})
    ->Args({100, 100, 1})
    ->Args({100, 100, 2})
    ->Args({100, 100, 3})
    ->Args({1000, 100, 0})
    ->Args({1000, 100, 1})
    ->Args({1000, 100, 2})
    ->Args({1000, 100, 3})
    ->Args({10000, 20, 0})
    ->Args({10000, 20, 1})
    ->Args({10000, 20, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
