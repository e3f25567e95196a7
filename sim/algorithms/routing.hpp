// Routed delivery: one message per destination along a shortest (fewest-hop) path from the source.
// Two ways to simulate it, with the same arrival law (see docs/ROUTED_DELIVERY.md):
//  - ShortestPathRouter::broadcast, the per-hop path walk: every hop of every destination's path is
//    its own transmission (store-and-forward). Needed where one hop's time depends on the other
//    messages on the link (FIFO clocks); about Σ distances transmissions per broadcast (n²/4 on a
//    ring).
//  - TreeBroadcast, one draw per arc of the shortest-path tree: arrival[v] = arrival[parent(v)] +
//    hop time of the arc parent(v) -> v, expanded lazily in time order, n − 1 draws per broadcast.
//    Each destination's arrival is the same floating-point sum as in the walk (bit-identical with a
//    deterministic law) and, with a random law, still a sum of independent hop draws.
// Both use the same tree: BFS in increasing id order, ties between equally short paths go to the
// lowest-numbered parent; the BFS stops as soon as every node is reached (a complete graph costs
// O(n)). Nodes the source cannot reach "arrive" at the send time, as they always have.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/delay/network.hpp"
#include "sim/engine/event.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

// The shortest-path tree from one source, in BFS order (position 0 is the source). The children of
// the node at position p are the positions [child_begin[p], child_begin[p + 1]).
struct ShortestPathTree {
  NodeId source = 0;
  std::vector<NodeId> node;                // BFS order of the reached nodes
  std::vector<ArcId> arc;                  // arc[p]: the arc parent -> node[p] (unused for p = 0)
  std::vector<std::uint32_t> child_begin;  // size node.size() + 1
  std::vector<NodeId> unreached;           // nodes the source cannot reach, increasing id
  std::uint64_t hops = 0;                  // Σ of the depths: link transmissions of the path walk

  std::size_t bytes() const noexcept {
    return node.capacity() * sizeof(NodeId) + arc.capacity() * sizeof(ArcId) +
           child_begin.capacity() * sizeof(std::uint32_t) + unreached.capacity() * sizeof(NodeId) +
           sizeof(*this);
  }
};

ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source);

// Per-source trees, kept while their total size stays within `budget_bytes`; past it a tree is built
// for the caller and freed once its last holder lets it go.
class ShortestPathTrees {
 public:
  ShortestPathTrees(const Topology& topology, std::size_t budget_bytes);
  std::shared_ptr<const ShortestPathTree> get(NodeId source);
  std::size_t cached_bytes() const noexcept { return cached_bytes_; }

 private:
  const Topology* topology_;
  std::size_t budget_bytes_;
  std::size_t cached_bytes_ = 0;
  std::vector<std::shared_ptr<const ShortestPathTree>> cache_;
};

class ShortestPathRouter {
 public:
  explicit ShortestPathRouter(const Topology& topology);

  // The per-hop path walk. Arrival time at every node of one message per destination sent from
  // `source` at `now` (arrival[source] = now). Each destination's message crosses every link of its
  // path as its own transmission, so per-hop latency draws are independent per destination.
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

// One broadcast over a shortest-path tree, expanded lazily in time order: it holds only the
// frontier (tree nodes whose arrival time is drawn but not yet reached) and the destinations of the
// current instant. It hands out batches in the order the per-destination schedule would run them:
// by arrival time, and at one instant by increasing destination id; a batch is a maximal run of
// destinations with equal arrival time that are consecutive in the list 0..n−1 without the source
// (exactly the routed "one event per run of equal arrival times" of the path walk).
class TreeBroadcast {
 public:
  // Starts a broadcast of `bytes` from tree->source at `now`. Draws hop times from `network`
  // (which must not be FIFO) as the expansion reaches each arc.
  void start(std::shared_ptr<const ShortestPathTree> tree, SimTime now, double bytes, Network& network);
  bool done() const noexcept { return cursor_ >= instant_.size(); }
  SimTime next_time() const noexcept { return instant_time_; }
  // The next batch (valid until the next call); then expands the next instant if this one is spent.
  std::span<const NodeId> next_batch(Network& network);
  void clear();  // frees the tree reference (the object keeps its buffers for reuse)

 private:
  void expand(Network& network);  // fills instant_ with the next arrival time's destinations
  NodeId next_in_list(NodeId j) const noexcept;

  std::shared_ptr<const ShortestPathTree> tree_;
  double bytes_ = 0;
  std::vector<std::pair<SimTime, std::uint32_t>> frontier_;  // min-heap of (arrival, tree position)
  std::vector<std::uint32_t> work_;                          // scratch: positions at this instant
  std::vector<NodeId> instant_;                              // destinations at instant_time_, by id
  std::size_t cursor_ = 0;
  SimTime instant_time_ = 0;
  std::vector<NodeId> batch_;
};

}  // namespace dasgd
