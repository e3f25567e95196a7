// One run, end to end; see experiment.hpp.
#include "sim/run/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "objectives/objective_factory.hpp"
#include "sim/config/topology_config.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/network.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/faults/live_topology.hpp"
#include "sim/metrics/model_recorder.hpp"
#include "sim/text/number_format.hpp"
#include "sim/output/progress_bar.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/interrupt.hpp"
#include "topologies/properties.hpp"

namespace dasgd {

namespace {

// Delay draws are keyed by the master seed, so every algorithm sees the same compute and link
// delays (common random numbers); with the flag off they are keyed by seed and algorithm name.
std::uint64_t delay_seed(const RunConfig& config) {
  if (config.common_random_numbers) return config.seed;
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a of the algorithm name
  for (const char c : config.algorithm.name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return mix_key(config.seed, Stream::compute_delay, h);
}

// Algorithms whose gradient sets change only by own applications and model merges.
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

void mark_diverged(RunResult& result, DivergenceEvent event) {
  result.status = RunStatus::diverged;
  result.stop_reason = "diverged";
  result.divergence = event.reason + " at t = " + format_number(event.time) + " s after " +
                      format_number(event.gradients) + " gradients";
  result.divergence_event = std::move(event);
}

void mark_interrupted(RunResult& result) {
  result.status = RunStatus::interrupted;
  result.stop_reason = "interrupted";
  result.interrupted_by = interrupt_signal_name();
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

// The pending-event set for about `pending` events: the calendar queue while its buckets and
// event nodes stay in the caches (O(1), 1.5x fewer cycles than the 4-ary heap at 10^3 to 10^4
// pending in the gossip pattern), the 4-ary heap above, whose top levels stay cached and whose
// pops prefetch (at 10^5 pending and more it was faster; docs/PERFORMANCE.md). Both pop the same
// events in the same order, so the choice never changes an output.
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

std::string queue_kind_for(std::size_t pending) {
  constexpr std::size_t calendar_max_pending = std::size_t{1} << 15;
  return pending <= calendar_max_pending ? "calendar" : "quaternary_heap";
}

}  // namespace

RunResult run_experiment(const RunConfig& config, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunResult result;

  // World (config → world).
  const Topology topology = build_topology(config.graph, config.seed);
  const std::size_t n = topology.num_nodes();
  std::unique_ptr<Objective> objective = make_objective(config.objective, n, config.seed);
  const std::uint64_t delays = delay_seed(config);
  const ComputeModel compute(config.compute, n, delays);
  Network network(topology, config.link, delays);
  // Link faults: their own streams (Stream::link_loss, link_availability) keyed by the delay seed,
  // so every algorithm under common_random_numbers sees the same losses and outages.
  std::unique_ptr<LinkFaults> link_faults;
  const bool faulty_links = config.link_faults.active_for(config.algorithm.name);
  if (faulty_links) {
    link_faults = std::make_unique<LinkFaults>(topology, config.link_faults, config.link, delays,
                                               config.link_faults.transport.reliable &&
                                                   config.link_faults.transport.applies_to(config.algorithm.name));
    network.set_faults(link_faults.get());
  }
  World world;
  world.topology = &topology;
  world.objective = objective.get();
  world.compute = &compute;
  world.network = &network;
  world.streams = RandomStreams(config.seed);
  // Node faults: keyed by the delay seed, so under common_random_numbers every algorithm sees the
  // same crashes, and no other draw moves.
  std::unique_ptr<NodeAvailability> availability;
  if (config.node_faults) {
    availability = std::make_unique<NodeAvailability>(*config.node_faults, n, delays, &result.fault_log);
    world.availability = availability.get();
    result.faults_on = true;
  }
  world.faults = &result.fault_log;  // one timeline for every fault process
  // graph.dynamic: the live graph, changed by its own events (the static graph fixes the node set);
  // its changes are rows of the same timeline.
  std::unique_ptr<LiveTopology> live;
  if (config.graph.dynamic) {
    live = std::make_unique<LiveTopology>(topology, *config.graph.dynamic, config.seed, delays, config.link,
                                          &result.fault_log);
    world.live = live.get();
    result.faults_on = true;
    // One shared model cannot split across components: minibatch SGD needs every snapshot connected.
    if (config.algorithm.name == "minibatch_sgd")
      if (const std::string where = live->disconnected_snapshot(); !where.empty())
        throw std::invalid_argument(where + ": minibatch_sgd needs every snapshot of a time-varying graph "
                                            "connected (its one shared model cannot split across components); "
                                            "this dynamic graph can be disconnected: use local_sgd, or a "
                                            "random_regular or connected schedule");
    // The parameter server's links are the star's: a dynamic graph may only switch them on and off.
    if (config.algorithm.name == "parameter_server")
      if (const std::string where = live->snapshot_outside_base(); !where.empty())
        throw std::invalid_argument(where + ": parameter_server on a time-varying graph needs every snapshot a "
                                            "subgraph of the star /graph (worker-server links switching on and "
                                            "off: a schedule of such snapshots, or markov); " +
                                    (where == "/graph/dynamic/kind" ? config.graph.dynamic->kind + " makes graphs of its own"
                                                                    : std::string("this snapshot has a link the star lacks")));
  }
  // Per-node initial models (config "initial_models"): built once the node count is known.
  Eigen::MatrixXd initial_models;
  if (config.initial_models) {
    initial_models = build_initial_models(*config.initial_models, n, objective->dimension(), config.seed);
    world.initial_models = &initial_models;
  }

  result.nodes = n;
  result.edges = topology.num_edges();
  const DegreeSummary degrees = degree_summary(topology);
  result.min_degree = degrees.min;
  result.max_degree = degrees.max;
  result.dimension = objective->dimension();
  result.constants = objective->constants();
  result.initial_f = objective->value(world.initial_average());  // f(x̄_0)
  result.divergence_rule = make_divergence_rule(config.stop.divergence_factor.value_or(default_divergence_factor),
                                                result.constants.f_star, result.initial_f);

  // Metrics (observers).
  GradientRecorderOptions recorder_options;
  recorder_options.eta = config.algorithm.eta;
  recorder_options.epsilon = config.epsilon;
  recorder_options.keep_log = config.record.per_gradient;
  recorder_options.gradient_norms = true;
  if (config.initial_models) recorder_options.initial_model = world.initial_average();
  if (config.record.deliveries) {
    recorder_options.staleness.track_deliveries = *config.record.deliveries;
  } else if (faulty_links && (config.link_faults.loss_on() || config.link_faults.outages_on())) {
    // A gradient lost for good pins its node's watermark below it: the out-of-order window, and
    // with it each per-delivery set figure (O(W/64)), grows with the run (docs/FAULTS.md, "Cost").
    recorder_options.staleness.track_deliveries = false;
    result.deliveries_note =
        "per-delivery set figures (receiver_only, symmetric_difference) off: record.deliveries \"auto\" under "
        "link faults (a gradient lost for good makes the out-of-order window grow with the run; set "
        "record.deliveries true to track them; S, S_hat, S_lost, delays and version differences stay exact)";
  } else {
    recorder_options.staleness.track_deliveries = auto_deliveries(config, n, result);
  }
  result.deliveries_tracked = recorder_options.staleness.track_deliveries;
  // Averaging algorithms never deliver single gradients: their sets are vector clocks
  // (docs/STALENESS_TRACKING.md), exact and O(k) per merge instead of O(n·T/64).
  if (averaging_algorithm(config.algorithm.name))
    recorder_options.staleness.layout = SetLayout::origin_prefixes;
  recorder_options.statistics.window_width = config.record.staleness_window;
  recorder_options.lost_split = faulty_links;
  recorder_options.server_delays = config.algorithm.name == "parameter_server";  // gradients.csv's tau
  // record.staleness false attaches no observer: the recorder then keeps state for one node only
  // (its figures stay empty; nodes.csv reads zero staleness for every node), not ~150 bytes per node.
  // Link faults keep per-node lost counts in it, so they keep every node.
  result.recorder = std::make_unique<GradientRecorder>(
      *objective, config.record.staleness || faulty_links ? n : 1, recorder_options);
  if (options.gradient_log && config.record.per_gradient) result.recorder->set_log_sink(options.gradient_log);
  ConvergenceRecorder convergence(*objective, config.record.node_stats);
  std::optional<ModelRecorder> models;
  if (config.record.models) models.emplace(model_recorder(*config.record.models, n, objective->dimension()));

  // Run.
  // record.staleness false: no observer at all (the recorder stays empty: no staleness, no bounds).
  GradientObserver* observer = config.record.staleness ? result.recorder.get() : nullptr;
  if (options.observe) observer = options.observe(observer, n);
  std::unique_ptr<Algorithm> built = config.algorithm.build(world, observer);
  Algorithm& algorithm = *built;
  result.virtual_step = algorithm.virtual_step();
  result.recorder->set_virtual_step(result.virtual_step);
  // Owned, so that its queue (one pending event per node and more) is freed before the per-node
  // summary is built at the end.
  auto simulator_owner = std::make_unique<Simulator>(make_event_queue(queue_kind_for(n + n / 4)));
  Simulator& simulator = *simulator_owner;
  simulator.reserve(n + n / 4);  // one pending computation per node, plus messages in flight
  std::optional<WithTopologyChanges> changes;
  if (live) {
    changes.emplace(algorithm, *live);
    changes->start(simulator);
  }
  EventHandler& handler = changes ? static_cast<EventHandler&>(*changes) : algorithm;
  if (availability) availability->start(simulator);  // nodes down at 0 are down before anyone starts
  if (config.stop.gradients_per_node) algorithm.set_gradient_budget(*config.stop.gradients_per_node);
  algorithm.start(simulator);
  // Every node down for good: nothing can advance (RunStatus::no_live_nodes).
  const auto everyone_gone = [&] { return availability && availability->all_gone(); };

  const double stop_time = config.stop.time.value_or(std::numeric_limits<double>::infinity());
  const std::uint64_t stop_gradients =
      config.stop.gradients.value_or(std::numeric_limits<std::uint64_t>::max());
  double next_time_mark = config.record.interval > 0 ? 0.0 : std::numeric_limits<double>::infinity();
  std::uint64_t next_gradient_mark =
      config.record.every_gradients > 0 ? 0 : std::numeric_limits<std::uint64_t>::max();

  const bool by_time = config.stop.time.has_value();
  // Progress in simulated milliseconds for a timed run, in gradients otherwise.
  const std::uint64_t progress_total =
      by_time ? static_cast<std::uint64_t>(std::ceil(stop_time * 1000.0))
      : config.stop.gradients_per_node ? std::min<std::uint64_t>(stop_gradients, *config.stop.gradients_per_node * n)
                                       : stop_gradients;
  ProgressBar progress(progress_total, by_time ? "run (simulated ms)" : "run (gradients)",
                       !options.progress);

  auto take_sample = [&](SimTime at) {
    const ConvergenceSample& s = convergence.sample(algorithm, at, simulator.events_processed());
    if (models) models->sample(algorithm, at, s.gradients);
    if (live) result.live_edges.push_back(live->current().live_edges());
    if (availability) result.live_nodes.push_back(availability->live());
    if (!result.first_below_epsilon_average && s.grad_sq_average <= config.epsilon)
      result.first_below_epsilon_average = s.gradients;
    return s;
  };

  take_sample(0.0);
  if (config.record.interval > 0) next_time_mark = config.record.interval;
  if (config.record.every_gradients > 0) next_gradient_mark = config.record.every_gradients;

  result.status = RunStatus::completed;
  while (true) {
    const double horizon = std::min(next_time_mark, stop_time);
    // Without a gradient count to watch, run_until skips the per-event predicate; it runs in slices
    // of kInterruptSlice events so that a signal still stops the run within microseconds.
    const bool count_gradients = stop_gradients != std::numeric_limits<std::uint64_t>::max() ||
                                 next_gradient_mark != std::numeric_limits<std::uint64_t>::max() ||
                                 availability != nullptr ||  // (stops at the instant the last node leaves)
                                 config.stop.gradients_per_node.has_value();
    StopReason why;
    if (count_gradients) {
      why = simulator.run_while(
          handler,
          [&] {
            const std::uint64_t g = algorithm.gradients_completed();
            return g < stop_gradients && g < next_gradient_mark && !interrupt_requested() && !everyone_gone() &&
                   !algorithm.budget_spent();
          },
          horizon);
    } else {
      constexpr std::uint64_t kInterruptSlice = 1024;
      do {
        // graph.dynamic: through the wrapper that runs topology changes; otherwise the algorithm's
        // own loop (on its final type).
        why = changes ? simulator.run_until(handler, horizon, kInterruptSlice)
                      : algorithm.run_until(simulator, horizon, kInterruptSlice);
      } while (why == StopReason::event_limit && !interrupt_requested() && !everyone_gone());
      if (why == StopReason::event_limit) why = StopReason::predicate;
    }
    const SimTime now = why == StopReason::time_reached ? horizon : simulator.now();
    const std::uint64_t g = algorithm.gradients_completed();
    progress.update(by_time ? static_cast<std::uint64_t>(now * 1000.0) : g);

    bool sampled = false;
    if (why == StopReason::time_reached && now >= next_time_mark) {
      take_sample(next_time_mark);
      sampled = true;
      next_time_mark += config.record.interval;
    }
    if (g >= next_gradient_mark) {
      if (!sampled) take_sample(now);
      sampled = true;
      while (next_gradient_mark <= g) next_gradient_mark += config.record.every_gradients;
    }
    const ConvergenceSample& last = convergence.samples().back();
    if (sampled) {
      if (std::optional<DivergenceEvent> event = check_divergence(result.divergence_rule, last)) {
        mark_diverged(result, std::move(*event));
        break;
      }
    }
    if (interrupt_requested()) {
      mark_interrupted(result);
      break;
    }
    if (everyone_gone()) {
      result.status = RunStatus::no_live_nodes;
      result.stop_reason = "no_live_nodes";
      break;
    }
    if (sampled && config.stop.grad_norm_sq && last.grad_sq_average <= *config.stop.grad_norm_sq) {
      result.stop_reason = "grad_norm_sq";
      break;
    }
    if (algorithm.budget_spent()) {
      result.stop_reason = "gradients_per_node";
      break;
    }
    if (why == StopReason::queue_empty) {
      result.stop_reason = "queue_empty";
      break;
    }
    if (g >= stop_gradients) {
      result.stop_reason = "gradients";
      break;
    }
    if (now >= stop_time) {
      result.stop_reason = "time";
      break;
    }
  }
  progress.finish();
  result.end_time = result.stop_reason == "time" ? stop_time : simulator.now();
  if (config.stop.drain && result.status == RunStatus::completed) {
    // Deliver what is in flight; computations already started still complete (and are counted).
    algorithm.stop_computing();
    if (availability) availability->stop(simulator);  // no new crashes: the queue can empty
    simulator.run_while(handler, [] { return !interrupt_requested(); });
    if (interrupt_requested()) mark_interrupted(result);
    result.end_time = std::max(result.end_time, simulator.now());
  }
  // A final row at the end of the run, unless one was just taken there.
  if (convergence.samples().back().time != result.end_time ||
      convergence.samples().back().gradients != algorithm.gradients_completed()) {
    const ConvergenceSample& last = take_sample(result.end_time);
    if (result.status != RunStatus::diverged) {
      if (std::optional<DivergenceEvent> event = check_divergence(result.divergence_rule, last))
        mark_diverged(result, std::move(*event));
    }
  }

  result.recorder->finish();  // gradients still waiting for their τ are logged (τ empty)
  if (const std::string note = result.recorder->tracking_note(); !note.empty())
    std::cerr << "dasgd: note: " << note << "\n";
  result.gradients = algorithm.gradients_completed();
  result.events = simulator.events_processed();
  result.traffic = algorithm.traffic();
  result.figures = algorithm.figures();
  if (live)
    result.figures.push_back({"topology_changes", static_cast<double>(live->changes()),
                              "graph snapshots that took effect after t = 0 (graph.dynamic)"});
  if (!config.record.staleness)
    result.figures.push_back({"staleness_tracked", 0.0,
                              "0: record.staleness was false, no gradient observer ran (staleness, "
                              "B_t^2, the virtual sequence and the bounds are not measured)"});
  result.samples = convergence.samples();
  if (models) result.models = models->take();
  if (availability) result.node_faults = availability->counters(result.end_time);
  if (link_faults) {
    result.link_faults = true;
    result.link_faults_description = describe(config.link_faults);
    result.link_totals = link_faults->totals();
    result.link_per_node.assign(link_faults->per_node().begin(), link_faults->per_node().end());
    link_faults->record_timeline(result.end_time, result.fault_log);
    result.fault_log.sort_by_time();
    result.faults_on = true;
  }
  simulator_owner.reset();  // events still pending will never run

  Vector scratch(objective->dimension());
  result.node_summaries.reserve(n);  // no doubling copy at 10^6 nodes
  for (NodeId i = 0; i < n; ++i) {
    NodeSummary node;
    node.node = i;
    node.speed = compute.speed(i);
    node.straggler = compute.is_straggler(i);
    node.mean_compute_time = compute.mean_duration(i);
    node.degree = static_cast<std::uint32_t>(topology.degree(i));
    node.gradients = algorithm.gradients_of(i);
    node.final_f = objective->value(algorithm.model(i));
    objective->gradient(algorithm.model(i), scratch);
    node.final_grad_sq = scratch.squaredNorm();
    result.node_summaries.push_back(node);
  }

  evaluate_bounds(config, result);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace dasgd
