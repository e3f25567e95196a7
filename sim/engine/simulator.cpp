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
  calendar_ = dynamic_cast<CalendarQueue*>(queue_.get());
}

EventId Simulator::schedule_at(SimTime t, std::uint32_t type, std::uint32_t target, std::uint64_t payload) {
  // `!(t >= now_)` also refuses NaN.
  if (!(t >= now_) || !std::isfinite(t)) {
    throw std::invalid_argument("Simulator::schedule_at: expected a finite time >= now() = " + describe(now_) +
                                ", got " + describe(t));
  }
  const std::uint64_t sequence = next_sequence_++;
  if (calendar_ != nullptr) {
    calendar_->push(Event{t, sequence, type, target, payload});
  } else if (quaternary_ != nullptr) {
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

StopReason Simulator::advance(EventHandler& handler, SimTime t_end, std::uint64_t max_events,
                              const std::function<bool()>* keep_going) {
  return advance_as(handler, t_end, max_events, keep_going);
}

void Simulator::check_end_time(const char* where, SimTime t_end) const {
  if (!(t_end >= now_)) {
    throw std::invalid_argument(std::string("Simulator::") + where + ": expected an end time >= now() = " +
                                describe(now_) + ", got " + describe(t_end));
  }
}

StopReason Simulator::run(EventHandler& handler, std::uint64_t max_events) {
  return advance(handler, INFINITY, max_events, nullptr);
}

StopReason Simulator::run_until(EventHandler& handler, SimTime t_end, std::uint64_t max_events) {
  check_end_time("run_until", t_end);
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
