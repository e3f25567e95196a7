// The stateful side of links, shared by every algorithm (world → run): hands out the arrival time
// of each message. The m-th message on an arc is keyed by (seed, link_latency, arc, m), so "the m-th
// message on a link takes the same time" in every algorithm run on the same seed.
#pragma once

#include "sim/delay/link_model.hpp"
#include "sim/engine/event.hpp"
#include "topologies/topology.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace dasgd {

class LinkFaults;

class Network {
 public:
  // `topology` must outlive the Network. Throws std::invalid_argument for an invalid spec or an
  // edge whose latency / bandwidth attribute is unusable (naming the edge).
  Network(const Topology& topology, const LinkModelSpec& spec, std::uint64_t seed);

  // Arrival time at the arc's head of a message of `bytes` bytes handed to `arc` at `send_time`:
  // send_time + latency_draw + bytes / bandwidth, the draw keyed by the arc's message count m.
  // With fifo, never earlier than the previous arrival on the same arc; otherwise messages may
  // overtake. Throws std::out_of_range for a bad arc, std::invalid_argument for bytes < 0 or a
  // non-finite send time. Per-arc counters are 32-bit: after 2^32 messages on one arc its draws
  // start again from m = 0.
  // Inline fast path: with one latency for every message (deterministic law, no per-edge
  // attributes, no bandwidth, no FIFO) nothing per arc is read or counted, and the time is the one
  // the general path computes.
  SimTime transmit(ArcId arc, double bytes, SimTime send_time) {
    if (fixed_transfer_ >= 0.0 && arc < num_arcs_ && bytes >= 0.0 && bytes <= kMaxFiniteBytes &&
        std::isfinite(send_time)) {
      ++messages_sent_;
      bytes_sent_ += bytes;
      return send_time + fixed_transfer_;
    }
    return transmit_general(arc, bytes, send_time);
  }

  // Routed delivery over a shortest-path tree (no FIFO clocks): broadcast k from `source` crosses
  // each tree arc once, and its draw on `arc` is keyed by (seed, arc, source, k), not by the arc's
  // message count. The key is unique per (arc, broadcast), so draws stay independent, and it does
  // not depend on the order in which a simulator expands the tree: computing all arrivals at the
  // send or lazily in time order gives the same times (DASGD and sparsified ASGD with k = d stay
  // identical on one world). next_broadcast(source) hands out k = 0, 1, ... per source.
  std::uint64_t next_broadcast(NodeId source) {
    if (broadcasts_.empty()) broadcasts_.assign(topology_->num_nodes(), 0);
    return broadcasts_[source]++;
  }
  SimTime tree_hop(ArcId arc, double bytes, SimTime send_time, NodeId source,
                   std::uint64_t broadcast) noexcept {
    const std::uint64_t key =
        arc_messages_.empty()
            ? 0
            : mix_key(seed_, Stream::link_latency, arc | kTreeArcBit,
                      broadcast * topology_->num_nodes() + source);
    const EdgeAttributes& attributes = topology_->has_edge_attributes()
                                           ? topology_->edge_attributes(topology_->arc_edge(arc))
                                           : no_attributes_;
    ++messages_sent_;
    bytes_sent_ += bytes;
    return send_time + transfer_time(spec_, attributes, bytes, key);
  }
  // True when some message's time on some link depends on the other messages on it (FIFO), or
  // carries a serialisation term (a bandwidth on the spec or on any edge): routed delivery then
  // walks every destination's path hop by hop.
  bool needs_per_hop_routing() const noexcept { return per_hop_; }

  // Link faults (loss, outages, reliable transport) the algorithms consult after each latency draw;
  // null for a perfect network. Not owned.
  void set_faults(LinkFaults* faults) noexcept { faults_ = faults; }
  LinkFaults* faults() const noexcept { return faults_; }

  std::uint64_t messages_sent() const noexcept { return messages_sent_; }
  double bytes_sent() const noexcept { return bytes_sent_; }
  const LinkModelSpec& spec() const noexcept { return spec_; }
  const Topology& topology() const noexcept { return *topology_; }

 private:
  SimTime transmit_general(ArcId arc, double bytes, SimTime send_time);

  static constexpr double kMaxFiniteBytes = std::numeric_limits<double>::max();
  const Topology* topology_;
  std::size_t num_arcs_ = 0;
  double fixed_transfer_ = -1.0;  // >= 0: every message's transfer time (see transmit)
  LinkModelSpec spec_;
  std::uint64_t seed_;
  EdgeAttributes no_attributes_{};  // for graphs without per-edge attributes
  static constexpr ArcId kTreeArcBit = ArcId{1} << 63;  // tree-hop keys apart from per-message ones
  std::vector<std::uint64_t> broadcasts_;  // per source: routed tree broadcasts so far
  bool per_hop_ = false;
  // Per-arc state, allocated only when needed (graphs may have 10^8 arcs): message counts only for
  // a random latency law, last arrival times only with fifo.
  std::vector<std::uint32_t> arc_messages_;
  std::vector<SimTime> last_arrival_;
  std::uint64_t messages_sent_ = 0;
  double bytes_sent_ = 0;
  LinkFaults* faults_ = nullptr;
};

}  // namespace dasgd
