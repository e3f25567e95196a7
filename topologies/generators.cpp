// Graph generators (see generators.hpp for each graph's definition and edge count). Deterministic
// graphs are written out directly; random ones draw only from the Stream::topology stream.
// Boost.Graph's erdos_renyi_iterator / small_world_iterator are not used: they draw through
// boost::random distributions (whose output may change with the Boost version, against our rule
// that every draw goes through sim/random/rng.hpp) and the small-world one creates multi-edges.
#include "topologies/generators.hpp"

#include "sim/random/rng.hpp"
#include "topologies/properties.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace dasgd::generate {
namespace {

constexpr std::uint64_t max_edges = std::numeric_limits<EdgeId>::max();
constexpr std::uint64_t max_nodes = std::numeric_limits<NodeId>::max();
constexpr int max_connect_attempts = 100;

[[noreturn]] void refuse(const std::string& what, const std::string& expected, const std::string& got) {
  throw std::invalid_argument(what + ": expected " + expected + ", got " + got);
}

void check_nodes(const std::string& what, std::uint64_t n) {
  if (n == 0) refuse(what, "at least 1 node", "0");
  if (n > max_nodes) refuse(what, "at most " + std::to_string(max_nodes) + " nodes", std::to_string(n));
}

void check_edges(const std::string& what, long double m) {
  if (m > static_cast<long double>(max_edges)) {
    refuse(what, "at most " + std::to_string(max_edges) + " edges", "about " + std::to_string(static_cast<double>(m)));
  }
}

EdgeEnds edge(std::uint64_t u, std::uint64_t v) {
  return EdgeEnds{static_cast<NodeId>(u), static_cast<NodeId>(v)};
}

// Key of an undirected pair, for membership tests (never iterated, so hash order is harmless).
std::uint64_t pair_key(NodeId u, NodeId v) {
  if (u > v) std::swap(u, v);
  return (static_cast<std::uint64_t>(u) << 32) | v;
}

Rng topology_stream(std::uint64_t seed) { return RandomStreams(seed).stream(Stream::topology); }

// Fisher–Yates with our own bounded draws (std::shuffle's draws are not specified).
template <typename T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.below(i)]);
}

std::string disconnected_message(const std::string& what, std::size_t components) {
  return what + ": graph is disconnected: " + std::to_string(components) + " components";
}

}  // namespace

Topology ring(std::size_t n) {
  const std::string what = "ring(n=" + std::to_string(n) + ")";
  if (n < 3) refuse(what, "at least 3 nodes (use complete(2) for two nodes)", std::to_string(n));
  check_nodes(what, n);
  EdgeList edges;
  edges.reserve(n);
  for (std::size_t i = 0; i < n; ++i) edges.push_back(edge(i, (i + 1) % n));
  return Topology(n, std::move(edges), what);
}

namespace {
// Lattice on rows × cols; `wrap` closes each side of length >= 3 into a cycle.
Topology lattice(std::size_t rows, std::size_t cols, bool wrap, const std::string& what) {
  if (rows == 0 || cols == 0) refuse(what, "rows >= 1 and cols >= 1", std::to_string(rows) + " x " + std::to_string(cols));
  const long double n = static_cast<long double>(rows) * static_cast<long double>(cols);
  if (n > static_cast<long double>(max_nodes)) refuse(what, "at most " + std::to_string(max_nodes) + " nodes", std::to_string(rows) + " x " + std::to_string(cols));
  check_edges(what, 2 * n);
  EdgeList edges;
  edges.reserve(static_cast<std::size_t>(2 * n));
  const auto id = [cols](std::size_t r, std::size_t c) { return r * cols + c; };
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (c + 1 < cols) edges.push_back(edge(id(r, c), id(r, c + 1)));
      else if (wrap && cols >= 3) edges.push_back(edge(id(r, c), id(r, 0)));
      if (r + 1 < rows) edges.push_back(edge(id(r, c), id(r + 1, c)));
      else if (wrap && rows >= 3) edges.push_back(edge(id(r, c), id(0, c)));
    }
  }
  return Topology(rows * cols, std::move(edges), what);
}
}  // namespace

Topology torus(std::size_t rows, std::size_t cols) {
  return lattice(rows, cols, true, "torus(" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
}

Topology grid(std::size_t rows, std::size_t cols) {
  return lattice(rows, cols, false, "grid(" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
}

Topology complete(std::size_t n) {
  const std::string what = "complete(n=" + std::to_string(n) + ")";
  check_nodes(what, n);
  check_edges(what, static_cast<long double>(n) * static_cast<long double>(n - 1) / 2);
  EdgeList edges;
  edges.reserve(n * (n - 1) / 2);
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t v = u + 1; v < n; ++v) edges.push_back(edge(u, v));
  return Topology(n, std::move(edges), what);
}

Topology star(std::size_t n) {
  const std::string what = "star(n=" + std::to_string(n) + ")";
  check_nodes(what, n);
  EdgeList edges;
  edges.reserve(n - 1);
  for (std::size_t v = 1; v < n; ++v) edges.push_back(edge(0, v));
  return Topology(n, std::move(edges), what);
}

Topology hypercube(unsigned dimension) {
  const std::string what = "hypercube(dimension=" + std::to_string(dimension) + ")";
  if (dimension > 27) refuse(what, "dimension <= 27 (edges d·2^(d−1) must fit 32 bits)", std::to_string(dimension));
  const std::size_t n = std::size_t{1} << dimension;
  EdgeList edges;
  edges.reserve(dimension * n / 2);
  for (std::size_t u = 0; u < n; ++u)
    for (unsigned bit = 0; bit < dimension; ++bit) {
      const std::size_t v = u ^ (std::size_t{1} << bit);
      if (u < v) edges.push_back(edge(u, v));
    }
  return Topology(n, std::move(edges), what);
}

Topology balanced_tree(std::size_t branching, std::size_t height) {
  const std::string what = "balanced_tree(branching=" + std::to_string(branching) + ", height=" + std::to_string(height) + ")";
  if (branching == 0) refuse(what, "branching >= 1", "0");
  // n = 1 + r + r² + … + r^h, computed with an overflow guard.
  long double n = 0, level = 1;
  for (std::size_t h = 0; h <= height; ++h) {
    n += level;
    if (n > static_cast<long double>(max_nodes)) refuse(what, "at most " + std::to_string(max_nodes) + " nodes", "more");
    level *= static_cast<long double>(branching);
  }
  const auto count = static_cast<std::size_t>(n);
  EdgeList edges;
  edges.reserve(count - 1);
  // Breadth-first numbering: the children of node i are r·i + 1 … r·i + r.
  for (std::size_t child = 1; child < count; ++child) edges.push_back(edge((child - 1) / branching, child));
  return Topology(count, std::move(edges), what);
}

Topology exponential(std::size_t n) {
  const std::string what = "exponential(n=" + std::to_string(n) + ")";
  check_nodes(what, n);
  std::vector<std::uint64_t> keys;
  for (std::size_t hop = 1; hop < n; hop *= 2)
    for (std::size_t i = 0; i < n; ++i) keys.push_back(pair_key(static_cast<NodeId>(i), static_cast<NodeId>((i + hop) % n)));
  // i + 2^k and j + 2^l name the same edge when 2^k + 2^l = n: merge by sorting the keys.
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  EdgeList edges;
  edges.reserve(keys.size());
  for (const auto key : keys) edges.push_back(edge(key >> 32, key & 0xFFFFFFFFu));
  return Topology(n, std::move(edges), what);
}

Topology erdos_renyi(std::size_t n, double p, std::uint64_t seed) {
  const std::string what = "erdos_renyi(n=" + std::to_string(n) + ", p=" + std::to_string(p) + ")";
  check_nodes(what, n);
  if (!(p >= 0.0 && p <= 1.0)) refuse(what, "p in [0, 1]", std::to_string(p));
  const long double pairs = static_cast<long double>(n) * static_cast<long double>(n - 1) / 2;
  check_edges(what, pairs * p * 1.01L);
  if (p >= 1.0) return complete(n);
  Rng rng = topology_stream(seed);
  EdgeList edges;
  edges.reserve(static_cast<std::size_t>(pairs * p * 1.01L) + 16);
  if (p > 0.0) {
    // Batagelj–Brandes: walk the lower triangle (v > w) jumping over geometric(p) gaps.
    const double log_q = std::log1p(-p);
    std::int64_t v = 1, w = -1;
    const auto nn = static_cast<std::int64_t>(n);
    while (v < nn) {
      const double skip = std::floor(std::log(rng.uniform_open_zero()) / log_q);
      // A skip longer than the remaining triangle just ends the walk (and must not overflow).
      if (skip > static_cast<double>(pairs)) break;
      w += 1 + static_cast<std::int64_t>(skip);
      while (w >= v && v < nn) {
        w -= v;
        ++v;
      }
      if (v < nn) edges.push_back(edge(static_cast<std::uint64_t>(v), static_cast<std::uint64_t>(w)));
    }
  }
  const std::size_t components = count_components(n, edges);
  if (components > 1) {
    throw std::invalid_argument(disconnected_message(what, components) + " (G(n, p) is connected w.h.p. only for p above ln(n)/n = " +
                                std::to_string(std::log(static_cast<double>(n)) / static_cast<double>(n)) + ")");
  }
  return Topology(n, std::move(edges), what);
}

Topology random_regular(std::size_t n, std::size_t k, std::uint64_t seed) {
  const std::string what = "random_regular(n=" + std::to_string(n) + ", k=" + std::to_string(k) + ")";
  check_nodes(what, n);
  if (k >= n) refuse(what, "degree k < n", "k=" + std::to_string(k));
  if ((n * k) % 2 != 0) refuse(what, "n·k even", std::to_string(n * k));
  if (k == 0 && n > 1) refuse(what, "k >= 1 (a 0-regular graph on n > 1 nodes is disconnected)", "0");
  check_edges(what, static_cast<long double>(n) * static_cast<long double>(k) / 2);
  Rng rng = topology_stream(seed);

  // Flat adjacency (k slots per node): membership by scanning <= k entries, no hashing.
  std::vector<NodeId> adjacency(n * k);
  std::vector<std::uint32_t> filled(n);
  const auto adjacent = [&](NodeId a, NodeId b) {
    const NodeId* row = adjacency.data() + static_cast<std::size_t>(a) * k;
    return std::find(row, row + filled[a], b) != row + filled[a];
  };
  EdgeList edges;
  std::vector<NodeId> stubs;
  std::vector<std::uint32_t> leftover(n);
  std::vector<NodeId> touched;

  for (int attempt = 0; attempt < max_connect_attempts; ++attempt) {
    edges.clear();
    edges.reserve(n * k / 2);
    std::fill(filled.begin(), filled.end(), 0);
    stubs.clear();
    stubs.reserve(n * k);
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t v = 0; v < n; ++v) stubs.push_back(static_cast<NodeId>(v));
    bool stuck = false;
    while (!stubs.empty() && !stuck) {
      // Pair the shuffled stubs; unusable pairs (self-loop, duplicate) go back into the pool.
      shuffle(stubs, rng);
      touched.clear();
      for (std::size_t i = 0; i + 1 < stubs.size(); i += 2) {
        const NodeId a = stubs[i], b = stubs[i + 1];
        if (a != b && !adjacent(a, b)) {
          adjacency[static_cast<std::size_t>(a) * k + filled[a]++] = b;
          adjacency[static_cast<std::size_t>(b) * k + filled[b]++] = a;
          edges.push_back(EdgeEnds{a, b});
        } else {
          for (const NodeId s : {a, b}) {
            if (leftover[s]++ == 0) touched.push_back(s);
          }
        }
      }
      // Stuck when no two distinct leftover nodes may still be joined.
      std::sort(touched.begin(), touched.end());
      bool suitable = touched.empty();
      for (std::size_t i = 0; i < touched.size() && !suitable; ++i)
        for (std::size_t j = i + 1; j < touched.size() && !suitable; ++j)
          if (!adjacent(touched[i], touched[j])) suitable = true;
      stubs.clear();
      for (const NodeId s : touched) {
        stubs.insert(stubs.end(), leftover[s], s);
        leftover[s] = 0;
      }
      stuck = !suitable;
    }
    if (stuck) continue;
    if (count_components(n, edges) == 1) return Topology(n, std::move(edges), what);
  }
  throw std::invalid_argument(what + ": no connected simple k-regular graph drawn in " + std::to_string(max_connect_attempts) +
                              " attempts (for k <= 2 connected draws are rare; use ring for k = 2)");
}

Topology watts_strogatz(std::size_t n, std::size_t k, double beta, std::uint64_t seed) {
  const std::string what = "watts_strogatz(n=" + std::to_string(n) + ", k=" + std::to_string(k) + ", beta=" + std::to_string(beta) + ")";
  check_nodes(what, n);
  if (k < 2 || k % 2 != 0 || k >= n) refuse(what, "an even k with 2 <= k < n", "k=" + std::to_string(k));
  if (!(beta >= 0.0 && beta <= 1.0)) refuse(what, "beta in [0, 1]", std::to_string(beta));
  check_edges(what, static_cast<long double>(n) * static_cast<long double>(k) / 2);
  Rng rng = topology_stream(seed);
  std::size_t last_components = 0;
  for (int attempt = 0; attempt < max_connect_attempts; ++attempt) {
    EdgeList edges;
    edges.reserve(n * k / 2);
    std::unordered_set<std::uint64_t> present;
    present.reserve(n * k);
    std::vector<std::uint32_t> degree(n, static_cast<std::uint32_t>(k));
    for (std::size_t j = 1; j <= k / 2; ++j)
      for (std::size_t u = 0; u < n; ++u) {
        edges.push_back(edge(u, (u + j) % n));
        present.insert(pair_key(edges.back().u, edges.back().v));
      }
    // Rewire in the order Watts & Strogatz describe: ring distance 1 first, every node in turn.
    for (EdgeEnds& e : edges) {
      if (rng.uniform() >= beta) continue;
      const NodeId u = e.u;
      if (degree[u] >= n - 1) continue;  // u already linked to everyone
      NodeId w;
      do {
        w = static_cast<NodeId>(rng.below(n));
      } while (w == u || present.count(pair_key(u, w)) != 0);
      present.erase(pair_key(u, e.v));
      --degree[e.v];
      ++degree[w];
      e.v = w;
      present.insert(pair_key(u, w));
    }
    last_components = count_components(n, edges);
    if (last_components == 1) return Topology(n, std::move(edges), what);
  }
  throw std::invalid_argument(disconnected_message(what, last_components) + " in all " + std::to_string(max_connect_attempts) +
                              " draws (lower beta or raise k)");
}

Topology barabasi_albert(std::size_t n, std::size_t m, std::uint64_t seed) {
  const std::string what = "barabasi_albert(n=" + std::to_string(n) + ", m=" + std::to_string(m) + ")";
  check_nodes(what, n);
  if (m < 1 || m >= n) refuse(what, "1 <= m < n", "m=" + std::to_string(m));
  check_edges(what, static_cast<long double>(m) * static_cast<long double>(n - m));
  Rng rng = topology_stream(seed);
  EdgeList edges;
  edges.reserve(m * (n - m));
  // Every edge puts both ends into `ends`, so a uniform entry is a node drawn ∝ degree.
  std::vector<NodeId> ends;
  ends.reserve(2 * m * (n - m));
  for (std::size_t v = 1; v <= m; ++v) {
    edges.push_back(edge(0, v));
    ends.push_back(0);
    ends.push_back(static_cast<NodeId>(v));
  }
  std::vector<NodeId> targets;
  for (std::size_t source = m + 1; source < n; ++source) {
    targets.clear();
    while (targets.size() < m) {
      const NodeId t = ends[rng.below(ends.size())];
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    }
    for (const NodeId t : targets) {
      edges.push_back(edge(source, t));
      ends.push_back(static_cast<NodeId>(source));
      ends.push_back(t);
    }
  }
  return Topology(n, std::move(edges), what);
}

}  // namespace dasgd::generate
