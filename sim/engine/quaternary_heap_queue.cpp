// 4-ary heap behind EventQueue (see quaternary_heap_queue.hpp). Sifts move a hole (one 32-byte copy
// per level, no swaps). Two measured choices (bench/event_queue_bench.cpp, hold model, P = 10^6):
// - comparisons are branches, not branch-free selects: a select makes the next level's address wait
//   for this level's loads, while a predicted branch lets the CPU start the next loads early (the
//   branch-free version ran at half the speed once the heap outgrew the caches);
// - pop prefetches the four grandchild groups while choosing among the children, hiding most of the
//   next level's miss latency (only once the heap is larger than a typical L2).
// Pop sifts the last event down from the root and stops early; Floyd's bottom-up variant (used by
// the binary heap) measured no better here.
#include "sim/engine/quaternary_heap_queue.hpp"

namespace dasgd {

namespace {

// Below this many slots (512 KiB) the heap lives in L2 and prefetching only costs instructions.
constexpr std::size_t prefetch_above = std::size_t{1} << 14;

// Slot of the earliest of the four children from `first` (a full group).
inline std::size_t earliest_of_four(const Event* slots, std::size_t first) noexcept {
  std::size_t best = first;
  if (runs_before(slots[first + 1], slots[best])) best = first + 1;
  if (runs_before(slots[first + 2], slots[best])) best = first + 2;
  if (runs_before(slots[first + 3], slots[best])) best = first + 3;
  return best;
}

}  // namespace

void QuaternaryHeapQueue::push(const Event& event) {
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

Event QuaternaryHeapQueue::pop() {
  if (empty()) throw_empty("pop");
  Event* slots = slots_.data();
  const Event first = slots[root];
  const Event last = slots[--end_];
  const std::size_t end = end_;
  if (end == root) return first;
  const bool prefetch = end > prefetch_above;
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
      best = earliest_of_four(slots, child);
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
