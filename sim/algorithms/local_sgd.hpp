// Local SGD (Stich 2019, "Local SGD converges fast and communicates little", arXiv 1805.09767,
// Algorithm 1): each round every node takes H local steps x_i ← x_i − η g_i(x_i) on its own model,
// then all models are averaged, x_i ← (1/n) Σ_j x_j, by an all-reduce (TreeAllReduce: reduce +
// broadcast over a BFS tree of the graph) ending at a barrier. H = 1 is minibatch SGD.
// Gradient sets: each average makes every node's set the union of all nodes' sets.
// Node faults (synchronous_round.hpp): the average is over the reporters R (the participants that
// finished their H steps), x_i ← (1/|R|) Σ_{j∈R} x_j, and replaces the models of the reporters up at
// the barrier; every other node keeps its model (a participant that crashed keeps its steps so far).
// A recovered node rejoins at the next round with its recovery model (keep, initial, neighbour).
// graph.dynamic: a round's all-reduce runs on the snapshot live at its start; on a disconnected
// snapshot each connected component averages on its own, x_i ← (1/|C|) Σ_{j∈C} x_j for i in C
// (a node alone keeps its model), and the barrier is when the last component is done.
// Link faults (TreeAllReduce::run_over_faults): the average is over the set C of nodes whose models
// reached the root, x̄_C = (1/|C|) Σ_{j∈C} x_j (the root is always in C), and replaces x_i for every
// i in C that the result reached; every other node keeps its model (one outside C would lose its
// own local steps by taking an average without them; one the result missed has nothing to take).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/algorithms/forest_all_reduce.hpp"
#include "sim/algorithms/synchronous_round.hpp"

namespace dasgd {

struct LocalSgdParams {
  double eta = 0.01;               // step size η (>= 0; the config requires > 0)
  std::uint64_t local_steps = 1;   // H >= 1: local steps between averages
  double header_bytes = 32;        // all-reduce message size = d·8 bytes + header
};

class LocalSgd final : public SynchronousRounds {
 public:
  LocalSgd(const World& world, const LocalSgdParams& params, GradientObserver* observer);

  std::string name() const override { return "local_sgd"; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  // The node average moves by −(η/n) Σ g: the virtual sequence's step is η/n.
  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;

 private:
  void open_round(Simulator& simulator) override;
  void gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) override;
  SimTime communicate(Simulator& simulator) override;
  void close_round(Simulator& simulator) override;
  void recover(Simulator& simulator, NodeId node) override;

  LocalSgdParams params_;
  Eigen::MatrixXd models_;                 // column i: x_i
  Vector average_;
  std::vector<std::uint64_t> steps_done_;  // local steps node i has taken this round
  std::vector<std::uint64_t> tokens_;      // observer's snapshot of each node's set at the all-reduce
  TreeAllReduce all_reduce_;
  // graph.dynamic: the all-reduce on the round's snapshot, one tree per component; each component
  // averages its own members (see close_round_live).
  SimTime communicate_live();
  void close_round_live(Simulator& simulator);
  // Link faults: the average over the contributions that reached the root (see above).
  SimTime communicate_over_faults(LinkFaults& faults);
  void close_round_over_faults(Simulator& simulator);
  LiveAllReduce live_reduce_;
  std::uint64_t partitioned_rounds_ = 0;
};

}  // namespace dasgd
