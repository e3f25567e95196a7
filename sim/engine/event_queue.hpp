// The pending-event set behind a small interface (after ns-3's Scheduler: insert / peek / remove
// next), so that implementations can be swapped and benchmarked (bench/event_queue_bench.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "sim/engine/event.hpp"

namespace dasgd {

class EventQueue {
 public:
  virtual ~EventQueue() = default;
  virtual void push(const Event& event) = 0;
  // Precondition: !empty().
  virtual const Event& top() const = 0;
  virtual Event pop() = 0;
  virtual bool empty() const noexcept = 0;
  virtual std::size_t size() const noexcept = 0;
  virtual void reserve(std::size_t) {}
  virtual std::string name() const = 0;

 protected:
  // For implementations: top() or pop() on an empty queue throws std::out_of_range naming the call.
  [[noreturn]] void throw_empty(const char* operation) const;
};

// "binary_heap" or "quaternary_heap" (the default: fewer levels, cache-friendlier children).
std::unique_ptr<EventQueue> make_event_queue(const std::string& kind = "quaternary_heap");

}  // namespace dasgd
