// The virtual clock and event loop. Handlers (algorithms) schedule events; the simulator pops them
// in (time, sequence) order and hands each to the handler. Knows nothing about SGD.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>

#include "sim/engine/event.hpp"
#include "sim/engine/calendar_queue.hpp"
#include "sim/engine/event_queue.hpp"
#include "sim/engine/quaternary_heap_queue.hpp"

namespace dasgd {

// Names one scheduled event. Only ids returned by schedule_* name events: sequence 0 is never issued,
// so a default EventId names none. `time` lets cancel() tell "already ran" from "pending" without
// remembering every event (as ns-3's EventId carries its timestamp for Simulator::IsExpired).
struct EventId {
  std::uint64_t sequence = 0;
  SimTime time = 0;
};

class Simulator;

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle(Simulator& simulator, const Event& event) = 0;
  // A hint, called just before handle() of the event in front of `next`: the handler may prefetch
  // the memory `next` will touch (its node's model, ...), so that on large worlds its cache misses
  // overlap the current event's work. Must not change any state. Default: nothing.
  virtual void prefetch(const Event& /*next*/) const noexcept {}
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
  // O(1): the event stays in the queue and is dropped when it reaches the front (lazy deletion).
  bool cancel(EventId id);

  // Each returns why it stopped. run_until(t) processes every event with time <= t and then sets
  // now() = t (if the queue still holds later events). run_while(pred) checks pred() before each
  // event and stops when it returns false. max_events bounds the events processed by this call.
  // Checks, in this order, before each event: queue empty, next event later than t_end (now() = t_end),
  // max_events reached, pred() false. Throws std::invalid_argument if t_end is NaN or < now().
  StopReason run(EventHandler& handler, std::uint64_t max_events = UINT64_MAX);
  StopReason run_until(EventHandler& handler, SimTime t_end, std::uint64_t max_events = UINT64_MAX);
  StopReason run_while(EventHandler& handler, const std::function<bool()>& keep_going,
                       SimTime t_end = INFINITY, std::uint64_t max_events = UINT64_MAX);
  // run_until on the handler's own (final) type: its handle() and prefetch() are called directly
  // and can be inlined into the loop (Algorithm::run_until lets an algorithm pick it).
  template <class Handler>
  StopReason run_until_as(Handler& handler, SimTime t_end, std::uint64_t max_events = UINT64_MAX);

  std::uint64_t events_processed() const noexcept { return processed_; }
  std::size_t pending() const noexcept { return queue_->size() - cancelled_.size(); }
  const EventQueue& queue() const noexcept { return *queue_; }
  // Room for this many pending events without regrowing (a hint: the queue still grows past it).
  void reserve(std::size_t events) { queue_->reserve(events); }

 private:
  StopReason advance(EventHandler& handler, SimTime t_end, std::uint64_t max_events,
                     const std::function<bool()>* keep_going);
  // The loop itself, on the queue's concrete type when it is a calendar or a 4-ary heap (calls
  // through the final class inline: no virtual call per push, top or pop), else on the interface.
  template <class Queue, class Handler>
  StopReason advance_on(Queue& queue, Handler& handler, SimTime t_end, std::uint64_t max_events,
                        const std::function<bool()>* keep_going);
  template <class Handler>
  StopReason advance_as(Handler& handler, SimTime t_end, std::uint64_t max_events,
                        const std::function<bool()>* keep_going) {
    if (calendar_ != nullptr) return advance_on(*calendar_, handler, t_end, max_events, keep_going);
    if (quaternary_ != nullptr) return advance_on(*quaternary_, handler, t_end, max_events, keep_going);
    return advance_on(*queue_, handler, t_end, max_events, keep_going);
  }
  void check_end_time(const char* where, SimTime t_end) const;
  // Pops the front event, records it as gone; true if it had been cancelled (and is dropped).
  template <class Queue>
  bool pop_front(Queue& queue, Event& event);

  std::unique_ptr<EventQueue> queue_;
  QuaternaryHeapQueue* quaternary_ = nullptr;  // queue_ itself when it is one
  CalendarQueue* calendar_ = nullptr;          // likewise
  SimTime now_ = 0;
  std::uint64_t next_sequence_ = 1;  // 0 is never issued: EventId{} names no event
  std::uint64_t processed_ = 0;
  // Key (time, sequence) of the last event taken off the queue. Keys leave the queue in increasing
  // order and every new key exceeds it, so an event is gone (ran or dropped) iff its key <= this one.
  SimTime last_popped_time_ = -INFINITY;
  std::uint64_t last_popped_sequence_ = 0;
  std::unordered_set<std::uint64_t> cancelled_;  // cancelled but still in queue_
};

template <class Queue>
bool Simulator::pop_front(Queue& queue, Event& event) {
  event = queue.pop();
  last_popped_time_ = event.time;
  last_popped_sequence_ = event.sequence;
  return !cancelled_.empty() && cancelled_.erase(event.sequence) > 0;
}

template <class Queue, class Handler>
StopReason Simulator::advance_on(Queue& queue, Handler& handler, SimTime t_end, std::uint64_t max_events,
                                 const std::function<bool()>* keep_going) {
  // Cancelled events are popped only on the way to a live event that runs next (or when that live
  // event lies beyond t_end and now() becomes t_end), never past the final now(): this keeps the
  // last-popped key <= (now(), next sequence), which cancel() relies on. If only cancelled events
  // remain they stay queued, so now() never jumps to the time of an event that did not run.
  std::uint64_t count = 0;
  Event event;
  for (;;) {
    if (queue.size() == cancelled_.size()) return StopReason::queue_empty;  // nothing live pending
    if (queue.top().time > t_end) {
      now_ = t_end;
      return StopReason::time_reached;
    }
    if (count == max_events) return StopReason::event_limit;
    if (keep_going != nullptr && !(*keep_going)()) return StopReason::predicate;
    while (pop_front(queue, event)) {  // dropped a cancelled event; a live one remains behind it
      if (queue.empty()) return StopReason::queue_empty;  // unreachable with issued ids
      if (queue.top().time > t_end) {
        now_ = t_end;
        return StopReason::time_reached;
      }
    }
    now_ = event.time;
    ++processed_;
    ++count;
    if (!queue.empty()) handler.prefetch(queue.top());
    handler.handle(*this, event);
  }
}

template <class Handler>
StopReason Simulator::run_until_as(Handler& handler, SimTime t_end, std::uint64_t max_events) {
  check_end_time("run_until", t_end);
  return advance_as(handler, t_end, max_events, nullptr);
}

}  // namespace dasgd
