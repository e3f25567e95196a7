// Whitespace-separated edge lists as SNAP and networkx write them (readers.hpp): `u v`, `u v w`
// or `u v {networkx data dict}`, 0- or 1-based ids, each edge once or in both directions.
#include "topologies/file_edges.hpp"
#include "topologies/readers.hpp"
#include "sim/text/trim.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dasgd {
namespace {

std::optional<double> number(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Sets one attribute from its text; returns the problem, if any, as "<key>: expected ...".
std::optional<std::string> set_attribute(EdgeAttributes& attributes, const std::string& key, const std::string& text) {
  const auto value = number(text);
  if (key == "weight") {
    if (!value) return "weight: expected a finite number, got \"" + text + "\"";
    attributes.weight = *value;
  } else if (key == "latency") {
    if (!value || *value < 0) return "latency: expected a number of seconds >= 0, got \"" + text + "\"";
    attributes.latency = *value;
  } else if (key == "bandwidth") {
    if (!value || *value <= 0) return "bandwidth: expected a number of bytes per second > 0, got \"" + text + "\"";
    attributes.bandwidth = *value;
  }
  return std::nullopt;
}

// A networkx data dict, "{'weight': 2.0, 'color': 'red'}": the known keys' values are read.
std::optional<std::string> read_data_dict(EdgeAttributes& attributes, const std::string& dict) {
  if (dict.size() < 2 || dict.back() != '}') return "expected a networkx data dict {...} after u v, got \"" + dict + "\"";
  const std::string body = trimmed(std::string_view(dict).substr(1, dict.size() - 2));
  std::size_t start = 0;
  while (start < body.size()) {
    auto comma = body.find(',', start);
    if (comma == std::string::npos) comma = body.size();
    const std::string item = trimmed(std::string_view(body).substr(start, comma - start));
    start = comma + 1;
    const auto colon = item.find(':');
    if (colon == std::string::npos) return "expected 'key': value in the data dict, got \"" + item + "\"";
    std::string key = trimmed(std::string_view(item).substr(0, colon));
    if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"') && key.back() == key.front())
      key = key.substr(1, key.size() - 2);
    if (const auto problem = set_attribute(attributes, key, trimmed(std::string_view(item).substr(colon + 1)))) return problem;
  }
  return std::nullopt;
}

}  // namespace

Topology read_edge_list_whitespace(const std::string& path) {
  require_input_file(path, "edge-list file");
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the edge-list file");
  std::vector<Edge> edges;
  std::vector<std::size_t> lines;
  std::uint64_t min_id = std::numeric_limits<std::uint64_t>::max(), max_id = 0;
  std::string line;
  std::size_t line_number = 0;
  const auto fail = [&](const std::string& message) -> void {
    throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": " + message);
  };
  while (std::getline(in, line)) {
    ++line_number;
    std::string content = trimmed(std::string_view(line).substr(0, line.find('#')));
    if (content.empty()) continue;
    std::string dict;
    if (const auto brace = content.find('{'); brace != std::string::npos) {
      dict = trimmed(std::string_view(content).substr(brace));
      content = trimmed(std::string_view(content).substr(0, brace));
    }
    std::istringstream fields_in(content);
    std::vector<std::string> fields;
    for (std::string field; fields_in >> field;) fields.push_back(field);
    if (fields.size() < 2 || fields.size() > 3 || (!dict.empty() && fields.size() != 2)) {
      fail("expected \"u v\", \"u v weight\" or \"u v {data}\" separated by whitespace, got \"" + trimmed(line) + "\"");
    }
    Edge edge;
    for (std::size_t i = 0; i < 2; ++i) {
      std::uint64_t id = 0;
      const std::string& field = fields[i];
      const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), id);
      if (error != std::errc() || end != field.data() + field.size() || id >= std::numeric_limits<NodeId>::max()) {
        fail(std::string(i == 0 ? "u" : "v") + ": expected a node id (an integer from 0 to " +
             std::to_string(std::numeric_limits<NodeId>::max() - 1) + "), got \"" + field + "\"");
      }
      min_id = std::min(min_id, id);
      max_id = std::max(max_id, id);
      (i == 0 ? edge.u : edge.v) = static_cast<NodeId>(id);
    }
    if (fields.size() == 3) {
      if (const auto problem = set_attribute(edge.attributes, "weight", fields[2])) fail(*problem);
    }
    if (!dict.empty()) {
      if (const auto problem = read_data_dict(edge.attributes, dict)) fail(*problem);
    }
    edges.push_back(edge);
    lines.push_back(line_number);
  }
  if (in.bad()) throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": read error after this line");
  // 1-based when no id is 0 and 1 is the smallest: read 0-based, that file would be refused for
  // its unused node 0, so the shift changes no file that could be read otherwise.
  const NodeId offset = !edges.empty() && min_id == 1 ? 1 : 0;
  if (offset == 1) {
    for (Edge& e : edges) {
      --e.u;
      --e.v;
    }
    std::cerr << "dasgd: note: " << path << ": node ids start at 1: read as 1-based (node k of the file is node k-1)\n";
  }
  const auto name = [offset](NodeId v) { return std::to_string(static_cast<std::uint64_t>(v) + offset); };
  const std::size_t listed = edges.size();
  if (const std::size_t dropped = drop_reverse_listings(edges, lines, path, name)) {
    std::cerr << "dasgd: note: " << path << ": " << dropped << " of " << listed
              << " edges were also listed in the other direction: each is kept once\n";
  }
  FileEdges file;
  file.path = path;
  file.num_nodes = edges.empty() ? 0 : static_cast<std::size_t>(max_id) + 1 - offset;
  file.edges = std::move(edges);
  file.where = [path, lines = std::move(lines)](std::size_t k) { return path + ":" + std::to_string(lines[k]); };
  file.node_name = name;
  return topology_from_file(std::move(file));
}

}  // namespace dasgd
