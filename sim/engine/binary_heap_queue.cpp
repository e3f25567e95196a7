// Binary heap behind EventQueue (see binary_heap_queue.hpp). Both sifts move a hole instead of
// swapping, so each level costs one 32-byte copy; pop uses Floyd's bottom-up variant (Knuth,
// TAOCP vol. 3, 5.2.3 ex. 18), as libstdc++'s std::pop_heap does: walk the hole to a leaf with one
// comparison per level, then sift the last event (taken from the bottom, so it rarely climbs) up.
// Comparisons stay branches on purpose: see quaternary_heap_queue.cpp.
#include "sim/engine/binary_heap_queue.hpp"

namespace dasgd {

void BinaryHeapQueue::push(const Event& event) {
  if (end_ >= slots_.capacity()) slots_.grow(end_ + 1, end_);
  Event* slots = slots_.data();
  std::size_t hole = end_++;
  while (hole > root) {
    const std::size_t parent = hole / 2;
    if (!runs_before(event, slots[parent])) break;
    slots[hole] = slots[parent];
    hole = parent;
  }
  slots[hole] = event;
}

Event BinaryHeapQueue::pop() {
  if (empty()) throw_empty("pop");
  Event* slots = slots_.data();
  const Event first = slots[root];
  const Event last = slots[--end_];
  const std::size_t end = end_;
  if (end == root) return first;
  std::size_t hole = root;
  std::size_t child = 2 * hole;
  while (child + 1 < end) {  // both children present
    if (runs_before(slots[child + 1], slots[child])) ++child;
    slots[hole] = slots[child];
    hole = child;
    child = 2 * hole;
  }
  if (child < end) {  // a last node with a single child
    slots[hole] = slots[child];
    hole = child;
  }
  while (hole > root) {
    const std::size_t parent = hole / 2;
    if (!runs_before(last, slots[parent])) break;
    slots[hole] = slots[parent];
    hole = parent;
  }
  slots[hole] = last;
  return first;
}

}  // namespace dasgd
