// One run, end to end; see experiment.hpp. The world is built in run_world.cpp and driven in
// event_loop.cpp; here the metrics are attached before and the result gathered after.
#include "sim/run/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "sim/metrics/convergence_recorder.hpp"
#include "sim/metrics/model_recorder.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/event_loop.hpp"
#include "sim/run/run_world.hpp"
#include "topologies/properties.hpp"

namespace dasgd {

namespace {

BoundInputs bound_inputs(const RunConfig& config, const RunResult& result) {
  const GradientRecorder& recorder = *result.recorder;
  const StalenessStatistics& stats = recorder.statistics();
  BoundInputs in;
  in.smoothness_L = result.constants.smoothness_L;
  in.noise_variance_sigma2 = result.constants.noise_variance_sigma2;
  in.gradient_bound_Q = result.constants.gradient_bound_Q;
  if (result.constants.f_star) in.initial_gap = std::max(0.0, result.initial_f - *result.constants.f_star);
  in.step_size = result.virtual_step;  // the virtual sequence the envelope follows
  in.iterations = static_cast<std::int64_t>(std::max<std::uint64_t>(1, recorder.gradients()));
  in.epsilon = config.epsilon;
  in.s_avg = stats.s().mean();
  in.s_max = static_cast<double>(stats.s().max());
  in.s_hat_avg = stats.s_hat().mean();
  in.s_hat_max = static_cast<double>(stats.s_hat().max());
  in.mean_s_squared = recorder.mean_s_squared();
  in.mean_b_squared = recorder.mean_b_squared();
  in.nodes = static_cast<std::int64_t>(result.nodes);
  return in;
}

// The bounds and their comparisons mean something only for a run that did not diverge.
void evaluate_bounds(const RunConfig& config, RunResult& result) {
  if (result.status == RunStatus::diverged || result.recorder->gradients() == 0) return;
  result.bound_inputs = bound_inputs(config, result);
  try {
    validate(result.bound_inputs);
    result.bounds.push_back(dasgd_bounded_gradient_bound(result.bound_inputs));
    result.bounds.push_back(dasgd_unbounded_gradient_bound(result.bound_inputs));
    result.bounds.push_back(descent_envelope_measured(result.bound_inputs));
    result.bounds.push_back(descent_envelope_staleness(result.bound_inputs));
  } catch (const std::invalid_argument&) {
    // Non-finite measurements: no bounds to evaluate.
    result.bounds.clear();
  }
}

// record.deliveries "auto": per-delivery set figures while n <= auto_deliveries_max_nodes and the
// estimated out-of-order window is at most auto_deliveries_max_window gradients (each figure costs
// W/64 words per delivery, and each gradient in flight keeps a W-bit snapshot). When the window
// turns them off, summary.json (staleness.deliveries.sets_note) and stderr say so.
bool auto_deliveries(const RunConfig& config, std::size_t n, RunResult& result) {
  if (n > auto_deliveries_max_nodes) return false;
  double window = 0;
  try {
    window = estimate_cost(config).window_gradients;
  } catch (const std::exception&) {
    return true;  // configs the estimator refuses never reach here from the CLI
  }
  if (window <= auto_deliveries_max_window) return true;
  std::ostringstream note;
  note << "per-delivery set figures (receiver_only, symmetric_difference) off: record.deliveries \"auto\" "
       << "estimates an out-of-order window of " << std::llround(window) << " gradients, above "
       << std::llround(auto_deliveries_max_window) << " (set record.deliveries true to track them; S, S_hat, "
       << "delays and version differences stay exact)";
  result.deliveries_note = note.str();
  std::cerr << "dasgd: note: " << result.deliveries_note << "\n";
  return false;
}

// record.deliveries, or "auto": off under link faults that lose gradients, else by auto_deliveries.
bool track_deliveries(const RunConfig& config, std::size_t n, RunResult& result) {
  if (config.record.deliveries) return *config.record.deliveries;
  if (config.link_faults.active_for(config.algorithm.name) &&
      (config.link_faults.loss_on() || config.link_faults.outages_on())) {
    // A gradient lost for good pins its node's watermark below it: the out-of-order window, and
    // with it each per-delivery set figure (O(W/64)), grows with the run (docs/FAULTS.md, "Cost").
    result.deliveries_note =
        "per-delivery set figures (receiver_only, symmetric_difference) off: record.deliveries \"auto\" under "
        "link faults (a gradient lost for good makes the out-of-order window grow with the run; set "
        "record.deliveries true to track them; S, S_hat, S_lost, delays and version differences stay exact)";
    return false;
  }
  return auto_deliveries(config, n, result);
}

GradientRecorderOptions recorder_options(const RunConfig& config, const RunWorld& world, RunResult& result) {
  GradientRecorderOptions options;
  options.eta = config.algorithm.eta;
  options.epsilon = config.epsilon;
  options.keep_log = config.record.per_gradient;
  options.gradient_norms = true;
  if (config.initial_models) options.initial_model = world.world.initial_average();
  options.staleness.track_deliveries = track_deliveries(config, world.nodes(), result);
  result.deliveries_tracked = options.staleness.track_deliveries;
  // Averaging algorithms never deliver single gradients: their sets are vector clocks
  // (docs/STALENESS_TRACKING.md), exact and O(k) per merge instead of O(n·T/64).
  if (averaging_algorithm(config.algorithm.name)) options.staleness.layout = SetLayout::origin_prefixes;
  options.statistics.window_width = config.record.staleness_window;
  options.lost_split = world.link_faults != nullptr;
  options.server_delays = config.algorithm.name == "parameter_server";  // gradients.csv's tau
  return options;
}

// record.staleness false attaches no observer: the recorder then keeps state for one node only
// (its figures stay empty; nodes.csv reads zero staleness for every node), not ~150 bytes per node.
// Link faults keep per-node lost counts in it, so they keep every node.
std::unique_ptr<GradientRecorder> make_gradient_recorder(const RunConfig& config, const RunWorld& world,
                                                         const RunOptions& options, RunResult& result) {
  const std::size_t tracked = config.record.staleness || world.link_faults ? world.nodes() : 1;
  auto recorder = std::make_unique<GradientRecorder>(*world.objective, tracked, recorder_options(config, world, result));
  if (options.gradient_log && config.record.per_gradient) recorder->set_log_sink(options.gradient_log);
  return recorder;
}

// What the result says about the world before anything runs.
void describe_world(const RunConfig& config, const RunWorld& world, RunResult& result) {
  result.nodes = world.nodes();
  result.edges = world.topology.num_edges();
  const DegreeSummary degrees = degree_summary(world.topology);
  result.min_degree = degrees.min;
  result.max_degree = degrees.max;
  result.dimension = world.objective->dimension();
  result.constants = world.objective->constants();
  result.initial_f = world.objective->value(world.world.initial_average());  // f(x̄_0)
  result.divergence_rule = make_divergence_rule(config.stop.divergence_factor.value_or(default_divergence_factor),
                                                result.constants.f_star, result.initial_f);
  result.faults_on = world.availability || world.live;
}

std::vector<AlgorithmFigure> run_figures(const RunConfig& config, const RunWorld& world, const Algorithm& algorithm) {
  std::vector<AlgorithmFigure> figures = algorithm.figures();
  if (world.live)
    figures.push_back({"topology_changes", static_cast<double>(world.live->changes()),
                       "graph snapshots that took effect after t = 0 (graph.dynamic)"});
  if (!config.record.staleness)
    figures.push_back({"staleness_tracked", 0.0,
                       "0: record.staleness was false, no gradient observer ran (staleness, "
                       "B_t^2, the virtual sequence and the bounds are not measured)"});
  return figures;
}

// The transport counters and the outage timeline, once the run's end is known.
void collect_link_faults(const RunConfig& config, LinkFaults& link_faults, RunResult& result) {
  result.link_faults = true;
  result.link_faults_description = describe(config.link_faults);
  result.link_totals = link_faults.totals();
  result.link_per_node.assign(link_faults.per_node().begin(), link_faults.per_node().end());
  link_faults.record_timeline(result.end_time, result.fault_log);
  result.fault_log.sort_by_time();
  result.faults_on = true;
}

// What the run did, read from the algorithm and the metrics once the loop has stopped.
void collect_outcome(const RunConfig& config, const RunWorld& world, const Algorithm& algorithm,
                     const ConvergenceRecorder& convergence, std::uint64_t events, RunResult& result) {
  result.recorder->finish();  // gradients still waiting for their τ are logged (τ empty)
  if (const std::string note = result.recorder->tracking_note(); !note.empty())
    std::cerr << "dasgd: note: " << note << "\n";
  result.gradients = algorithm.gradients_completed();
  result.events = events;
  result.traffic = algorithm.traffic();
  result.figures = run_figures(config, world, algorithm);
  result.samples = convergence.samples();
  if (world.availability) result.node_faults = world.availability->counters(result.end_time);
  if (world.link_faults) collect_link_faults(config, *world.link_faults, result);
}

// nodes.csv's rows: each node's speed, degree, gradients and final model quality.
void summarise_nodes(const RunWorld& world, const Algorithm& algorithm, RunResult& result) {
  Vector scratch(world.objective->dimension());
  result.node_summaries.reserve(world.nodes());  // no doubling copy at 10^6 nodes
  for (NodeId i = 0; i < world.nodes(); ++i) {
    NodeSummary node;
    node.node = i;
    node.speed = world.compute.speed(i);
    node.straggler = world.compute.is_straggler(i);
    node.mean_compute_time = world.compute.mean_duration(i);
    node.degree = static_cast<std::uint32_t>(world.topology.degree(i));
    node.gradients = algorithm.gradients_of(i);
    node.final_f = world.objective->value(algorithm.model(i));
    world.objective->gradient(algorithm.model(i), scratch);
    node.final_grad_sq = scratch.squaredNorm();
    result.node_summaries.push_back(node);
  }
}

// record.models, checked against the built world (n, d) and resolved ("all": every node).
ModelRecorder model_recorder(const ModelRecordSpec& spec, std::size_t n, Eigen::Index d) {
  check_model_record(spec, n, static_cast<std::uint64_t>(d));
  std::vector<std::uint64_t> nodes = spec.nodes;
  if (spec.all_nodes)
    for (std::uint64_t i = 0; i < n; ++i) nodes.push_back(i);
  std::vector<std::uint64_t> coordinates = spec.coordinates;
  if (spec.every_coordinate())
    for (Eigen::Index k = 0; k < d; ++k) coordinates.push_back(static_cast<std::uint64_t>(k));
  Eigen::MatrixXd projections(static_cast<Eigen::Index>(spec.projections.size()), d);
  for (std::size_t j = 0; j < spec.projections.size(); ++j)
    projections.row(static_cast<Eigen::Index>(j)) = Eigen::Map<const Vector>(spec.projections[j].data(), d).transpose();
  return ModelRecorder(std::move(nodes), std::move(coordinates), std::move(projections));
}

}  // namespace

RunResult run_experiment(const RunConfig& config, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunResult result;
  RunWorld world(config, result.fault_log);
  describe_world(config, world, result);

  // Metrics (observers). record.staleness false: no observer at all (no staleness, no bounds).
  result.recorder = make_gradient_recorder(config, world, options, result);
  ConvergenceRecorder convergence(*world.objective, config.record.node_stats);
  std::optional<ModelRecorder> models;  // record.models
  if (config.record.models) models.emplace(model_recorder(*config.record.models, world.nodes(), world.objective->dimension()));
  GradientObserver* observer = config.record.staleness ? result.recorder.get() : nullptr;
  if (options.observe) observer = options.observe(observer, world.nodes());
  const std::unique_ptr<Algorithm> algorithm = config.algorithm.build(world.world, observer);
  result.virtual_step = algorithm->virtual_step();
  result.recorder->set_virtual_step(result.virtual_step);

  {
    // Scoped, so that its queue (one pending event per node and more) is freed before the
    // per-node summary is built; events still pending will never run.
    EventLoop loop(config, world, *algorithm, convergence, result, models ? &*models : nullptr);
    loop.run(options.progress);
    collect_outcome(config, world, *algorithm, convergence, loop.events_processed(), result);
  }
  if (models) result.models = models->take();
  summarise_nodes(world, *algorithm, result);
  evaluate_bounds(config, result);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace dasgd
