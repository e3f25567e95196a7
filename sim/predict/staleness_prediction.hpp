// Staleness predicted from the config alone, before any run (config → prediction; the run's
// summary puts it beside what was measured): per node and over all gradients, with a validity label
// saying how far the closed form holds. DASGD and sparsified ASGD (Little's law on the gradients in
// flight plus the others' completions during a computation), the parameter server (the same on the
// worker-server cycle) and minibatch SGD (the rank within a round); averaging algorithms have no
// closed form here, and say why. Derivations: docs/PREDICT.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/bounds/bounds.hpp"
#include "sim/config/run_config.hpp"
#include "sim/predict/staleness_law.hpp"

namespace dasgd {

// exact: the law itself (pmf) is exact in the stationary regime; exact_in_mean: the mean is, the
// law is an approximation; approximate: the mean too; no_closed_form: nothing is predicted.
enum class Validity { exact, exact_in_mean, approximate, no_closed_form };
std::string to_string(Validity validity);  // "exact", "exact in the mean", "approximate", "no closed form"

struct NodePrediction {
  NodeId node = 0;
  double mean_compute_time = 0;  // E[c_i], speeds, stragglers and slow-downs folded in
  double rate = 0;               // μ_i: gradients per second this node completes (0: computes none)
  double s_mean = 0;             // E[S] over this node's gradients
  double in_flight = 0;          // the part of s_mean from gradients in flight when it starts
  std::optional<double> tau_mean;  // parameter server: E[τ] of this worker's updates
};

struct PredictOptions {
  // Graphs without a distance formula need one BFS tree (or Dijkstra) per source: skipped above
  // this many nodes (the run's summary passes a limit; the CLI none).
  std::size_t max_nodes_for_pair_sums = static_cast<std::size_t>(-1);
  // The node count when the caller knows it (a run): a graph without a formula is then not built
  // again just to learn it is over the limit.
  std::optional<std::size_t> known_nodes;
  std::size_t max_pmf_size = std::size_t{1} << 22;
};

struct StalenessPrediction {
  std::string algorithm;
  Validity validity = Validity::no_closed_form;       // of S_avg
  Validity distribution_validity = Validity::no_closed_form;
  std::vector<std::string> reasons;  // one line per assumption that set a label
  std::size_t nodes = 0;
  double total_rate = 0;             // Σ μ_i, gradients per second
  double s_avg = 0;                  // Σ μ_i E[S_i] / Σ μ_i
  std::optional<double> tau_avg;     // parameter server
  double max_delivery_delay = 0;     // max λ_ji (seconds)
  std::string delay_method;
  std::vector<NodePrediction> per_node;
  StalenessPmf distribution;         // overall law of S_t (empty: not tabulated, see distribution_note)
  std::string distribution_note;
  double expected_gradients = 0;     // the run's gradient count: stop.gradients, or Σ μ · stop.time
  double expected_run_time = 0;      // stop.time, or stop.gradients / Σ μ
  std::optional<double> expected_s_max;  // E[max over expected_gradients draws] (independent draws)
  std::optional<std::int64_t> p50, p90, p99;
  std::optional<double> mean_s_squared;
};

// Throws ConfigError / std::invalid_argument like run_experiment for a world that cannot be built.
StalenessPrediction predict_staleness(const RunConfig& config, const PredictOptions& options = {});

// The bounds of sim/bounds evaluated ahead of the run on the predicted staleness (Ŝ taken as S:
// S ≤ Ŝ, equal on a star; mean S² from the predicted law; the measured-B² envelope is left out, B²
// has no closed form here). Empty when nothing is predicted or an input is not finite.
std::vector<BoundResult> predicted_bounds(const StalenessPrediction& prediction, const ObjectiveConstants& constants,
                                          double initial_f, double eta, double epsilon);

}  // namespace dasgd
