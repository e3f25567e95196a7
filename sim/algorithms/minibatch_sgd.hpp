// Synchronous minibatch SGD, the textbook baseline (see ../shared/spec/dasgd.md, "Baselines"):
// every round each node computes one stochastic gradient on the shared model, the gradients are
// summed by an all-reduce (TreeAllReduce: reduce + broadcast over a BFS tree of the graph), and at
// the barrier x ← x − η (1/n) Σ_i g_i(x). The round lasts as long as the slowest node plus the
// all-reduce. All nodes hold the same model, so it is stored once.
// Node faults (synchronous_round.hpp): x ← x − η (1/m) Σ_{i reported} g_i over the m reporters (no
// step when m = 0); a recovered node reads the shared model at its next round (recovery "keep").
// Link faults (TreeAllReduce::run_over_faults): each node keeps its own copy of the model. The root
// sums the m gradients whose partial sums reached it (m >= 1: its own always does) and every node
// the result reaches applies x_i ← x_i − η (1/m) Σ_{i counted} g_i; a node the result does not
// reach keeps x_i (its copy then stays behind for good: the gradients of that round are lost for
// it). A gradient that did not reach the root is applied nowhere (lost for every node).
#pragma once

#include <string>
#include <vector>

#include "sim/algorithms/forest_all_reduce.hpp"
#include "sim/algorithms/synchronous_round.hpp"

namespace dasgd {

struct MinibatchSgdParams {
  double eta = 0.01;         // step size η (>= 0; the config requires > 0)
  double header_bytes = 32;  // all-reduce message size = d·8 bytes + header
};

class MinibatchSgd final : public SynchronousRounds {
 public:
  MinibatchSgd(const World& world, const MinibatchSgdParams& params, GradientObserver* observer);

  std::string name() const override { return "minibatch_sgd"; }
  ConstVectorRef model(NodeId node) const override {
    if (link_faults() != nullptr) [[unlikely]] return models_.col(static_cast<Eigen::Index>(node));
    return model_;
  }
  // The model moves by −(η/n) Σ g each round: the virtual sequence's step is η/n.
  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;

  const TreeAllReduce& all_reduce() const noexcept { return all_reduce_; }

 private:
  void open_round(Simulator& simulator) override;
  void gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) override;
  SimTime communicate(Simulator& simulator) override;
  void close_round(Simulator& simulator) override;
  void close_round_over_faults(Simulator& simulator);

  MinibatchSgdParams params_;
  Vector model_;
  Eigen::MatrixXd models_;  // link faults only: column i is node i's copy (d × n)
  Vector sum_;
  std::vector<std::uint64_t> round_gradient_;  // per node: the index t of its gradient this round
  TreeAllReduce all_reduce_;
  // graph.dynamic: each round's all-reduce on the snapshot live at its start (the config admits
  // only dynamic graphs whose every snapshot is connected: one shared model cannot split).
  LiveAllReduce live_reduce_;
};

}  // namespace dasgd
