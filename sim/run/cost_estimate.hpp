// What a run will cost, known from its config before anything is built (config → cost → world):
// nodes, edges and arcs from closed forms per graph kind (a file's from its size), bytes of the
// graph, the models every algorithm keeps, the data set, staleness tracking, metrics rows and the
// per-gradient log, and events and wall time from the compute and latency laws. The CLI refuses a
// world that would not fit (exit 2, nothing written) and tells the user when a run is large.
// Estimates are upper-leaning orders of magnitude, not measurements (docs/ROBUSTNESS.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/config/run_config.hpp"

namespace dasgd {

struct CostEstimate {
  double nodes = 0;
  double edges = 0;
  double arcs = 0;
  double dimension = 0;
  double model_copies = 0;      // model-sized vectors per node the algorithm keeps
  double gradients = 0;         // gradients computed (all nodes together)
  double events = 0;            // simulator events
  double end_time = 0;          // virtual seconds
  // Width in gradients of a node's out-of-order window (rate × mean delivery delay): the cost of
  // one per-delivery set figure is W/64 words (record.deliveries "auto" reads it).
  double window_gradients = 0;
  double metrics_rows = 0;
  // Bytes at the peak, by component.
  double graph_bytes = 0;       // edge list while building, CSR, per-arc link state
  double model_bytes = 0;       // n · d · 8 per copy, plus the recorders' global copies
  double data_bytes = 0;        // finite-sum samples (and their sorted copy when heterogeneous)
  double tracking_bytes = 0;    // staleness sets (per-delivery tracking)
  double metrics_bytes = 0;     // convergence rows (per-node columns when node_stats)
  // gradients.csv (per_gradient): streamed to disk during the run, so disk, not memory.
  double log_disk_bytes = 0;
  // trace.json (record.trace): streamed to disk too.
  double trace_disk_bytes = 0;
  double total_bytes() const { return graph_bytes + model_bytes + data_bytes + tracking_bytes + metrics_bytes; }
  double wall_seconds = 0;
  // The JSON pointer of the config value that drives the largest memory component (for refusals).
  std::string largest_component_path;
  std::string largest_component;
};

// Algorithms whose gradient sets are unions at model merges, kept as vector clocks
// (SetLayout::origin_prefixes); the others keep bit windows.
bool averaging_algorithm(const std::string& name);

// Throws ConfigError for worlds whose virtual time cannot advance (an all-zero trace with a time
// stop, a record.interval below the clock's resolution at the estimated end time) and for a
// heterogeneous minibatch larger than a node's share of the samples.
CostEstimate estimate_cost(const RunConfig& config);

// Bytes the graph alone needs while it is built (the `dasgd graph` command's check), and the
// ConfigError at "/graph" when that exceeds `limit_bytes`.
double estimate_graph_bytes(const TopologySpec& spec);
void refuse_graph_if_too_large(const TopologySpec& spec, double limit_bytes, const std::string& limit_source);

// "4G", "512M", "1.5T", "800k", "1000000" (bytes); binary units (G = 2^30). nullopt when malformed.
std::optional<double> parse_memory_size(const std::string& text);
// MemAvailable from /proc/meminfo, lowered to the cgroup's memory.max headroom when that is
// smaller; nullopt when neither can be read.
std::optional<double> available_memory_bytes();
// "1.5 GB", "320 MB", "12 kB" (decimal units, two significant digits); "3.2 min", "2.1 h", ...
std::string human_bytes(double bytes);
std::string human_duration(double seconds);
// One line: "about 2.1e9 events, 3.2 min wall, 1.5 GB memory (models 1.2 GB, graph 0.3 GB)".
std::string describe_cost(const CostEstimate& estimate);
// Large enough to tell the user before running: more than 10 s or 1 GB.
bool worth_telling(const CostEstimate& estimate);

// Longest estimated wall time accepted: a run past it is refused as one that would not end.
inline constexpr double max_wall_seconds = 30.0 * 24 * 3600;

// Throws ConfigError (pointer of the largest component) when the estimate exceeds `limit_bytes`,
// naming what needs the memory and where the limit came from (`limit_source`), or when the wall
// time exceeds max_wall_seconds.
void refuse_if_too_costly(const CostEstimate& estimate, double limit_bytes, const std::string& limit_source);

// The limit for a run: `--max-memory` when given (throws ConfigError "--max-memory: ..." when
// malformed), else the available memory, else no limit (infinity). `source` says which.
double memory_limit(const std::string& max_memory_flag, std::string& source);

}  // namespace dasgd
