// The all-reduce of the synchronous baselines on a graph that need not be connected (graph.dynamic:
// a round's snapshot may be a matching, a one-peer graph or a Markov subgraph): one reduce-then-
// broadcast tree per connected component, each built by the rule of TreeAllReduce
// (synchronous_round.hpp): a double BFS sweep from the component's smallest node, the tree rooted
// at the middle of the path found. On a connected graph it is TreeAllReduce's tree exactly. Each
// component reduces and broadcasts on its own: its members hold their component's result, nothing
// crosses between components (2(c − 1) messages for a component of c nodes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sim/algorithms/algorithm.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp
class LiveTopology;

class ForestAllReduce {
 public:
  explicit ForestAllReduce(const Topology& topology);

  // Time at which the last node of every component holds its component's result, given when each
  // node's contribution is ready (one per node); one message of `bytes` per tree arc, up then down,
  // counted in traffic.messages / traffic.bytes.
  SimTime run(std::span<const SimTime> ready, Network& network, double bytes, TrafficCounters& traffic);

  std::size_t components() const noexcept { return sizes_.size(); }
  // Node i's component, numbered in order of each component's smallest node.
  std::uint32_t component(NodeId node) const noexcept { return label_[node]; }
  std::size_t component_size(std::uint32_t c) const noexcept { return sizes_[c]; }
  std::size_t depth() const noexcept { return depth_; }  // the deepest component's tree

 private:
  std::vector<std::uint32_t> label_;
  std::vector<std::size_t> sizes_;
  std::vector<std::size_t> begin_;  // component c's BFS order is order_[begin_[c], begin_[c + 1])
  std::vector<NodeId> order_;
  std::vector<NodeId> parent_;
  std::vector<ArcId> up_arc_, down_arc_;
  std::vector<SimTime> gathered_, have_;
  std::size_t depth_ = 0;
};

// graph.dynamic: the all-reduce of a round runs on the snapshot live at the round's start. take()
// keeps that snapshot (and its links) for the round; its forest is built at the first round on a
// new snapshot, O(n + m), and reused while the snapshot stays live.
class LiveAllReduce {
 public:
  void take(const LiveTopology& live);  // at the round's start
  ForestAllReduce& forest() noexcept { return *forest_; }
  Network& network() noexcept;
  std::uint64_t rebuilds() const noexcept { return rebuilds_; }

 private:
  std::shared_ptr<LiveSnapshot> graph_;
  std::optional<ForestAllReduce> forest_;
  std::uint64_t rebuilds_ = 0;
};

}  // namespace dasgd
