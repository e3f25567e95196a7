// GraphML and Graphviz DOT readers (readers.hpp) through Boost.Graph's read_graphml and
// read_graphviz, plus the attribute parsing they share. Both parsers live in the compiled
// libboost_graph, so this file only does real work when DASGD_HAVE_GRAPH_READERS is defined.
#include "topologies/file_edges.hpp"
#include "topologies/readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef DASGD_HAVE_GRAPH_READERS
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/range/iterator_range.hpp>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <set>
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

// Boost's parsers recurse on nesting (XML elements, DOT subgraphs and attribute lists): deeper
// than this is refused before they see the text.
constexpr std::size_t max_nesting = 64;
constexpr std::size_t max_graph_file_bytes = std::size_t{1} << 30;

std::string line_of(const std::string& text, std::size_t at) {
  return std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(at, text.size())), '\n'));
}

[[noreturn]] void too_deep(const std::string& path, const std::string& text, std::size_t at, const char* what) {
  throw std::invalid_argument(path + ":" + line_of(text, at) + ": expected " + what + " nested at most " +
                              std::to_string(max_nesting) + " levels deep, got deeper");
}

std::string read_whole(const std::string& path, const char* format) {
  require_input_file(path, std::string(format) + " file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the " + std::string(format) + " file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::invalid_argument(path + ": read error in the " + std::string(format) + " file");
  std::string text = std::move(buffer).str();
  if (text.size() > max_graph_file_bytes)
    throw std::invalid_argument(path + ": expected a " + std::string(format) + " file of at most 1 GiB");
  return text;
}

// XML element depth, skipping comments, CDATA, declarations and quoted attribute values.
void check_xml_nesting(const std::string& path, const std::string& text) {
  std::size_t depth = 0;
  const auto skip_past = [&](std::size_t from, const char* end) {
    const auto at = text.find(end, from);
    return at == std::string::npos ? text.size() : at + std::strlen(end);
  };
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '<') {
      ++i;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) i = skip_past(i + 4, "-->");
    else if (text.compare(i, 9, "<![CDATA[") == 0) i = skip_past(i + 9, "]]>");
    else if (text.compare(i, 2, "<?") == 0) i = skip_past(i + 2, "?>");
    else if (text.compare(i, 2, "<!") == 0) i = skip_past(i + 2, ">");
    else if (text.compare(i, 2, "</") == 0) {
      if (depth > 0) --depth;
      i = skip_past(i + 2, ">");
    } else {
      const std::size_t start = i;
      char quote = 0;
      for (++i; i < text.size(); ++i) {
        if (quote) {
          if (text[i] == quote) quote = 0;
        } else if (text[i] == '"' || text[i] == '\'') {
          quote = text[i];
        } else if (text[i] == '>') {
          break;
        }
      }
      const bool self_closing = i < text.size() && text[i - 1] == '/';
      if (!self_closing && ++depth > max_nesting) too_deep(path, text, start, "XML elements");
      ++i;
    }
  }
}

// DOT brace and bracket depth (subgraphs, attribute lists), skipping strings and comments.
void check_dot_nesting(const std::string& path, const std::string& text) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const auto end = text.find("*/", i + 2);
      i = end == std::string::npos ? text.size() : end + 1;
    } else if (c == '{' || c == '[' || c == '<') {
      if (++depth > max_nesting) too_deep(path, text, i, "DOT subgraphs, attribute lists and HTML labels");
    } else if ((c == '}' || c == ']' || (c == '>' && (i == 0 || text[i - 1] != '-'))) && depth > 0) {
      --depth;
    }
  }
}

// Boost's read_graphml silently creates a node for an edge end that names no <node>: a typo in
// an id would become a new, pendant node. Every source and target must be declared.
void check_graphml_nodes(const std::string& path, const std::string& text) {
  boost::property_tree::ptree tree;
  std::istringstream in(text);
  try {
    boost::property_tree::read_xml(in, tree);
  } catch (const boost::property_tree::xml_parser_error& error) {
    throw std::invalid_argument(path + ":" + std::to_string(error.line()) + ": invalid GraphML: " + error.message());
  }
  std::set<std::string> declared;
  std::vector<std::pair<std::string, std::string>> edges;
  std::function<void(const boost::property_tree::ptree&)> walk = [&](const boost::property_tree::ptree& node) {
    for (const auto& [name, child] : node) {
      if (name == "<xmlattr>" || name == "<xmlcomment>") continue;
      if (name == "node") declared.insert(child.get<std::string>("<xmlattr>.id", ""));
      if (name == "edge")
        edges.emplace_back(child.get<std::string>("<xmlattr>.source", ""), child.get<std::string>("<xmlattr>.target", ""));
      walk(child);
    }
  };
  walk(tree);
  for (std::size_t k = 0; k < edges.size(); ++k) {
    for (const std::string* end : {&edges[k].first, &edges[k].second}) {
      if (declared.count(*end) == 0) {
        throw std::invalid_argument(path + ": <edge> #" + std::to_string(k) + " (source \"" + edges[k].first +
                                    "\", target \"" + edges[k].second + "\"): \"" + *end +
                                    "\" is not the id of any declared <node>");
      }
    }
  }
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
  const std::string text = read_whole(path, "GraphML");
  check_xml_nesting(path, text);
  check_graphml_nodes(path, text);
  std::istringstream in(text);
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
  const std::string text = read_whole(path, "DOT");
  check_dot_nesting(path, text);
  std::istringstream in(text);
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
