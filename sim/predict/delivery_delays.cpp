// Mean delivery delays for the closed forms; see delivery_delays.hpp.
#include "sim/predict/delivery_delays.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>

#include "sim/algorithms/routing.hpp"

namespace dasgd {

namespace {

std::uint64_t cyclic(std::uint64_t a, std::uint64_t b, std::uint64_t side) {
  const std::uint64_t d = a > b ? a - b : b - a;
  return std::min(d, side - d);
}

std::uint64_t linear(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : b - a; }

// Hop distance between node ids u and v on the formula kinds (generators.cpp numbering).
std::uint64_t distance(const TopologySpec& s, std::uint64_t u, std::uint64_t v) {
  if (u == v) return 0;
  if (s.kind == "complete") return 1;
  if (s.kind == "ring") return cyclic(u, v, s.nodes);
  if (s.kind == "star") return (u == 0 || v == 0) ? 1 : 2;
  if (s.kind == "hypercube") return static_cast<std::uint64_t>(std::popcount(u ^ v));
  const std::uint64_t ru = u / s.cols, cu = u % s.cols, rv = v / s.cols, cv = v % s.cols;
  if (s.kind == "torus") return cyclic(ru, rv, s.rows) + cyclic(cu, cv, s.cols);  // sides < 3: no wrap, same
  return linear(ru, rv) + linear(cu, cv);                                         // grid
}

// Bits set in x, inline (std::popcount is a libgcc call without -mpopcnt; SWAR, Hacker's Delight 5-1).
constexpr int bit_count(std::uint64_t x) noexcept {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}
static_assert(bit_count(0) == 0 && bit_count(~std::uint64_t{0}) == 64 && bit_count(0xF0F0ULL) == 8);

bool vertex_transitive(const TopologySpec& s) {
  return s.kind == "complete" || s.kind == "ring" || s.kind == "torus" || s.kind == "hypercube";
}

std::uint64_t diameter(const TopologySpec& s) {
  const std::uint64_t n = formula_nodes(s);
  if (n <= 1) return 0;
  if (s.kind == "complete") return 1;
  if (s.kind == "ring") return s.nodes / 2;
  if (s.kind == "star") return n > 2 ? 2 : 1;
  if (s.kind == "hypercube") return s.dimension;
  if (s.kind == "torus") return s.rows / 2 + s.cols / 2;
  return (s.rows - 1) + (s.cols - 1);
}

}  // namespace

bool has_distance_formula(const TopologySpec& spec) {
  return spec.kind == "complete" || spec.kind == "ring" || spec.kind == "torus" || spec.kind == "grid" ||
         spec.kind == "hypercube" || spec.kind == "star";
}

std::size_t formula_nodes(const TopologySpec& spec) {
  if (spec.kind == "torus" || spec.kind == "grid") return spec.rows * spec.cols;
  if (spec.kind == "hypercube") return std::size_t{1} << spec.dimension;
  return spec.nodes;
}

DeliveryDelays formula_delivery_delays(const TopologySpec& spec, const std::vector<double>& rates, double hop) {
  const std::size_t n = formula_nodes(spec);
  if (rates.size() != n) throw std::invalid_argument("formula_delivery_delays: one rate per node");
  DeliveryDelays out;
  out.weighted_in_flight.assign(n, 0.0);
  out.max_delay = hop * static_cast<double>(diameter(spec));
  const double total = std::accumulate(rates.begin(), rates.end(), 0.0);
  const bool equal_rates = std::all_of(rates.begin(), rates.end(), [&](double r) { return r == rates[0]; });
  if (spec.kind == "complete") {
    for (std::size_t i = 0; i < n; ++i) out.weighted_in_flight[i] = hop * (total - rates[i]);
    out.method = "complete graph: one hop to every node, O(n)";
  } else if (spec.kind == "star") {
    for (std::size_t i = 0; i < n; ++i)
      out.weighted_in_flight[i] =
          i == 0 ? hop * (total - rates[0]) : hop * (rates[0] + 2 * (total - rates[0] - rates[i]));
    out.method = "star: one hop to the hub, two between leaves, O(n)";
  } else if (equal_rates && vertex_transitive(spec)) {
    // Every node sees the same multiset of distances: one row of the distance matrix is enough.
    double row = 0;
    for (std::size_t j = 1; j < n; ++j) row += static_cast<double>(distance(spec, 0, j));
    std::fill(out.weighted_in_flight.begin(), out.weighted_in_flight.end(), hop * rates[0] * row);
    out.method = spec.kind + ": equal rates on a vertex-transitive graph, one distance row, O(n)";
  } else {
    // Separable kinds: a torus or grid distance is a row distance plus a column distance, so
    // Σ_j μ_j d(j, i) = Σ_r' d_row(r, r') M_row(r') + Σ_c' d_col(c, c') M_col(c'), M the rate
    // mass of a row / column: O(rows² + cols² + n). A ring is a torus with one row. A hypercube
    // distance is a sum over bits: Σ_b (mass of nodes whose bit b differs from i's), O(n log n).
    if (spec.kind == "hypercube") {
      std::vector<double> ones(spec.dimension, 0.0);
      for (std::size_t j = 0; j < n; ++j)
        for (std::uint64_t b = 0; b < spec.dimension; ++b)
          if ((j >> b) & 1) ones[b] += rates[j];
      for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (std::uint64_t b = 0; b < spec.dimension; ++b) sum += ((i >> b) & 1) ? total - ones[b] : ones[b];
        out.weighted_in_flight[i] = hop * sum;
      }
      out.method = "hypercube: distance = differing bits, one rate mass per bit, O(n log n)";
    } else {
      const bool ring = spec.kind == "ring";
      const std::uint64_t rows = ring ? 1 : spec.rows, cols = ring ? spec.nodes : spec.cols;
      const bool wrap = spec.kind != "grid";
      std::vector<double> row_mass(rows, 0.0), col_mass(cols, 0.0);
      for (std::size_t j = 0; j < n; ++j) {
        row_mass[j / cols] += rates[j];
        col_mass[j % cols] += rates[j];
      }
      auto one_dimension = [wrap](const std::vector<double>& mass) {
        const std::uint64_t side = mass.size();
        std::vector<double> sums(side, 0.0);
        for (std::uint64_t a = 0; a < side; ++a) {
          double sum = 0;
          for (std::uint64_t b = 0; b < side; ++b)
            sum += mass[b] * static_cast<double>(wrap ? cyclic(a, b, side) : linear(a, b));
          sums[a] = sum;
        }
        return sums;
      };
      const std::vector<double> by_row = one_dimension(row_mass), by_col = one_dimension(col_mass);
      for (std::size_t i = 0; i < n; ++i) out.weighted_in_flight[i] = hop * (by_row[i / cols] + by_col[i % cols]);
      out.method = spec.kind + ": separable distances, one rate mass per row and column, O(rows^2 + cols^2 + n)";
    }
  }
  return out;
}

DeliveryDelays uniform_hop_delivery_delays(const Topology& topology, const std::vector<double>& rates, double hop) {
  const std::size_t n = topology.num_nodes();
  if (rates.size() != n) throw std::invalid_argument("uniform_hop_delivery_delays: one rate per node");
  DeliveryDelays out;
  out.weighted_in_flight.assign(n, 0.0);
  out.method = "equal hop times: bit-parallel BFS, 256 sources per pass, O(n m D / 256 + n^2 / 8)";
  // d(j, i) = d(i, j) on an undirected graph. Each pass runs BFS from kWords·64 sources at once: bit b
  // of word w of frontier[v] says source 64w + b reached v at the current level. New bits at level ℓ
  // add ℓ · (their rate mass). The mass of a word is read from per-byte tables (8 lookups for 64
  // bits; one multiply when the rates are equal). A node that every source of the pass has reached
  // is skipped (no neighbour reads), and a pass ends at the first level that reaches no new node.
  constexpr std::size_t kWords = 4;
  constexpr std::size_t kSources = 64 * kWords;
  using Bits = std::array<std::uint64_t, kWords>;
  // The adjacency as flat arrays (one indirection less than neighbours() per node).
  std::vector<std::uint32_t> offset(n + 1, 0);
  std::vector<NodeId> target;
  target.reserve(2 * topology.num_edges());
  for (NodeId v = 0; v < n; ++v) {
    for (const NodeId u : topology.neighbours(v)) target.push_back(u);
    offset[v + 1] = static_cast<std::uint32_t>(target.size());
  }
  const bool equal_rates = std::all_of(rates.begin(), rates.end(), [&](double r) { return r == rates[0]; });
  std::vector<double> table(kWords * 8 * 256);  // table[(w·8 + byte)·256 + value]: mass of those 8 sources
  std::vector<Bits> seen(n), frontier(n), next(n);
  std::vector<NodeId> open, still, previous;  // nodes not yet reached by every source of the pass
  open.reserve(n);
  still.reserve(n);
  previous.reserve(n);
  std::uint32_t deepest = 0;
  for (std::size_t first = 0; first < n; first += kSources) {
    const std::size_t count = std::min(kSources, n - first);
    Bits full{};
    for (std::size_t b = 0; b < count; ++b) full[b / 64] |= std::uint64_t{1} << (b % 64);
    if (!equal_rates) {
      for (std::size_t w = 0; w < kWords; ++w)
        for (std::size_t byte = 0; byte < 8; ++byte) {
          double* t = &table[(w * 8 + byte) * 256];
          t[0] = 0.0;
          for (std::size_t value = 1; value < 256; ++value) {
            const std::size_t low = static_cast<std::size_t>(std::countr_zero(value));
            const std::size_t source = first + w * 64 + byte * 8 + low;
            t[value] = t[value & (value - 1)] + (source < n ? rates[source] : 0.0);
          }
        }
    }
    std::fill(seen.begin(), seen.end(), Bits{});
    for (std::size_t b = 0; b < count; ++b) {
      seen[first + b][b / 64] = frontier[first + b][b / 64] = std::uint64_t{1} << (b % 64);
    }
    // Invariant at each level: frontier[v] is v's new bits of the previous level for every v in
    // `previous` (the nodes scanned then; all others hold 0), and next[] is all 0.
    open.resize(n);
    std::iota(open.begin(), open.end(), NodeId{0});
    previous = open;
    for (std::uint32_t level = 1; !open.empty(); ++level) {
      bool any = false;
      still.clear();
      for (const NodeId v : open) {
        Bits reach{};
        for (std::uint32_t a = offset[v]; a < offset[v + 1]; ++a) {
          const Bits& f = frontier[target[a]];
          for (std::size_t w = 0; w < kWords; ++w) reach[w] |= f[w];
        }
        Bits& s_v = seen[v];
        double mass = 0;
        bool complete = true, fresh = false;
        for (std::size_t w = 0; w < kWords; ++w) {
          reach[w] &= ~s_v[w];
          s_v[w] |= reach[w];
          complete = complete && s_v[w] == full[w];
          if (reach[w] == 0) continue;
          fresh = true;
          if (equal_rates) {
            mass += static_cast<double>(bit_count(reach[w]));
          } else {
            const double* t = &table[w * 8 * 256];
            for (std::size_t byte = 0; byte < 8; ++byte) mass += t[byte * 256 + ((reach[w] >> (8 * byte)) & 0xFF)];
          }
        }
        next[v] = reach;
        if (fresh) {
          any = true;
          out.weighted_in_flight[v] += hop * static_cast<double>(level) * (equal_rates ? mass * rates[0] : mass);
        }
        if (!complete) still.push_back(v);
      }
      for (const NodeId v : previous) frontier[v] = Bits{};
      frontier.swap(next);
      if (!any) {
        for (const NodeId v : open) frontier[v] = Bits{};  // leave both arrays 0 for the next pass
        break;
      }
      deepest = std::max(deepest, level);
      previous.swap(open);
      open.swap(still);
    }
    for (const NodeId v : previous) frontier[v] = Bits{};
  }
  out.max_delay = hop * static_cast<double>(deepest);
  return out;
}

DeliveryDelays graph_delivery_delays(const Topology& topology, const std::vector<double>& rates,
                                     const std::function<double(EdgeId)>& hop_time, PathRule rule) {
  const std::size_t n = topology.num_nodes();
  if (rates.size() != n) throw std::invalid_argument("graph_delivery_delays: one rate per node");
  DeliveryDelays out;
  out.weighted_in_flight.assign(n, 0.0);
  std::vector<double> cost(n, 0.0);
  if (rule == PathRule::fewest_hops) {
    out.method = "shortest-path tree per source (as routed delivery builds it), O(n (n + m))";
    std::vector<std::uint8_t> seen;
    std::vector<std::uint32_t> depth;
    for (NodeId j = 0; j < n; ++j) {
      const ShortestPathTree tree = shortest_path_tree(topology, j, seen, depth);
      cost[tree.node(0)] = 0;
      for (std::size_t p = 0; p < tree.reached(); ++p) {
        const NodeId parent = tree.node(p);
        for (std::uint32_t c = tree.first_child(p); c < tree.first_child(p + 1); ++c) {
          const NodeId child = tree.node(c);
          cost[child] = cost[parent] + hop_time(topology.arc_edge(tree.positions[c].arc));
          out.weighted_in_flight[child] += rates[j] * cost[child];
          out.max_delay = std::max(out.max_delay, cost[child]);
        }
      }
    }
    return out;
  }
  out.method = "earliest path per source (Dijkstra on mean hop times), O(n m log n)";
  using Item = std::pair<double, NodeId>;
  const double infinity = std::numeric_limits<double>::infinity();
  for (NodeId j = 0; j < n; ++j) {
    std::fill(cost.begin(), cost.end(), infinity);
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    cost[j] = 0;
    heap.push({0.0, j});
    while (!heap.empty()) {
      const auto [c, u] = heap.top();
      heap.pop();
      if (c > cost[u]) continue;
      for (ArcId a = topology.arc_begin(u); a < topology.arc_begin(u) + topology.degree(u); ++a) {
        const NodeId v = topology.arc_target(a);
        const double next = c + hop_time(topology.arc_edge(a));
        if (next < cost[v]) {
          cost[v] = next;
          heap.push({next, v});
        }
      }
    }
    for (NodeId i = 0; i < n; ++i) {
      if (i == j || cost[i] == infinity) continue;  // unreachable: routed "arrives" at the send time
      out.weighted_in_flight[i] += rates[j] * cost[i];
      out.max_delay = std::max(out.max_delay, cost[i]);
    }
  }
  return out;
}

}  // namespace dasgd
