// The world of one run, built from a validated config (config → world): the graph, the objective,
// the compute and link delay models, and the fault processes (node availability, link faults, a
// time-varying graph), owned here; `world` is the view of them that an algorithm acts in.
#pragma once

#include <cstdint>
#include <memory>

#include <Eigen/Dense>

#include "objectives/objective.hpp"
#include "sim/algorithms/algorithm.hpp"
#include "sim/config/run_config.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/network.hpp"
#include "sim/faults/fault_log.hpp"
#include "sim/faults/link_faults.hpp"
#include "sim/faults/live_topology.hpp"
#include "sim/faults/node_availability.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

// Delay draws are keyed by the master seed, so every algorithm sees the same compute and link
// delays (common random numbers); with the flag off they are keyed by seed and algorithm name.
std::uint64_t delay_seed(const RunConfig& config);

class RunWorld {
 public:
  // Builds every part in the order the draws were always made; every fault process appends to
  // `faults`, the run's one timeline. Throws std::invalid_argument, located at the config path, for
  // a world the config describes but the algorithm cannot run in (a bad graph file, minibatch SGD on
  // a graph that can disconnect, a parameter server on snapshots that are no star subgraph).
  RunWorld(const RunConfig& config, FaultLog& faults);
  RunWorld(const RunWorld&) = delete;  // `world` points into this object
  RunWorld& operator=(const RunWorld&) = delete;

  std::size_t nodes() const noexcept { return topology.num_nodes(); }

  const Topology topology;
  const std::unique_ptr<Objective> objective;
  const std::uint64_t delays;  // the seed of every delay and fault draw (delay_seed)
  const ComputeModel compute;
  Network network;
  std::unique_ptr<LinkFaults> link_faults;         // config.link_faults active for the algorithm
  std::unique_ptr<NodeAvailability> availability;  // faults.nodes
  std::unique_ptr<LiveTopology> live;              // graph.dynamic
  Eigen::MatrixXd initial_models;                  // config "initial_models" (empty without)
  World world;

 private:
  void add_link_faults(const RunConfig& config);
  void add_node_faults(const RunConfig& config, FaultLog& faults);
  void add_live_topology(const RunConfig& config, FaultLog& faults);
};

}  // namespace dasgd
