// The wait-free compute loop the asynchronous algorithms share (run stage): one gradient in
// progress per node, drawn on the model the node reads when it starts (node i's k-th compute time,
// its own noise stream), numbered in completion order and reported to the observer.
// Used by DASGD, AD-PSGD, push-gossip, parameter-server workers and sparsified ASGD.
//
// Memory layout: one contiguous block per node, [gradient (d doubles) | noise generator (32 bytes)
// | start time | gradients completed], so that a completion touches two or three adjacent cache
// lines instead of four scattered arrays (at 10^5+ nodes each was a cache miss). Block i starts at
// i·(8d + 48) bytes from a 16-byte-aligned base, so gradient i has the same alignment as column i
// of a d × n matrix had (Eigen's reductions peel by alignment: the sums stay bit-identical).
#pragma once

#include <cstdint>
#include <cstring>
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

  Eigen::Map<Vector> gradient(NodeId node) { return {block(node), d_}; }
  Eigen::Map<const Vector> gradient(NodeId node) const { return {block(node), d_}; }
  SimTime started_at(NodeId node) const noexcept { return block(node)[d_ + kStartedAt]; }

  // Prefetches what begin()/complete() of `node` will touch (a hint, see EventHandler::prefetch).
  void prefetch(NodeId node) const noexcept {
    const double* b = block(node);
    __builtin_prefetch(b);  // the gradient's first two lines and the tail (generator, time, count)
    if (d_ > 8) __builtin_prefetch(b + 8);
    __builtin_prefetch(b + d_ + kRng);
    __builtin_prefetch(b + d_ + kTail - 1);
  }

  // Node faults (World::availability set): begin() does nothing for a down node, and abort() cancels
  // the node's computation in progress (it never completes, never gets an index t; the observer is
  // told on_compute_lost). busy(): a computation of the node is in progress.
  void abort(Simulator& simulator, NodeId node);
  bool busy(NodeId node) const noexcept { return !pending_.empty() && pending_[node].sequence != 0; }

  void stop() noexcept { stopped_ = true; }
  bool stopped() const noexcept { return stopped_; }
  // stop.gradients_per_node: begin() does nothing for a node that has completed `per_node`
  // gradients; budget_spent() once `computing_nodes` nodes have (the parameter server's workers,
  // every node elsewhere). Before the first begin().
  void set_budget(std::uint64_t per_node, std::size_t computing_nodes) noexcept {
    budget_ = per_node;
    computing_nodes_ = computing_nodes;
  }
  bool budget_spent() const noexcept { return budget_ != 0 && nodes_at_budget_ >= computing_nodes_; }
  std::uint64_t completed() const noexcept { return next_gradient_; }
  std::uint64_t completed_by(NodeId node) const noexcept {
    std::uint64_t k;
    std::memcpy(&k, block(node) + d_ + kComputed, sizeof k);
    return k;
  }

 private:
  // Offsets after the gradient, in doubles: the generator (4 words), the start time, the count.
  static constexpr std::size_t kRng = 0;
  static constexpr std::size_t kStartedAt = 4;
  static constexpr std::size_t kComputed = 5;
  static constexpr std::size_t kTail = 6;

  double* block(NodeId node) noexcept { return blocks_.data() + static_cast<std::size_t>(node) * stride_; }
  const double* block(NodeId node) const noexcept {
    return blocks_.data() + static_cast<std::size_t>(node) * stride_;
  }
  Rng load_rng(NodeId node) const noexcept {
    Rng rng;
    std::memcpy(static_cast<void*>(&rng), block(node) + d_ + kRng, sizeof rng);
    return rng;
  }
  void store_rng(NodeId node, const Rng& rng) noexcept {
    std::memcpy(block(node) + d_ + kRng, static_cast<const void*>(&rng), sizeof rng);
  }
  void set_completed(NodeId node, std::uint64_t k) noexcept {
    std::memcpy(block(node) + d_ + kComputed, &k, sizeof k);
  }

  World world_;
  GradientObserver* observer_;
  Eigen::Index d_;
  std::size_t stride_;         // d + kTail doubles per node
  std::vector<double> blocks_;  // node i's block from i·stride_
  std::vector<EventId> pending_;  // with node faults only: the completion event in progress
  std::uint64_t next_gradient_ = 0;
  std::uint64_t budget_ = 0;  // 0: none
  std::size_t computing_nodes_ = 0;
  std::size_t nodes_at_budget_ = 0;
  bool stopped_ = false;
};

}  // namespace dasgd
