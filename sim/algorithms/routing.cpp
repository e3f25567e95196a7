// Routed delivery over shortest paths; see routing.hpp.
#include "sim/algorithms/routing.hpp"

namespace dasgd {

ShortestPathRouter::ShortestPathRouter(const Topology& topology)
    : topology_(&topology),
      parent_(topology.num_nodes()),
      parent_arc_(topology.num_nodes()),
      stamp_(topology.num_nodes(), 0) {
  order_.reserve(topology.num_nodes());
}

std::uint64_t ShortestPathRouter::broadcast(NodeId source, SimTime now, double bytes,
                                            Network& network, std::vector<SimTime>& arrival) {
  const std::size_t n = topology_->num_nodes();
  arrival.assign(n, now);
  if (++current_stamp_ == 0) {  // wrapped: clear stamps once every 2^32 broadcasts
    std::fill(stamp_.begin(), stamp_.end(), 0);
    current_stamp_ = 1;
  }
  order_.clear();
  order_.push_back(source);
  stamp_[source] = current_stamp_;
  parent_[source] = source;
  // BFS with early exit once all n nodes are discovered.
  for (std::size_t head = 0; head < order_.size() && order_.size() < n; ++head) {
    const NodeId u = order_[head];
    const auto neighbours = topology_->neighbours(u);
    const ArcId first = topology_->arc_begin(u);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const NodeId v = neighbours[k];
      if (stamp_[v] == current_stamp_) continue;
      stamp_[v] = current_stamp_;
      parent_[v] = u;
      parent_arc_[v] = first + k;
      order_.push_back(v);
    }
  }
  // One message per destination: walk its path from the source, one transmission per hop.
  std::uint64_t transmissions = 0;
  for (std::size_t idx = 1; idx < order_.size(); ++idx) {
    const NodeId destination = order_[idx];
    path_.clear();
    for (NodeId v = destination; v != source; v = parent_[v]) path_.push_back(parent_arc_[v]);
    SimTime t = now;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) t = network.transmit(*it, bytes, t);
    arrival[destination] = t;
    transmissions += path_.size();
  }
  return transmissions;
}

}  // namespace dasgd
