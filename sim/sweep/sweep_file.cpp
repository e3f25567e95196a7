// Sweep file parsing; see sweep_file.hpp.
#include "sim/sweep/sweep_file.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>

#include "sim/config/json_file.hpp"
#include "sim/config/json_reader.hpp"
#include "sim/sweep/config_path.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

// Integer endpoints whose every step lands on an integer give JSON integers, so a range over
// "graph.nodes" (8..32 in 4 steps: 8, 16, 24, 32) passes the schema's integer checks.
std::vector<json> range_values(JsonReader& reader, bool logarithmic) {
  const double from = logarithmic ? reader.positive("from") : reader.number("from");
  const double to = logarithmic ? reader.positive("to") : reader.number("to");
  const std::uint64_t steps = reader.positive_count("steps");
  if (steps == 1 && from != to) reader.fail("steps", "at least 2 steps when from != to");
  if (steps > 1000000) reader.fail("steps", "at most 1000000 steps");
  const bool integer_endpoints =
      reader.node()["from"].is_number_integer() && reader.node()["to"].is_number_integer();
  reader.finish();
  const std::vector<double> numbers = logarithmic ? log_range(from, to, steps) : linear_range(from, to, steps);
  bool integral = integer_endpoints;
  for (double x : numbers) integral = integral && x == std::round(x) && std::abs(x) < 9.0e15;
  std::vector<json> values;
  values.reserve(numbers.size());
  for (double x : numbers) {
    if (integral) {
      values.emplace_back(static_cast<std::int64_t>(x));
    } else {
      values.emplace_back(x);
    }
  }
  return values;
}

AxisColumn parse_column(JsonReader& reader) {
  AxisColumn column;
  column.path = reader.string("path");
  try {
    config_path_tokens(column.path);
  } catch (const std::invalid_argument& error) {
    reader.fail("path", std::string("a config path such as \"graph.nodes\" or \"/graph/nodes\" (") +
                            error.what() + ")");
  }
  const bool has_values = reader.has("values");
  const int forms = int(has_values) + int(reader.has("range")) + int(reader.has("log_range"));
  if (forms != 1) {
    throw ConfigError(reader.path(), "expected exactly one of \"values\", \"range\", \"log_range\" beside \"path\", got " +
                                         std::to_string(forms));
  }
  if (has_values) {
    reader.accept("values");
    const json& values = reader.node()["values"];
    if (!values.is_array() || values.empty()) reader.fail("values", "a non-empty array of values");
    column.values.assign(values.begin(), values.end());
  } else if (reader.has("range")) {
    JsonReader range = reader.object("range");
    column.values = range_values(range, false);
  } else {
    JsonReader range = reader.object("log_range");
    column.values = range_values(range, true);
  }
  reader.finish();
  return column;
}

SweepAxis parse_axis(JsonReader& reader) {
  SweepAxis axis;
  if (reader.has("zip")) {
    axis.zipped = true;
    for (JsonReader& member : reader.object_list("zip")) axis.columns.push_back(parse_column(member));
    reader.finish();
    if (axis.columns.empty()) reader.fail("zip", "a non-empty list of axes");
    for (std::size_t i = 1; i < axis.columns.size(); ++i) {
      if (axis.columns[i].values.size() != axis.size()) {
        throw ConfigError(reader.path() + "/zip/" + std::to_string(i),
                          "expected " + std::to_string(axis.size()) + " values (as many as " +
                              axis.columns.front().path + ": zipped axes advance together), got " +
                              std::to_string(axis.columns[i].values.size()));
      }
    }
  } else {
    axis.columns.push_back(parse_column(reader));
  }
  return axis;
}

std::vector<std::uint64_t> parse_seeds(JsonReader& root) {
  const json& node = root.node()["seeds"];
  std::vector<std::uint64_t> seeds;
  if (node.is_number()) {
    const std::uint64_t count = root.positive_count("seeds");
    if (count > 1000000) root.fail("seeds", "at most 1000000 seeds");
    for (std::uint64_t s = 1; s <= count; ++s) seeds.push_back(s);
    return seeds;
  }
  root.accept("seeds");
  if (!node.is_array() || node.empty()) {
    root.fail("seeds", "a count (3 means seeds 1, 2, 3) or a non-empty list of seeds");
  }
  std::set<std::uint64_t> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const json& seed = node[i];
    if (!seed.is_number_integer() || seed.get<std::int64_t>() < 0) {
      throw ConfigError(root.path() + "/seeds/" + std::to_string(i),
                        "expected an integer >= 0, got " + seed.dump());
    }
    if (!seen.insert(seed.get<std::uint64_t>()).second) {
      throw ConfigError(root.path() + "/seeds/" + std::to_string(i),
                        "expected distinct seeds, got " + seed.dump() + " twice");
    }
    seeds.push_back(seed.get<std::uint64_t>());
  }
  return seeds;
}

json read_json_file(const std::filesystem::path& file, const std::string& pointer) {
  try {
    return dasgd::read_json_file(file.string());
  } catch (const ConfigError& error) {
    throw ConfigError(pointer, file.string() + ": " + error.what());
  }
}

// Two axes over the same path, or over a path and one inside it, would fight over one value and
// make their order matter: refused.
void refuse_overlapping_paths(const SweepSpec& spec) {
  std::vector<std::pair<std::vector<std::string>, std::string>> seen;
  if (!spec.seeds.empty()) seen.push_back({{"seed"}, "\"seeds\""});
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    for (std::size_t c = 0; c < spec.axes[a].columns.size(); ++c) {
      const AxisColumn& column = spec.axes[a].columns[c];
      const std::vector<std::string> tokens = config_path_tokens(column.path);
      const std::string where =
          "/axes/" + std::to_string(a) + (spec.axes[a].zipped ? "/zip/" + std::to_string(c) : std::string());
      for (const auto& [other, name] : seen) {
        const std::size_t n = std::min(other.size(), tokens.size());
        if (std::equal(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(n), other.begin())) {
          throw ConfigError(where + "/path", "expected a path no other axis sweeps, got \"" + column.path +
                                                 "\", which overlaps " + name);
        }
      }
      seen.push_back({tokens, "the axis at " + where + " (\"" + column.path + "\")"});
    }
  }
}

// The nearest 15-significant-digit decimal: drops the last-bit noise of the arithmetic, so that
// 0.2..1 in 5 steps gives 0.6 (not 0.6000000000000001) and 10^-2 gives 0.01, as a person types
// them, in the CSV and in --list. Moves a value by at most a few units in the last place.
double decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", value);
  return std::strtod(text, nullptr);
}

}  // namespace

std::vector<double> linear_range(double from, double to, std::uint64_t steps) {
  if (steps == 0) throw std::invalid_argument("linear_range: expected steps >= 1, got 0");
  if (!std::isfinite(from) || !std::isfinite(to)) throw std::invalid_argument("linear_range: expected finite endpoints");
  std::vector<double> values(steps);
  const double last = static_cast<double>(steps - 1);
  // from + (to - from) i / (n-1), no accumulated rounding; endpoints exact below.
  for (std::uint64_t i = 0; i < steps; ++i) {
    values[i] = steps == 1 ? from : decimal(from + (to - from) * (static_cast<double>(i) / last));
  }
  values.back() = steps == 1 ? from : to;
  return values;
}

std::vector<double> log_range(double from, double to, std::uint64_t steps) {
  if (!(from > 0) || !(to > 0) || !std::isfinite(from) || !std::isfinite(to)) {
    throw std::invalid_argument("log_range: expected finite endpoints > 0");
  }
  std::vector<double> exponents = linear_range(std::log10(from), std::log10(to), steps);
  std::vector<double> values(steps);
  for (std::uint64_t i = 0; i < steps; ++i) values[i] = decimal(std::pow(10.0, exponents[i]));
  values.front() = from;
  values.back() = steps == 1 ? from : to;
  return values;
}

SweepSpec parse_sweep_spec(json document, const std::filesystem::path& file) {
  if (!document.is_object()) throw ConfigError("", "expected a JSON object at the top level");
  SweepSpec spec;
  spec.file = file;
  JsonReader root(document, "");
  spec.name = root.string_or("name", file.empty() ? "sweep" : file.stem().string());
  if (spec.name.empty() || spec.name.find('/') != std::string::npos) root.fail("name", "a non-empty name without '/'");

  const std::filesystem::path directory = file.parent_path();
  if (!root.has("base")) root.fail("base", "a run config object or the path of a run config file");
  root.accept("base");
  const json& base = root.node()["base"];
  if (base.is_string()) {
    std::filesystem::path base_file = base.get<std::string>();
    if (base_file.is_relative()) base_file = directory / base_file;
    spec.base = read_json_file(base_file, "/base");
    spec.base_source = base_file.string();
  } else if (base.is_object()) {
    spec.base = base;
    spec.base_source = file.empty() ? std::string("sweep.json") : file.string();
  } else {
    root.fail("base", "a run config object or the path of a run config file");
  }
  if (!spec.base.is_object()) throw ConfigError("/base", "expected the base config to be a JSON object");

  if (root.has("axes")) {
    for (JsonReader& axis : root.object_list("axes")) spec.axes.push_back(parse_axis(axis));
  }
  if (root.has("seeds")) spec.seeds = parse_seeds(root);
  {
    JsonReader output = root.object_or_empty("output");
    spec.output_directory = output.string_or("directory", "runs/sweeps/" + spec.name);
    if (spec.output_directory.empty()) output.fail("directory", "a non-empty directory");
    spec.run_directories = output.boolean_or("run_directories", false);
    output.finish();
  }
  root.finish();
  refuse_overlapping_paths(spec);
  return spec;
}

SweepSpec load_sweep_spec(const std::filesystem::path& file) {
  return parse_sweep_spec(dasgd::read_json_file(file.string()), file);
}

}  // namespace dasgd
