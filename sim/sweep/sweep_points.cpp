// Point expansion, validation and the sweep hash; see sweep_points.hpp.
#include "sim/sweep/sweep_points.hpp"

#include <algorithm>
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

std::size_t count_points(const SweepSpec& spec) {
  // In long double, so that 10^6 × 10^6 × 10^6 is compared, not wrapped.
  long double count = spec.seeds.empty() ? 1.0L : static_cast<long double>(spec.seeds.size());
  std::string factors = spec.seeds.empty() ? std::string() : std::to_string(spec.seeds.size()) + " seeds";
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    const std::size_t size = spec.axes[a].size();
    if (size == 0) throw ConfigError("/axes/" + std::to_string(a), "expected an axis with at least one value");
    count *= static_cast<long double>(size);
    factors = std::to_string(size) + (factors.empty() ? "" : " x " + factors);
  }
  if (count > static_cast<long double>(kMaxSweepPoints)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3Lg", count);
    throw ConfigError("/axes", "expected at most 10^8 points (each leaves a record file and a results.csv row), got " +
                                   std::string(text) + " (" + factors + "): split the sweep or shorten an axis");
  }
  return static_cast<std::size_t>(count);
}

SweepPoint point_at(const SweepSpec& spec, std::size_t k) {
  SweepPoint point;
  point.index = k;
  const std::size_t seeds = spec.seeds.empty() ? 1 : spec.seeds.size();
  if (!spec.seeds.empty()) point.seed = spec.seeds[k % seeds];
  std::size_t rest = k / seeds;
  // Mixed-radix digits, the last axis fastest.
  std::vector<std::size_t> digit(spec.axes.size(), 0);
  for (std::size_t a = spec.axes.size(); a-- > 0;) {
    digit[a] = rest % spec.axes[a].size();
    rest /= spec.axes[a].size();
  }
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    for (const AxisColumn& column : spec.axes[a].columns) point.overrides.push_back({column.path, column.values[digit[a]]});
  }
  return point;
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  const std::size_t count = count_points(spec);
  std::vector<SweepPoint> points;
  points.reserve(count);
  for (std::size_t k = 0; k < count; ++k) points.push_back(point_at(spec, k));
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

std::string sweep_hash(const SweepSpec& spec) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a offset basis
  const auto feed = [&hash](const std::string& text) {
    for (unsigned char byte : text) {
      hash ^= byte;
      hash *= 1099511628211ull;  // FNV prime
    }
    hash ^= 0xff;  // separator, so "ab"+"c" and "a"+"bc" differ
    hash *= 1099511628211ull;
  };
  feed("dasgd sweep v2");  // the expansion rule (row-major, seeds innermost) this hash stands for
  feed(spec.base.dump());
  for (const SweepAxis& axis : spec.axes) {
    nlohmann::json columns = nlohmann::json::array();
    for (const AxisColumn& column : axis.columns) columns.push_back({column.path, column.values});
    feed(columns.dump());
  }
  nlohmann::json seeds = spec.seeds;
  feed(spec.seeds.empty() ? std::string("base") : seeds.dump());
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Sweep make_sweep(SweepSpec spec, const std::string& out) {
  Sweep sweep;
  sweep.point_count = count_points(spec);
  for (const SweepAxis& axis : spec.axes) {
    for (const AxisColumn& column : axis.columns) sweep.axis_paths.push_back(column.path);
  }
  sweep.hash = sweep_hash(spec);
  sweep.directory = out.empty() ? std::filesystem::path(spec.output_directory) : std::filesystem::path(out);
  sweep.spec = std::move(spec);
  return sweep;
}

RunConfig point_config(const Sweep& sweep, std::size_t k) {
  if (k >= sweep.point_count) throw std::out_of_range("point_config: point " + std::to_string(k) + " is past the sweep");
  const SweepPoint point = sweep.point(k);
  try {
    return parse_run_config(point_document(sweep.spec, point), sweep.spec.base_source);
  } catch (const ConfigError& error) {
    if (error.path().rfind("point ", 0) == 0) throw;
    throw ConfigError(point_prefix(point), error.what());
  }
}

std::vector<std::size_t> validation_sample(const Sweep& sweep) {
  const std::size_t n = sweep.point_count;
  std::vector<std::size_t> sample;
  if (n <= kExhaustiveValidationLimit) {
    sample.resize(n);
    for (std::size_t k = 0; k < n; ++k) sample[k] = k;
    return sample;
  }
  const SweepSpec& spec = sweep.spec;
  const std::size_t seeds = spec.seeds.empty() ? 1 : spec.seeds.size();
  // stride[a]: how far point K moves when axis a's digit goes up by one.
  std::vector<std::size_t> stride(spec.axes.size(), seeds);
  for (std::size_t a = spec.axes.size(); a-- > 1;) stride[a - 1] = stride[a] * spec.axes[a].size();
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    for (std::size_t v = 0; v < spec.axes[a].size(); ++v) sample.push_back(v * stride[a]);
  }
  sample.push_back(0);
  sample.push_back(seeds - 1);
  constexpr std::size_t spread = 256;
  for (std::size_t i = 0; i < spread; ++i) {
    sample.push_back(static_cast<std::size_t>(static_cast<long double>(i) * static_cast<long double>(n) / spread));
  }
  sample.push_back(n - 1);
  std::sort(sample.begin(), sample.end());
  sample.erase(std::unique(sample.begin(), sample.end()), sample.end());
  return sample;
}

void validate_points(const Sweep& sweep) {
  for (std::size_t k : validation_sample(sweep)) {
    const RunConfig config = point_config(sweep, k);
    // Every axis value is in the sample, so a point that traces is found here if any does.
    if (config.record.trace && !sweep.spec.run_directories)
      throw ConfigError(point_prefix(sweep.point(k)),
                        "/record/trace: a sweep writes trace.json only into its points' run directories "
                        "(runs/<K>/trace.json): set \"output\": {\"run_directories\": true} in the sweep file, "
                        "or remove record.trace");
  }
}

Sweep load_sweep(const std::filesystem::path& file, const std::string& out) {
  return make_sweep(load_sweep_spec(file), out);
}

}  // namespace dasgd
