// Combinatorial properties of a topology: degrees, connected components, BFS hop distances and
// the diameter (config → world; printed by `dasgd graph`, used by the bounds as the graph's size).
// Spectral properties (mixing matrices, spectral gap) live in mixing.hpp and spectral.hpp.
#pragma once

#include "topologies/topology.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace dasgd {

struct DegreeSummary {
  std::size_t min = 0;
  std::size_t max = 0;
  double mean = 0.0;  // = 2m / n
};
DegreeSummary degree_summary(const Topology& topology);

// Components of an edge list that need not be connected (readers and generators check a graph
// before building a Topology, which refuses disconnected graphs). Union–find, O(n + m α(n)).
// Edge endpoints must be < num_nodes (std::invalid_argument otherwise).
std::size_t count_components(std::size_t num_nodes, std::span<const Edge> edges);
std::size_t count_components(std::size_t num_nodes, std::span<const EdgeEnds> edges);
// A component label in [0, K) per node, numbered in order of each component's smallest node.
std::vector<std::uint32_t> component_labels(std::size_t num_nodes, std::span<const Edge> edges);

inline constexpr std::uint32_t unreachable = std::numeric_limits<std::uint32_t>::max();
// Hop distance from `source` to every node (BFS, O(n + m)).
std::vector<std::uint32_t> hop_distances(const Topology& topology, NodeId source);
// Largest hop distance from `source`.
std::uint32_t eccentricity(const Topology& topology, NodeId source);

enum class DiameterMethod {
  all_sources_bfs,  // exact: one BFS per node, O(n·m)
  ifub,             // iFUB (Crescenzi et al. 2013, TCS 514): exact when it finishes, else bounds
};
std::string to_string(DiameterMethod method);

struct DiameterOptions {
  // BFS from every node when n·m is at most this; iFUB above it.
  double exhaustive_work_limit = 5e8;
  // iFUB stops after this many BFS runs and reports [lower_bound, upper_bound].
  std::size_t max_bfs_runs = 2000;
};

struct Diameter {
  std::uint32_t lower_bound = 0;  // a realised eccentricity: diameter >= lower_bound
  std::uint32_t upper_bound = 0;  // diameter <= upper_bound; == lower_bound when exact
  bool exact = false;
  DiameterMethod method = DiameterMethod::all_sources_bfs;
  std::size_t bfs_runs = 0;
  std::uint32_t value() const noexcept { return lower_bound; }  // the diameter when exact
};
Diameter diameter(const Topology& topology, const DiameterOptions& options = {});

}  // namespace dasgd
