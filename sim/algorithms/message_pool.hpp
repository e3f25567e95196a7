// Gradient messages stored once and shared by all their deliveries (a broadcast is not copied per
// receiver): memory stays O(messages in flight · d). Slots are recycled, never freed per event.
#pragma once

#include <cstdint>
#include <vector>

#include "objectives/objective.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

struct GradientMessage {
  Vector sum;                           // Σ of the gradients it carries
  std::vector<std::uint64_t> gradients; // their indices t (completion order)
  NodeId origin = 0;
  std::uint64_t version = 0;            // gradients applied at the origin when the first was read
  std::uint64_t outstanding = 0;        // deliveries (events) still to run
  std::vector<std::uint64_t> seen;      // flooding: bitset of nodes that already have it
  // Routed: destinations that share an arrival time, batch b = destinations[batch_begin[b] ..
  // batch_begin[b + 1]).
  std::vector<NodeId> destinations;
  std::vector<std::uint32_t> batch_begin;
};

class MessagePool {
 public:
  explicit MessagePool(Eigen::Index dimension) : dimension_(dimension) {}

  std::uint32_t acquire() {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(messages_.size());
      messages_.emplace_back();
      messages_.back().sum.resize(dimension_);
    }
    GradientMessage& message = messages_[slot];
    message.gradients.clear();
    message.outstanding = 0;
    message.seen.clear();
    message.destinations.clear();
    message.batch_begin.clear();
    ++in_flight_;
    if (in_flight_ > peak_in_flight_) peak_in_flight_ = in_flight_;
    return slot;
  }
  void release(std::uint32_t slot) {
    free_.push_back(slot);
    --in_flight_;
  }
  GradientMessage& operator[](std::uint32_t slot) { return messages_[slot]; }
  const GradientMessage& operator[](std::uint32_t slot) const { return messages_[slot]; }

  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t peak_in_flight() const noexcept { return peak_in_flight_; }
  std::size_t capacity() const noexcept { return messages_.size(); }

 private:
  Eigen::Index dimension_;
  std::vector<GradientMessage> messages_;
  std::vector<std::uint32_t> free_;
  std::size_t in_flight_ = 0;
  std::size_t peak_in_flight_ = 0;
};

}  // namespace dasgd
