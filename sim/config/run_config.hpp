// One run, as a JSON file describes it: seed, graph, delay models, objective, algorithm, stopping
// rule, what to record, where to write. Parsing validates everything before anything runs and
// fills in defaults, so the resolved document can be written beside the results (config → world).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "objectives/objective_factory.hpp"
#include "sim/config/objective_config.hpp"
#include "sim/config/delay_config.hpp"
#include "sim/config/initial_model_config.hpp"
#include "sim/config/algorithm_config.hpp"
#include "sim/config/json_reader.hpp"
#include "sim/config/model_record_config.hpp"
#include "sim/config/topology_config.hpp"
#include "sim/config/trace_config.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/link_model.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

struct StopSpec {
  std::optional<double> time;            // simulated seconds
  std::optional<std::uint64_t> gradients;  // gradients completed (all nodes together)
  // A per-node budget (docs/EXPERIMENTS.md, "A per-node gradient budget"): a node starts nothing
  // once it has completed this many gradients; the run stops when every computing node has.
  std::optional<std::uint64_t> gradients_per_node;
  std::optional<double> grad_norm_sq;    // stop once ‖∇f(x̄)‖² ≤ this (checked at each record)
  // After the stopping rule fires, start no new computations but deliver every message in flight
  // (every model then holds every gradient that was sent); the run ends when the queue is empty.
  bool drain = false;
  // The divergence rule's factor (sim/metrics/divergence.hpp, docs/OUTCOMES.md): the run stops as
  // "diverged" once f(x̄) − f* exceeds this many times its start value. Absent: 1e6 (not written
  // back, so resolved configs of earlier versions stay the same).
  std::optional<double> divergence_factor;
};

// Metrics rows (metrics.csv) cost O(n·d) each (x̄, consensus, per-node f and ‖∇f‖²), like about
// one gradient per node. Default spacing (when neither interval nor every_gradients is given):
// stop.time / 200 or stop.gradients / 200, about 200 rows; but when 200 rows would read more than
// sampling_work_floor model coordinates (200·n·d > 2.5·10^5, a fraction of a millisecond), rows are
// spaced by at least min_gradients_per_row expected gradients per node: interval >=
// 5 · E[compute time] (base law mean, stragglers and slow-downs included; not applied for traces
// or graphs whose size is only known once read), every_gradients >= 5·n. Rows then cost at most
// about a tenth of the run at any n (docs/PERFORMANCE.md gives the measurement). Deterministic:
// it depends on the config only, and the resolved config.json records the interval used.
inline constexpr double sampling_work_floor = 2.5e5;
inline constexpr double min_gradients_per_row = 5.0;

struct RecordSpec {
  double interval = 0;                   // simulated seconds between metric rows (0: none by time)
  std::uint64_t every_gradients = 0;     // gradients between metric rows (0: none by count)
  bool per_gradient = true;              // gradients.csv: one row per gradient
  bool node_stats = true;                // per-node f and ‖∇f‖² in every metric row
  // Per-delivery set staleness (|A \ G|, |A Δ G|). Costs O(W/64) per application, W the width of
  // the out-of-order window, which grows with n on sparse graphs: "auto" (absent) tracks them up to
  // auto_deliveries_max_nodes nodes. S_t, Ŝ_t, delays and version differences are always exact.
  std::optional<bool> deliveries;
  double staleness_window = 0;           // width of the staleness-over-time windows (s)
  // false: no gradient observer is attached to the algorithm, so no staleness figure (S_t, Ŝ_t,
  // delays, version differences, sets), no B_t², no virtual sequence and no bounds are computed;
  // gradients.csv is then off too (per_gradient true beside it is refused). For pure speed runs.
  bool staleness = true;
  // trace.json, the run's timeline for ui.perfetto.dev (trace_config.hpp); absent: none.
  std::optional<TraceSpec> trace;
  // models.csv, chosen node models at every metrics row (model_record_config.hpp); absent: none.
  std::optional<ModelRecordSpec> models;
};

inline constexpr std::size_t auto_deliveries_max_nodes = 2000;
// record.deliveries "auto" also needs the estimated out-of-order window (sim/run/cost_estimate.hpp)
// to be at most this many gradients: each per-delivery set figure costs W/64 words.
inline constexpr double auto_deliveries_max_window = 16384;
// The smallest record.interval accepted (seconds); see parse_record.
inline constexpr double min_record_interval = 1e-12;

struct RunConfig {
  std::string name;
  std::uint64_t seed = 1;
  bool common_random_numbers = true;     // same delay draws for every algorithm
  TopologySpec graph;
  ComputeModelSpec compute;
  LinkModelSpec link;
  ObjectiveSpec objective;
  // "initial_models" (initial_model_config.hpp); absent: every node starts at the objective's x_0.
  std::optional<InitialModelSpec> initial_models;
  AlgorithmSpec algorithm;
  StopSpec stop;
  RecordSpec record;
  std::optional<NodeFaultSpec> node_faults;  // faults.nodes (absent: every node always up)
  LinkFaultSpec link_faults;             // faults.links, faults.transport (absent: a perfect network)
  double epsilon = 0;                    // accuracy for the bounds and measured gradients-to-ε
  std::string output_directory;
  nlohmann::json resolved;               // the document with every default filled in
};

// Reads and validates a whole config document; throws ConfigError naming the JSON path.
// `source_name` is used for relative paths (trace files, graph files): they resolve against the
// config file's directory.
RunConfig parse_run_config(nlohmann::json document, const std::string& source_path);

// Loads `path`, applies the --set overrides in order, then parses. Throws ConfigError
// (path "" for unreadable / malformed JSON, with the parser's line and column).
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace dasgd
