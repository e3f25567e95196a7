// The points of a sweep (config stage): the Cartesian product of the axes, zipped axes advancing
// together, seeds innermost. Points are counted from the axes and decoded from their index on
// demand, never all held at once; a bounded sample is validated (overrides applied,
// parse_run_config called, nothing run) before the first one runs, and the sweep is hashed so that
// a results directory is never resumed with a different sweep.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/run_config.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace dasgd {

struct PointOverride {
  std::string path;
  nlohmann::json value;  // null: the key is removed
};

// One run of the sweep: K is its index in point order (the row order of results.csv).
struct SweepPoint {
  std::size_t index = 0;
  std::vector<PointOverride> overrides;  // one per axis column, in axis order
  std::optional<std::uint64_t> seed;     // nullopt: the base config's seed
};

// The most points a sweep may have: each leaves one record file, and results.csv one row.
inline constexpr std::size_t kMaxSweepPoints = 100'000'000;
// Sweeps up to this size are validated point by point before anything runs; larger ones by the
// rule of validation_sample().
inline constexpr std::size_t kExhaustiveValidationLimit = 2000;

// Π |axis| × max(1, |seeds|), counted from the axes alone (no point is built), so that a sweep of
// 10^13 points is refused at once. Throws ConfigError at "/axes" above kMaxSweepPoints or when an
// axis has no values.
std::size_t count_points(const SweepSpec& spec);

// Point K in row-major order (the first axis varies slowest, then the next, ..., seeds fastest),
// decoded from K in O(axes): no other point is built. A sweep with no axes and no seeds has one
// point (the base config itself). K must be < count_points(spec).
SweepPoint point_at(const SweepSpec& spec, std::size_t k);

// Every point, in order (small sweeps: tests, --list).
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// The base document with the point's overrides and seed applied (not yet parsed). Throws
// ConfigError "point K (...): <path>: ..." when an override cannot be placed.
nlohmann::json point_document(const SweepSpec& spec, const SweepPoint& point);

// "graph.kind=ring graph.nodes=16 seed=2": what --list prints and errors quote. Strings are shown
// bare unless they would read back as another JSON value; null is shown as "null" (removed).
std::string describe_point(const SweepPoint& point);

struct Sweep {
  SweepSpec spec;
  std::size_t point_count = 0;           // count_points(spec)
  std::vector<std::string> axis_paths;   // one results.csv column per axis column, in axis order
  std::string hash;                      // 16 hex digits over the base, the axes and the seeds
  std::filesystem::path directory;       // where results go
  SweepPoint point(std::size_t k) const { return point_at(spec, k); }
};

// Parses the sweep file and counts its points (none is built or parsed yet). `out` replaces the
// sweep's output.directory when not empty. Throws ConfigError for a bad sweep file or one with
// more than kMaxSweepPoints points. O(axes), whatever the number of points.
Sweep load_sweep(const std::filesystem::path& file, const std::string& out = {});
Sweep make_sweep(SweepSpec spec, const std::string& out = {});

// Point K's run config, parsed and validated; throws ConfigError naming the point and the JSON path
// ("point 3 (graph.kind=ring graph.nodes=2): /graph/nodes: expected ...").
RunConfig point_config(const Sweep& sweep, std::size_t k);

// The points checked before a sweep runs, in increasing order. Every point when the sweep has at
// most kExhaustiveValidationLimit points. Above that, a set whose size grows with the axes, not
// with the points: for every axis and every one of its values, the point with that value and every
// other axis at its first value (so each value is seen once, by itself), the first and the last
// seed, and 256 points spread evenly over the sweep (K = ⌊i·N/256⌋, plus the last), which catch
// most values that are only invalid together. A point outside the sample that turns out invalid
// when it runs becomes a failed row whose reason is the validation error (never a crash, and never
// a run of an invalid config).
std::vector<std::size_t> validation_sample(const Sweep& sweep);

// point_config for every point of validation_sample(), in order, so that the first bad one stops
// the sweep before anything runs or any file is written.
void validate_points(const Sweep& sweep);

// FNV-1a, 64 bits, over the canonical JSON of the base config, of every axis (its paths and
// values, in order) and of the seeds (keys sorted by nlohmann::json): whitespace and key order in
// the files do not change it, any value does, and so does any change to the expansion (which the
// axes and seeds determine). Where the files lie does not enter it, so `sweeps/x.json` and
// `./sweeps/x.json` resume each other. O(axes), never O(points).
std::string sweep_hash(const SweepSpec& spec);

}  // namespace dasgd
