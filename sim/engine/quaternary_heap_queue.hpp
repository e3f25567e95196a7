// The pending-event set as an implicit 4-ary min-heap on (time, sequence): Simulator's default.
// Half the levels of a binary heap, and a node's four children are adjacent and aligned (4 x 32
// bytes = one 128-byte pair of cache lines), so a pop touches fewer lines (LaMarca & Ladner, "The
// influence of caches on the performance of heaps", J. Exp. Algorithmics 1, 1996).
#pragma once

#include <cstddef>
#include <string>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/event_slots.hpp"

namespace dasgd {

class QuaternaryHeapQueue final : public EventQueue {
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
  std::string name() const override { return "quaternary_heap"; }

 private:
  // Root in slot 3 (slots 0..2 unused), so the children of slot p are the four slots from 4p - 8,
  // a multiple of 4: every sibling group starts on a 128-byte boundary.
  static constexpr std::size_t root = 3;
  static constexpr std::size_t first_child(std::size_t slot) noexcept { return 4 * slot - 8; }
  static constexpr std::size_t parent(std::size_t slot) noexcept { return slot / 4 + 2; }

  EventSlots<4 * sizeof(Event)> slots_;
  std::size_t end_ = root;  // one past the last used slot
};

}  // namespace dasgd
