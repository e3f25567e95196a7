// What the asynchronous algorithms set up the same way (run stage): the world they act in, the
// observer they report to, one model per node (d × n, from the world's initial models), the traffic
// counters, and the Algorithm accessors over them. WaitFreeAlgorithm adds the shared compute loop
// (NodeComputations: one gradient in progress per node, drawn on the model the node holds when it
// starts). DASGD, push-gossip, AD-PSGD, the parameter server and sparsified ASGD are wait-free
// algorithms; local async SGD, whose nodes run several workers at once, keeps its own compute loop.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/node_computations.hpp"

namespace dasgd {

class AsynchronousAlgorithm : public Algorithm {
 public:
  std::size_t num_nodes() const final { return n_; }
  ConstVectorRef model(NodeId node) const final { return models_.col(node); }
  const TrafficCounters& traffic() const final { return traffic_; }

 protected:
  AsynchronousAlgorithm(const World& world, GradientObserver* observer)
      : world_(world),
        observer_(observer),
        n_(world.topology->num_nodes()),
        d_(world.objective->dimension()),
        models_(d_, static_cast<Eigen::Index>(n_)) {
    world.set_initial_models(models_);
  }

  World world_;
  GradientObserver* observer_;  // null: nothing observes the run
  std::size_t n_;
  Eigen::Index d_;
  Eigen::MatrixXd models_;  // column i: node i's model
  TrafficCounters traffic_;
};

class WaitFreeAlgorithm : public AsynchronousAlgorithm {
 public:
  // The type of the completion event (target: the node) in every wait-free algorithm.
  static constexpr std::uint32_t compute_done_event = 1;

  // No new computations; messages in flight still arrive.
  void stop_computing() final { computations_.stop(); }
  // stop.gradients_per_node: every node stops computing after `per_node` completions (the parameter
  // server counts its workers only, so it overrides this).
  void set_gradient_budget(std::uint64_t per_node) override { computations_.set_budget(per_node, num_nodes()); }
  bool budget_spent() const final { return computations_.budget_spent(); }
  std::uint64_t gradients_completed() const final { return computations_.completed(); }
  std::uint64_t gradients_of(NodeId node) const final { return computations_.completed_by(node); }

 protected:
  WaitFreeAlgorithm(const World& world, GradientObserver* observer)
      : AsynchronousAlgorithm(world, observer), computations_(world, observer) {}

  // Node starts its next gradient on the model it holds now; (compute_done_event, node) fires when
  // it completes. Nothing once stop_computing() was called, or while the node is down.
  void begin_compute(Simulator& simulator, NodeId node) {
    computations_.begin(simulator, node, models_.col(node), compute_done_event);
  }

  NodeComputations computations_;
};

}  // namespace dasgd
