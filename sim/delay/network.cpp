// Network: per-arc message counters and FIFO clocks on top of the stateless link model
// (world → run).
#include "sim/delay/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace dasgd {
Network::Network(const Topology& topology, const LinkModelSpec& spec, std::uint64_t seed)
    : topology_(&topology), num_arcs_(topology.num_arcs()), spec_(spec), seed_(seed) {
  if (auto reason = invalid_reason(spec)) throw std::invalid_argument("link model: " + *reason);
  if (topology.has_edge_attributes()) {
    for (std::size_t e = 0; e < topology.num_edges(); ++e) {
      const Edge& edge = topology.edge(static_cast<EdgeId>(e));
      if (auto reason = invalid_reason(edge.attributes))
        throw std::invalid_argument("link model: edge " + std::to_string(e) + " (" +
                                    std::to_string(edge.u) + ", " + std::to_string(edge.v) +
                                    "): " + *reason);
    }
  }
  // A deterministic law gives the same draw for every m (edge overrides only rescale it), so the
  // counter would never be read.
  if (!is_deterministic(spec.latency)) arc_messages_.assign(topology.num_arcs(), 0);
  per_hop_ = spec.fifo || spec.bandwidth.has_value();
  if (topology.has_edge_attributes())
    for (std::size_t e = 0; e < topology.num_edges() && !per_hop_; ++e)
      per_hop_ = topology.edge(static_cast<EdgeId>(e)).attributes.bandwidth.has_value();
  if (spec.fifo)
    last_arrival_.assign(topology.num_arcs(), -std::numeric_limits<SimTime>::infinity());
  // The key is 0 and the bandwidth term absent for every message: one transfer time for all.
  if (arc_messages_.empty() && !topology.has_edge_attributes() && !per_hop_)
    fixed_transfer_ = transfer_time(spec_, no_attributes_, 0.0, 0);
}

SimTime Network::transmit_general(ArcId arc, double bytes, SimTime send_time) {
  if (arc >= topology_->num_arcs())
    throw std::out_of_range("network: arc " + std::to_string(arc) + " out of range (" +
                            std::to_string(topology_->num_arcs()) + " arcs)");
  if (!(std::isfinite(bytes) && bytes >= 0.0))
    throw std::invalid_argument("network: expected a message size >= 0 bytes, got " +
                                std::to_string(bytes));
  if (!std::isfinite(send_time))
    throw std::invalid_argument("network: expected a finite send time, got " +
                                std::to_string(send_time));

  const std::uint64_t key =
      arc_messages_.empty() ? 0 : mix_key(seed_, Stream::link_latency, arc, arc_messages_[arc]++);
  const EdgeAttributes& attributes = topology_->has_edge_attributes()
                                         ? topology_->edge_attributes(topology_->arc_edge(arc))
                                         : no_attributes_;
  ++messages_sent_;
  bytes_sent_ += bytes;
  SimTime arrival = send_time + transfer_time(spec_, attributes, bytes, key);
  if (!last_arrival_.empty()) {
    arrival = std::max(arrival, last_arrival_[arc]);
    last_arrival_[arc] = arrival;
  }
  return arrival;
}

}  // namespace dasgd
