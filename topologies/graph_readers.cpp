// GraphML and Graphviz DOT readers (readers.hpp) through Boost.Graph's read_graphml and
// read_graphviz, plus the attribute parsing they share. Both parsers live in the compiled
// libboost_graph, so this file only does real work when DASGD_HAVE_GRAPH_READERS is defined.
#include "topologies/file_edges.hpp"
#include "topologies/readers.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef DASGD_HAVE_GRAPH_READERS
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/range/iterator_range.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <vector>
#endif

namespace dasgd {

#ifndef DASGD_HAVE_GRAPH_READERS

bool graph_readers_available() noexcept { return false; }

namespace {
[[noreturn]] void unsupported(const std::string& path, const char* format) {
  throw std::invalid_argument(path + ": cannot read " + format +
                              ": built without GraphML/DOT support (compiled Boost.Graph library not found at "
                              "configure time); use an edge-list CSV instead");
}
}  // namespace

Topology read_graphml(const std::string& path) { unsupported(path, "GraphML"); }
Topology read_dot(const std::string& path) { unsupported(path, "DOT"); }

#else

bool graph_readers_available() noexcept { return true; }

namespace {

// One attribute value as written in the file; absent stays absent.
struct RawAttributes {
  std::string weight, latency, bandwidth;
};

// Parses the three known attributes of edge k, naming the edge on error.
EdgeAttributes parse_attributes(const RawAttributes& raw, const std::string& where) {
  EdgeAttributes attributes;
  const auto parse = [&](const std::string& text, const char* name, const char* expected,
                         bool (*valid)(double)) -> std::optional<double> {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value) || !valid(value)) {
      throw std::invalid_argument(where + ": " + name + ": expected " + expected + ", got \"" + text + "\"");
    }
    return value;
  };
  attributes.weight = parse(raw.weight, "weight", "a finite number", [](double) { return true; });
  attributes.latency = parse(raw.latency, "latency", "a number of seconds >= 0", [](double x) { return x >= 0; });
  attributes.bandwidth = parse(raw.bandwidth, "bandwidth", "a number of bytes per second > 0", [](double x) { return x > 0; });
  return attributes;
}

std::ifstream open(const std::string& path, const char* format) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the " + std::string(format) + " file");
  return in;
}

// Receives GraphML's vertices and edges directly (Boost's mutate_graph interface), keeping every
// attribute value as text so that a bad value is reported with the edge it belongs to.
class GraphmlCollector : public boost::mutate_graph {
 public:
  bool is_directed() const override { return false; }
  boost::any do_add_vertex() override { return num_nodes++; }
  std::pair<boost::any, bool> do_add_edge(boost::any source, boost::any target) override {
    endpoints.emplace_back(boost::any_cast<std::size_t>(source), boost::any_cast<std::size_t>(target));
    raw.emplace_back();
    return {endpoints.size() - 1, true};
  }
  void set_graph_property(const std::string&, const std::string&, const std::string&) override {}
  void set_vertex_property(const std::string&, boost::any, const std::string&, const std::string&) override {}
  void set_edge_property(const std::string& name, boost::any edge, const std::string& value, const std::string&) override {
    RawAttributes& attributes = raw[boost::any_cast<std::size_t>(edge)];
    if (name == "weight") attributes.weight = value;
    else if (name == "latency") attributes.latency = value;
    else if (name == "bandwidth") attributes.bandwidth = value;
  }

  std::size_t num_nodes = 0;
  std::vector<std::pair<std::size_t, std::size_t>> endpoints;
  std::vector<RawAttributes> raw;
};

}  // namespace

Topology read_graphml(const std::string& path) {
  std::ifstream in = open(path, "GraphML");
  GraphmlCollector collector;
  try {
    boost::read_graphml(in, collector, 0);
  } catch (const boost::directed_graph_error&) {  // a directed file read into our undirected collector
    throw std::invalid_argument(path + ": expected an undirected graph (edgedefault=\"undirected\"), got a directed one");
  } catch (const std::exception& error) {
    throw std::invalid_argument(path + ": invalid GraphML: " + error.what());
  }
  FileEdges file;
  file.path = path;
  file.num_nodes = collector.num_nodes;
  file.node_name = [](NodeId v) {
    std::string name = "#";  // built by appending: GCC 12 misreports "#" + std::string (-Wrestrict)
    name += std::to_string(v);
    return name;
  };
  const auto where = [path, &collector](std::size_t k) {
    return path + ": <edge> #" + std::to_string(k) + " (node #" + std::to_string(collector.endpoints[k].first) +
           " -- node #" + std::to_string(collector.endpoints[k].second) + ", nodes numbered from 0 in order of appearance)";
  };
  file.edges.reserve(collector.endpoints.size());
  for (std::size_t k = 0; k < collector.endpoints.size(); ++k) {
    const auto [u, v] = collector.endpoints[k];
    file.edges.push_back(Edge{static_cast<NodeId>(u), static_cast<NodeId>(v), parse_attributes(collector.raw[k], where(k))});
  }
  file.where = [where](std::size_t k) { return where(k); };
  return topology_from_file(std::move(file));
}

namespace {
struct DotNode {
  std::string name;
};
struct DotEdge {
  std::string weight, latency, bandwidth;
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, DotNode, DotEdge>;

// Node names that are exactly 0..n−1 keep their numbers; any other naming falls back to order of
// appearance. Returns the id of each Boost vertex.
std::vector<NodeId> dot_node_ids(const DotGraph& graph) {
  const std::size_t n = boost::num_vertices(graph);
  std::vector<NodeId> ids(n);
  std::vector<char> taken(n, 0);
  for (std::size_t v = 0; v < n; ++v) {
    const std::string& name = graph[v].name;
    char* end = nullptr;
    const unsigned long long value = name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))
                                         ? n : std::strtoull(name.c_str(), &end, 10);
    if (value >= n || end != name.c_str() + name.size() || taken[value]) {
      for (std::size_t w = 0; w < n; ++w) ids[w] = static_cast<NodeId>(w);
      return ids;
    }
    taken[value] = 1;
    ids[v] = static_cast<NodeId>(value);
  }
  return ids;
}
}  // namespace

Topology read_dot(const std::string& path) {
  std::ifstream in = open(path, "DOT");
  DotGraph graph;
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("node_id", boost::get(&DotNode::name, graph));
  properties.property("weight", boost::get(&DotEdge::weight, graph));
  properties.property("latency", boost::get(&DotEdge::latency, graph));
  properties.property("bandwidth", boost::get(&DotEdge::bandwidth, graph));
  try {
    if (!boost::read_graphviz(in, graph, properties, "node_id")) {
      throw std::invalid_argument(path + ": invalid DOT: the parser gave up");
    }
  } catch (const boost::directed_graph_error&) {  // thrown when a digraph meets an undirected graph type
    throw std::invalid_argument(path + ": expected an undirected graph (graph { a -- b }), got a digraph");
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& error) {
    throw std::invalid_argument(path + ": invalid DOT: " + error.what());
  }
  const std::vector<NodeId> ids = dot_node_ids(graph);
  FileEdges file;
  file.path = path;
  file.num_nodes = boost::num_vertices(graph);
  std::vector<std::string> names(file.num_nodes);
  for (std::size_t v = 0; v < file.num_nodes; ++v) names[ids[v]] = "\"" + graph[v].name + "\"";
  std::vector<std::string> places;
  for (const auto e : boost::make_iterator_range(boost::edges(graph))) {
    const NodeId u = ids[boost::source(e, graph)], v = ids[boost::target(e, graph)];
    places.push_back(path + ": edge #" + std::to_string(places.size()) + " (" + names[u] + " -- " + names[v] + ")");
    const DotEdge& raw = graph[e];
    file.edges.push_back(Edge{u, v, parse_attributes(RawAttributes{raw.weight, raw.latency, raw.bandwidth}, places.back())});
  }
  file.where = [places = std::move(places)](std::size_t k) { return places[k]; };
  file.node_name = [names = std::move(names)](NodeId v) { return names[v]; };
  return topology_from_file(std::move(file));
}

#endif

}  // namespace dasgd
