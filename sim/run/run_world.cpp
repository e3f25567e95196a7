// The world of one run; see run_world.hpp.
#include "sim/run/run_world.hpp"

#include <stdexcept>
#include <string>

#include "objectives/objective_factory.hpp"
#include "sim/config/topology_config.hpp"

namespace dasgd {

std::uint64_t delay_seed(const RunConfig& config) {
  if (config.common_random_numbers) return config.seed;
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a of the algorithm name
  for (const char c : config.algorithm.name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return mix_key(config.seed, Stream::compute_delay, h);
}

RunWorld::RunWorld(const RunConfig& config, FaultLog& faults)
    : topology(build_topology(config.graph, config.seed)),
      objective(make_objective(config.objective, topology.num_nodes(), config.seed)),
      delays(delay_seed(config)),
      compute(config.compute, topology.num_nodes(), delays),
      network(topology, config.link, delays) {
  add_link_faults(config);
  world.topology = &topology;
  world.objective = objective.get();
  world.compute = &compute;
  world.network = &network;
  world.streams = RandomStreams(config.seed);
  add_node_faults(config, faults);
  world.faults = &faults;
  add_live_topology(config, faults);
  // Per-node initial models: built once the node count is known.
  if (config.initial_models) {
    initial_models = build_initial_models(*config.initial_models, nodes(), objective->dimension(), config.seed);
    world.initial_models = &initial_models;
  }
}

// Link faults: their own streams (Stream::link_loss, link_availability) keyed by the delay seed,
// so every algorithm under common_random_numbers sees the same losses and outages.
void RunWorld::add_link_faults(const RunConfig& config) {
  if (!config.link_faults.active_for(config.algorithm.name)) return;
  const bool reliable = config.link_faults.transport.reliable &&
                        config.link_faults.transport.applies_to(config.algorithm.name);
  link_faults = std::make_unique<LinkFaults>(topology, config.link_faults, config.link, delays, reliable);
  network.set_faults(link_faults.get());
}

// Node faults: keyed by the delay seed, so under common_random_numbers every algorithm sees the
// same crashes, and no other draw moves.
void RunWorld::add_node_faults(const RunConfig& config, FaultLog& faults) {
  if (!config.node_faults) return;
  availability = std::make_unique<NodeAvailability>(*config.node_faults, nodes(), delays, &faults);
  world.availability = availability.get();
}

// graph.dynamic: the live graph, changed by its own events (the static graph fixes the node set);
// its changes are rows of the same timeline.
void RunWorld::add_live_topology(const RunConfig& config, FaultLog& faults) {
  if (!config.graph.dynamic) return;
  live = std::make_unique<LiveTopology>(topology, *config.graph.dynamic, config.seed, delays, config.link, &faults);
  world.live = live.get();
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

}  // namespace dasgd
