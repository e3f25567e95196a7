// A sweep file (config stage, one level above a run config): a base run config plus axes over any of
// its paths (value lists, linear and logarithmic ranges, zipped axes) and repeated seeds. Parsing
// checks the sweep file's own keys; sweep_points.hpp expands and validates the points it describes.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dasgd {

// One swept config path and the values it takes. A null value means "absent": the key is removed
// from the base config at that point (a zipped "graph.nodes": [16, null] beside "graph.kind":
// ["ring", "torus"] gives a torus without a nodes key).
struct AxisColumn {
  std::string path;                   // dotted ("graph.nodes") or a JSON pointer ("/graph/nodes")
  std::vector<nlohmann::json> values;
};

// One axis of the Cartesian product: a plain axis has one column; a zipped axis has several, all
// of the same length, which advance together.
struct SweepAxis {
  std::vector<AxisColumn> columns;
  bool zipped = false;
  std::size_t size() const { return columns.empty() ? 0 : columns.front().values.size(); }
};

struct SweepSpec {
  std::filesystem::path file;          // the sweep file ("" for a document given inline)
  std::string name;                    // default: the sweep file's stem
  nlohmann::json base;                 // the base run config, before any override
  // Path that relative paths inside the base config resolve against (graph files, traces): the
  // base config's own file when "base" names one, else the sweep file.
  std::string base_source;
  std::vector<SweepAxis> axes;         // outermost first: the last axis varies fastest
  std::vector<std::uint64_t> seeds;    // innermost loop; empty: the base config's own seed
  std::string output_directory;        // default "runs/sweeps/<name>" (relative to the working dir)
  bool run_directories = false;        // also write each point's full run directory (runs/<K>/)
};

// n evenly spaced values from `from` to `to`, both endpoints exact (n = 1 gives {from}), inner
// values rounded to 15 significant digits (0.2..1 in 5 steps: 0.6, not 0.6000000000000001). Throws
// std::invalid_argument for n = 0 or a non-finite endpoint.
std::vector<double> linear_range(double from, double to, std::uint64_t steps);
// n values evenly spaced in log10 from `from` to `to` (both > 0), endpoints exact: 0.1..10 in 5
// steps gives 0.1, 10^-0.5, 1, 10^0.5, 10.
std::vector<double> log_range(double from, double to, std::uint64_t steps);

// Parses a sweep document. `file` is where it was read from (relative "base" paths resolve against
// its directory). Throws ConfigError with the JSON pointer of the offending key.
SweepSpec parse_sweep_spec(nlohmann::json document, const std::filesystem::path& file);

// Reads and parses a sweep file; ConfigError with path "" when unreadable or not JSON.
SweepSpec load_sweep_spec(const std::filesystem::path& file);

}  // namespace dasgd
