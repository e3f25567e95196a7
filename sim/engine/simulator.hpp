// The virtual clock and event loop. Handlers (algorithms) schedule events; the simulator pops them
// in (time, sequence) order and hands each to the handler. Knows nothing about SGD.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>

#include "sim/engine/event.hpp"
#include "sim/engine/event_queue.hpp"

namespace dasgd {

struct EventId {
  std::uint64_t sequence = 0;
};

class Simulator;

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle(Simulator& simulator, const Event& event) = 0;
};

// Why a run_* call returned.
enum class StopReason { queue_empty, time_reached, predicate, event_limit };

class Simulator {
 public:
  explicit Simulator(std::unique_ptr<EventQueue> queue = make_event_queue());

  SimTime now() const noexcept { return now_; }
  // Schedules at absolute time t. Throws std::invalid_argument if t < now() or t is not finite.
  EventId schedule_at(SimTime t, std::uint32_t type, std::uint32_t target, std::uint64_t payload = 0);
  EventId schedule_in(SimTime delay, std::uint32_t type, std::uint32_t target,
                      std::uint64_t payload = 0) {
    return schedule_at(now_ + delay, type, target, payload);
  }
  // Cancels a pending event; returns false if it already ran, was cancelled, or never existed.
  bool cancel(EventId id);

  // Each returns why it stopped. run_until(t) processes every event with time <= t and then sets
  // now() = t (if the queue still holds later events). run_while(pred) checks pred() before each
  // event and stops when it returns false. max_events bounds the events processed by this call.
  StopReason run(EventHandler& handler, std::uint64_t max_events = UINT64_MAX);
  StopReason run_until(EventHandler& handler, SimTime t_end, std::uint64_t max_events = UINT64_MAX);
  StopReason run_while(EventHandler& handler, const std::function<bool()>& keep_going,
                       SimTime t_end = INFINITY, std::uint64_t max_events = UINT64_MAX);

  std::uint64_t events_processed() const noexcept { return processed_; }
  std::size_t pending() const noexcept { return queue_->size() - cancelled_.size(); }
  const EventQueue& queue() const noexcept { return *queue_; }

 private:
  std::unique_ptr<EventQueue> queue_;
  SimTime now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t processed_ = 0;
  std::unordered_set<std::uint64_t> cancelled_;
};

}  // namespace dasgd
