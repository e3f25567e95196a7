// Matrix Market coordinate adjacency matrices (readers.hpp): the banner, `%` comments, the size
// line "N N entries", then one 1-based entry "i j [value]" per line (NIST's Matrix Market format,
// math.nist.gov/MatrixMarket/formats.html).
#include "topologies/file_edges.hpp"
#include "topologies/readers.hpp"

#include <cctype>
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

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

std::optional<std::uint64_t> integer(const std::string& field) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

}  // namespace

Topology read_matrix_market(const std::string& path) {
  require_input_file(path, "Matrix Market file");
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the Matrix Market file");
  std::string line;
  std::size_t line_number = 0;
  const auto fail = [&](const std::string& message) -> void {
    throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": " + message);
  };
  if (!std::getline(in, line)) throw std::invalid_argument(path + ": expected a %%MatrixMarket banner, got an empty file");
  ++line_number;
  const std::vector<std::string> banner = fields_of(lower(line));
  if (banner.size() != 5 || banner[0] != "%%matrixmarket" || banner[1] != "matrix")
    fail("expected the banner \"%%MatrixMarket matrix coordinate <field> <symmetry>\", got \"" + line + "\"");
  if (banner[2] != "coordinate") fail("expected a coordinate (sparse) matrix, got \"" + banner[2] + "\" (dense arrays are not read)");
  const std::string& field = banner[3];
  if (field != "pattern" && field != "real" && field != "integer")
    fail("expected the field pattern, real or integer, got \"" + banner[3] + "\"");
  const std::string& symmetry = banner[4];
  if (symmetry != "general" && symmetry != "symmetric")
    fail("expected the symmetry general or symmetric, got \"" + banner[4] + "\" (an adjacency matrix is symmetric)");
  const std::size_t values = field == "pattern" ? 0 : 1;

  std::uint64_t n = 0, entries = 0;
  bool sized = false;
  std::vector<Edge> edges;
  std::vector<std::size_t> lines;
  while (std::getline(in, line)) {
    ++line_number;
    if (blank(line) || line[line.find_first_not_of(" \t")] == '%') continue;
    const std::vector<std::string> fields = fields_of(line);
    if (!sized) {
      const auto rows = fields.size() == 3 ? integer(fields[0]) : std::nullopt;
      const auto cols = fields.size() == 3 ? integer(fields[1]) : std::nullopt;
      const auto count = fields.size() == 3 ? integer(fields[2]) : std::nullopt;
      if (!rows || !cols || !count) fail("expected the size line \"rows columns entries\", got \"" + line + "\"");
      if (*rows != *cols) fail("expected a square adjacency matrix, got " + std::to_string(*rows) + " x " + std::to_string(*cols));
      if (*rows == 0 || *rows >= std::numeric_limits<NodeId>::max())
        fail("expected 1 to " + std::to_string(std::numeric_limits<NodeId>::max() - 1) + " rows, got " + fields[0]);
      n = *rows;
      entries = *count;
      sized = true;
      continue;
    }
    if (edges.size() == entries) fail("more entries than the " + std::to_string(entries) + " the size line declares");
    if (fields.size() != 2 + values)
      fail("expected \"i j" + std::string(values ? " value" : "") + "\" for a " + field + " matrix, got \"" + line + "\"");
    Edge edge;
    for (std::size_t k = 0; k < 2; ++k) {
      const auto id = integer(fields[k]);
      if (!id || *id < 1 || *id > n)
        fail(std::string(k == 0 ? "row" : "column") + ": expected an index from 1 to " + std::to_string(n) + ", got \"" + fields[k] + "\"");
      (k == 0 ? edge.u : edge.v) = static_cast<NodeId>(*id - 1);
    }
    if (values) {
      char* end = nullptr;
      const double value = std::strtod(fields[2].c_str(), &end);
      const bool whole = field != "integer" || integer(fields[2][0] == '-' ? fields[2].substr(1) : fields[2]);
      if (end != fields[2].c_str() + fields[2].size() || !std::isfinite(value) || !whole)
        fail("value: expected a finite " + std::string(field == "integer" ? "integer" : "number") + ", got \"" + fields[2] + "\"");
      edge.attributes.weight = value;
    }
    edges.push_back(edge);
    lines.push_back(line_number);
  }
  if (in.bad()) throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": read error after this line");
  if (!sized) throw std::invalid_argument(path + ": expected the size line \"rows columns entries\" after the banner, got none");
  if (edges.size() != entries) {
    throw std::invalid_argument(path + ": the size line declares " + std::to_string(entries) + " entries, the file has " +
                                std::to_string(edges.size()));
  }
  const auto name = [](NodeId v) { return std::to_string(static_cast<std::uint64_t>(v) + 1); };
  const std::size_t listed = edges.size();
  if (const std::size_t dropped = drop_reverse_listings(edges, lines, path, name)) {
    std::cerr << "dasgd: note: " << path << ": " << dropped << " of " << listed
              << " entries mirror another across the diagonal: each edge is kept once\n";
  }
  FileEdges file;
  file.path = path;
  file.num_nodes = static_cast<std::size_t>(n);
  file.edges = std::move(edges);
  file.where = [path, lines = std::move(lines)](std::size_t k) { return path + ":" + std::to_string(lines[k]); };
  file.node_name = name;
  return topology_from_file(std::move(file));
}

}  // namespace dasgd
