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
  // Defined inline below: the simulator calls them through the final type, without a virtual call.
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

// Sifts move a hole (one 32-byte copy per level, no swaps). Two measured choices (bench/event_queue_bench.cpp, hold model, P = 10^6):
// - comparisons are branches, not branch-free selects: a select makes the next level's address wait
// for this level's loads, while a predicted branch lets the CPU start the next loads early (the
// branch-free version ran at half the speed once the heap outgrew the caches);
// - pop prefetches the four grandchild groups while choosing among the children, hiding most of the
// next level's miss latency (only once the heap is larger than a typical L2).
// Pop sifts the last event down from the root and stops early; Floyd's bottom-up variant (used by
// the binary heap) measured no better here.
namespace quaternary_detail {

// Below this many slots (512 KiB) the heap lives in L2 and prefetching only costs instructions.
inline constexpr std::size_t quaternary_prefetch_above = std::size_t{1} << 14;

// Slot of the earliest of the four children from `first` (a full group).
inline std::size_t earliest_of_four(const Event* slots, std::size_t first) noexcept {
  std::size_t best = first;
  if (runs_before(slots[first + 1], slots[best])) best = first + 1;
  if (runs_before(slots[first + 2], slots[best])) best = first + 2;
  if (runs_before(slots[first + 3], slots[best])) best = first + 3;
  return best;
}

}  // namespace quaternary_detail

inline void QuaternaryHeapQueue::push(const Event& event) {
  if (end_ >= slots_.capacity()) slots_.grow(end_ + 1, end_);
  Event* slots = slots_.data();
  std::size_t hole = end_++;
  while (hole > root) {
    const std::size_t up = parent(hole);
    if (!runs_before(event, slots[up])) break;
    slots[hole] = slots[up];
    hole = up;
  }
  slots[hole] = event;
}

inline Event QuaternaryHeapQueue::pop() {
  if (empty()) throw_empty("pop");
  Event* slots = slots_.data();
  const Event first = slots[root];
  const Event last = slots[--end_];
  const std::size_t end = end_;
  if (end == root) return first;
  const bool prefetch = end > quaternary_detail::quaternary_prefetch_above;
  std::size_t hole = root;
  std::size_t child = first_child(hole);
  for (;;) {
    std::size_t best = child;
    if (child + 3 < end) {  // all four children present
      const std::size_t grandchild = first_child(child);
      if (prefetch && grandchild < end) {
        // The groups of the four children's children: 16 slots, 4 x 128 bytes, 8 lines.
        for (std::size_t k = 0; k < 16; k += 2) __builtin_prefetch(slots + grandchild + k);
      }
      best = quaternary_detail::earliest_of_four(slots, child);
    } else if (child < end) {  // the one node whose child group is partial
      for (std::size_t c = child + 1; c < end; ++c) {
        if (runs_before(slots[c], slots[best])) best = c;
      }
    } else {
      break;  // a leaf
    }
    if (!runs_before(slots[best], last)) break;
    slots[hole] = slots[best];
    hole = best;
    child = first_child(hole);
  }
  slots[hole] = last;
  return first;
}

}  // namespace dasgd
