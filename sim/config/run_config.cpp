// Top-level config parsing; see run_config.hpp.
#include "sim/config/run_config.hpp"

#include "sim/config/dynamic_topology_config.hpp"
#include "sim/config/json_file.hpp"
#include "sim/config/node_fault_config.hpp"
#include "sim/config/link_fault_config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dasgd {

namespace {

StopSpec parse_stop(JsonReader& reader) {
  StopSpec stop;
  if (reader.has("time")) stop.time = reader.positive("time");
  if (reader.has("gradients")) stop.gradients = reader.positive_count("gradients");
  if (reader.has("gradients_per_node")) stop.gradients_per_node = reader.positive_count("gradients_per_node");
  if (reader.has("grad_norm_sq")) stop.grad_norm_sq = reader.positive("grad_norm_sq");
  stop.drain = reader.boolean_or("drain", false);
  if (reader.has("divergence_factor")) {
    stop.divergence_factor = reader.positive("divergence_factor");
    if (!(*stop.divergence_factor > 1)) reader.fail("divergence_factor", "a number > 1");
  }
  reader.finish();
  if (!stop.time && !stop.gradients && !stop.gradients_per_node && !stop.grad_norm_sq)
    throw ConfigError(reader.path(), "expected at least one of time, gradients, gradients_per_node, grad_norm_sq");
  if (stop.grad_norm_sq && !stop.time && !stop.gradients && !stop.gradients_per_node)
    throw ConfigError(reader.path(),
                      "expected time, gradients or gradients_per_node beside grad_norm_sq (a run that never "
                      "reaches it must still end)");
  return stop;
}

// Local SGD computes H gradients per node per round, and blocking local-async SGD waits for an
// average every H: a budget H does not divide would end mid-round or leave nodes waiting for a
// collective the others never join.
void check_gradient_budget(std::uint64_t budget, const std::string& algorithm, const nlohmann::json& section) {
  const bool rounds = algorithm == "local_sgd";
  const bool blocking = algorithm == "local_async_sgd" && section.value("blocking", false);
  if (!rounds && !blocking) return;
  const std::uint64_t h = section.value("local_steps", std::uint64_t{rounds ? 0u : 4u});  // (its defaults)
  if (h > 1 && budget % h != 0)
    throw ConfigError("/stop/gradients_per_node",
                      "expected a multiple of algorithm.local_steps (" + std::to_string(h) + ") for " + algorithm +
                          (rounds ? " (every round computes local_steps gradients per node)"
                                  : " with blocking (nodes wait for an average every local_steps gradients)") +
                          ", got " + std::to_string(budget));
}

// What a metrics row costs against the run (see RecordSpec): nodes n (0 when the graph's size is
// only known once built, e.g. a file), dimension d, and the expected time of one gradient at a
// node (0 when unknown, e.g. a trace).
struct SamplingWork {
  std::uint64_t nodes = 0;
  std::uint64_t dimension = 0;
  double mean_gradient_time = 0;
};

std::uint64_t spec_nodes(const TopologySpec& graph) {
  if (graph.nodes > 0) return graph.nodes;
  if (graph.rows > 0 && graph.cols > 0) return graph.rows * graph.cols;
  if (graph.kind == "hypercube" && graph.dimension < 40) return std::uint64_t{1} << graph.dimension;
  return 0;
}

// E[duration] of a node without a speed factor: the base law, slowed by stragglers and random
// slow-downs on average (faster nodes only make rows cheaper relative to the run). 0 for a trace.
double spec_mean_gradient_time(const ComputeModelSpec& compute) {
  if (compute.trace) return 0.0;
  const double base = mean(compute.base);
  if (!(std::isfinite(base) && base > 0)) return 0.0;
  const double straggle = 1.0 + compute.stragglers.fraction * (compute.stragglers.slowdown - 1.0);
  const double slow = 1.0 + compute.slowdowns.probability * (compute.slowdowns.factor - 1.0);
  return base * straggle * slow;
}

RecordSpec parse_record(JsonReader& reader, const StopSpec& stop, const SamplingWork& work) {
  RecordSpec record;
  // Default resolution: about 200 rows over the run, unless those rows would cost more than a
  // tenth of the run (the cost-bounded default, RecordSpec): once 200 rows read more than
  // sampling_work_floor model coordinates, rows are spaced by at least min_gradients_per_row
  // expected gradients per node.
  double default_interval = stop.time ? *stop.time / 200.0 : 0.0;
  std::uint64_t default_every = stop.gradients ? std::max<std::uint64_t>(1, *stop.gradients / 200) : 0;
  // A per-node budget B alone: about n·B gradients (B per row when n is only known once built).
  if (!stop.gradients && stop.gradients_per_node)
    default_every = std::max<std::uint64_t>(1, *stop.gradients_per_node * std::max<std::uint64_t>(1, work.nodes) / 200);
  const double default_row_work = 200.0 * static_cast<double>(work.nodes) * static_cast<double>(work.dimension);
  if (default_row_work > sampling_work_floor) {
    if (stop.time && work.mean_gradient_time > 0)
      default_interval = std::max(default_interval, min_gradients_per_row * work.mean_gradient_time);
    if (stop.gradients || stop.gradients_per_node)
      default_every = std::max<std::uint64_t>(
          default_every, static_cast<std::uint64_t>(min_gradients_per_row) * work.nodes);
  }
  record.interval = reader.non_negative_or("interval", default_interval);
  record.every_gradients = reader.count_or("every_gradients", stop.time ? 0 : default_every);
  if (record.interval == 0 && record.every_gradients == 0)
    throw ConfigError(reader.path(), "expected interval > 0 or every_gradients > 0");
  // Virtual time is a double in seconds: an interval below min_record_interval, or below the
  // clock's resolution at the stop time (stop.time * 2^-40, i.e. more than 2^40 rows), would add
  // nothing to the next mark and loop forever (docs/ROBUSTNESS.md).
  if (record.interval > 0) {
    const double resolution = std::max(min_record_interval, stop.time ? std::ldexp(*stop.time, -40) : 0.0);
    if (record.interval < resolution) {
      std::ostringstream expected;
      expected << "an interval of 0 (none by time) or at least " << resolution
               << " s (the virtual clock's resolution over this run)";
      reader.fail("interval", expected.str());
    }
  }
  // Read without writing the default back, so the resolved config.json of every existing config
  // stays byte-identical; written when given.
  if (reader.has("staleness")) record.staleness = reader.boolean("staleness");
  if (!record.staleness && reader.has("per_gradient") && reader.node()["per_gradient"].is_boolean() &&
      reader.node()["per_gradient"].get<bool>())
    reader.fail("per_gradient", "false when staleness is false (gradients.csv needs the staleness observer)");
  record.per_gradient = reader.boolean_or("per_gradient", record.staleness);
  record.node_stats = reader.boolean_or("node_stats", true);
  if (reader.has("deliveries") && !(reader.node()["deliveries"].is_string() &&
                                     reader.node()["deliveries"].get<std::string>() == "auto")) {
    if (!reader.node()["deliveries"].is_boolean()) reader.fail("deliveries", "true, false or \"auto\"");
    record.deliveries = reader.boolean("deliveries");
  } else {
    reader.node()["deliveries"] = "auto";
    reader.accept("deliveries");
  }
  const double default_window = stop.time ? *stop.time / 50.0 : 1.0;
  record.staleness_window = reader.positive_or("staleness_window", default_window);
  record.trace = parse_trace(reader);
  record.models = parse_model_record(reader, work.nodes, work.dimension);
  reader.finish();
  return record;
}

}  // namespace

RunConfig parse_run_config(nlohmann::json document, const std::string& source_path) {
  if (!document.is_object()) throw ConfigError("", "expected a JSON object at the top level");
  RunConfig config;
  JsonReader root(document, "");
  // "$schema" names the schema an editor completes against (docs/config.schema.json): accepted,
  // and left out of the resolved config so that it changes no run's files.
  root.accept("$schema");
  const std::filesystem::path base = std::filesystem::path(source_path).parent_path();
  config.name = root.string_or("name", std::filesystem::path(source_path).stem().string());
  config.seed = root.count_or("seed", 1);
  config.common_random_numbers = root.boolean_or("common_random_numbers", true);
  {
    JsonReader graph = root.object("graph");
    config.graph = parse_topology(graph);
    if (!config.graph.path.empty() && std::filesystem::path(config.graph.path).is_relative())
      config.graph.path = (base / config.graph.path).string();
    if (config.graph.dynamic)
      for (SnapshotSpec& snapshot : config.graph.dynamic->snapshots)
        if (snapshot.graph && !snapshot.graph->path.empty() && std::filesystem::path(snapshot.graph->path).is_relative())
          snapshot.graph->path = (base / snapshot.graph->path).string();
  }
  {
    JsonReader compute = root.object("compute");
    config.compute = parse_compute_model(compute);
    if (config.compute.trace && std::filesystem::path(config.compute.trace->path).is_relative())
      config.compute.trace->path = (base / config.compute.trace->path).string();
  }
  {
    JsonReader link = root.object("link");
    config.link = parse_link_model(link);
  }
  {
    JsonReader objective = root.object("objective");
    config.objective = parse_objective(objective);
  }
  if (root.has("initial_models")) {
    // Only when given: configs without it keep their resolved config.json byte for byte.
    JsonReader initial = root.object("initial_models");
    config.initial_models = parse_initial_models(initial, spec_nodes(config.graph), config.objective.dimension);
    if (!config.initial_models->file.empty() && std::filesystem::path(config.initial_models->file).is_relative())
      config.initial_models->file = (base / config.initial_models->file).string();
  }
  {
    JsonReader algorithm = root.object("algorithm");
    config.algorithm = parse_algorithm(algorithm);
  }
  if (config.graph.dynamic && !supports_dynamic_topology(config.algorithm.name))
    throw ConfigError("/graph/dynamic", dynamic_topology_refusal(config.algorithm.name));
  {
    JsonReader stop = root.object("stop");
    config.stop = parse_stop(stop);
  }
  // A compute time that is always 0 never moves the clock: with only a time stop the run would
  // compute gradients at t = 0 forever.
  if (!config.compute.trace && mean(config.compute.base) == 0.0 && !config.stop.gradients &&
      !config.stop.gradients_per_node) {
    throw ConfigError("/compute/time", "expected a compute time law with mean > 0 when the run stops by time "
                                       "only (a time of 0 never advances the clock; add stop.gradients)");
  }
  if (config.stop.gradients_per_node) check_gradient_budget(*config.stop.gradients_per_node, config.algorithm.name,
                                                            document["algorithm"]);
  {
    JsonReader record = root.object_or_empty("record");
    const SamplingWork work{spec_nodes(config.graph), static_cast<std::uint64_t>(config.objective.dimension),
                            spec_mean_gradient_time(config.compute)};
    config.record = parse_record(record, config.stop, work);
  }
  if (root.has("faults")) {
    // Only when given: configs without faults keep their resolved config.json byte for byte.
    JsonReader faults = root.object("faults");
    if (faults.has("nodes")) {
      JsonReader nodes = faults.object("nodes");
      config.node_faults = parse_node_faults(nodes, spec_nodes(config.graph));
      if (!config.node_faults->trace_path.empty() && std::filesystem::path(config.node_faults->trace_path).is_relative())
        config.node_faults->trace_path = (base / config.node_faults->trace_path).string();
      check_node_faults(*config.node_faults, config.algorithm.name, config.record.staleness);
    }
    // faults.links and faults.transport (sim/config/link_fault_config); it closes the object.
    config.link_faults = parse_link_faults(faults, base);
    if (auto reason = link_fault_refusal(config.link_faults, config.algorithm.name,
                                         document["algorithm"], config.link.fifo))
      throw ConfigError(config.link_faults.links ? "/faults/links" : "/faults/transport", *reason);
    check_reply_timeout(config.link_faults, config.algorithm.name);
    check_round_timeout(config.link_faults, config.algorithm.name);
    if (config.node_faults && config.link_faults.active_for(config.algorithm.name) &&
        is_synchronous_round_algorithm(config.algorithm.name))
      throw ConfigError("/faults", config.algorithm.name + " takes node faults or link faults, not both in one run "
                                   "yet: its round rules for crashes and for lost messages are not combined");
    if (config.node_faults && config.link_faults.active_for(config.algorithm.name) &&
        config.algorithm.name == "adpsgd")
      throw ConfigError("/faults", "AD-PSGD takes node faults or link faults, not both in one run yet: "
                                   "an exchange aborted by a crash and lost on a link would be settled twice");
    // graph.dynamic with faults: each snapshot has its own links and arcs, while node and link fault
    // processes are keyed by the base graph's nodes' neighbourhoods and edges (docs/FAULTS.md).
    // DASGD and gossip SGD take both: their crash rules never look at the graph, and recovery from a
    // neighbour copies a neighbour on the live snapshot.
    if (config.graph.dynamic && config.node_faults && config.algorithm.name != "dasgd" &&
        config.algorithm.name != "gossip_sgd")
      throw ConfigError("/faults/nodes", "node faults with a time-varying graph (graph.dynamic) are supported by "
                                         "dasgd and gossip_sgd; for " + config.algorithm.name + " the timeout and "
                                         "round rules are defined on the static graph; use one or the other");
    if (config.graph.dynamic && config.link_faults.active_for(config.algorithm.name))
      throw ConfigError(config.link_faults.links ? "/faults/links" : "/faults/transport",
                        "link faults with a time-varying graph (graph.dynamic) are not supported yet: loss, "
                        "outages and retransmission are defined on the static graph's edges, and a snapshot "
                        "has edges of its own; use one or the other");
  }
  config.epsilon = root.positive_or("epsilon", config.stop.grad_norm_sq.value_or(1e-2));
  {
    JsonReader output = root.object_or_empty("output");
    config.output_directory = output.string_or("directory", "runs/" + config.name);
    output.finish();
  }
  root.finish();
  document.erase("$schema");
  config.resolved = document;
  return config;
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json document = read_json_file(path);
  for (const std::string& assignment : overrides) apply_override(document, assignment);
  return parse_run_config(std::move(document), path);
}

}  // namespace dasgd
