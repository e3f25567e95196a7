// Several algorithms on one identical world (config → world → run → metrics → files): a compare
// file is a run config whose "algorithms" list replaces "algorithm". With common random numbers
// (the default) every algorithm sees the same compute and link delay draws, so differences come
// from the algorithm, not the draw.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/run_config.hpp"
#include "sim/output/table.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {

struct ComparisonEntry {
  std::string label;   // "label" of the algorithm entry, or its name (deduplicated: name_2, ...)
  RunConfig config;
};

// Expands a compare document into one validated run config per algorithm. Throws ConfigError
// naming the JSON path ("/algorithms/2/eta: ...").
std::vector<ComparisonEntry> parse_comparison(nlohmann::json document, const std::string& source_path);
std::vector<ComparisonEntry> load_comparison(const std::string& path, const std::vector<std::string>& overrides);

struct ComparisonOutcome {
  std::string label;
  RunStatus status = RunStatus::failed;  // completed, diverged, interrupted, failed (docs/OUTCOMES.md)
  std::string reason;   // why it failed (e.g. the algorithm refuses the graph)
  const RunConfig* config = nullptr;
  RunResult result;
};

// Writes comparison.csv (one metrics row per algorithm and time), comparison_summary.csv (one row
// per algorithm), comparison_staleness.csv (histograms side by side) and comparison_figures.csv
// (each algorithm's own figures), atomically.
void write_comparison(const std::vector<ComparisonOutcome>& outcomes, const std::filesystem::path& directory);
// The same four tables through `open` (CSV files, or memory for the Python module).
void build_comparison_tables(const std::vector<ComparisonOutcome>& outcomes, const TableOpener& open);

// The top-level names a comparison directory may hold: its four CSV files and one run directory
// per label.
std::vector<std::string> comparison_file_names(const std::vector<ComparisonEntry>& entries);

}  // namespace dasgd
