// Edge-list CSV reader, file-format dispatch and the shared checks of every reader (readers.hpp).
// GraphML and DOT, which need the compiled Boost.Graph library, are in graph_readers.cpp; the
// whitespace edge list and Matrix Market in whitespace_edge_list.cpp and matrix_market.cpp.
#include "topologies/readers.hpp"

#include "topologies/file_edges.hpp"
#include "topologies/properties.hpp"
#include "sim/text/trim.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

namespace dasgd {
namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(trimmed(std::string_view(line).substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

enum class Column { u, v, weight, latency, bandwidth };

}  // namespace

std::string to_string(GraphFileFormat format) {
  switch (format) {
    case GraphFileFormat::edge_list: return "edgelist";
    case GraphFileFormat::graphml: return "graphml";
    case GraphFileFormat::dot: return "dot";
    case GraphFileFormat::matrix_market: return "matrix_market";
  }
  return "unknown";
}

std::optional<GraphFileFormat> parse_graph_file_format(const std::string& name) {
  const std::string n = lower(name);
  if (n == "edgelist" || n == "edge_list" || n == "csv" || n == "snap") return GraphFileFormat::edge_list;
  if (n == "matrix_market" || n == "mtx") return GraphFileFormat::matrix_market;
  if (n == "graphml") return GraphFileFormat::graphml;
  if (n == "dot" || n == "graphviz" || n == "gv") return GraphFileFormat::dot;
  return std::nullopt;
}

GraphFileFormat infer_graph_file_format(const std::string& path) {
  const std::string extension = lower(std::filesystem::path(path).extension().string());
  if (extension == ".csv" || extension == ".txt" || extension == ".edges" || extension == ".edgelist") return GraphFileFormat::edge_list;
  if (extension == ".graphml" || extension == ".xml") return GraphFileFormat::graphml;
  if (extension == ".dot" || extension == ".gv") return GraphFileFormat::dot;
  if (extension == ".mtx") return GraphFileFormat::matrix_market;
  throw std::invalid_argument(path + ": cannot tell the graph format from the extension \"" + extension +
                              "\": expected .csv/.txt/.edges/.edgelist, .graphml/.xml, .dot/.gv or .mtx (or give the format)");
}

std::optional<std::string> input_file_problem(const std::string& path) {
  if (path.empty()) return "is an empty path, expected a file";
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) return std::string("no such file");
  if (std::filesystem::is_directory(status)) return std::string("is a directory, expected a file");
  if (!std::filesystem::is_regular_file(status)) return std::string("is not a regular file (a FIFO, socket or device), expected a file");
  if (::access(path.c_str(), R_OK) != 0) return std::string("cannot be read (permission denied)");
  return std::nullopt;
}

void require_input_file(const std::string& path, const std::string& what) {
  if (const auto problem = input_file_problem(path)) throw std::invalid_argument(path + ": " + what + ": " + *problem);
}

namespace {
// The first id in 0..n-1 that no edge names, found without an n-sized table: a file of m edges
// names at most 2m nodes, but may claim n = largest id + 1 up to 2^32 - 1 (one edge "0,4294967294").
std::optional<NodeId> first_unused_node(const FileEdges& file) {
  const std::size_t n = file.num_nodes;
  if (n <= 2 * file.edges.size()) {
    std::vector<char> used(n, 0);
    for (const Edge& e : file.edges) used[e.u] = used[e.v] = 1;
    const auto unused = std::find(used.begin(), used.end(), 0);
    if (unused == used.end()) return std::nullopt;
    return static_cast<NodeId>(unused - used.begin());
  }
  std::vector<NodeId> ids;
  ids.reserve(2 * file.edges.size());
  for (const Edge& e : file.edges) {
    ids.push_back(e.u);
    ids.push_back(e.v);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] != i) return static_cast<NodeId>(i);
  return static_cast<NodeId>(ids.size());  // n > 2m > ids.size(): the id after the last is unused
}
}  // namespace

std::size_t drop_reverse_listings(std::vector<Edge>& edges, std::vector<std::size_t>& lines, const std::string& path,
                                  const std::function<std::string(NodeId)>& name) {
  std::vector<std::pair<std::uint64_t, std::size_t>> keys(edges.size());
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const auto [a, b] = std::minmax(edges[k].u, edges[k].v);
    keys[k] = {(static_cast<std::uint64_t>(a) << 32) | b, k};
  }
  std::sort(keys.begin(), keys.end());
  std::vector<char> drop(edges.size(), 0);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    if (keys[i].first != keys[i + 1].first) continue;
    const Edge& first = edges[keys[i].second];
    const Edge& second = edges[keys[i + 1].second];
    if (first.u == second.u) continue;  // the same direction twice: a duplicate, refused later
    const auto at = [&](std::size_t k) { return path + ":" + std::to_string(lines[k]); };
    const EdgeAttributes& x = first.attributes;
    const EdgeAttributes& y = second.attributes;
    if (x.weight != y.weight || x.latency != y.latency || x.bandwidth != y.bandwidth) {
      throw std::invalid_argument(at(keys[i + 1].second) + ": edge " + name(second.u) + " -- " + name(second.v) +
                                  " has other attributes than its reverse listing at " + at(keys[i].second));
    }
    drop[keys[i + 1].second] = 1;
    ++dropped;
    ++i;  // a third listing of the pair is compared with neither: topology_from_file refuses it
  }
  if (dropped == 0) return 0;
  std::size_t kept = 0;
  for (std::size_t k = 0; k < edges.size(); ++k) {
    if (drop[k]) continue;
    edges[kept] = edges[k];
    lines[kept] = lines[k];
    ++kept;
  }
  edges.resize(kept);
  lines.resize(kept);
  return dropped;
}

Topology topology_from_file(FileEdges file) {
  const std::size_t n = file.num_nodes;
  if (file.edges.empty()) throw std::invalid_argument(file.path + ": expected at least one edge, got none");
  for (std::size_t k = 0; k < file.edges.size(); ++k) {
    const Edge& e = file.edges[k];
    if (e.u == e.v) throw std::invalid_argument(file.where(k) + ": self-loop on node " + file.node_name(e.u) + " is not allowed");
  }
  // Duplicates: sort (pair, index) so both occurrences can be named. O(m log m).
  {
    std::vector<std::pair<std::uint64_t, std::size_t>> keys(file.edges.size());
    for (std::size_t k = 0; k < file.edges.size(); ++k) {
      const Edge& e = file.edges[k];
      const auto [a, b] = std::minmax(e.u, e.v);
      keys[k] = {(static_cast<std::uint64_t>(a) << 32) | b, k};
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 1; i < keys.size(); ++i) {
      if (keys[i].first == keys[i - 1].first) {
        const Edge& e = file.edges[keys[i].second];
        throw std::invalid_argument(file.where(keys[i].second) + ": duplicate edge " + file.node_name(e.u) + " -- " +
                                    file.node_name(e.v) + " (first given at " + file.where(keys[i - 1].second) + ")");
      }
    }
  }
  if (const auto unused = first_unused_node(file)) {
    const NodeId id = *unused;
    throw std::invalid_argument(file.path + ": node " + file.node_name(id) + " occurs in no edge (node ids must be 0.." +
                                std::to_string(n - 1) + " without gaps, and every node needs an edge)");
  }
  const std::size_t components = count_components(n, file.edges);
  if (components > 1) {
    throw std::invalid_argument(file.path + ": graph is disconnected: " + std::to_string(components) + " components");
  }
  const std::string name = std::filesystem::path(file.path).filename().string();
  return Topology(n, std::move(file.edges), name);
}

Topology read_edge_list_csv(const std::string& path) {
  require_input_file(path, "edge-list file");
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the edge-list file");
  std::vector<Column> columns;
  std::vector<Edge> edges;
  std::vector<std::size_t> lines;
  std::uint64_t max_id = 0;
  std::string line;
  std::size_t line_number = 0;
  const auto fail = [&](const std::string& message) -> void {
    throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": " + message);
  };
  const std::vector<std::string> column_names = {"u", "v", "weight", "latency", "bandwidth"};
  while (std::getline(in, line)) {
    ++line_number;
    const auto hash = line.find('#');
    const std::string content = trimmed(std::string_view(line).substr(0, hash));
    if (content.empty()) continue;
    const std::vector<std::string> fields = split_fields(content);
    if (columns.empty()) {  // the header
      for (const std::string& field : fields) {
        const auto it = std::find(column_names.begin(), column_names.end(), lower(field));
        if (it == column_names.end()) fail("unknown column \"" + field + "\": expected u, v and optionally weight, latency, bandwidth");
        const auto column = static_cast<Column>(it - column_names.begin());
        if (std::find(columns.begin(), columns.end(), column) != columns.end()) fail("column \"" + field + "\" given twice");
        columns.push_back(column);
      }
      if (std::find(columns.begin(), columns.end(), Column::u) == columns.end() ||
          std::find(columns.begin(), columns.end(), Column::v) == columns.end()) {
        fail("expected a header naming columns u and v (e.g. \"u,v\" or \"u,v,latency\"), got \"" + content + "\"");
      }
      continue;
    }
    if (fields.size() != columns.size()) {
      fail("expected " + std::to_string(columns.size()) + " comma-separated fields as in the header, got " + std::to_string(fields.size()));
    }
    Edge edge;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& field = fields[i];
      const std::string& column = column_names[static_cast<std::size_t>(columns[i])];
      if (columns[i] == Column::u || columns[i] == Column::v) {
        std::uint64_t id = 0;
        const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), id);
        if (error != std::errc() || end != field.data() + field.size() || id >= std::numeric_limits<NodeId>::max()) {
          fail(column + ": expected a node id (an integer from 0 to " + std::to_string(std::numeric_limits<NodeId>::max() - 1) +
               "), got \"" + field + "\"");
        }
        max_id = std::max(max_id, id);
        (columns[i] == Column::u ? edge.u : edge.v) = static_cast<NodeId>(id);
        continue;
      }
      if (field.empty()) continue;  // attribute absent on this edge
      char* end = nullptr;
      const double value = std::strtod(field.c_str(), &end);
      const bool number = end == field.c_str() + field.size() && std::isfinite(value);
      if (columns[i] == Column::weight) {
        if (!number) fail("weight: expected a finite number, got \"" + field + "\"");
        edge.attributes.weight = value;
      } else if (columns[i] == Column::latency) {
        if (!number || value < 0) fail("latency: expected a number of seconds >= 0, got \"" + field + "\"");
        edge.attributes.latency = value;
      } else {
        if (!number || value <= 0) fail("bandwidth: expected a number of bytes per second > 0, got \"" + field + "\"");
        edge.attributes.bandwidth = value;
      }
    }
    edges.push_back(edge);
    lines.push_back(line_number);
  }
  if (in.bad()) throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": read error after this line");
  if (columns.empty()) throw std::invalid_argument(path + ": expected a header line \"u,v\" and edges, got an empty file");
  FileEdges file;
  file.path = path;
  file.num_nodes = edges.empty() ? 0 : static_cast<std::size_t>(max_id) + 1;
  file.edges = std::move(edges);
  file.where = [path, lines = std::move(lines)](std::size_t k) { return path + ":" + std::to_string(lines[k]); };
  file.node_name = [](NodeId v) { return std::to_string(v); };
  return topology_from_file(std::move(file));
}

Topology read_edge_list(const std::string& path) {
  require_input_file(path, "edge-list file");
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string content = trimmed(std::string_view(line).substr(0, line.find('#')));
    if (content.empty()) continue;
    // A comma outside a networkx data dict ("0 1 {'a': 1, 'b': 2}") means CSV.
    if (content.substr(0, content.find('{')).find(',') != std::string::npos) return read_edge_list_csv(path);
    return read_edge_list_whitespace(path);
  }
  return read_edge_list_csv(path);  // no content: refused there, as an empty file
}

Topology read_topology_file(const std::string& path, std::optional<GraphFileFormat> format) {
  switch (format ? *format : infer_graph_file_format(path)) {
    case GraphFileFormat::edge_list: return read_edge_list(path);
    case GraphFileFormat::matrix_market: return read_matrix_market(path);
    case GraphFileFormat::graphml: return read_graphml(path);
    case GraphFileFormat::dot: return read_dot(path);
  }
  throw std::invalid_argument(path + ": unknown graph file format");
}

}  // namespace dasgd
