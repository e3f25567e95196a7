// Tests of the graph-file readers and the DOT writer (topologies/readers.hpp, dot_writer.hpp):
// fixtures in tests/data/topology_*, bad files with the line or element they must name.
#include "topologies/dot_writer.hpp"
#include "topologies/generators.hpp"
#include "topologies/readers.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

namespace dasgd {
namespace {

const std::string data = std::string(DASGD_SOURCE_DIR) + "/tests/data/";

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no exception)";
}

// This process's own scratch directory: CTest runs the tests of this file in parallel processes,
// which must not overwrite each other's files.
std::filesystem::path scratch_directory() {
  return std::filesystem::temp_directory_path() / ("dasgd_topology_readers_test-" + std::to_string(::getpid()));
}

// Writes `text` to a fresh file in the temp directory and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  const auto dir = scratch_directory();
  std::filesystem::create_directories(dir);
  const auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string csv_error(const std::string& text) {
  const std::string path = temp_file("bad.csv", text);
  return message_of([&] { read_edge_list_csv(path); });
}

TEST(EdgeListCsv, ReadsEdgesAttributesAndComments) {
  const Topology t = read_edge_list_csv(data + "topology_square.csv");
  EXPECT_EQ(t.name(), "topology_square.csv");
  ASSERT_EQ(t.num_nodes(), 4u);
  ASSERT_EQ(t.num_edges(), 4u);
  EXPECT_TRUE(t.has_edge_attributes());
  EXPECT_EQ(t.edge(0).attributes.latency, 0.002);
  EXPECT_EQ(t.edge(0).attributes.bandwidth, 1e9);
  EXPECT_FALSE(t.edge(0).attributes.weight.has_value());
  EXPECT_EQ(t.edge(1).attributes.weight, 0.5);
  EXPECT_FALSE(t.edge(1).attributes.bandwidth.has_value());
  EXPECT_FALSE(t.edge(3).attributes.latency.has_value());
  EXPECT_EQ(t.degree(0), 2u);
}

TEST(EdgeListCsv, DuplicateEdgeNamesBothLines) {
  const std::string path = data + "topology_duplicate.csv";
  EXPECT_EQ(message_of([&] { read_edge_list_csv(path); }),
            path + ":5: duplicate edge 2 -- 1 (first given at " + path + ":3)");
}

TEST(EdgeListCsv, BadRowsNameTheirLine) {
  EXPECT_NE(csv_error("u,v\n0,1\n1,x\n").find("bad.csv:3: v: expected a node id"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n0,1\n1\n").find("bad.csv:3: expected 2 comma-separated fields"), std::string::npos);
  EXPECT_NE(csv_error("# c\nu,v,latency\n0,1,-2\n").find("bad.csv:3: latency: expected a number of seconds >= 0, got \"-2\""),
            std::string::npos);
  EXPECT_NE(csv_error("u,v,bandwidth\n0,1,0\n").find("bad.csv:2: bandwidth"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n0,1\n2,2\n").find("bad.csv:3: self-loop on node 2"), std::string::npos);
  EXPECT_NE(csv_error("u,w\n0,1\n").find("bad.csv:1: unknown column \"w\""), std::string::npos);
  EXPECT_NE(csv_error("u,latency\n0,1\n").find("bad.csv:1: expected a header naming columns u and v"), std::string::npos);
  EXPECT_NE(csv_error("0,1\n1,2\n").find("bad.csv:1: unknown column \"0\""), std::string::npos);
  EXPECT_NE(csv_error("").find("empty file"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n").find("at least one edge"), std::string::npos);
}

TEST(EdgeListCsv, RefusesGapsInNodeIdsAndDisconnectedGraphs) {
  EXPECT_NE(csv_error("u,v\n0,1\n1,3\n").find("node 2 occurs in no edge"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n0,1\n2,3\n").find("bad.csv: graph is disconnected: 2 components"), std::string::npos);
  EXPECT_NE(message_of([] { read_edge_list_csv("/nonexistent/g.csv"); }).find("no such file"), std::string::npos);
}

TEST(EdgeListCsv, ANodeIdNear2To32IsRefusedWithoutSizingATableForIt) {
  // n = 2^32 - 1 from one edge: the unused node 1 is found by sorting the two ids, not by a table.
  EXPECT_NE(csv_error("u,v\n0,4294967294\n").find("node 1 occurs in no edge"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n0,1\n1,2\n2,7\n").find("node 3 occurs in no edge"), std::string::npos);
  EXPECT_NE(csv_error("u,v\n0,4294967295\n").find(":2: v: expected a node id"), std::string::npos);
}

TEST(GraphFiles, WhatIsNotARegularFileIsRefusedByNameBeforeOpening) {
  const auto dir = scratch_directory() / "a_directory.csv";
  std::filesystem::create_directories(dir);
  EXPECT_EQ(message_of([&] { read_edge_list_csv(dir.string()); }), dir.string() + ": edge-list file: is a directory, expected a file");
  EXPECT_EQ(message_of([&] { read_edge_list_csv("/dev/zero"); }),
            "/dev/zero: edge-list file: is not a regular file (a FIFO, socket or device), expected a file");
  EXPECT_EQ(message_of([&] { read_edge_list_csv("/nonexistent/g.csv"); }), "/nonexistent/g.csv: edge-list file: no such file");
  EXPECT_FALSE(input_file_problem(data + "topology_square.csv"));
}

TEST(GraphFiles, FormatIsInferredFromTheExtensionOrGiven) {
  EXPECT_EQ(infer_graph_file_format("a/b.CSV"), GraphFileFormat::edge_list);
  EXPECT_EQ(infer_graph_file_format("b.graphml"), GraphFileFormat::graphml);
  EXPECT_EQ(infer_graph_file_format("b.gv"), GraphFileFormat::dot);
  EXPECT_NE(message_of([] { infer_graph_file_format("b.json"); }).find("\".json\""), std::string::npos);
  EXPECT_EQ(parse_graph_file_format("edgelist"), GraphFileFormat::edge_list);
  EXPECT_FALSE(parse_graph_file_format("gml").has_value());
  const std::string path = temp_file("edges.data", "u,v\n0,1\n");
  EXPECT_EQ(read_topology_file(path, GraphFileFormat::edge_list).num_edges(), 1u);
}

std::string read_error(const std::string& name, const std::string& text) {
  const std::string path = temp_file(name, text);
  return message_of([&] { read_topology_file(path); });
}

// Reads `path`, returning what the reader said on stderr.
std::string stderr_of_reading(const std::string& path, Topology& topology) {
  testing::internal::CaptureStderr();
  topology = read_topology_file(path);
  return testing::internal::GetCapturedStderr();
}

TEST(WhitespaceEdgeList, ReadsSnapFileOneBasedInBothDirectionsAsTheUndirectedCycle) {
  Topology t;
  const std::string path = data + "topology_square_snap.txt";
  const std::string said = stderr_of_reading(path, t);
  ASSERT_EQ(t.num_nodes(), 4u);
  ASSERT_EQ(t.num_edges(), 4u);
  for (NodeId v = 0; v < 4; ++v) EXPECT_EQ(t.degree(v), 2u);
  EXPECT_TRUE(t.find_arc(0, 3).has_value());  // file edge 4 -- 1
  EXPECT_FALSE(t.find_arc(0, 2).has_value());
  EXPECT_NE(said.find(path + ": node ids start at 1: read as 1-based"), std::string::npos);
  EXPECT_NE(said.find(path + ": 4 of 8 edges were also listed in the other direction: each is kept once"), std::string::npos);
}

TEST(WhitespaceEdgeList, ReadsZeroBasedWeightedAndNetworkxDictLinesSilently) {
  Topology t;
  const std::string said = stderr_of_reading(temp_file("nx.edgelist", "0 1 2.5\n1 2 {'weight': 0.25, 'color': 'red'}\n"
                                                                      "2\t0 {}  # a comment\n\n"), t);
  EXPECT_EQ(said, "");
  ASSERT_EQ(t.num_nodes(), 3u);
  ASSERT_EQ(t.num_edges(), 3u);
  EXPECT_EQ(t.edge(0).attributes.weight, 2.5);
  EXPECT_EQ(t.edge(1).attributes.weight, 0.25);
  EXPECT_FALSE(t.edge(2).attributes.weight.has_value());
  const Topology latency = read_topology_file(temp_file("lat.txt", "0 1 {'latency': 0.01, \"bandwidth\": 1e9}\n"));
  EXPECT_EQ(latency.edge(0).attributes.latency, 0.01);
  EXPECT_EQ(latency.edge(0).attributes.bandwidth, 1e9);
}

TEST(WhitespaceEdgeList, BadRowsNameTheirLineWithIdsAsWritten) {
  EXPECT_NE(read_error("a.txt", "0 1\n1 x\n").find("a.txt:2: v: expected a node id"), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1\n1\n").find("a.txt:2: expected \"u v\", \"u v weight\" or \"u v {data}\""), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1 2 3\n").find("a.txt:1: expected \"u v\""), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1 heavy\n").find("a.txt:1: weight: expected a finite number, got \"heavy\""), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1 {'latency': -1}\n").find("a.txt:1: latency: expected a number of seconds >= 0"), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1 {'weight' 1}\n").find("a.txt:1: expected 'key': value"), std::string::npos);
  // 1-based file: messages show the file's own ids.
  EXPECT_NE(read_error("a.txt", "1 2\n2 3\n3 3\n").find("a.txt:3: self-loop on node 3"), std::string::npos);
  EXPECT_NE(read_error("a.txt", "1 2\n2 3\n1 2\n").find("a.txt:3: duplicate edge 1 -- 2 (first given at"), std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1 1\n1 0 2\n").find("a.txt:2: edge 1 -- 0 has other attributes than its reverse listing at"),
            std::string::npos);
  EXPECT_NE(read_error("a.txt", "0 1\n1 3\n").find("node 2 occurs in no edge"), std::string::npos);
  EXPECT_NE(read_error("a.txt", "# only comments\n").find("empty file"), std::string::npos);
}

TEST(MatrixMarket, ReadsSymmetricLowerTriangleWithValuesAsWeights) {
  const Topology t = read_topology_file(data + "topology_square.mtx");
  ASSERT_EQ(t.num_nodes(), 4u);
  ASSERT_EQ(t.num_edges(), 4u);
  for (NodeId v = 0; v < 4; ++v) EXPECT_EQ(t.degree(v), 2u);
  EXPECT_TRUE(t.find_arc(0, 3).has_value());
  const auto arc = t.find_arc(2, 3);
  ASSERT_TRUE(arc.has_value());
  EXPECT_EQ(t.edge_attributes(t.arc_edge(*arc)).weight, 2.0);
}

TEST(MatrixMarket, GeneralPatternMatrixListingBothHalvesIsDeduplicatedAndSaid) {
  Topology t;
  const std::string path = temp_file("g.mtx", "%%MatrixMarket matrix coordinate pattern general\n% c\n3 3 4\n1 2\n2 1\n2 3\n3 2\n");
  const std::string said = stderr_of_reading(path, t);
  EXPECT_EQ(t.num_nodes(), 3u);
  EXPECT_EQ(t.num_edges(), 2u);
  EXPECT_FALSE(t.edge(0).attributes.weight.has_value());
  EXPECT_NE(said.find(path + ": 2 of 4 entries mirror another across the diagonal"), std::string::npos);
}

TEST(MatrixMarket, BadFilesNameTheirLine) {
  const std::string head = "%%MatrixMarket matrix coordinate integer symmetric\n";
  EXPECT_NE(read_error("b.mtx", "%%MatrixMarket matrix array real general\n2 2\n").find("b.mtx:1: expected a coordinate"),
            std::string::npos);
  EXPECT_NE(read_error("b.mtx", "%%MatrixMarket matrix coordinate complex general\n").find("b.mtx:1: expected the field pattern"),
            std::string::npos);
  EXPECT_NE(read_error("b.mtx", "%%MatrixMarket matrix coordinate real hermitian\n").find("b.mtx:1: expected the symmetry"),
            std::string::npos);
  EXPECT_NE(read_error("b.mtx", "1 2\n").find("b.mtx:1: expected the banner"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 3 1\n").find("b.mtx:2: expected a square adjacency matrix, got 2 x 3"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 2 1\n2 1 0.5\n").find("b.mtx:3: value: expected a finite integer"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 2 1\n3 1 1\n").find("b.mtx:3: row: expected an index from 1 to 2, got \"3\""),
            std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 2 1\n2 1\n").find("b.mtx:3: expected \"i j value\""), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 2 1\n2 1 1\n1 2 1\n").find("b.mtx:4: more entries than the 1"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "3 3 2\n2 1 1\n").find("the size line declares 2 entries, the file has 1"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "2 2 2\n2 1 1\n2 2 -4\n").find("b.mtx:4: self-loop on node 2"), std::string::npos);
  EXPECT_NE(read_error("b.mtx", head + "3 3 1\n2 1 1\n").find("node 3 occurs in no edge"), std::string::npos);
}

TEST(GraphFiles, CsvEdgeListIsStillReadThroughTheSniffingDispatch) {
  const Topology t = read_topology_file(data + "topology_square.csv");
  EXPECT_EQ(t.num_edges(), 4u);
  EXPECT_EQ(t.edge(1).attributes.weight, 0.5);
  EXPECT_EQ(infer_graph_file_format("g.MTX"), GraphFileFormat::matrix_market);
  EXPECT_EQ(parse_graph_file_format("mtx"), GraphFileFormat::matrix_market);
  EXPECT_EQ(parse_graph_file_format("snap"), GraphFileFormat::edge_list);
}

TEST(DotWriter, WritesOneLinePerEdgeWithAttributes) {
  std::vector<Edge> edges = {{0, 1, {}}, {1, 2, {}}};
  edges[1].attributes.latency = 0.1;
  edges[1].attributes.bandwidth = 2e9;
  EXPECT_EQ(to_dot(Topology(3, edges, "p\"3")), "graph \"p\\\"3\" {\n  0 -- 1;\n  1 -- 2 [latency=\"0.1\", bandwidth=\"2e+09\"];\n}\n");
  EXPECT_EQ(to_dot(generate::complete(1)), "graph \"complete(n=1)\" {\n  0;\n}\n");
}

#ifdef DASGD_HAVE_GRAPH_READERS

TEST(GraphmlReader, ReadsNodesInOrderAndKnownEdgeKeys) {
  const Topology t = read_topology_file(data + "topology_square.graphml");
  ASSERT_EQ(t.num_nodes(), 4u);
  ASSERT_EQ(t.num_edges(), 4u);
  EXPECT_EQ(t.edge(0).u, 0u);  // a -- b
  EXPECT_EQ(t.edge(0).v, 1u);
  EXPECT_EQ(t.edge(0).attributes.latency, 0.25);
  EXPECT_FALSE(t.edge(1).attributes.latency.has_value());
  EXPECT_EQ(t.edge(2).attributes.latency, 0.5);
  EXPECT_EQ(t.edge(3).u, 3u);  // d -- a
  EXPECT_EQ(t.edge(3).v, 0u);
}

TEST(GraphmlReader, BadFilesNameTheElement) {
  const std::string head =
      "<?xml version=\"1.0\"?><graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">"
      "<key id=\"l\" for=\"edge\" attr.name=\"latency\" attr.type=\"string\"/>";
  const std::string bad_value = temp_file(
      "bad_value.graphml", head + "<graph edgedefault=\"undirected\"><node id=\"a\"/><node id=\"b\"/><node id=\"c\"/>"
                                  "<edge source=\"a\" target=\"b\"/><edge source=\"b\" target=\"c\"><data key=\"l\">soon</data></edge>"
                                  "</graph></graphml>");
  EXPECT_NE(message_of([&] { read_graphml(bad_value); }).find("<edge> #1 (node #1 -- node #2"), std::string::npos)
      << message_of([&] { read_graphml(bad_value); });
  EXPECT_NE(message_of([&] { read_graphml(bad_value); }).find("latency: expected a number of seconds >= 0, got \"soon\""),
            std::string::npos);
  const std::string loop = temp_file(
      "loop.graphml", head + "<graph edgedefault=\"undirected\"><node id=\"a\"/><node id=\"b\"/>"
                             "<edge source=\"a\" target=\"b\"/><edge source=\"b\" target=\"b\"/></graph></graphml>");
  EXPECT_NE(message_of([&] { read_graphml(loop); }).find("<edge> #1"), std::string::npos);
  EXPECT_NE(message_of([&] { read_graphml(loop); }).find("self-loop"), std::string::npos);
  const std::string broken = temp_file("broken.graphml", head + "<graph><node id=\"a\"></graph>");
  EXPECT_NE(message_of([&] { read_graphml(broken); }).find("invalid GraphML"), std::string::npos);
  const std::string directed = temp_file(
      "directed.graphml", head + "<graph edgedefault=\"directed\"><node id=\"a\"/><node id=\"b\"/>"
                                 "<edge source=\"a\" target=\"b\"/></graph></graphml>");
  EXPECT_NE(message_of([&] { read_graphml(directed); }).find("expected an undirected graph"), std::string::npos)
      << message_of([&] { read_graphml(directed); });
}

TEST(GraphmlReader, AnEdgeToAnUndeclaredNodeIsRefused) {
  if (!graph_readers_available()) GTEST_SKIP() << "built without the compiled Boost.Graph library";
  const std::string path = temp_file(
      "undeclared.graphml", "<graphml><graph edgedefault=\"undirected\"><node id=\"a\"/><node id=\"b\"/>"
                            "<edge source=\"a\" target=\"b\"/><edge source=\"b\" target=\"c\"/></graph></graphml>");
  EXPECT_EQ(message_of([&] { read_graphml(path); }),
            path + ": <edge> #1 (source \"b\", target \"c\"): \"c\" is not the id of any declared <node>");
}

TEST(GraphReaders, NestingDeeperThanSixtyFourIsRefusedBeforeBoostParsesIt) {
  if (!graph_readers_available()) GTEST_SKIP() << "built without the compiled Boost.Graph library";
  std::string xml;
  for (int i = 0; i < 100000; ++i) xml += "<a>";
  const std::string graphml = temp_file("deep.graphml", xml);
  EXPECT_EQ(message_of([&] { read_graphml(graphml); }),
            graphml + ":1: expected XML elements nested at most 64 levels deep, got deeper");
  const std::string dot = temp_file("deep.dot", "graph G {\n0 -- 1\n" + std::string(100000, '{') + std::string(100000, '}') + "}");
  EXPECT_EQ(message_of([&] { read_dot(dot); }).rfind(dot + ":3: expected DOT subgraphs", 0), 0u);
  // Edge operators are not closing brackets: "{->{->" still counts as nesting.
  std::string chain = "graph G {";
  for (int i = 0; i < 100; ++i) chain += " a -> b {";
  EXPECT_NE(message_of([&] { read_dot(temp_file("chain.dot", chain)); }).find("nested at most 64"), std::string::npos);
}

TEST(DotReader, ReadsNamedNodesChainsAndAttributes) {
  const Topology t = read_dot(data + "topology_square.dot");
  ASSERT_EQ(t.num_nodes(), 4u);
  ASSERT_EQ(t.num_edges(), 4u);
  EXPECT_EQ(t.edge(0).attributes.latency, 0.25);  // x -- y
  EXPECT_EQ(t.edge(3).attributes.bandwidth, 1e6);  // w -- x
  EXPECT_EQ(t.degree(0), 2u);
}

TEST(DotReader, RefusesDirectedGraphs) {
  EXPECT_NE(message_of([] { read_dot(data + "topology_directed.dot"); }).find("expected an undirected graph"),
            std::string::npos);
  const std::string dup = temp_file("dup.dot", "graph g { a -- b; b -- c; c -- b; }");
  EXPECT_NE(message_of([&] { read_dot(dup); }).find("edge #2 (\"c\" -- \"b\"): duplicate edge"), std::string::npos)
      << message_of([&] { read_dot(dup); });
}

TEST(DotReader, RoundTripsTheWriterKeepingIdsAndAttributes) {
  std::vector<Edge> edges = {{3, 0, {}}, {0, 1, {}}, {1, 2, {}}, {2, 3, {}}, {0, 2, {}}};
  edges[2].attributes.latency = 0.1 + 0.2;  // not exactly 0.3: tests shortest round-trip output
  edges[4].attributes.weight = -1.5;
  edges[4].attributes.bandwidth = 1.25e10;  // needs an exponent
  const Topology original(4, edges, "square");
  const std::string path = temp_file("roundtrip.dot", to_dot(original));
  const Topology back = read_dot(path);
  ASSERT_EQ(back.num_edges(), original.num_edges());
  for (EdgeId e = 0; e < original.num_edges(); ++e) {
    EXPECT_EQ(back.edge(e).u, original.edge(e).u);
    EXPECT_EQ(back.edge(e).v, original.edge(e).v);
    EXPECT_EQ(back.edge(e).attributes.latency, original.edge(e).attributes.latency);
    EXPECT_EQ(back.edge(e).attributes.weight, original.edge(e).attributes.weight);
    EXPECT_EQ(back.edge(e).attributes.bandwidth, original.edge(e).attributes.bandwidth);
  }
}

#else

TEST(GraphReaders, SayTheyWereBuiltWithoutTheLibrary) {
  EXPECT_FALSE(graph_readers_available());
  EXPECT_NE(message_of([] { read_graphml(data + "topology_square.graphml"); }).find("built without GraphML/DOT support"),
            std::string::npos);
  EXPECT_NE(message_of([] { read_dot(data + "topology_square.dot"); }).find("built without GraphML/DOT support"),
            std::string::npos);
}

#endif

}  // namespace
}  // namespace dasgd
