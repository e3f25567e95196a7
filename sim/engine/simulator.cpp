// The event loop (see simulator.hpp): validate schedules, pop in (time, sequence) order, drop
// cancelled events lazily, hand the rest to the handler. The hot path is an inlined 4-ary heap pop
// (the default queue is used through its final type), one check of an (almost always empty)
// cancelled set, and one virtual handle() per event.
#include "sim/engine/simulator.hpp"

#include <sstream>
#include <stdexcept>
#include <utility>

namespace dasgd {

namespace {

std::string describe(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

}  // namespace

Simulator::Simulator(std::unique_ptr<EventQueue> queue) : queue_(std::move(queue)) {
  if (!queue_) throw std::invalid_argument("Simulator: expected an event queue, got null");
  quaternary_ = dynamic_cast<QuaternaryHeapQueue*>(queue_.get());
}

EventId Simulator::schedule_at(SimTime t, std::uint32_t type, std::uint32_t target, std::uint64_t payload) {
  // `!(t >= now_)` also refuses NaN.
  if (!(t >= now_) || !std::isfinite(t)) {
    throw std::invalid_argument("Simulator::schedule_at: expected a finite time >= now() = " + describe(now_) +
                                ", got " + describe(t));
  }
  const std::uint64_t sequence = next_sequence_++;
  if (quaternary_ != nullptr) {
    quaternary_->push(Event{t, sequence, type, target, payload});
  } else {
    queue_->push(Event{t, sequence, type, target, payload});
  }
  return EventId{sequence, t};
}

bool Simulator::cancel(EventId id) {
  if (id.sequence == 0 || id.sequence >= next_sequence_) return false;  // never issued
  const bool gone = id.time < last_popped_time_ ||
                    (id.time == last_popped_time_ && id.sequence <= last_popped_sequence_);
  if (gone) return false;
  return cancelled_.insert(id.sequence).second;  // false if already cancelled
}

template <class Queue>
bool Simulator::pop_front(Queue& queue, Event& event) {
  event = queue.pop();
  last_popped_time_ = event.time;
  last_popped_sequence_ = event.sequence;
  return !cancelled_.empty() && cancelled_.erase(event.sequence) > 0;
}

StopReason Simulator::advance(EventHandler& handler, SimTime t_end, std::uint64_t max_events,
                              const std::function<bool()>* keep_going) {
  if (quaternary_ != nullptr) return advance_on(*quaternary_, handler, t_end, max_events, keep_going);
  return advance_on(*queue_, handler, t_end, max_events, keep_going);
}

template <class Queue>
StopReason Simulator::advance_on(Queue& queue, EventHandler& handler, SimTime t_end, std::uint64_t max_events,
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

StopReason Simulator::run(EventHandler& handler, std::uint64_t max_events) {
  return advance(handler, INFINITY, max_events, nullptr);
}

StopReason Simulator::run_until(EventHandler& handler, SimTime t_end, std::uint64_t max_events) {
  if (!(t_end >= now_)) {
    throw std::invalid_argument("Simulator::run_until: expected an end time >= now() = " + describe(now_) +
                                ", got " + describe(t_end));
  }
  return advance(handler, t_end, max_events, nullptr);
}

StopReason Simulator::run_while(EventHandler& handler, const std::function<bool()>& keep_going, SimTime t_end,
                                std::uint64_t max_events) {
  if (!(t_end >= now_)) {
    throw std::invalid_argument("Simulator::run_while: expected an end time >= now() = " + describe(now_) +
                                ", got " + describe(t_end));
  }
  if (!keep_going) throw std::invalid_argument("Simulator::run_while: expected a predicate, got an empty function");
  return advance(handler, t_end, max_events, &keep_going);
}

}  // namespace dasgd
