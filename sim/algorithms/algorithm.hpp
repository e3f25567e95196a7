// What every algorithm is to the run: an event handler over the engine that owns the node models,
// plus the world it acts in (graph, objective, delay models) and the observer it reports to.
// Algorithms sit above the engine and below metrics/output: they never write files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "objectives/objective.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/network.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/random/rng.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

// Everything an algorithm acts in, built from the config (config → world).
struct World {
  const Topology* topology = nullptr;
  const Objective* objective = nullptr;
  const ComputeModel* compute = nullptr;
  Network* network = nullptr;
  RandomStreams streams{0};  // gradient noise, sampling and algorithm-internal choices
};

// Observers of gradients (staleness, virtual sequence, per-gradient log). Metrics observe and never
// change the run: every argument is const.
class GradientObserver {
 public:
  virtual ~GradientObserver() = default;
  // Node starts a gradient computation at time s on the model it reads now (v).
  virtual void on_compute_start(NodeId node, SimTime s, ConstVectorRef v) = 0;
  // The computation started at s completes at c; it is gradient number t (completion order).
  virtual void on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c,
                                   ConstVectorRef gradient) = 0;
  // Gradient t is applied to node's model at time r (own: by the node that computed it).
  virtual void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) = 0;
};

// Traffic counters every algorithm keeps.
struct TrafficCounters {
  std::uint64_t messages = 0;      // messages handed to links (one per hop)
  std::uint64_t bytes = 0;         // bytes handed to links
  std::uint64_t deliveries = 0;    // gradient-carrying messages applied at a receiver
  std::uint64_t duplicates = 0;    // flooding copies dropped on arrival
};

class Algorithm : public EventHandler {
 public:
  ~Algorithm() override = default;
  virtual std::string name() const = 0;
  // Schedules the initial events (every node starts at t = 0).
  virtual void start(Simulator& simulator) = 0;
  // After this, nodes start no new computations (in-flight ones still complete).
  virtual void stop_computing() = 0;

  virtual std::size_t num_nodes() const = 0;
  virtual ConstVectorRef model(NodeId node) const = 0;
  virtual std::uint64_t gradients_completed() const = 0;
  virtual std::uint64_t gradients_of(NodeId node) const = 0;
  virtual const TrafficCounters& traffic() const = 0;
};

}  // namespace dasgd
