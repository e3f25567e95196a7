// One reduce-then-broadcast tree per connected component; see forest_all_reduce.hpp.
#include "sim/algorithms/forest_all_reduce.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/faults/live_topology.hpp"
#include "topologies/properties.hpp"

namespace dasgd {

namespace {

constexpr NodeId unreached = static_cast<NodeId>(-1);

// BFS from `source` in increasing neighbour order, appending the visit order to `order` (which
// holds other components' orders before `from`); returns the last node visited (a farthest one).
NodeId sweep(const Topology& topology, NodeId source, std::vector<NodeId>& order, std::size_t from,
             std::vector<NodeId>& parent, std::vector<std::size_t>& hops) {
  order.resize(from);
  parent[source] = source;
  hops[source] = 0;
  order.push_back(source);
  for (std::size_t head = from; head < order.size(); ++head) {
    const NodeId u = order[head];
    for (const NodeId v : topology.neighbours(u)) {
      if (parent[v] != unreached) continue;
      parent[v] = u;
      hops[v] = hops[u] + 1;
      order.push_back(v);
    }
  }
  return order.back();
}

void forget(const std::vector<NodeId>& order, std::size_t from, std::vector<NodeId>& parent) {
  for (std::size_t k = from; k < order.size(); ++k) parent[order[k]] = unreached;
}

}  // namespace

ForestAllReduce::ForestAllReduce(const Topology& topology) {
  const std::size_t n = topology.num_nodes();
  if (n == 0) throw std::invalid_argument("all-reduce needs at least one node, got an empty graph");
  label_ = component_labels(n, topology.edges());
  const std::size_t k = *std::max_element(label_.begin(), label_.end()) + 1;
  sizes_.assign(k, 0);
  for (const std::uint32_t c : label_) ++sizes_[c];
  parent_.assign(n, unreached);
  std::vector<std::size_t> hops(n, 0);
  up_arc_.assign(n, 0);
  down_arc_.assign(n, 0);
  order_.reserve(n);
  std::vector<char> done(k, 0);
  for (NodeId s = 0; s < n; ++s) {
    const std::uint32_t c = label_[s];
    if (done[c] != 0) continue;  // s is the smallest node of a component not yet built
    done[c] = 1;
    const std::size_t from = order_.size();
    begin_.push_back(from);
    const NodeId a = sweep(topology, s, order_, from, parent_, hops);
    forget(order_, from, parent_);
    const NodeId b = sweep(topology, a, order_, from, parent_, hops);
    NodeId centre = b;
    for (std::size_t step = 0; step < hops[b] / 2; ++step) centre = parent_[centre];
    forget(order_, from, parent_);
    sweep(topology, centre, order_, from, parent_, hops);
    depth_ = std::max(depth_, hops[order_.back()]);
    for (std::size_t p = from + 1; p < order_.size(); ++p) {
      const NodeId v = order_[p];
      up_arc_[v] = *topology.find_arc(v, parent_[v]);
      down_arc_[v] = *topology.find_arc(parent_[v], v);
    }
  }
  begin_.push_back(order_.size());
  gathered_.assign(n, 0.0);
  have_.assign(n, 0.0);
}

SimTime ForestAllReduce::run(std::span<const SimTime> ready, Network& network, double bytes,
                             TrafficCounters& traffic) {
  if (ready.size() != order_.size())
    throw std::invalid_argument("all-reduce: expected " + std::to_string(order_.size()) +
                                " ready times, got " + std::to_string(ready.size()));
  std::copy(ready.begin(), ready.end(), gathered_.begin());
  SimTime last = 0;
  bool any = false;
  for (std::size_t c = 0; c + 1 < begin_.size(); ++c) {
    const std::size_t first = begin_[c], end = begin_[c + 1];
    // Reduce: children before parents; then broadcast: parents before children.
    for (std::size_t k = end; k-- > first + 1;) {
      const NodeId v = order_[k];
      const SimTime arrival = network.transmit(up_arc_[v], bytes, gathered_[v]);
      gathered_[parent_[v]] = std::max(gathered_[parent_[v]], arrival);
    }
    const NodeId root = order_[first];
    have_[root] = gathered_[root];
    last = any ? std::max(last, have_[root]) : have_[root];
    any = true;
    for (std::size_t k = first + 1; k < end; ++k) {
      const NodeId v = order_[k];
      have_[v] = network.transmit(down_arc_[v], bytes, have_[parent_[v]]);
      last = std::max(last, have_[v]);
    }
  }
  const std::uint64_t messages = 2 * (order_.size() - components());
  traffic.messages += messages;
  traffic.bytes += static_cast<std::uint64_t>(static_cast<double>(messages) * bytes);
  return last;
}

void LiveAllReduce::take(const LiveTopology& live) {
  if (graph_ && graph_->index() == live.current().index()) return;
  graph_ = live.share();
  forest_.emplace(graph_->topology());
  ++rebuilds_;
}

Network& LiveAllReduce::network() noexcept { return graph_->network(); }

}  // namespace dasgd
