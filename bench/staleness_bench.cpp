// Cost of exact staleness tracking per gradient application (run → metrics): a broadcast schedule
// on n nodes (compute 1 s ± 20 %, latency 0.5 s ± 50 %, so arrivals come out of order) is generated
// once, then replayed through StalenessTracker with and without delivery figures, and through an
// empty loop (the floor). Reported: ns per application (counter "per_application").
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <tuple>
#include <vector>

#include "sim/metrics/staleness_tracker.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

enum class Kind : std::uint8_t { start, complete, apply };

struct Operation {
  Kind kind;
  bool own;  // apply: the computing node's own application
  NodeId node;
  std::uint64_t t;  // apply: the gradient
  SimTime time;
};

struct Schedule {
  std::size_t num_nodes = 0;
  std::vector<Operation> operations;
  std::uint64_t applications = 0;
};

// Every node computes back to back; each completion applies its own gradient, restarts, and
// broadcasts to every other node with an independent latency. Events at equal times keep their
// scheduling order (the spec's tie rule).
Schedule make_schedule(std::size_t n, std::uint64_t gradients) {
  const RandomStreams streams(42);
  Rng compute = streams.stream(Stream::compute_delay);
  Rng latency = streams.stream(Stream::link_latency);
  struct Pending {
    SimTime time;
    std::uint64_t sequence;
    bool arrival;
    NodeId node;
    NodeId origin;
    std::uint64_t t;
    bool operator>(const Pending& o) const {
      return std::tie(time, sequence) > std::tie(o.time, o.sequence);
    }
  };
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  std::uint64_t sequence = 0;
  Schedule schedule;
  schedule.num_nodes = n;
  for (NodeId i = 0; i < n; ++i) {
    schedule.operations.push_back({Kind::start, false, i, 0, 0.0});
    queue.push({0.8 + 0.4 * compute.uniform(), sequence++, false, i, i, 0});
  }
  std::uint64_t completed = 0;
  while (!queue.empty()) {
    const Pending event = queue.top();
    queue.pop();
    if (event.arrival) {
      schedule.operations.push_back({Kind::apply, false, event.node, event.t, event.time});
      ++schedule.applications;
      continue;
    }
    const std::uint64_t t = completed++;
    schedule.operations.push_back({Kind::complete, false, event.node, t, event.time});
    schedule.operations.push_back({Kind::apply, true, event.node, t, event.time});
    ++schedule.applications;
    if (completed + n <= gradients) {
      schedule.operations.push_back({Kind::start, false, event.node, 0, event.time});
      queue.push({event.time + 0.8 + 0.4 * compute.uniform(), sequence++, false, event.node,
                  event.node, 0});
    }
    for (NodeId j = 0; j < n; ++j) {
      if (j == event.node) continue;
      queue.push({event.time + 0.25 + 0.5 * latency.uniform(), sequence++, true, j, event.node, t});
    }
  }
  return schedule;
}

const Schedule& schedule_for(std::size_t n) {
  static std::map<std::size_t, Schedule> cache;
  auto found = cache.find(n);
  if (found == cache.end()) {
    found = cache.emplace(n, make_schedule(n, 4'000'000 / n)).first;  // ~4·10^6 applications
  }
  return found->second;
}

void report(benchmark::State& state, const Schedule& schedule) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * schedule.applications));
  state.counters["per_application"] =
      benchmark::Counter(static_cast<double>(schedule.applications),
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The floor: walking the schedule and touching each operation, no tracking.
void BM_ReplayWithoutTracking(benchmark::State& state) {
  const Schedule& schedule = schedule_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::uint64_t checksum = 0;
    for (const Operation& op : schedule.operations) {
      checksum += op.t + op.node;
      benchmark::DoNotOptimize(checksum);
    }
  }
  report(state, schedule);
}

void replay(benchmark::State& state, bool track_deliveries) {
  const Schedule& schedule = schedule_for(static_cast<std::size_t>(state.range(0)));
  std::uint64_t max_window = 0;
  for (auto _ : state) {
    StalenessTracker tracker(schedule.num_nodes, {track_deliveries});
    std::vector<ComputationTicket> tickets(schedule.num_nodes);
    std::uint64_t checksum = 0;
    for (const Operation& op : schedule.operations) {
      switch (op.kind) {
        case Kind::start:
          tickets[op.node] = tracker.on_compute_start(op.node, op.time);
          break;
        case Kind::complete:
          checksum += tracker.on_compute_complete(op.node, tickets[op.node], op.time).s_hat;
          // Sampled once per gradient (1 in n applications): the out-of-order window W / 64.
          max_window = std::max<std::uint64_t>(max_window,
                                               tracker.applied_set(op.node).words().size());
          break;
        case Kind::apply: {
          const DeliveryRecord record = tracker.on_apply(op.node, op.t, op.time, op.own);
          checksum += record.receiver_only;
          break;
        }
      }
      benchmark::DoNotOptimize(checksum);
    }
  }
  report(state, schedule);
  state.counters["max_window_words"] = static_cast<double>(max_window);
}

void BM_TrackerStalenessOnly(benchmark::State& state) { replay(state, false); }
void BM_TrackerWithDeliveries(benchmark::State& state) { replay(state, true); }

BENCHMARK(BM_ReplayWithoutTracking)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrackerStalenessOnly)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrackerWithDeliveries)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dasgd

BENCHMARK_MAIN();
