// Tests of the graph section of a config (sim/config/topology_config.hpp): every kind parses and
// builds the graph it names; wrong values are refused with the JSON path and what was expected.
#include "sim/config/topology_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dasgd {
namespace {

TopologySpec parse(const std::string& text) {
  nlohmann::json document = nlohmann::json::parse(text);
  JsonReader reader(document, "/graph");
  return parse_topology(reader);
}

std::string config_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

Topology build(const std::string& text, std::uint64_t seed = 1) { return build_topology(parse(text), seed); }

TEST(TopologyConfig, EveryKindBuildsTheGraphItNames) {
  EXPECT_EQ(build(R"({"kind":"ring","nodes":16})").num_edges(), 16u);
  EXPECT_EQ(build(R"({"kind":"torus","rows":4,"cols":5})").num_edges(), 40u);
  EXPECT_EQ(build(R"({"kind":"grid","rows":4,"cols":5})").num_edges(), 31u);
  EXPECT_EQ(build(R"({"kind":"complete","nodes":6})").num_edges(), 15u);
  EXPECT_EQ(build(R"({"kind":"star","nodes":6})").num_edges(), 5u);
  EXPECT_EQ(build(R"({"kind":"hypercube","dimension":4})").num_edges(), 32u);
  EXPECT_EQ(build(R"({"kind":"balanced_tree","branching":2,"height":4})").num_nodes(), 31u);
  EXPECT_EQ(build(R"({"kind":"exponential","nodes":8})").num_edges(), 20u);
  EXPECT_EQ(build(R"({"kind":"erdos_renyi","nodes":100,"p":0.1})").num_nodes(), 100u);
  EXPECT_EQ(build(R"({"kind":"random_regular","nodes":100,"degree":4})").num_edges(), 200u);
  EXPECT_EQ(build(R"({"kind":"watts_strogatz","nodes":100,"k":4,"beta":0.1})").num_edges(), 200u);
  EXPECT_EQ(build(R"({"kind":"barabasi_albert","nodes":100,"m":2})").num_edges(), 196u);
}

TEST(TopologyConfig, SeedSelectsTheRandomGraph) {
  const std::string text = R"({"kind":"random_regular","nodes":50,"degree":3})";
  EXPECT_EQ(build(text, 4).edges()[7].v, build(text, 4).edges()[7].v);
  bool differs = false;
  const Topology a = build(text, 4), b = build(text, 5);
  for (EdgeId e = 0; e < a.num_edges(); ++e) differs = differs || a.edge(e).u != b.edge(e).u || a.edge(e).v != b.edge(e).v;
  EXPECT_TRUE(differs);
}

TEST(TopologyConfig, FileKindInfersFormatAndResolvesAgainstBaseDirectory) {
  const TopologySpec spec = parse(R"({"kind":"file","path":"topology_square.csv"})");
  EXPECT_EQ(spec.format, GraphFileFormat::edge_list);
  const Topology t = build_topology(spec, 0, std::string(DASGD_SOURCE_DIR) + "/tests/data");
  EXPECT_EQ(t.num_edges(), 4u);
  EXPECT_EQ(parse(R"({"kind":"file","path":"g.txt","format":"dot"})").format, GraphFileFormat::dot);
  EXPECT_EQ(config_error(R"({"kind":"file","path":"g.json"})").rfind("/graph/path: expected a file ending in", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"file","path":"g.csv","format":"gml"})").rfind("/graph/format: expected one of", 0), 0u);
}

TEST(TopologyConfig, WrongValuesNameTheirPath) {
  EXPECT_EQ(config_error(R"({"kind":"rign","nodes":16})").rfind("/graph/kind: expected one of", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"ring","nodes":2})"), "/graph/nodes: expected an integer >= 3 for a ring, got 2");
  EXPECT_EQ(config_error(R"({"kind":"ring"})").rfind("/graph/nodes: missing required key", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"ring","nodes":16,"nodez":3})").rfind("/graph/nodez: unknown key", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"random_regular","nodes":10,"degree":12})"),
            "/graph/degree: expected an integer below nodes = 10, got 12");
  EXPECT_EQ(config_error(R"({"kind":"random_regular","nodes":11,"degree":3})").rfind("/graph/degree: expected a degree making", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"watts_strogatz","nodes":100,"k":3,"beta":0.1})").rfind("/graph/k: expected an even integer", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"watts_strogatz","nodes":100,"k":4,"beta":2})").rfind("/graph/beta:", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"erdos_renyi","nodes":100,"p":-0.1})").rfind("/graph/p:", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"barabasi_albert","nodes":10,"m":10})"), "/graph/m: expected an integer below nodes = 10, got 10");
  EXPECT_EQ(config_error(R"({"kind":"hypercube","dimension":30})"), "/graph/dimension: expected an integer from 0 to 27, got 30");
  EXPECT_EQ(config_error(R"({"kind":"torus","rows":0,"cols":4})").rfind("/graph/rows: expected a positive integer", 0), 0u);
}

TEST(TopologyConfig, ATorusNeedsASideItCanWrap) {
  EXPECT_EQ(config_error(R"({"kind":"torus","rows":1,"cols":1})").rfind("/graph/rows: expected rows >= 3 or cols >= 3", 0), 0u);
  EXPECT_EQ(config_error(R"({"kind":"torus","rows":2,"cols":2})").rfind("/graph/rows: expected rows >= 3 or cols >= 3", 0), 0u);
  EXPECT_EQ(build(R"({"kind":"torus","rows":1,"cols":3})").num_edges(), 3u);  // a ring of 3
  EXPECT_EQ(build(R"({"kind":"grid","rows":1,"cols":1})").num_nodes(), 1u);   // a grid may be one node
}

TEST(TopologyConfig, DisconnectedRandomGraphIsRefusedWhenBuilt) {
  const TopologySpec spec = parse(R"({"kind":"erdos_renyi","nodes":1000,"p":0.001})");
  EXPECT_THROW(build_topology(spec, 3), std::invalid_argument);
}

}  // namespace
}  // namespace dasgd
