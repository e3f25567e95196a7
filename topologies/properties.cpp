// Degrees, components, BFS distances and the diameter of a topology (see properties.hpp).
// All traversals run on the Topology's CSR arrays with one reusable workspace per call.
#include "topologies/properties.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace dasgd {
namespace {

// BFS over the CSR arrays, reusing its buffers between sources.
class BreadthFirstSearch {
 public:
  explicit BreadthFirstSearch(const Topology& topology)
      : topology_(topology), distance_(topology.num_nodes(), unreachable), parent_(topology.num_nodes()) {
    queue_.reserve(topology.num_nodes());
  }
  // Returns the eccentricity of `source`; distances() and order() describe the search.
  std::uint32_t run(NodeId source) {
    for (const NodeId v : queue_) distance_[v] = unreachable;  // reset only what was touched
    queue_.clear();
    distance_[source] = 0;
    parent_[source] = source;
    queue_.push_back(source);
    for (std::size_t head = 0; head < queue_.size(); ++head) {
      const NodeId u = queue_[head];
      for (const NodeId v : topology_.neighbours(u)) {
        if (distance_[v] == unreachable) {
          distance_[v] = distance_[u] + 1;
          parent_[v] = u;
          queue_.push_back(v);
        }
      }
    }
    return distance_[queue_.back()];
  }
  const std::vector<std::uint32_t>& distances() const { return distance_; }
  // Nodes in order of non-decreasing distance; the last one is a farthest node.
  const std::vector<NodeId>& order() const { return queue_; }
  NodeId farthest() const { return queue_.back(); }
  // The node halfway along the BFS-tree path from the source to `target`.
  NodeId midpoint_to(NodeId target) const {
    NodeId v = target;
    for (std::uint32_t steps = distance_[target] / 2; steps > 0; --steps) v = parent_[v];
    return v;
  }

 private:
  const Topology& topology_;
  std::vector<std::uint32_t> distance_;
  std::vector<NodeId> parent_;
  std::vector<NodeId> queue_;
};

// Union–find with path halving and union by size.
class DisjointSets {
 public:
  explicit DisjointSets(std::size_t n) : parent_(n), size_(n, 1) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }
  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    return true;
  }

 private:
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> size_;
};

template <typename EdgeType>
void check_endpoints(std::size_t num_nodes, std::span<const EdgeType> edges) {
  for (const EdgeType& e : edges) {
    if (e.u >= num_nodes || e.v >= num_nodes) {
      throw std::invalid_argument("edge (" + std::to_string(e.u) + ", " + std::to_string(e.v) +
                                  "): expected node ids below " + std::to_string(num_nodes));
    }
  }
}

}  // namespace

DegreeSummary degree_summary(const Topology& topology) {
  DegreeSummary summary;
  const std::size_t n = topology.num_nodes();
  if (n == 0) return summary;
  summary.min = topology.degree(0);
  for (NodeId u = 0; u < n; ++u) {
    summary.min = std::min(summary.min, topology.degree(u));
    summary.max = std::max(summary.max, topology.degree(u));
  }
  summary.mean = static_cast<double>(topology.num_arcs()) / static_cast<double>(n);
  return summary;
}

template <typename EdgeType>
std::size_t count_components_of(std::size_t num_nodes, std::span<const EdgeType> edges) {
  check_endpoints(num_nodes, edges);
  DisjointSets sets(num_nodes);
  std::size_t components = num_nodes;
  for (const EdgeType& e : edges) components -= sets.unite(e.u, e.v) ? 1 : 0;
  return components;
}

std::size_t count_components(std::size_t num_nodes, std::span<const Edge> edges) {
  return count_components_of(num_nodes, edges);
}

std::size_t count_components(std::size_t num_nodes, std::span<const EdgeEnds> edges) {
  return count_components_of(num_nodes, edges);
}

std::vector<std::uint32_t> component_labels(std::size_t num_nodes, std::span<const Edge> edges) {
  check_endpoints(num_nodes, edges);
  DisjointSets sets(num_nodes);
  for (const Edge& e : edges) sets.unite(e.u, e.v);
  std::vector<std::uint32_t> root_label(num_nodes, unreachable);
  std::vector<std::uint32_t> labels(num_nodes);
  std::uint32_t next = 0;
  for (std::uint32_t v = 0; v < num_nodes; ++v) {
    const std::uint32_t root = sets.find(v);
    if (root_label[root] == unreachable) root_label[root] = next++;
    labels[v] = root_label[root];
  }
  return labels;
}

std::vector<std::uint32_t> hop_distances(const Topology& topology, NodeId source) {
  if (source >= topology.num_nodes()) {
    throw std::invalid_argument("hop_distances: expected a source below " + std::to_string(topology.num_nodes()) +
                                ", got " + std::to_string(source));
  }
  BreadthFirstSearch search(topology);
  search.run(source);
  return search.distances();
}

std::uint32_t eccentricity(const Topology& topology, NodeId source) {
  if (source >= topology.num_nodes()) {
    throw std::invalid_argument("eccentricity: expected a source below " + std::to_string(topology.num_nodes()) +
                                ", got " + std::to_string(source));
  }
  BreadthFirstSearch search(topology);
  return search.run(source);
}

std::string to_string(DiameterMethod method) {
  switch (method) {
    case DiameterMethod::all_sources_bfs: return "BFS from every node";
    case DiameterMethod::ifub: return "iFUB";
  }
  return "unknown";
}

Diameter diameter(const Topology& topology, const DiameterOptions& options) {
  Diameter result;
  const std::size_t n = topology.num_nodes();
  if (n <= 1) {
    result.exact = true;
    return result;
  }
  BreadthFirstSearch search(topology);
  const double work = static_cast<double>(n) * static_cast<double>(topology.num_edges());
  if (work <= options.exhaustive_work_limit) {
    result.method = DiameterMethod::all_sources_bfs;
    for (NodeId u = 0; u < n; ++u) result.lower_bound = std::max(result.lower_bound, search.run(u));
    result.upper_bound = result.lower_bound;
    result.exact = true;
    result.bfs_runs = n;
    return result;
  }

  // iFUB (Crescenzi, Grossi, Habib, Lanzi, Marino 2013, "On computing the diameter of real-world
  // undirected graphs", Alg. 2) from a 4-sweep centre. With u's BFS levels F_1 … F_e, any pair at
  // distance > 2(i−1) has an end in a level >= i, so once the largest eccentricity seen exceeds
  // 2(i−1) it is the diameter; otherwise the diameter is at most 2(i−1) and we go down a level.
  result.method = DiameterMethod::ifub;
  std::size_t runs = 0;
  const auto run = [&](NodeId source) {
    ++runs;
    const std::uint32_t ecc = search.run(source);
    result.lower_bound = std::max(result.lower_bound, ecc);
    return ecc;
  };
  NodeId centre = 0;
  for (NodeId u = 1; u < n; ++u)
    if (topology.degree(u) > topology.degree(centre)) centre = u;
  for (int sweep = 0; sweep < 2; ++sweep) {  // two double sweeps: r → a → b, centre := mid(a, b)
    run(centre);
    const NodeId a = search.farthest();
    run(a);
    centre = search.midpoint_to(search.farthest());
  }
  const std::uint32_t centre_ecc = run(centre);
  std::vector<NodeId> by_level = search.order();  // non-decreasing distance from the centre
  std::vector<std::uint32_t> level(n);
  for (const NodeId v : by_level) level[v] = search.distances()[v];

  result.upper_bound = 2 * centre_ecc;
  std::size_t end = by_level.size();
  for (std::uint32_t i = centre_ecc; i >= 1 && result.upper_bound > result.lower_bound; --i) {
    std::size_t begin = end;
    while (begin > 0 && level[by_level[begin - 1]] == i) --begin;
    for (std::size_t k = begin; k < end; ++k) {
      if (runs >= options.max_bfs_runs) {
        result.bfs_runs = runs;
        return result;  // budget spent: [lower_bound, upper_bound] is all we know
      }
      run(by_level[k]);
    }
    end = begin;
    if (result.lower_bound > 2 * (i - 1)) break;
    result.upper_bound = std::min(result.upper_bound, 2 * (i - 1));
  }
  result.upper_bound = result.lower_bound;
  result.exact = true;
  result.bfs_runs = runs;
  return result;
}

}  // namespace dasgd
