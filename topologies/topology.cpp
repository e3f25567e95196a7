// Topology construction: validates an undirected edge list and lays it out as CSR arrays plus the
// equivalent Boost.Graph compressed_sparse_row_graph (config → world). Everything is
// O(n + m log deg): counting sort by source, then a sort of each node's (small) neighbour list.
#include "topologies/topology.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace dasgd {
namespace {

std::string edge_text(const Edge& e) {
  return "(" + std::to_string(e.u) + ", " + std::to_string(e.v) + ")";
}

// Walks our CSR arrays as the sorted (source, target) sequence Boost's edges_are_sorted
// constructor wants, so the Boost graph is built without a 2m-pair temporary and its edge
// indices coincide with our arc ids.
class SortedArcIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = std::pair<NodeId, NodeId>;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = const value_type&;

  SortedArcIterator(const std::vector<ArcId>& offsets, const std::vector<NodeId>& targets, ArcId arc)
      : offsets_(&offsets), targets_(&targets), arc_(arc) {
    settle();
  }
  reference operator*() const { return current_; }
  pointer operator->() const { return &current_; }
  SortedArcIterator& operator++() {
    ++arc_;
    settle();
    return *this;
  }
  bool operator==(const SortedArcIterator& other) const { return arc_ == other.arc_; }
  bool operator!=(const SortedArcIterator& other) const { return arc_ != other.arc_; }

 private:
  void settle() {
    if (arc_ >= targets_->size()) return;
    while ((*offsets_)[source_ + 1] <= arc_) ++source_;  // skips degree-0 nodes too
    current_ = {source_, (*targets_)[arc_]};
  }
  const std::vector<ArcId>* offsets_;
  const std::vector<NodeId>* targets_;
  ArcId arc_;
  NodeId source_ = 0;
  value_type current_{};
};

// Number of connected components, by iterative BFS over the CSR arrays (O(n + m)).
std::size_t count_components(std::size_t n, const std::vector<ArcId>& offsets,
                             const std::vector<NodeId>& targets) {
  std::vector<char> seen(n, 0);
  std::vector<NodeId> frontier;
  std::size_t components = 0;
  for (std::size_t start = 0; start < n; ++start) {
    if (seen[start]) continue;
    ++components;
    seen[start] = 1;
    frontier.assign(1, static_cast<NodeId>(start));
    while (!frontier.empty()) {
      const NodeId u = frontier.back();
      frontier.pop_back();
      for (ArcId a = offsets[u]; a < offsets[u + 1]; ++a) {
        const NodeId v = targets[a];
        if (!seen[v]) {
          seen[v] = 1;
          frontier.push_back(v);
        }
      }
    }
  }
  return components;
}

}  // namespace

Topology::Topology(std::size_t num_nodes, std::vector<Edge> edges, std::string name)
    : num_nodes_(num_nodes), name_(std::move(name)) {
  build_with_attributes(std::move(edges), true);
}

Topology::Topology(std::size_t num_nodes, std::vector<Edge> edges, std::string name, MayBeDisconnected)
    : num_nodes_(num_nodes), name_(std::move(name)) {
  build_with_attributes(std::move(edges), false);
}

void Topology::build_with_attributes(std::vector<Edge> edges, bool require_connected) {
  // Keep the edges compactly (endpoints; attributes only if some edge has one) and free the list
  // before the CSR is laid out.
  EdgeList endpoints;
  endpoints.reserve(edges.size());
  bool has_attributes = false;
  for (const Edge& e : edges) {
    endpoints.push_back({e.u, e.v});
    const auto& at = e.attributes;
    if (at.weight || at.latency || at.bandwidth) has_attributes = true;
  }
  if (has_attributes) {
    attributes_.reserve(edges.size());
    for (const Edge& e : edges) attributes_.push_back(e.attributes);
  }
  std::vector<Edge>().swap(edges);
  build(std::move(endpoints), require_connected);
}

Topology::Topology(std::size_t num_nodes, EdgeList endpoints, std::string name)
    : num_nodes_(num_nodes), name_(std::move(name)) {
  build(std::move(endpoints));
}

Topology::Topology(std::size_t num_nodes, EdgeList endpoints, std::string name, MayBeDisconnected)
    : num_nodes_(num_nodes), name_(std::move(name)) {
  build(std::move(endpoints), false);
}

void Topology::build(EdgeList endpoints, bool require_connected) {
  endpoints_ = std::move(endpoints);
  const auto text = [this](EdgeId e) { return edge_text(Edge{endpoints_[e].u, endpoints_[e].v, {}}); };
  std::vector<ArcId> offsets;
  std::vector<NodeId> targets;
  if (num_nodes_ == 0) throw std::invalid_argument("topology: expected at least 1 node, got 0");
  if (num_nodes_ > std::numeric_limits<NodeId>::max()) {
    throw std::invalid_argument("topology: expected at most " +
                                std::to_string(std::numeric_limits<NodeId>::max()) +
                                " nodes, got " + std::to_string(num_nodes_));
  }
  if (endpoints_.size() > std::numeric_limits<EdgeId>::max()) {
    throw std::invalid_argument("topology: expected at most " +
                                std::to_string(std::numeric_limits<EdgeId>::max()) +
                                " edges, got " + std::to_string(endpoints_.size()));
  }

  // Validate endpoints and count degrees.
  offsets.assign(num_nodes_ + 1, 0);
  for (EdgeId e = 0; e < endpoints_.size(); ++e) {
    const auto [u, v] = endpoints_[e];  // EdgeEnds
    if (u >= num_nodes_ || v >= num_nodes_) {
      throw std::invalid_argument("topology: edge " + text(e) + " has a node id out of range: expected ids in [0, " +
                                  std::to_string(num_nodes_ - 1) + "]");
    }
    if (u == v) throw std::invalid_argument("topology: self-loop " + text(e) + " is not allowed");
    ++offsets[u + 1];
    ++offsets[v + 1];
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());

  // Counting sort of both arcs of every edge by source; then sort each row by target.
  const std::size_t arcs = 2 * endpoints_.size();
  targets.resize(arcs);
  arc_edge_.resize(arcs);
  {
    std::vector<ArcId> cursor(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
      const auto [u, v] = endpoints_[i];
      const auto id = static_cast<EdgeId>(i);
      ArcId a = cursor[u]++;
      targets[a] = v;
      arc_edge_[a] = id;
      a = cursor[v]++;
      targets[a] = u;
      arc_edge_[a] = id;
    }
  }
  std::vector<std::pair<NodeId, EdgeId>> row;
  for (std::size_t u = 0; u < num_nodes_; ++u) {
    const ArcId begin = offsets[u];
    const ArcId end = offsets[u + 1];
    row.clear();
    for (ArcId a = begin; a < end; ++a) row.emplace_back(targets[a], arc_edge_[a]);
    std::sort(row.begin(), row.end());
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (k > 0 && row[k].first == row[k - 1].first) {
        throw std::invalid_argument("topology: duplicate edge " + text(row[k].second) +
                                    " (also given as edge " + text(row[k - 1].second) + ")");
      }
      targets[begin + k] = row[k].first;
      arc_edge_[begin + k] = row[k].second;
    }
  }

  const std::size_t components = require_connected ? count_components(num_nodes_, offsets, targets) : 1;
  if (components > 1) {
    throw std::invalid_argument("graph is disconnected: " + std::to_string(components) + " components");
  }

  // Keep one copy of the CSR (Boost's): about 24 bytes per edge in all.
  graph_ = Graph(boost::edges_are_sorted, SortedArcIterator(offsets, targets, 0),
                 SortedArcIterator(offsets, targets, arcs), static_cast<NodeId>(num_nodes_),
                 static_cast<ArcId>(arcs));
}

std::vector<Edge> Topology::edges() const {
  std::vector<Edge> all;
  all.reserve(num_edges());
  for (EdgeId e = 0; e < num_edges(); ++e) all.push_back(edge(e));
  return all;
}

const EdgeAttributes& Topology::edge_attributes(EdgeId e) const noexcept {
  static const EdgeAttributes none{};
  return attributes_.empty() ? none : attributes_[e];
}

std::span<const NodeId> Topology::neighbours(NodeId u) const noexcept {
  return {column() + row_start()[u], static_cast<std::size_t>(row_start()[u + 1] - row_start()[u])};
}

NodeId Topology::arc_source(ArcId a) const noexcept {
  // The last node whose first arc is <= a (upper_bound skips degree-0 nodes sharing an offset).
  const ArcId* first = row_start();
  const ArcId* last = first + num_nodes_ + 1;
  const ArcId* it = std::upper_bound(first, last, a);
  return static_cast<NodeId>(it - first - 1);
}

std::optional<ArcId> Topology::find_arc(NodeId u, NodeId v) const noexcept {
  if (u >= num_nodes_) return std::nullopt;
  const auto row = neighbours(u);
  const auto it = std::lower_bound(row.begin(), row.end(), v);
  if (it == row.end() || *it != v) return std::nullopt;
  return row_start()[u] + static_cast<ArcId>(it - row.begin());
}

std::size_t Topology::memory_bytes() const noexcept {
  const auto& forward = graph_.m_forward;  // Boost's own CSR arrays (public members)
  return endpoints_.capacity() * sizeof(endpoints_[0]) + attributes_.capacity() * sizeof(EdgeAttributes) +
         arc_edge_.capacity() * sizeof(EdgeId) +
         forward.m_rowstart.capacity() * sizeof(ArcId) + forward.m_column.capacity() * sizeof(NodeId) +
         name_.capacity();
}

}  // namespace dasgd
