// Routed delivery over shortest-path trees against the per-hop path walk it replaces: identical
// arrival times (bit for bit) with deterministic hop times, the same batches in the same order, and
// with random hop times the same per-destination law (a sum of independent hop draws: Erlang for
// exponential hops, checked by Kolmogorov–Smirnov against the closed form and against the walk).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "sim/algorithms/routing.hpp"
#include "sim/random/rng.hpp"
#include "topologies/generators.hpp"

namespace dasgd {
namespace {

struct Batch {
  SimTime time;
  std::vector<NodeId> destinations;
};

// The tree broadcast's batches, in the order it hands them out.
std::vector<Batch> tree_batches(ShortestPathTrees& trees, NodeId source, SimTime now, double bytes,
                                Network& network) {
  TreeBroadcast broadcast;
  const auto tree = trees.get(source);
  broadcast.start(*tree, now, bytes, network);
  std::vector<Batch> batches;
  while (!broadcast.done()) {
    const SimTime t = broadcast.next_time();
    const auto batch = broadcast.next_batch();
    batches.push_back({t, {batch.begin(), batch.end()}});
    broadcast.advance(network);
  }
  return batches;
}

// What the path walk's schedule runs: destinations in increasing id order, a run of equal arrival
// times one batch, batches ordered by (time, position in that list) — the FIFO tie rule.
std::vector<Batch> walk_batches(const std::vector<SimTime>& arrival, NodeId source) {
  std::vector<Batch> in_list_order;
  for (NodeId j = 0; j < arrival.size(); ++j) {
    if (j == source) continue;
    if (in_list_order.empty() || arrival[j] != in_list_order.back().time)
      in_list_order.push_back({arrival[j], {}});
    in_list_order.back().destinations.push_back(j);
  }
  std::stable_sort(in_list_order.begin(), in_list_order.end(),
                   [](const Batch& a, const Batch& b) { return a.time < b.time; });
  return in_list_order;
}

// A copy of `topology` whose edges carry latency attributes drawn uniformly from {0, 0.1, ..., 0.9}
// (zero-latency hops included: arrivals at the parent's instant).
Topology with_edge_latencies(const Topology& topology, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Edge> edges;
  for (std::size_t e = 0; e < topology.num_edges(); ++e) {
    Edge edge = topology.edge(static_cast<EdgeId>(e));
    edge.attributes.latency = 0.1 * static_cast<double>(rng.below(10));
    edges.push_back(edge);
  }
  return Topology(topology.num_nodes(), std::move(edges), "with latencies");
}

std::vector<Topology> random_graphs() {
  std::vector<Topology> graphs;
  graphs.push_back(generate::ring(17));
  graphs.push_back(generate::torus(4, 6));
  graphs.push_back(generate::complete(9));
  graphs.push_back(generate::hypercube(4));
  graphs.push_back(generate::balanced_tree(3, 3));
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    graphs.push_back(generate::erdos_renyi(30, 0.25, seed));
    graphs.push_back(generate::random_regular(24, 3, seed));
    graphs.push_back(generate::barabasi_albert(40, 2, seed));
    graphs.push_back(with_edge_latencies(generate::erdos_renyi(25, 0.3, seed + 10), seed));
    graphs.push_back(with_edge_latencies(generate::ring(12), seed));
  }
  return graphs;
}

void expect_same_batches(const std::vector<Batch>& tree, const std::vector<Batch>& walk) {
  ASSERT_EQ(tree.size(), walk.size());
  for (std::size_t b = 0; b < tree.size(); ++b) {
    EXPECT_EQ(tree[b].time, walk[b].time) << "batch " << b;  // bit for bit
    EXPECT_EQ(tree[b].destinations, walk[b].destinations) << "batch " << b;
  }
}

TEST(TreeRouting, DeterministicHopsGiveThePathWalksTimesAndBatchesBitForBit) {
  Rng rng(7);
  int graph_index = 0;
  for (const Topology& topology : random_graphs()) {
    for (const double latency : {0.1, 0.37, 0.0, 1e-17}) {
      LinkModelSpec spec;
      spec.latency = law::Constant{latency};
      Network walk_network(topology, spec, 3);
      Network tree_network(topology, spec, 3);
      ShortestPathRouter router(topology);
      ShortestPathTrees trees(topology, graph_index % 2 == 0 ? std::size_t{1} << 20 : 0);  // kept or not
      std::vector<SimTime> arrival;
      for (int k = 0; k < 12; ++k) {
        const auto source = static_cast<NodeId>(rng.below(topology.num_nodes()));
        const SimTime now = 1000.0 * rng.uniform();  // sums that round
        const std::uint64_t walk_hops = router.broadcast(source, now, 264, walk_network, arrival);
        EXPECT_EQ(trees.get(source)->hops, walk_hops);
        SCOPED_TRACE(topology.name() + " latency " + std::to_string(latency));
        expect_same_batches(tree_batches(trees, source, now, 264, tree_network),
                            walk_batches(arrival, source));
      }
    }
    ++graph_index;
  }
}

TEST(TreeRouting, RingTreeIsTwoPathsWithLowestParentTieRule) {
  // Ring of 6 from node 0: BFS order 0, 1, 5, 2, 4, 3; node 3 (two shortest paths) hangs off 2.
  const Topology ring = generate::ring(6);
  const ShortestPathTree tree = shortest_path_tree(ring, 0);
  std::vector<NodeId> order;
  std::vector<std::uint32_t> first_child;
  for (std::size_t p = 0; p < tree.reached(); ++p) order.push_back(tree.node(p));
  for (std::size_t p = 0; p <= tree.reached(); ++p) first_child.push_back(tree.first_child(p));
  EXPECT_EQ(order, (std::vector<NodeId>{0, 1, 5, 2, 4, 3}));
  EXPECT_EQ(tree.hops, 1u + 1 + 2 + 2 + 3);
  // Children ranges: 0 -> {1, 5}, 1 -> {2}, 5 -> {4}, 2 -> {3}, the rest none.
  EXPECT_EQ(first_child, (std::vector<std::uint32_t>{1, 3, 4, 5, 6, 6, 6}));
  // Constant latency 0.5 from t = 0: batch {1, 5}? No: 1 and 5 are not neighbours in the list
  // 1..5, so the first instant runs {1} then {5}; then {2}, {4}; then {3}.
  LinkModelSpec spec;
  spec.latency = law::Constant{0.5};
  Network network(ring, spec, 1);
  ShortestPathTrees trees(ring, 0);
  const auto batches = tree_batches(trees, 0, 0.0, 0, network);
  ASSERT_EQ(batches.size(), 5u);
  EXPECT_EQ(batches[0].destinations, std::vector<NodeId>{1});
  EXPECT_EQ(batches[1].destinations, std::vector<NodeId>{5});
  EXPECT_EQ(batches[2].time, 1.0);
  EXPECT_EQ(batches[4].destinations, std::vector<NodeId>{3});
  EXPECT_EQ(batches[4].time, 1.5);
  // From node 3 the list is 0, 1, 2, 4, 5: 2 and 4 are consecutive, so distance 1 is one batch.
  const auto from3 = tree_batches(trees, 3, 0.0, 0, network);
  EXPECT_EQ(from3[0].destinations, (std::vector<NodeId>{2, 4}));
}

// Kolmogorov–Smirnov distance between a sample and a CDF.
template <typename Cdf>
double ks_distance(std::vector<double> sample, Cdf cdf) {
  std::sort(sample.begin(), sample.end());
  const double m = static_cast<double>(sample.size());
  double d = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample[i]);
    d = std::max({d, f - static_cast<double>(i) / m, static_cast<double>(i + 1) / m - f});
  }
  return d;
}

double ks_two_sample(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / static_cast<double>(a.size()) -
                            static_cast<double>(j) / static_cast<double>(b.size())));
  }
  return d;
}

double erlang_cdf(double x, int k, double mean) {
  if (x <= 0) return 0;
  double term = 1, sum = 1;
  for (int i = 1; i < k; ++i) sum += (term *= x / mean / i);
  return 1 - std::exp(-x / mean) * sum;
}

// Per destination, the delay of many broadcasts from one source: tree vs walk.
std::map<NodeId, std::pair<std::vector<double>, std::vector<double>>> delays(
    const Topology& topology, const LinkModelSpec& spec, NodeId source, int broadcasts) {
  Network walk_network(topology, spec, 11);
  Network tree_network(topology, spec, 12);
  ShortestPathRouter router(topology);
  ShortestPathTrees trees(topology, std::size_t{1} << 20);
  std::map<NodeId, std::pair<std::vector<double>, std::vector<double>>> out;
  std::vector<SimTime> arrival;
  for (int k = 0; k < broadcasts; ++k) {
    const SimTime now = 0.5 * k;
    router.broadcast(source, now, 0, walk_network, arrival);
    for (NodeId j = 0; j < topology.num_nodes(); ++j)
      if (j != source) out[j].second.push_back(arrival[j] - now);
    for (const Batch& batch : tree_batches(trees, source, now, 0, tree_network))
      for (const NodeId j : batch.destinations) out[j].first.push_back(batch.time - now);
  }
  return out;
}

TEST(TreeRouting, ExponentialHopsGiveErlangArrivalsPerDestination) {
  // Torus 5 x 5 from node 0: depths 1..4. Each destination's delay is a sum of `depth` independent
  // Exp(mean 0.1) hops: Erlang(depth, 0.1), mean depth * 0.1, variance depth * 0.01.
  const Topology torus = generate::torus(5, 5);
  LinkModelSpec spec;
  spec.latency = law::Exponential{0.1};
  const int broadcasts = 4000;
  const auto samples = delays(torus, spec, 0, broadcasts);
  const ShortestPathTree tree = shortest_path_tree(torus, 0);
  std::vector<int> depth(torus.num_nodes(), 0);
  for (std::size_t p = 0; p < tree.reached(); ++p)
    for (std::uint32_t c = tree.first_child(p); c < tree.first_child(p + 1); ++c)
      depth[tree.node(c)] = depth[tree.node(p)] + 1;
  // KS critical value at alpha = 1e-3 (one sample, n = 4000): 1.95 / sqrt(n) = 0.031. Fixed seeds:
  // the test is deterministic; the bound only says that a correct law passes it.
  const double critical = 1.95 / std::sqrt(static_cast<double>(broadcasts));
  for (const auto& [node, pair] : samples) {
    const auto& [tree_delays, walk_delays] = pair;
    ASSERT_EQ(tree_delays.size(), static_cast<std::size_t>(broadcasts));
    const int k = depth[node];
    double mean = 0, m2 = 0;
    for (const double x : tree_delays) mean += x;
    mean /= broadcasts;
    for (const double x : tree_delays) m2 += (x - mean) * (x - mean);
    const double variance = m2 / (broadcasts - 1);
    SCOPED_TRACE("node " + std::to_string(node) + " depth " + std::to_string(k));
    // Standard error of the mean: sqrt(k * 0.01 / n); allow 4.5 of them.
    EXPECT_NEAR(mean, 0.1 * k, 4.5 * std::sqrt(0.01 * k / broadcasts));
    EXPECT_NEAR(variance, 0.01 * k, 0.15 * 0.01 * k);
    EXPECT_LT(ks_distance(tree_delays, [k](double x) { return erlang_cdf(x, k, 0.1); }), critical);
    EXPECT_LT(ks_distance(walk_delays, [k](double x) { return erlang_cdf(x, k, 0.1); }), critical);
  }
}

TEST(TreeRouting, HeavyTailedHopsMatchThePathWalksLawPerDestination) {
  // Pareto hops with per-edge latency rescaling, random graph: no closed form for the sum, so the
  // walk's own sample is the reference (two-sample KS at alpha = 1e-3: 1.95 * sqrt(2 / n)).
  const Topology graph = with_edge_latencies(generate::erdos_renyi(20, 0.3, 5), 3);
  LinkModelSpec spec;
  spec.latency = law::Pareto{0.05, 2.5};
  const int broadcasts = 3000;
  const double critical = 1.95 * std::sqrt(2.0 / broadcasts);
  for (const auto& [node, pair] : delays(graph, spec, 4, broadcasts)) {
    SCOPED_TRACE("node " + std::to_string(node));
    EXPECT_LT(ks_two_sample(pair.first, pair.second), critical);
  }
}

TEST(TreeRouting, EagerDeliveryGivesTheLazyExpansionsTimesWithRandomHops) {
  // Tree draws are keyed by (arc, source, broadcast index), not by the order the expansion reaches
  // them: all arrivals at the send (what sparsified ASGD uses) equal DASGD's lazy expansion, even
  // with broadcasts from several sources interleaved differently.
  const Topology graph = with_edge_latencies(generate::erdos_renyi(20, 0.3, 8), 2);
  LinkModelSpec spec;
  spec.latency = law::Exponential{0.2};
  Network eager_network(graph, spec, 4);
  Network lazy_network(graph, spec, 4);
  ShortestPathRouter router(graph);
  ShortestPathTrees trees(graph, 0);
  std::vector<SimTime> arrival;
  for (int k = 0; k < 30; ++k) {
    const auto source = static_cast<NodeId>((7 * k) % graph.num_nodes());
    const SimTime now = 0.3 * k;
    router.deliver(source, now, 100, eager_network, arrival);
    std::vector<SimTime> lazy(graph.num_nodes(), now);
    for (const Batch& batch : tree_batches(trees, source, now, 100, lazy_network))
      for (const NodeId j : batch.destinations) lazy[j] = batch.time;
    EXPECT_EQ(arrival, lazy) << "broadcast " << k;
  }
}

TEST(TreeRouting, TreeDrawsOneHopPerTreeArc) {
  // The tree draws n - 1 hop times per broadcast; the walk draws Σ depths (n²/4 on a ring).
  const Topology ring = generate::ring(40);
  LinkModelSpec spec;
  spec.latency = law::Exponential{0.1};
  Network network(ring, spec, 1);
  ShortestPathTrees trees(ring, std::size_t{1} << 20);
  tree_batches(trees, 7, 0.0, 10, network);
  EXPECT_EQ(network.messages_sent(), 39u);
  EXPECT_EQ(trees.get(7)->hops, 2u * (20 * 19 / 2) + 20);  // 1..19 twice, and 20 once
}

TEST(TreeRouting, TreesAreSharedWhileInUseAndKeptOnlyWithinBudget) {
  const Topology ring = generate::ring(100);
  const std::size_t one = shortest_path_tree(ring, 0).bytes();
  ShortestPathTrees trees(ring, 3 * one + one / 2);
  for (NodeId s = 0; s < 10; ++s) trees.get(s);
  EXPECT_EQ(trees.kept_bytes(), 3 * one);
  EXPECT_EQ(trees.get(1).get(), trees.get(1).get());  // kept: the same tree
  const auto in_use = trees.get(5);                     // past the budget, but in use: shared
  EXPECT_EQ(trees.get(5).get(), in_use.get());
  EXPECT_EQ(in_use->hops, shortest_path_tree(ring, 5).hops);
  ShortestPathTrees unkept(ring, 0);
  std::weak_ptr<const ShortestPathTree> watch = unkept.get(7);
  EXPECT_TRUE(watch.expired());                         // no holder left: freed
}

}  // namespace
}  // namespace dasgd
