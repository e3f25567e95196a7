// Point expansion, validation and the sweep hash; see sweep_points.hpp.
#include "sim/sweep/sweep_points.hpp"

#include <cstdio>
#include <stdexcept>

#include "sim/config/json_reader.hpp"
#include "sim/sweep/config_path.hpp"

namespace dasgd {

namespace {

std::string point_prefix(const SweepPoint& point) {
  const std::string description = describe_point(point);
  return "point " + std::to_string(point.index) + (description.empty() ? "" : " (" + description + ")");
}

std::string shown_value(const nlohmann::json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    const nlohmann::json reparsed = nlohmann::json::parse(text, nullptr, false);
    if (!text.empty() && text.find_first_of(" \t\n") == std::string::npos && reparsed.is_discarded()) return text;
  }
  return value.dump();
}

}  // namespace

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  std::size_t combinations = 1;
  for (const SweepAxis& axis : spec.axes) {
    if (axis.size() == 0) throw std::invalid_argument("expand_points: an axis has no values");
    combinations *= axis.size();
    if (combinations > 10000000) throw ConfigError("/axes", "expected at most 10^7 points, got more");
  }
  const std::size_t seeds = spec.seeds.empty() ? 1 : spec.seeds.size();
  std::vector<SweepPoint> points;
  points.reserve(combinations * seeds);
  std::vector<std::size_t> digit(spec.axes.size(), 0);  // mixed-radix counter, last axis fastest
  for (std::size_t c = 0; c < combinations; ++c) {
    SweepPoint combination;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      for (const AxisColumn& column : spec.axes[a].columns) {
        combination.overrides.push_back({column.path, column.values[digit[a]]});
      }
    }
    for (std::size_t s = 0; s < seeds; ++s) {
      SweepPoint point = combination;
      point.index = points.size();
      if (!spec.seeds.empty()) point.seed = spec.seeds[s];
      points.push_back(std::move(point));
    }
    for (std::size_t a = spec.axes.size(); a-- > 0;) {
      if (++digit[a] < spec.axes[a].size()) break;
      digit[a] = 0;
    }
  }
  return points;
}

nlohmann::json point_document(const SweepSpec& spec, const SweepPoint& point) {
  nlohmann::json document = spec.base;
  for (const PointOverride& o : point.overrides) {
    try {
      set_config_path(document, o.path, o.value);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(point_prefix(point), error.what());
    }
  }
  if (point.seed) document["seed"] = *point.seed;
  return document;
}

std::string describe_point(const SweepPoint& point) {
  std::string text;
  for (const PointOverride& o : point.overrides) {
    if (!text.empty()) text += ' ';
    text += o.path + "=" + shown_value(o.value);
  }
  if (point.seed) {
    if (!text.empty()) text += ' ';
    text += "seed=";
    text += std::to_string(*point.seed);
  }
  return text;
}

std::string sweep_hash(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a offset basis
  const auto feed = [&hash](const std::string& text) {
    for (unsigned char byte : text) {
      hash ^= byte;
      hash *= 1099511628211ull;  // FNV prime
    }
    hash ^= 0xff;  // separator, so "ab"+"c" and "a"+"bc" differ
    hash *= 1099511628211ull;
  };
  feed(spec.base.dump());
  for (const SweepPoint& point : points) {
    nlohmann::json overrides = nlohmann::json::array();
    for (const PointOverride& o : point.overrides) overrides.push_back({o.path, o.value});
    feed(overrides.dump());
    feed(point.seed ? std::to_string(*point.seed) : std::string("base"));
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Sweep make_sweep(SweepSpec spec, const std::string& out) {
  Sweep sweep;
  sweep.points = expand_points(spec);
  for (const SweepAxis& axis : spec.axes) {
    for (const AxisColumn& column : axis.columns) sweep.axis_paths.push_back(column.path);
  }
  sweep.hash = sweep_hash(spec, sweep.points);
  sweep.directory = out.empty() ? std::filesystem::path(spec.output_directory) : std::filesystem::path(out);
  sweep.spec = std::move(spec);
  return sweep;
}

RunConfig point_config(const Sweep& sweep, std::size_t k) {
  const SweepPoint& point = sweep.points.at(k);
  try {
    return parse_run_config(point_document(sweep.spec, point), sweep.spec.base_source);
  } catch (const ConfigError& error) {
    if (error.path().rfind("point ", 0) == 0) throw;
    throw ConfigError(point_prefix(point), error.what());
  }
}

void validate_points(const Sweep& sweep) {
  for (std::size_t k = 0; k < sweep.points.size(); ++k) point_config(sweep, k);
}

Sweep load_sweep(const std::filesystem::path& file, const std::string& out) {
  return make_sweep(load_sweep_spec(file), out);
}

}  // namespace dasgd
