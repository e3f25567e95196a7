// Reading and building per-node initial models; see initial_model_config.hpp.
#include "sim/config/initial_model_config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace dasgd {

namespace {

std::string count_text(std::size_t n) { return std::to_string(n); }

// A row count must be 1 (one model for all) or n; n = 0: not known yet.
std::optional<std::string> row_count_problem(std::size_t rows, std::uint64_t nodes) {
  if (rows == 0) return "at least one model";
  if (nodes == 0 || rows == 1 || rows == nodes) return std::nullopt;
  return "1 model (for every node) or one per node (" + count_text(nodes) + "), got " + count_text(rows);
}

std::vector<double> parse_csv_row(const std::string& line, const std::string& where, Eigen::Index dimension) {
  std::vector<double> row;
  const char* p = line.c_str();
  while (true) {
    while (*p == ' ' || *p == '\t') ++p;
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(p, &end);
    if (end == p || errno == ERANGE || !std::isfinite(value))
      throw std::invalid_argument(where + ": expected a finite number in column " + count_text(row.size() + 1));
    row.push_back(value);
    p = end;
    while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
    if (*p == '\0') break;
    if (*p != ',') throw std::invalid_argument(where + ": expected ',' between numbers");
    ++p;
  }
  if (static_cast<Eigen::Index>(row.size()) != dimension)
    throw std::invalid_argument(where + ": expected " + std::to_string(dimension) + " numbers (the objective's dimension), got " +
                                count_text(row.size()));
  return row;
}

std::vector<std::vector<double>> read_csv(const std::string& path, Eigen::Index dimension) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the initial models file");
  std::vector<std::vector<double>> rows;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    rows.push_back(parse_csv_row(line, path + ":" + count_text(number), dimension));
  }
  return rows;
}

}  // namespace

CoordinateLaw parse_coordinate_law(JsonReader& reader) {
  CoordinateLaw law;
  const std::string kind = reader.choice("law", {"normal", "uniform", "constant"});
  if (kind == "normal") {
    law.kind = CoordinateLaw::Kind::normal;
    law.a = reader.number_or("mean", 0.0);
    law.b = reader.non_negative_or("std", 1.0);
  } else if (kind == "uniform") {
    law.kind = CoordinateLaw::Kind::uniform;
    law.a = reader.number("low");
    law.b = reader.number("high");
    if (!(law.b >= law.a)) reader.fail("high", "a number >= low = " + std::to_string(law.a));
  } else {
    law.kind = CoordinateLaw::Kind::constant;
    law.a = reader.number("value");
    law.b = 0;
  }
  reader.finish();
  return law;
}

InitialModelSpec parse_initial_models(JsonReader& reader, std::uint64_t nodes, Eigen::Index dimension) {
  InitialModelSpec spec;
  const int given = static_cast<int>(reader.has("law")) + static_cast<int>(reader.has("values")) +
                    static_cast<int>(reader.has("file"));
  if (given != 1)
    throw ConfigError(reader.path(), "expected exactly one of law, values, file");
  if (reader.has("law")) {
    spec.law = parse_coordinate_law(reader);
    return spec;
  }
  if (reader.has("file")) {
    spec.file = reader.string("file");
    if (spec.file.empty()) reader.fail("file", "a CSV file path");
    reader.finish();
    return spec;
  }
  // A flat list (one getter, so the schema knows it): d numbers for every node, or n·d numbers,
  // node 0's model first.
  const std::vector<double> values = reader.number_list("values");
  const std::string at = reader.path() + "/values";
  const auto d = static_cast<std::size_t>(dimension);
  if (values.empty() || values.size() % d != 0)
    throw ConfigError(at, "expected d = " + std::to_string(dimension) + " numbers (one model for every node) or " +
                              "n·d numbers (node after node), got " + count_text(values.size()));
  const std::size_t rows = values.size() / d;
  for (std::size_t r = 0; r < rows; ++r)
    spec.values.emplace_back(values.begin() + static_cast<std::ptrdiff_t>(r * d),
                             values.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
  if (auto problem = row_count_problem(rows, nodes))
    throw ConfigError(at, "expected " + std::to_string(dimension) + " numbers per model, " + *problem);
  reader.finish();
  return spec;
}

Eigen::MatrixXd build_initial_models(const InitialModelSpec& spec, std::size_t nodes, Eigen::Index dimension,
                                     std::uint64_t seed) {
  Eigen::MatrixXd models(dimension, static_cast<Eigen::Index>(nodes));
  if (spec.law) {
    const std::uint64_t prefix = purpose_key(seed, Stream::initial_models);
    for (std::size_t i = 0; i < nodes; ++i)
      for (Eigen::Index k = 0; k < dimension; ++k)
        models(k, static_cast<Eigen::Index>(i)) = draw(*spec.law, mix_key_from(prefix, i, static_cast<std::uint64_t>(k)));
    return models;
  }
  const std::vector<std::vector<double>> rows = spec.file.empty() ? spec.values : read_csv(spec.file, dimension);
  if (auto problem = row_count_problem(rows.size(), nodes))
    throw std::invalid_argument(spec.file.empty()
                                    ? "/initial_models/values: expected " + std::to_string(dimension) +
                                          " numbers per model, " + *problem
                                    : spec.file + ": expected one line per model, " + *problem);
  for (std::size_t i = 0; i < nodes; ++i) {
    const std::vector<double>& row = rows[rows.size() == 1 ? 0 : i];
    for (Eigen::Index k = 0; k < dimension; ++k) models(k, static_cast<Eigen::Index>(i)) = row[static_cast<std::size_t>(k)];
  }
  return models;
}

}  // namespace dasgd
