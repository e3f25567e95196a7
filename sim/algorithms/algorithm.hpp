// What every algorithm is to the run: an event handler over the engine that owns the node models,
// plus the world it acts in (graph, objective, delay models) and the observer it reports to.
// Algorithms sit above the engine and below metrics/output: they never write files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "objectives/objective.hpp"
#include "sim/delay/compute_model.hpp"
#include "sim/delay/network.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/faults/fault_log.hpp"
#include "sim/random/rng.hpp"
#include "topologies/topology.hpp"

namespace dasgd {

class NodeAvailability;  // sim/faults/node_availability.hpp
class FaultLog;          // sim/faults/fault_log.hpp
class LiveTopology;      // sim/faults/live_topology.hpp

// Everything an algorithm acts in, built from the config (config → world).
struct World {
  const Topology* topology = nullptr;
  const Objective* objective = nullptr;
  const ComputeModel* compute = nullptr;
  Network* network = nullptr;
  RandomStreams streams{0};  // gradient noise, sampling and algorithm-internal choices
  // Fault processes (null: every node always up). Algorithms that honour node faults check
  // availability->up(node) where a message arrives and forward NodeAvailability::event_type events.
  NodeAvailability* availability = nullptr;
  FaultLog* faults = nullptr;  // the run's fault timeline (faults.csv), when a fault process is on
  // graph.dynamic: the graph live now (its own network); null for a static graph, where topology
  // and network are the graph and links at every instant.
  LiveTopology* live = nullptr;
  // Per-node starting models, d × n (column i: node i; config "initial_models"); null: every node
  // starts at objective->initial_point(). Algorithms start (and "initial" recovery restarts) from these.
  const Eigen::MatrixXd* initial_models = nullptr;

  Vector initial_model(NodeId node) const {
    return initial_models != nullptr ? Vector(initial_models->col(node)) : objective->initial_point();
  }
  // Sets every column of `models` (d × n) to its node's initial model.
  void set_initial_models(Eigen::MatrixXd& models) const {
    if (initial_models != nullptr) models = *initial_models;
    else models.colwise() = objective->initial_point();
  }
  // x̄_0, the mean of the initial models (the start of the virtual sequence and of minibatch SGD).
  Vector initial_average() const {
    return initial_models != nullptr ? Vector(initial_models->rowwise().mean()) : objective->initial_point();
  }
};

// Observers of gradients (staleness, virtual sequence, per-gradient log). Metrics observe and never
// change the run: every argument is const.
class GradientObserver {
 public:
  virtual ~GradientObserver() = default;
  // Node starts a gradient computation at time s on the model it reads now (v). Returns an id for
  // this computation, needed only by nodes that run several at once (several workers).
  virtual std::uint64_t on_compute_start(NodeId node, SimTime s, ConstVectorRef v) = 0;
  // A computation started at s completes at c; it is gradient number t (completion order).
  // `computation` is the id on_compute_start returned; the default names the node's most recently
  // started computation (enough when a node computes one gradient at a time).
  static constexpr std::uint64_t latest_computation = ~std::uint64_t{0};
  virtual void on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c,
                                   ConstVectorRef gradient,
                                   std::uint64_t computation = latest_computation) = 0;
  // Gradient t is applied to node's model at time r (own: by the node that computed it).
  virtual void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) = 0;
  // A started computation will never complete (its node crashed): it gets no index t. Default:
  // nothing (observers that keep per-computation state free it).
  virtual void on_compute_lost(NodeId /*node*/, std::uint64_t /*computation*/ = latest_computation) {}

  // Model-averaging algorithms (gossip, D-PSGD, AD-PSGD, local SGD, ...): a node's gradient set
  // becomes the union of its own and that of every model it averages in with positive weight.
  // on_model_sent snapshots the source's gradient set at send time and returns a token; the token
  // is good for exactly `uses` calls of on_model_merged (then the snapshot is freed). A message that
  // is never delivered must still be accounted: call on_model_dropped for each unused use.
  virtual std::uint64_t on_model_sent(NodeId source, SimTime when, std::uint32_t uses) = 0;
  virtual void on_model_merged(NodeId node, std::uint64_t token, SimTime when) = 0;
  virtual void on_model_dropped(std::uint64_t token) = 0;

  // Link faults (../shared/spec/faults.md, "Staleness when gradients can be lost"): gradient t will
  // never reach `node` (its copy towards node was dropped or gave up retrying, at `when`). Called
  // once per (node, gradient) at most, never for a gradient already applied there.
  virtual void on_gradient_lost(NodeId /*node*/, std::uint64_t /*t*/, SimTime /*when*/) {}

  // The parameter server's own delay (spec "Baselines"): it applied gradient t with τ_t server
  // updates between the worker's pull and this one, or (nullopt) it never will (the push was lost).
  // Called once per gradient, at the application or the loss. Default: nothing.
  virtual void on_server_delay(std::uint64_t /*t*/, std::optional<std::uint64_t> /*tau*/) {}
};

// A named figure an algorithm reports about itself (its own staleness notion, e.g. the parameter
// server's delay τ, or rounds, exchanges, bytes saved by compression).
struct AlgorithmFigure {
  std::string name;
  double value = 0;
  std::string definition;
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
  // simulator.run_until(*this, ...); an algorithm may override it with run_until_as(*this, ...)
  // on its final type, so that the event loop calls its handler without a virtual call.
  virtual StopReason run_until(Simulator& simulator, SimTime t_end, std::uint64_t max_events) {
    return simulator.run_until(*this, t_end, max_events);
  }
  // After this, nodes start no new computations (in-flight ones still complete).
  virtual void stop_computing() = 0;
  // stop.gradients_per_node (docs/EXPERIMENTS.md, "A per-node gradient budget"), before start():
  // a node starts no computation once it has completed `per_node` gradients (the parameter
  // server's workers; round-based algorithms open no round once every node has); budget_spent()
  // is true once every computing node has completed its budget.
  virtual void set_gradient_budget(std::uint64_t /*per_node*/) {
    throw std::logic_error(name() + ": stop.gradients_per_node is not supported by this algorithm");
  }
  virtual bool budget_spent() const { return false; }

  virtual std::size_t num_nodes() const = 0;
  virtual ConstVectorRef model(NodeId node) const = 0;
  virtual std::uint64_t gradients_completed() const = 0;
  virtual std::uint64_t gradients_of(NodeId node) const = 0;
  virtual const TrafficCounters& traffic() const = 0;

  // The step of the virtual sequence the proofs follow, x_{t+1} = x_t − c·g_t in completion order:
  // c = η for DASGD and the parameter server (every gradient is applied once with step η);
  // c = η/n for averaging algorithms, whose node average moves by −(η/n) Σ g.
  virtual double virtual_step() const = 0;
  // The algorithm's own staleness notion and other figures, for summary.json.
  virtual std::vector<AlgorithmFigure> figures() const { return {}; }

  // Node faults (docs/FAULTS.md), called by World::availability. node_down: `node` crashed now (its
  // computation in progress is lost). node_up: it is back; set its model by the recovery rule.
  // Messages held for it are delivered next, then node_resume: it starts computing again.
  // Algorithms that cannot honour node faults are refused by the config (node_fault_config.cpp).
  virtual void node_down(Simulator& /*simulator*/, NodeId /*node*/) { refuse_faults(); }
  virtual void node_up(Simulator& /*simulator*/, NodeId /*node*/) { refuse_faults(); }
  virtual void node_resume(Simulator& /*simulator*/, NodeId /*node*/) { refuse_faults(); }

 private:
  [[noreturn]] void refuse_faults() const {
    throw std::logic_error(name() + ": node faults are not supported by this algorithm");
  }
};

}  // namespace dasgd
