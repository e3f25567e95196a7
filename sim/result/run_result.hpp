// What one run produced (run → files): the figures, samples, recorder and fault timeline that
// sim/run fills and sim/output, sim/sweep, the CLI and the Python module read. It sits below all of
// them, so that a writer never includes the run that fills it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/bounds/bounds.hpp"
#include "sim/faults/fault_log.hpp"
#include "sim/faults/link_faults.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/metrics/convergence_recorder.hpp"
#include "sim/metrics/divergence.hpp"
#include "sim/metrics/gradient_recorder.hpp"
#include "sim/metrics/model_recorder.hpp"
#include "sim/result/run_status.hpp"

namespace dasgd {

// Built for every node at the end of a run (10^6 of them at 10^6 nodes): 56 bytes, no padding holes.
struct NodeSummary {
  double speed = 1;
  double mean_compute_time = 0;
  double final_f = 0;
  double final_grad_sq = 0;
  std::uint64_t gradients = 0;
  NodeId node = 0;
  std::uint32_t degree = 0;
  bool straggler = false;
};

struct RunResult {
  RunStatus status = RunStatus::completed;  // docs/OUTCOMES.md
  RunStopReason stop_reason = RunStopReason::time;  // set by the event loop when a rule fires
  std::string divergence;    // why it diverged (DivergenceEvent::reason), when diverged
  DivergenceRule divergence_rule;                  // the rule the run was checked against
  std::optional<DivergenceEvent> divergence_event;  // when, at what f
  std::string interrupted_by;  // "SIGINT" or "SIGTERM", when interrupted
  SimTime end_time = 0;
  std::uint64_t gradients = 0;
  std::uint64_t events = 0;
  double wall_seconds = 0;   // wall-clock: not reproducible, written to timing.json only
  std::size_t nodes = 0;
  std::size_t edges = 0;
  std::size_t min_degree = 0, max_degree = 0;
  Eigen::Index dimension = 0;
  double virtual_step = 0;  // c in x_{t+1} = x_t − c g_t (η, or η/n for averaging algorithms)
  std::vector<AlgorithmFigure> figures;  // the algorithm's own staleness notion and figures
  bool deliveries_tracked = false;        // per-delivery set figures were computed
  std::string deliveries_note;            // why "auto" switched them off, when the window did
  ObjectiveConstants constants;
  double initial_f = 0;
  TrafficCounters traffic;
  std::vector<ConvergenceSample> samples;
  std::optional<std::uint64_t> first_below_epsilon_average;  // gradients when ‖∇f(x̄)‖² ≤ ε first seen
  std::unique_ptr<GradientRecorder> recorder;
  std::vector<NodeSummary> node_summaries;
  BoundInputs bound_inputs;
  std::vector<BoundResult> bounds;
  // Fault processes (faults.*; docs/FAULTS.md). faults_on: some process ran (then faults.csv, the
  // nodes.csv fault columns, metrics.csv's live_nodes and summary.json's faults block are written).
  bool faults_on = false;
  FaultLog fault_log;
  std::vector<NodeFaultCounters> node_faults;  // per node (node faults on)
  std::vector<std::size_t> live_nodes;         // per convergence sample (node faults on)
  // Link faults (config.link_faults active for the algorithm): S^transit / S^lost are split in
  // the recorder, and the transport counters per node and in total are here.
  bool link_faults = false;
  std::string link_faults_description;
  LinkFaultCounters link_totals;
  std::vector<LinkFaultCounters> link_per_node;
  // p50/p90/p99 of B_t² when gradients.csv was streamed (the recorder kept no log to take them from).
  std::optional<std::vector<double>> b_squared_quantiles;
  // graph.dynamic: the live graph's edge count at each sample (parallel to samples); empty when the
  // graph is static (metrics.csv then has no live_edges column).
  std::vector<std::uint64_t> live_edges;
  // record.models: the chosen node models at every metrics row (models.csv); columns empty: off.
  ModelLog models;
};

}  // namespace dasgd
