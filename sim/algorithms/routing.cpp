// Routed delivery over shortest paths; see routing.hpp.
#include "sim/algorithms/routing.hpp"

#include <algorithm>
#include <functional>

#include "sim/faults/link_faults.hpp"

namespace dasgd {

ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source) {
  std::vector<std::uint8_t> seen;
  std::vector<std::uint32_t> depth;
  return shortest_path_tree(topology, source, seen, depth);
}

namespace {

template <typename Up>
ShortestPathTree build_tree(const Topology& topology, NodeId source, std::vector<std::uint8_t>& seen,
                            std::vector<std::uint32_t>& depth, const Up& up) {
  const std::size_t n = topology.num_nodes();
  ShortestPathTree tree;
  tree.source = source;
  seen.assign(n, 0);
  depth.clear();
  auto& positions = tree.positions;
  positions.reserve(n + 1);
  depth.reserve(n);
  positions.push_back({source, 0, 0});
  depth.push_back(0);
  seen[source] = 1;
  // BFS in increasing id order (rows are sorted), early exit once all n nodes are discovered.
  for (std::size_t head = 0; head < positions.size() && positions.size() < n; ++head) {
    positions[head].first_child = static_cast<std::uint32_t>(positions.size());
    const NodeId u = positions[head].node;
    const auto neighbours = topology.neighbours(u);
    const ArcId first = topology.arc_begin(u);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const NodeId v = neighbours[k];
      if (seen[v] != 0 || !up(first + k)) continue;
      seen[v] = 1;
      positions.push_back({v, 0, first + k});
      depth.push_back(depth[head] + 1);
      tree.hops += depth.back();
    }
  }
  // Positions not scanned have no children: their range (and the sentinel's) starts at the end.
  const auto reached = static_cast<std::uint32_t>(positions.size());
  for (std::size_t p = 1; p < reached; ++p)
    if (positions[p].first_child == 0) positions[p].first_child = reached;
  if (n == 1 || positions[0].first_child == 0) positions[0].first_child = reached;
  positions.push_back({0, reached, 0});
  for (NodeId v = 0; v < n; ++v)
    if (seen[v] == 0) tree.unreached.push_back(v);
  if (positions.capacity() > positions.size() + positions.size() / 8) positions.shrink_to_fit();
  return tree;
}

}  // namespace

ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source,
                                    std::vector<std::uint8_t>& seen, std::vector<std::uint32_t>& depth) {
  return build_tree(topology, source, seen, depth, [](ArcId) { return true; });
}

ShortestPathTree shortest_path_tree(const Topology& topology, NodeId source,
                                    const std::function<bool(ArcId)>& up) {
  std::vector<std::uint8_t> seen;
  std::vector<std::uint32_t> depth;
  return build_tree(topology, source, seen, depth, up);
}

ShortestPathTrees::ShortestPathTrees(const Topology& topology, std::size_t keep_bytes)
    : topology_(&topology), keep_bytes_(keep_bytes), in_use_(topology.num_nodes()) {
  if (keep_bytes > 0) kept_.resize(topology.num_nodes());
}

std::shared_ptr<const ShortestPathTree> ShortestPathTrees::get(NodeId source) {
  if (auto tree = in_use_[source].lock()) return tree;
  auto tree = std::make_shared<const ShortestPathTree>(shortest_path_tree(*topology_, source, seen_, depth_));
  in_use_[source] = tree;
  if (!kept_.empty() && kept_bytes_ + tree->bytes() <= keep_bytes_) {
    kept_bytes_ += tree->bytes();
    kept_[source] = tree;
  }
  return tree;
}

std::shared_ptr<const ShortestPathTree> broadcast_tree(ShortestPathTrees& trees, const Topology& topology,
                                                       NodeId source, SimTime now, LinkFaults* faults) {
  if (faults == nullptr || !faults->outages_on()) return trees.get(source);
  return std::make_shared<const ShortestPathTree>(
      shortest_path_tree(topology, source, [faults, now](ArcId arc) { return faults->arc_up(arc, now); }));
}

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

std::uint64_t ShortestPathRouter::deliver(NodeId source, SimTime now, double bytes, Network& network,
                                          std::vector<SimTime>& arrival) {
  if (network.needs_per_hop_routing()) return broadcast(source, now, bytes, network, arrival);
  const std::size_t n = topology_->num_nodes();
  arrival.assign(n, now);
  if (++current_stamp_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    current_stamp_ = 1;
  }
  order_.clear();
  order_.push_back(source);
  stamp_[source] = current_stamp_;
  depth_.assign(n, 0);
  const std::uint64_t k = network.next_broadcast(source);
  std::uint64_t hops = 0;
  // The BFS of broadcast(); each node's arrival as soon as it is discovered (its parent's is known).
  for (std::size_t head = 0; head < order_.size() && order_.size() < n; ++head) {
    const NodeId u = order_[head];
    const auto neighbours = topology_->neighbours(u);
    const ArcId first = topology_->arc_begin(u);
    for (std::size_t c = 0; c < neighbours.size(); ++c) {
      const NodeId v = neighbours[c];
      if (stamp_[v] == current_stamp_) continue;
      stamp_[v] = current_stamp_;
      order_.push_back(v);
      arrival[v] = network.tree_hop(first + c, bytes, arrival[u], source, k);
      depth_[v] = depth_[u] + 1;
      hops += depth_[v];
    }
  }
  return hops;
}

namespace {

// Min-heap order on (arrival, position) for std::*_heap (which build max-heaps).
constexpr auto later = [](const std::pair<SimTime, std::uint32_t>& a,
                          const std::pair<SimTime, std::uint32_t>& b) { return a > b; };

}  // namespace

thread_local std::vector<std::uint32_t> TreeBroadcast::work_;
thread_local std::vector<std::uint32_t> TreeBroadcast::lost_work_;

void TreeBroadcast::start(const ShortestPathTree& tree, SimTime now, double bytes, Network& network) {
  tree_ = &tree;
  bytes_ = bytes;
  broadcast_ = network.next_broadcast(tree.source);
  frontier_.clear();
  instant_.clear();
  cursor_ = batch_end_ = 0;
  // The source at the send time; unreached nodes arrive at the send time too (positions past the
  // tree's nodes name them).
  frontier_.push_back({now, 0});
  frontier_bound_ = now;
  const auto reached = static_cast<std::uint32_t>(tree.reached());
  // Under link faults a node without a live path loses its copy at the send.
  const std::uint32_t unreached_flag = network.faults() != nullptr ? lost_position : 0;
  for (std::uint32_t k = 0; k < tree.unreached.size(); ++k)
    frontier_.push_back({now, (reached + k) | unreached_flag});
  std::make_heap(frontier_.begin(), frontier_.end(), later);
  expand(network);
}

NodeId TreeBroadcast::next_in_list(NodeId j) const noexcept {
  return j + 1 == tree_->source ? j + 2 : j + 1;
}

void TreeBroadcast::expand(Network& network) {
  const ShortestPathTree& tree = *tree_;
  const auto reached = static_cast<std::uint32_t>(tree.reached());
  instant_.clear();
  cursor_ = batch_end_ = 0;
  while (instant_.empty() && !frontier_.empty()) {
    // Every frontier entry at the earliest time, and (through zero-time hops) their descendants
    // that arrive at that same instant.
    const SimTime t = frontier_.front().first;
    instant_time_ = t;
    work_.clear();
    if (t == frontier_bound_) {
      // All at this instant (a complete graph with a constant latency): take them in one pass.
      for (const auto& entry : frontier_) work_.push_back(entry.second);
      frontier_.clear();
    } else {
      while (!frontier_.empty() && frontier_.front().first == t) {
        work_.push_back(frontier_.front().second);
        std::pop_heap(frontier_.begin(), frontier_.end(), later);
        frontier_.pop_back();
      }
    }
    if (frontier_.empty()) frontier_bound_ = t;  // every later entry is > t
    LinkFaults* faults = network.faults();
    for (std::size_t w = 0; w < work_.size(); ++w) {
      const std::uint32_t p = work_[w];
      if ((p & lost_position) != 0) {
        lose_subtree(p & ~lost_position);
        continue;
      }
      if (p >= reached) {
        instant_.push_back(tree.unreached[p - reached]);
        continue;
      }
      if (p != 0) instant_.push_back(tree.node(p));
      const std::uint32_t end = tree.first_child(p + 1);
      for (std::uint32_t c = tree.first_child(p); c < end; ++c) {
        // arrival[child] = arrival[parent] + hop: the same sum, in the same order, as the walk.
        SimTime at = network.tree_hop(tree.positions[c].arc, bytes_, t, tree.source, broadcast_);
        std::uint32_t entry = c;
        if (faults != nullptr) [[unlikely]] {
          const HopOutcome outcome = faults->hop(tree.positions[c].arc, t, at, bytes_);
          at = outcome.at;
          if (!outcome.delivered) entry |= lost_position;
        }
        if (at == t) {
          work_.push_back(entry);
        } else {
          frontier_.push_back({at, entry});
          std::push_heap(frontier_.begin(), frontier_.end(), later);
          frontier_bound_ = std::max(frontier_bound_, at);
        }
      }
    }
  }
  if (!std::is_sorted(instant_.begin(), instant_.end())) std::sort(instant_.begin(), instant_.end());
}

void TreeBroadcast::lose_subtree(std::uint32_t position) {
  const ShortestPathTree& tree = *tree_;
  const auto reached = static_cast<std::uint32_t>(tree.reached());
  if (position >= reached) {
    instant_.push_back(tree.unreached[position - reached] | lost_flag);
    return;
  }
  lost_work_.assign(1, position);
  for (std::size_t w = 0; w < lost_work_.size(); ++w) {
    const std::uint32_t p = lost_work_[w];
    instant_.push_back(tree.node(p) | lost_flag);
    for (std::uint32_t c = tree.first_child(p); c < tree.first_child(p + 1); ++c) lost_work_.push_back(c);
  }
}

std::span<const NodeId> TreeBroadcast::next_batch() noexcept {
  std::uint32_t end = cursor_ + 1;
  while (end < instant_.size() && instant_[end] == next_in_list(instant_[end - 1])) ++end;
  batch_end_ = end;
  return {instant_.begin() + cursor_, instant_.begin() + end};
}

}  // namespace dasgd
