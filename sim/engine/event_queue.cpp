// Factory for the pending-event sets behind EventQueue (see event_queue.hpp): the config names the
// kind, the simulator gets the interface.
#include "sim/engine/event_queue.hpp"

#include <stdexcept>

#include "sim/engine/binary_heap_queue.hpp"
#include "sim/engine/calendar_queue.hpp"
#include "sim/engine/quaternary_heap_queue.hpp"

namespace dasgd {

void EventQueue::throw_empty(const char* operation) const {
  throw std::out_of_range(name() + ": " + operation + "() on an empty queue, expected at least one event");
}

std::unique_ptr<EventQueue> make_event_queue(const std::string& kind) {
  if (kind == "quaternary_heap") return std::make_unique<QuaternaryHeapQueue>();
  if (kind == "binary_heap") return std::make_unique<BinaryHeapQueue>();
  if (kind == "calendar") return std::make_unique<CalendarQueue>();
  throw std::invalid_argument("make_event_queue: expected \"calendar\", \"quaternary_heap\" or \"binary_heap\", got \"" +
                              kind + "\"");
}

}  // namespace dasgd
