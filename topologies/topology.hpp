// The network graph every simulation runs on: an undirected, connected graph stored as a
// Boost.Graph compressed_sparse_row_graph with both arcs of each edge (config → world).
// Generators (generators.hpp) and readers (readers.hpp) build one; algorithms and the delivery
// layer only read it. Node ids are 0..n-1; arcs (directed halves of edges) have ids 0..2m-1.
#pragma once

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dasgd {

using NodeId = std::uint32_t;
using EdgeId = std::uint32_t;  // undirected edge, 0..m-1
using ArcId = std::uint64_t;   // directed half of an edge, 0..2m-1 (index into the CSR targets)

// Optional per-edge attributes read from files (edge-list columns, GraphML/DOT attributes).
// Absent values fall back to the link model's defaults.
struct EdgeAttributes {
  std::optional<double> weight;                 // mixing weight hint / generic weight
  std::optional<double> latency;                // seconds: replaces the link model's latency draw
  std::optional<double> bandwidth;              // bytes per second
};

struct Edge {
  NodeId u = 0;
  NodeId v = 0;
  EdgeAttributes attributes{};
};

// Endpoints only: what generators produce (8 bytes per edge instead of an Edge's 56).
struct EdgeEnds {
  NodeId u = 0;
  NodeId v = 0;
};
using EdgeList = std::vector<EdgeEnds>;

class Topology {
 public:
  using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                   boost::no_property, boost::no_property,
                                                   NodeId, ArcId>;

  Topology() = default;
  // Builds from an undirected edge list. Self-loops and duplicate edges are refused
  // (std::invalid_argument naming the edge); so is a disconnected graph
  // ("graph is disconnected: K components"). `name` is a human-readable description.
  Topology(std::size_t num_nodes, std::vector<Edge> edges, std::string name);
  // The same for edges without attributes.
  Topology(std::size_t num_nodes, EdgeList edges, std::string name);
  // A graph that may be disconnected and have isolated nodes: one snapshot of a time-varying graph
  // (topologies/dynamic_graphs.hpp). Self-loops and duplicates are still refused.
  struct MayBeDisconnected {};
  Topology(std::size_t num_nodes, EdgeList edges, std::string name, MayBeDisconnected);
  Topology(std::size_t num_nodes, std::vector<Edge> edges, std::string name, MayBeDisconnected);

  std::size_t num_nodes() const noexcept { return num_nodes_; }
  std::size_t num_edges() const noexcept { return endpoints_.size(); }
  std::size_t num_arcs() const noexcept { return 2 * endpoints_.size(); }
  const std::string& name() const noexcept { return name_; }

  // Neighbours of u in increasing id order, and the arc ids that lead to them (parallel spans:
  // arc_begin(u) + k is the arc u → neighbours(u)[k]).
  std::span<const NodeId> neighbours(NodeId u) const noexcept;
  ArcId arc_begin(NodeId u) const noexcept { return row_start()[u]; }
  std::size_t degree(NodeId u) const noexcept { return row_start()[u + 1] - row_start()[u]; }
  NodeId arc_target(ArcId a) const noexcept { return column()[a]; }
  NodeId arc_source(ArcId a) const noexcept;  // O(log n)
  EdgeId arc_edge(ArcId a) const noexcept { return arc_edge_[a]; }
  // The arc u → v, if the edge exists (binary search over u's neighbours).
  std::optional<ArcId> find_arc(NodeId u, NodeId v) const noexcept;

  // Edges are stored compactly (endpoints; attributes only when some edge has one), so these
  // return values, not references.
  Edge edge(EdgeId e) const noexcept { return {endpoints_[e].u, endpoints_[e].v, edge_attributes(e)}; }
  std::vector<Edge> edges() const;
  const EdgeAttributes& edge_attributes(EdgeId e) const noexcept;
  bool has_edge_attributes() const noexcept { return !attributes_.empty(); }

  // The Boost.Graph view, for Boost algorithms (BFS, components, ...).
  const Graph& graph() const noexcept { return graph_; }

  // Heap bytes held by the edge list, the CSR arrays and the Boost graph (capacities, not sizes).
  std::size_t memory_bytes() const noexcept;

 private:
  std::size_t num_nodes_ = 0;
  std::string name_;
  void build(EdgeList endpoints, bool require_connected = true);
  void build_with_attributes(std::vector<Edge> edges, bool require_connected);

  // The CSR arrays are Boost's own (m_forward is a public member of compressed_sparse_row_graph):
  // row_start()[u] is u's first arc, column()[a] the arc's target, rows sorted by target.
  const ArcId* row_start() const noexcept { return graph_.m_forward.m_rowstart.data(); }
  const NodeId* column() const noexcept { return graph_.m_forward.m_column.data(); }

  EdgeList endpoints_;                                 // m entries
  std::vector<EdgeAttributes> attributes_;             // m entries, or none when no edge has any
  Graph graph_;
  std::vector<EdgeId> arc_edge_; // 2m entries
};

}  // namespace dasgd
