// The pending-event set as an implicit binary min-heap on (time, sequence): the textbook baseline
// (Cormen et al., "Introduction to Algorithms", ch. 6) that Simulator can swap in for the 4-ary
// heap and that bench/event_queue_bench.cpp measures against std::priority_queue.
#pragma once

#include <cstddef>
#include <string>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/event_slots.hpp"

namespace dasgd {

class BinaryHeapQueue final : public EventQueue {
 public:
  void push(const Event& event) override;
  const Event& top() const override {
    if (empty()) throw_empty("top");
    return slots_.data()[root];
  }
  Event pop() override;
  bool empty() const noexcept override { return end_ == root; }
  std::size_t size() const noexcept override { return end_ - root; }
  void reserve(std::size_t capacity) override { slots_.grow(root + capacity, end_); }
  std::string name() const override { return "binary_heap"; }

 private:
  // Root in slot 1 (slot 0 unused): the children of slot p are 2p and 2p + 1, which share one
  // 64-byte line. (0-based, as in std::priority_queue, every sibling pair straddles two lines.)
  static constexpr std::size_t root = 1;
  EventSlots<2 * sizeof(Event)> slots_;
  std::size_t end_ = root;  // one past the last used slot
};

}  // namespace dasgd
