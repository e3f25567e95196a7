// Tests of the Topology CSR layout (topologies/topology.hpp) and of the generators
// (topologies/generators.hpp): arcs, refusals, closed-form edge counts and degrees, determinism.
#include "topologies/generators.hpp"
#include "topologies/properties.hpp"
#include "topologies/topology.hpp"

#include <boost/graph/graph_traits.hpp>
#include <boost/range/iterator_range.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>

namespace dasgd {
namespace {

std::vector<Edge> edge_list(std::initializer_list<std::pair<NodeId, NodeId>> pairs) {
  std::vector<Edge> edges;
  for (const auto& [u, v] : pairs) edges.push_back(Edge{u, v, {}});
  return edges;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no exception)";
}

// Every arc's reverse exists, arcs map to their edge, neighbour lists are sorted, and the Boost
// graph has exactly the same arcs in the same order.
void expect_consistent(const Topology& t) {
  ASSERT_EQ(boost::num_vertices(t.graph()), t.num_nodes());
  ASSERT_EQ(boost::num_edges(t.graph()), t.num_arcs());
  std::size_t arcs = 0;
  for (NodeId u = 0; u < t.num_nodes(); ++u) {
    const auto row = t.neighbours(u);
    EXPECT_TRUE(std::is_sorted(row.begin(), row.end()));
    EXPECT_EQ(row.size(), t.degree(u));
    EXPECT_EQ(boost::out_degree(u, t.graph()), t.degree(u));
    for (std::size_t k = 0; k < row.size(); ++k) {
      const ArcId a = t.arc_begin(u) + k;
      EXPECT_EQ(t.arc_source(a), u);
      EXPECT_EQ(t.arc_target(a), row[k]);
      const Edge& e = t.edge(t.arc_edge(a));
      EXPECT_TRUE((e.u == u && e.v == row[k]) || (e.v == u && e.u == row[k]));
      const auto back = t.find_arc(row[k], u);
      ASSERT_TRUE(back.has_value());
      EXPECT_EQ(t.arc_edge(*back), t.arc_edge(a));
      ++arcs;
    }
  }
  EXPECT_EQ(arcs, t.num_arcs());
  ArcId a = 0;
  for (const auto e : boost::make_iterator_range(boost::edges(t.graph()))) {
    EXPECT_EQ(boost::source(e, t.graph()), t.arc_source(a));
    EXPECT_EQ(boost::target(e, t.graph()), t.arc_target(a));
    ++a;
  }
}

TEST(Topology, StoresBothArcsOfEachEdgeSortedByNeighbour) {
  const Topology t(4, edge_list({{2, 0}, {0, 1}, {3, 0}, {1, 2}}), "kite");
  EXPECT_EQ(t.num_nodes(), 4u);
  EXPECT_EQ(t.num_edges(), 4u);
  EXPECT_EQ(t.num_arcs(), 8u);
  EXPECT_EQ(std::vector<NodeId>(t.neighbours(0).begin(), t.neighbours(0).end()), (std::vector<NodeId>{1, 2, 3}));
  EXPECT_EQ(std::vector<NodeId>(t.neighbours(3).begin(), t.neighbours(3).end()), (std::vector<NodeId>{0}));
  EXPECT_EQ(t.arc_begin(1), 3u);  // node 0 has 3 arcs
  EXPECT_EQ(t.arc_edge(*t.find_arc(0, 2)), 0u);  // (2, 0) was edge 0
  EXPECT_FALSE(t.find_arc(1, 3).has_value());
  EXPECT_FALSE(t.find_arc(9, 0).has_value());
  EXPECT_FALSE(t.has_edge_attributes());
  expect_consistent(t);
}

TEST(Topology, RemembersEdgeAttributes) {
  std::vector<Edge> edges = edge_list({{0, 1}, {1, 2}});
  edges[1].attributes.latency = 0.25;
  const Topology t(3, edges, "path");
  EXPECT_TRUE(t.has_edge_attributes());
  EXPECT_EQ(t.edge(1).attributes.latency, 0.25);
  EXPECT_FALSE(t.edge(0).attributes.latency.has_value());
}

TEST(Topology, AcceptsASingleNodeWithoutEdges) {
  const Topology t(1, std::vector<Edge>{}, "one");
  EXPECT_EQ(t.num_nodes(), 1u);
  EXPECT_EQ(t.degree(0), 0u);
}

TEST(Topology, RefusesBadEdgeLists) {
  EXPECT_NE(message_of([] { Topology(0, std::vector<Edge>{}, "x"); }).find("at least 1 node"), std::string::npos);
  EXPECT_NE(message_of([] { Topology(3, edge_list({{0, 1}, {1, 1}}), "x"); }).find("self-loop (1, 1)"), std::string::npos);
  EXPECT_NE(message_of([] { Topology(3, edge_list({{0, 1}, {1, 2}, {1, 0}}), "x"); }).find("duplicate edge"),
            std::string::npos);
  EXPECT_NE(message_of([] { Topology(3, edge_list({{0, 1}, {1, 3}}), "x"); }).find("out of range"), std::string::npos);
  EXPECT_EQ(message_of([] { Topology(5, edge_list({{0, 1}, {2, 3}}), "x"); }), "graph is disconnected: 3 components");
}

// Edge counts and degree ranges against their closed forms.
struct Expected {
  std::size_t nodes, edges, min_degree, max_degree;
};
void expect_shape(const Topology& t, const Expected& e) {
  SCOPED_TRACE(t.name());
  EXPECT_EQ(t.num_nodes(), e.nodes);
  EXPECT_EQ(t.num_edges(), e.edges);
  const DegreeSummary d = degree_summary(t);
  EXPECT_EQ(d.min, e.min_degree);
  EXPECT_EQ(d.max, e.max_degree);
  EXPECT_DOUBLE_EQ(d.mean, 2.0 * static_cast<double>(e.edges) / static_cast<double>(e.nodes));
  expect_consistent(t);
}

TEST(Generators, DeterministicGraphsHaveClosedFormEdgeCounts) {
  expect_shape(generate::ring(10), {10, 10, 2, 2});
  expect_shape(generate::torus(4, 5), {20, 2 * 4 * 5, 4, 4});
  expect_shape(generate::grid(3, 4), {12, 3 * 3 + 4 * 2, 2, 4});
  expect_shape(generate::complete(7), {7, 21, 6, 6});
  expect_shape(generate::star(6), {6, 5, 1, 5});
  expect_shape(generate::hypercube(4), {16, 4 * 8, 4, 4});
  expect_shape(generate::hypercube(0), {1, 0, 0, 0});
  // branching 3, height 2: 1 + 3 + 9 nodes; root degree 3, inner 4, leaves 1.
  expect_shape(generate::balanced_tree(3, 2), {13, 12, 1, 4});
}

TEST(Generators, TorusSidesShorterThanThreeDoNotWrap) {
  expect_shape(generate::torus(1, 5), {5, 5, 2, 2});   // a ring
  expect_shape(generate::torus(2, 4), {8, 4 + 8, 3, 3});  // two rings joined by 4 rungs
  expect_shape(generate::torus(1, 1), {1, 0, 0, 0});
}

TEST(Generators, ExponentialGraphLinksPowersOfTwoAndMergesDuplicates) {
  // n = 8: hops 1, 2, 4; hop 4 = n/2 gives each edge twice → 8 + 8 + 4 edges, degree 5.
  const Topology t8 = generate::exponential(8);
  expect_shape(t8, {8, 20, 5, 5});
  EXPECT_EQ(std::vector<NodeId>(t8.neighbours(0).begin(), t8.neighbours(0).end()), (std::vector<NodeId>{1, 2, 4, 6, 7}));
  // n = 6: hops 1, 2, 4 and 4 ≡ −2, so only hops ±1, ±2 remain: 12 edges, degree 4.
  expect_shape(generate::exponential(6), {6, 12, 4, 4});
  // n = 1000 (not a power of two): hops 1 … 512, all distinct from n − hop: 10 · 1000 edges.
  expect_shape(generate::exponential(1000), {1000, 10000, 20, 20});
}

TEST(Generators, RandomRegularGraphIsRegular) {
  expect_shape(generate::random_regular(100, 4, 7), {100, 200, 4, 4});
  expect_shape(generate::random_regular(51, 6, 8), {51, 153, 6, 6});
  expect_shape(generate::random_regular(10, 9, 9), {10, 45, 9, 9});  // the complete graph
}

TEST(Generators, WattsStrogatzKeepsNkOverTwoEdges) {
  expect_shape(generate::watts_strogatz(60, 4, 0.0, 1), {60, 120, 4, 4});  // the ring lattice
  const Topology t = generate::watts_strogatz(200, 6, 0.3, 2);
  EXPECT_EQ(t.num_edges(), 600u);
  expect_consistent(t);
  // Rewiring changed some edges: not every node still has degree 6.
  const DegreeSummary d = degree_summary(t);
  EXPECT_LT(d.min, 6u);
  EXPECT_GT(d.max, 6u);
}

TEST(Generators, BarabasiAlbertHasMTimesNMinusMEdges) {
  const Topology t = generate::barabasi_albert(500, 3, 5);
  EXPECT_EQ(t.num_edges(), 3u * (500 - 3));
  EXPECT_GE(degree_summary(t).min, 3u);
  EXPECT_GT(degree_summary(t).max, 20u);  // preferential attachment grows hubs
  expect_consistent(t);
  expect_shape(generate::barabasi_albert(2, 1, 5), {2, 1, 1, 1});
}

TEST(Generators, ErdosRenyiEdgeCountMatchesBinomialMean) {
  // m ~ Binomial(N, p), N = n(n−1)/2: over 20 seeds the mean is within 4 standard errors.
  const std::size_t n = 400;
  const double p = 0.05, pairs = n * (n - 1) / 2.0;
  double total = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const Topology t = generate::erdos_renyi(n, p, seed);
    total += static_cast<double>(t.num_edges());
    if (seed == 0) expect_consistent(t);
  }
  const double mean = total / 20, standard_error = std::sqrt(pairs * p * (1 - p) / 20);
  EXPECT_NEAR(mean, pairs * p, 4 * standard_error);
  EXPECT_EQ(generate::erdos_renyi(30, 1.0, 1).num_edges(), 435u);
}

TEST(Generators, ErdosRenyiRefusesDisconnectedDraws) {
  const std::string message = message_of([] { generate::erdos_renyi(1000, 0.001, 3); });
  EXPECT_NE(message.find("graph is disconnected:"), std::string::npos) << message;
  EXPECT_NE(message.find("components"), std::string::npos) << message;
  EXPECT_NE(message_of([] { generate::erdos_renyi(10, 0.0, 3); }).find("disconnected: 10 components"), std::string::npos);
}

TEST(Generators, SameSeedGivesSameGraphAndOtherSeedsDiffer) {
  const auto same = [](const Topology& a, const Topology& b) {
    if (a.num_edges() != b.num_edges()) return false;
    for (EdgeId e = 0; e < a.num_edges(); ++e)
      if (a.edge(e).u != b.edge(e).u || a.edge(e).v != b.edge(e).v) return false;
    return true;
  };
  EXPECT_TRUE(same(generate::erdos_renyi(200, 0.05, 11), generate::erdos_renyi(200, 0.05, 11)));
  EXPECT_FALSE(same(generate::erdos_renyi(200, 0.05, 11), generate::erdos_renyi(200, 0.05, 12)));
  EXPECT_TRUE(same(generate::random_regular(200, 4, 11), generate::random_regular(200, 4, 11)));
  EXPECT_FALSE(same(generate::random_regular(200, 4, 11), generate::random_regular(200, 4, 12)));
  EXPECT_TRUE(same(generate::watts_strogatz(200, 4, 0.2, 11), generate::watts_strogatz(200, 4, 0.2, 11)));
  EXPECT_FALSE(same(generate::watts_strogatz(200, 4, 0.2, 11), generate::watts_strogatz(200, 4, 0.2, 12)));
  EXPECT_TRUE(same(generate::barabasi_albert(200, 2, 11), generate::barabasi_albert(200, 2, 11)));
  EXPECT_FALSE(same(generate::barabasi_albert(200, 2, 11), generate::barabasi_albert(200, 2, 12)));
}

TEST(Generators, RefuseImpossibleSizes) {
  EXPECT_NE(message_of([] { generate::ring(2); }).find("at least 3 nodes"), std::string::npos);
  EXPECT_NE(message_of([] { generate::random_regular(5, 3, 1); }).find("n·k even"), std::string::npos);
  EXPECT_NE(message_of([] { generate::random_regular(5, 5, 1); }).find("k < n"), std::string::npos);
  EXPECT_NE(message_of([] { generate::watts_strogatz(10, 3, 0.1, 1); }).find("even k"), std::string::npos);
  EXPECT_NE(message_of([] { generate::watts_strogatz(10, 4, 1.5, 1); }).find("beta in [0, 1]"), std::string::npos);
  EXPECT_NE(message_of([] { generate::barabasi_albert(5, 5, 1); }).find("1 <= m < n"), std::string::npos);
  EXPECT_NE(message_of([] { generate::erdos_renyi(5, -0.1, 1); }).find("p in [0, 1]"), std::string::npos);
  EXPECT_NE(message_of([] { generate::hypercube(40); }).find("dimension <= 27"), std::string::npos);
  EXPECT_NE(message_of([] { generate::complete(0); }).find("at least 1 node"), std::string::npos);
  EXPECT_NE(message_of([] { generate::complete(100000); }).find("edges"), std::string::npos);
  EXPECT_NE(message_of([] { generate::random_regular(40, 1, 1); }).find("connected"), std::string::npos);
}

}  // namespace
}  // namespace dasgd
