// What the Python module does, in C++ and without Python (python/src/module.cpp binds it): load a
// config the way the CLI does (file, JSON text or a dict's JSON, then the --set overrides), run
// it, a comparison, a sweep or a graph report, and keep every table the CLI would write in memory
// (sim/output/table.hpp). Writing the CLI's files is optional and follows the CLI's directory
// rules. Every function here runs without the GIL.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/config/run_config.hpp"
#include "sim/output/table.hpp"
#include "sim/run/comparison.hpp"
#include "sim/run/experiment.hpp"
#include "topologies/summary.hpp"

namespace dasgd::python {

// A config as the caller gave it: a file path, or JSON text (a dict arrives as its JSON text).
struct ConfigInput {
  std::string path;                      // a file: read with the CLI's guards
  std::string text;                      // else: JSON text
  std::vector<std::string> overrides;    // "path=value", applied in order (--set)
  // How errors name it: the path, or "config" for text.
  std::string source() const { return path.empty() ? "config" : path; }
  // The path relative files in it resolve against, whose stem is the default name: the file, or
  // ./config.json for text.
  std::string source_path() const;
};

// The document with the overrides applied. Throws ConfigError.
nlohmann::json load_document(const ConfigInput& input);

struct CallOptions {
  std::string output;        // "" : nothing written
  bool force = false;        // --force
  bool progress = false;     // progress bar on stderr (a terminal only)
  bool handle_signals = false;  // install the SIGINT/SIGTERM guard (main thread only)
  std::string max_memory;    // --max-memory ("" : the memory available now)
};

struct RunOutcome {
  RunConfig config;
  RunResult result;
  nlohmann::json summary;
  TableSet tables;           // metrics.csv, staleness_hist.csv, staleness_windows.csv, nodes.csv, gradients.csv
  std::string directory;     // where the files went ("" : none)
  int signal = 0;            // the signal that stopped it (0 : none)
};

// Throws ConfigError (bad config, too costly, a world that cannot be built), OutputDirectoryError,
// WriteAbandoned (a second signal while writing), std::runtime_error (the run failed).
RunOutcome run_call(const ConfigInput& input, const CallOptions& options);

struct CompareOutcome {
  std::vector<ComparisonEntry> entries;
  std::vector<ComparisonOutcome> outcomes;  // one per entry, in order
  std::vector<nlohmann::json> summaries;    // per outcome; null when it has no run
  std::vector<TableSet> run_tables;         // per outcome; empty when it has no run
  TableSet tables;                          // comparison.csv, comparison_summary.csv, ...
  std::string directory;
  int signal = 0;
};

CompareOutcome compare_call(const ConfigInput& input, const CallOptions& options, bool common_random_numbers);

struct SweepOutcome {
  TableSet tables;           // results.csv, timing.csv
  std::string directory;
  std::size_t points = 0;
  std::size_t missing = 0;   // points without a record (interrupted, or transient failures)
  int signal = 0;
};

// `jobs` points at a time in threads of this process (results do not depend on it). With an
// output directory the sweep is the CLI's: records in points/, resumable, results.csv merged.
SweepOutcome sweep_call(const ConfigInput& input, const CallOptions& options, unsigned jobs);

// `dasgd predict --json` for the config: the closed forms, no run. Throws ConfigError (a bad
// config, or a world that cannot be built: std::invalid_argument becomes a ConfigError at its path).
nlohmann::json predict_call(const ConfigInput& input);

struct GraphOutcome {
  TopologySummary summary;
  std::string text;          // what `dasgd graph` prints
};

// `input` is a run config (its "graph" section is used) or a graph section itself. Random kinds draw
// from `seed`; absent: the run config's seed, else 1 (`dasgd graph`'s default).
GraphOutcome graph_call(const ConfigInput& input, std::optional<std::uint64_t> seed);

}  // namespace dasgd::python
