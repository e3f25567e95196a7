// The classic hold model (Jones, "An empirical comparison of priority-queue and event-set
// implementations", CACM 29(4), 1986): P pending events; each step pops the earliest and pushes one
// at its time + Exp(1). Measures the engine's queues (through EventQueue, as Simulator uses them)
// against a plain std::priority_queue of the same 32-byte Event, and the Simulator end to end.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

// The same Exp(1) increments for every variant, pre-drawn so the log() is not timed. 2^16 values
// cycled: far more than any heap level sees between reuses.
class ExpIncrements {
 public:
  ExpIncrements() : values_(std::size_t{1} << 16) {
    Rng rng(mix_key(1, Stream::algorithm));
    for (double& v : values_) v = rng.exponential(1.0);
  }
  double next() noexcept { return values_[index_++ & (values_.size() - 1)]; }

 private:
  std::vector<double> values_;
  std::size_t index_ = 0;
};

struct RunsAfter {  // std::priority_queue is a max-heap: invert the order
  bool operator()(const Event& a, const Event& b) const noexcept { return runs_before(b, a); }
};
using PlainHeap = std::priority_queue<Event, std::vector<Event>, RunsAfter>;

// The steps common to every variant; `pop` and `push` adapt the container.
template <class Queue, class Pop, class Push>
void hold_model(benchmark::State& state, Queue& queue, Pop pop, Push push) {
  const auto pending = static_cast<std::uint64_t>(state.range(0));
  ExpIncrements increments;
  std::uint64_t sequence = 0;
  for (std::uint64_t i = 0; i < pending; ++i) push(queue, Event{increments.next(), sequence++, 0, 0, i});
  // Warm up to the steady-state time distribution before timing (P steps, untimed).
  for (std::uint64_t i = 0; i < pending; ++i) {
    const Event e = pop(queue);
    push(queue, Event{e.time + increments.next(), sequence++, e.type, e.target, e.payload});
  }
  for (auto _ : state) {
    const Event e = pop(queue);
    push(queue, Event{e.time + increments.next(), sequence++, e.type, e.target, e.payload});
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(pending);
}

void through_interface(benchmark::State& state, const std::string& kind) {
  std::unique_ptr<EventQueue> queue = make_event_queue(kind);
  queue->reserve(static_cast<std::size_t>(state.range(0)) + 1);
  hold_model(
      state, *queue, [](EventQueue& q) { return q.pop(); }, [](EventQueue& q, const Event& e) { q.push(e); });
}

void BM_HoldBinaryHeap(benchmark::State& state) { through_interface(state, "binary_heap"); }
void BM_HoldQuaternaryHeap(benchmark::State& state) { through_interface(state, "quaternary_heap"); }
void BM_HoldCalendar(benchmark::State& state) { through_interface(state, "calendar"); }

void BM_HoldStdPriorityQueue(benchmark::State& state) {
  std::vector<Event> storage;
  storage.reserve(static_cast<std::size_t>(state.range(0)) + 1);
  PlainHeap queue(RunsAfter{}, std::move(storage));
  hold_model(
      state, queue,
      [](PlainHeap& q) {
        const Event e = q.top();
        q.pop();
        return e;
      },
      [](PlainHeap& q, const Event& e) { q.push(e); });
}

// End to end: Simulator::run with a handler that reschedules every event it is handed.
class Rescheduler : public EventHandler {
 public:
  void handle(Simulator& simulator, const Event& event) override {
    simulator.schedule_in(increments_.next(), event.type, event.target, event.payload);
  }

 private:
  ExpIncrements increments_;
};

void BM_HoldSimulator(benchmark::State& state) {
  const auto pending = static_cast<std::uint64_t>(state.range(0));
  auto queue = make_event_queue();
  queue->reserve(pending + 1);
  Simulator simulator(std::move(queue));
  ExpIncrements initial;
  for (std::uint64_t i = 0; i < pending; ++i) simulator.schedule_at(initial.next(), 0, 0, i);
  Rescheduler handler;
  simulator.run(handler, pending);  // warm-up, untimed
  constexpr std::uint64_t batch = 1024;
  for (auto _ : state) simulator.run(handler, batch);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.counters["pending"] = static_cast<double>(pending);
}

#define DASGD_HOLD_SIZES RangeMultiplier(10)->Range(1000, 1000000)
BENCHMARK(BM_HoldStdPriorityQueue)->DASGD_HOLD_SIZES;
BENCHMARK(BM_HoldBinaryHeap)->DASGD_HOLD_SIZES;
BENCHMARK(BM_HoldQuaternaryHeap)->DASGD_HOLD_SIZES;
BENCHMARK(BM_HoldCalendar)->DASGD_HOLD_SIZES;
BENCHMARK(BM_HoldSimulator)->DASGD_HOLD_SIZES;

}  // namespace
}  // namespace dasgd

BENCHMARK_MAIN();
