// Graphviz DOT export of a topology (dot_writer.hpp): one line per edge in edge-id order.
#include "topologies/dot_writer.hpp"

#include <charconv>
#include <sstream>

namespace dasgd {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Shortest decimal that parses back to exactly `value` (std::to_chars guarantees the round trip).
std::string shortest(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

void write_dot(const Topology& topology, std::ostream& out) {
  out << "graph " << quoted(topology.name()) << " {\n";
  // A node that occurs in an edge needs no declaration; only a lone node (n = 1) does.
  if (topology.num_edges() == 0) {
    for (std::size_t v = 0; v < topology.num_nodes(); ++v) out << "  " << v << ";\n";
  }
  for (const Edge& e : topology.edges()) {
    out << "  " << e.u << " -- " << e.v;
    const EdgeAttributes& a = e.attributes;
    if (a.weight || a.latency || a.bandwidth) {
      std::string list;
      const auto add = [&list](const char* key, const std::optional<double>& value) {
        if (!value) return;
        // Quoted: DOT numerals have no exponent, so 2e+09 would not read back unquoted.
        list += (list.empty() ? "" : ", ") + std::string(key) + "=\"" + shortest(*value) + "\"";
      };
      add("weight", a.weight);
      add("latency", a.latency);
      add("bandwidth", a.bandwidth);
      out << " [" << list << "]";
    }
    out << ";\n";
  }
  out << "}\n";
}

std::string to_dot(const Topology& topology) {
  std::ostringstream out;
  write_dot(topology, out);
  return out.str();
}

}  // namespace dasgd
