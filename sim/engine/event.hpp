// One scheduled event of the discrete-event engine: a plain 32-byte value ordered by
// (time, sequence). The engine knows nothing about SGD: `type`, `target` and `payload` are
// interpreted by whoever handles the event (an algorithm), never by the engine.
#pragma once

#include <cstdint>

namespace dasgd {

using SimTime = double;  // virtual time, seconds

struct Event {
  SimTime time = 0;
  std::uint64_t sequence = 0;  // insertion order: ties at equal time run first-in, first-out
  std::uint32_t type = 0;      // handler-defined kind (compute done, message arrival, ...)
  std::uint32_t target = 0;    // handler-defined, usually a node id
  std::uint64_t payload = 0;   // handler-defined, e.g. a message slot
};

// Strict weak order "a runs before b".
constexpr bool runs_before(const Event& a, const Event& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
}

}  // namespace dasgd
