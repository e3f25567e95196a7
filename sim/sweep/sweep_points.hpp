// The points of a sweep (config stage): the Cartesian product of the axes, zipped axes advancing
// together, seeds innermost. Every point is validated (overrides applied, parse_run_config called,
// nothing run) before the first one runs, and the whole expansion is hashed so that a results
// directory is never resumed with a different sweep.
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

// Row-major order: the first axis varies slowest, then the next, ..., seeds fastest. A sweep with no
// axes and no seeds has one point (the base config itself).
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// The base document with the point's overrides and seed applied (not yet parsed). Throws
// ConfigError "point K (...): <path>: ..." when an override cannot be placed.
nlohmann::json point_document(const SweepSpec& spec, const SweepPoint& point);

// "graph.kind=ring graph.nodes=16 seed=2": what --list prints and errors quote. Strings are shown
// bare unless they would read back as another JSON value; null is shown as "null" (removed).
std::string describe_point(const SweepPoint& point);

struct Sweep {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::vector<std::string> axis_paths;   // one results.csv column per axis column, in axis order
  std::string hash;                      // 16 hex digits over the base and every point
  std::filesystem::path directory;       // where results go
};

// Parses the sweep file and expands it (no point parsed yet). `out` replaces the sweep's
// output.directory when not empty. Throws ConfigError for a bad sweep file.
Sweep load_sweep(const std::filesystem::path& file, const std::string& out = {});
Sweep make_sweep(SweepSpec spec, const std::string& out = {});

// Point K's run config, parsed and validated; throws ConfigError naming the point and the JSON path
// ("point 3 (graph.kind=ring graph.nodes=2): /graph/nodes: expected ...").
RunConfig point_config(const Sweep& sweep, std::size_t k);

// point_config for every point, in order, so that the first bad point stops the sweep before
// anything runs or any file is written. (A `--point K` worker checks only its own point: checking
// all in every worker would cost O(points^2).)
void validate_points(const Sweep& sweep);

// FNV-1a, 64 bits, over the canonical JSON of the base config and of every point (keys sorted by
// nlohmann::json): whitespace and key order in the files do not change it, any value does. Where
// the files lie does not enter it, so `sweeps/x.json` and `./sweeps/x.json` resume each other.
std::string sweep_hash(const SweepSpec& spec, const std::vector<SweepPoint>& points);

}  // namespace dasgd
