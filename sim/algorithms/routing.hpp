// Routed delivery: one message per destination along a shortest (fewest-hop) path from the source,
// each hop a separate transmission on that link (store-and-forward). Used by DASGD's `routed`
// delivery; the BFS stops as soon as every node is reached, so a complete graph costs O(n).
#pragma once

#include <vector>

#include "sim/delay/network.hpp"
#include "sim/engine/event.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

class ShortestPathRouter {
 public:
  explicit ShortestPathRouter(const Topology& topology);

  // Arrival time at every node of one message per destination sent from `source` at `now`
  // (arrival[source] = now). Each destination's message crosses every link of its path as its own
  // transmission, so per-hop latency draws are independent per destination. Ties between equally
  // short paths go to the lowest-numbered parent (BFS in increasing id order).
  // Returns the number of link transmissions made.
  std::uint64_t broadcast(NodeId source, SimTime now, double bytes, Network& network,
                          std::vector<SimTime>& arrival);

 private:
  const Topology* topology_;
  std::vector<NodeId> order_;       // BFS order from the last source
  std::vector<NodeId> parent_;
  std::vector<ArcId> parent_arc_;
  std::vector<std::uint32_t> stamp_;
  std::uint32_t current_stamp_ = 0;
  std::vector<ArcId> path_;         // scratch: arcs of one path, destination first
};

}  // namespace dasgd
