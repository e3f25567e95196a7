// The wait-free compute loop the asynchronous algorithms share (run stage): one gradient in
// progress per node, drawn on the model the node reads when it starts (node i's k-th compute time,
// its own noise stream), numbered in completion order and reported to the observer.
// Used by DASGD, AD-PSGD, push-gossip, parameter-server workers and sparsified ASGD.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/algorithms/algorithm.hpp"

namespace dasgd {

class NodeComputations {
 public:
  NodeComputations(const World& world, GradientObserver* observer);

  // Node reads `model` now: its next stochastic gradient is drawn on it (the gradient depends only
  // on the model read and the node's next noise draw, so drawing it at the start is the same as at
  // completion on a snapshot), and event (done_event, node) is scheduled after the node's k-th
  // compute time. Does nothing once stop() was called.
  void begin(Simulator& simulator, NodeId node, ConstVectorRef model, std::uint32_t done_event);
  // At the completion event: numbers the gradient t (completion order), reports it to the observer
  // (`observed` instead of the gradient, where the algorithm's virtual sequence takes another
  // vector), counts it for the node. Returns t.
  std::uint64_t complete(NodeId node, SimTime now);
  std::uint64_t complete(NodeId node, SimTime now, ConstVectorRef observed);

  Eigen::MatrixXd::ColXpr gradient(NodeId node) { return gradients_.col(node); }
  Eigen::MatrixXd::ConstColXpr gradient(NodeId node) const { return gradients_.col(node); }
  SimTime started_at(NodeId node) const noexcept { return started_at_[node]; }

  // Prefetches what begin()/complete() of `node` will touch (a hint, see EventHandler::prefetch).
  void prefetch(NodeId node) const noexcept {
    __builtin_prefetch(gradients_.col(node).data());
    __builtin_prefetch(&noise_[node]);
    __builtin_prefetch(&computed_[node]);
    __builtin_prefetch(&started_at_[node]);
  }

  // Node faults (World::availability set): begin() does nothing for a down node, and abort() cancels
  // the node's computation in progress (it never completes, never gets an index t; the observer is
  // told on_compute_lost). busy(): a computation of the node is in progress.
  void abort(Simulator& simulator, NodeId node);
  bool busy(NodeId node) const noexcept { return !pending_.empty() && pending_[node].sequence != 0; }

  void stop() noexcept { stopped_ = true; }
  bool stopped() const noexcept { return stopped_; }
  std::uint64_t completed() const noexcept { return next_gradient_; }
  std::uint64_t completed_by(NodeId node) const noexcept { return computed_[node]; }

 private:
  World world_;
  GradientObserver* observer_;
  Eigen::MatrixXd gradients_;            // column i: the gradient node i is computing
  std::vector<SimTime> started_at_;
  std::vector<std::uint64_t> computed_;  // gradients node i has completed (its k)
  std::vector<Rng> noise_;               // per node: Stream::gradient_noise
  std::vector<EventId> pending_;         // with node faults only: the completion event in progress
  std::uint64_t next_gradient_ = 0;
  bool stopped_ = false;
};

}  // namespace dasgd
