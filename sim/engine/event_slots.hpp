// Cache-line-aligned, growable storage for the heap queues (binary_heap_queue, quaternary_heap_queue):
// the heaps place their root so that every sibling group starts on a cache-line boundary, which only
// pays off if the array itself is aligned. Event is trivially copyable, so growth is one memcpy.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

#include "sim/engine/event.hpp"

namespace dasgd {

template <std::size_t Alignment>
class EventSlots {
  static_assert(std::is_trivially_copyable_v<Event>);

 public:
  Event* data() noexcept { return slots_.get(); }
  const Event* data() const noexcept { return slots_.get(); }
  std::size_t capacity() const noexcept { return capacity_; }

  // Ensures room for `slots` slots, keeping the first `used` (at least doubling, so pushes stay
  // amortised O(1)).
  void grow(std::size_t slots, std::size_t used) {
    if (slots <= capacity_) return;
    const std::size_t fresh_capacity = std::max({slots, 2 * capacity_, std::size_t{64}});
    Event* fresh = static_cast<Event*>(
        ::operator new[](fresh_capacity * sizeof(Event), std::align_val_t{Alignment}));
    if (slots_ && used > 0) std::memcpy(fresh, slots_.get(), std::min(used, capacity_) * sizeof(Event));
    slots_.reset(fresh);
    capacity_ = fresh_capacity;
  }

 private:
  struct AlignedDelete {
    void operator()(Event* p) const noexcept { ::operator delete[](p, std::align_val_t{Alignment}); }
  };
  std::unique_ptr<Event[], AlignedDelete> slots_;
  std::size_t capacity_ = 0;
};

}  // namespace dasgd
