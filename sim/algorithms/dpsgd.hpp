// D-PSGD (Lian et al. 2017, "Can decentralized algorithms outperform centralized algorithms?",
// arXiv 1705.09056, Algorithm 1): synchronous rounds on the graph with a symmetric doubly
// stochastic mixing matrix W (topologies/mixing.hpp).
//   combine_then_adapt (the paper's):  x_i ← Σ_j W_ij x_j − η g_i(x_i)
//   adapt_then_combine:                x_i ← Σ_j W_ij (x_j − η g_j(x_j))
// Round time: every node sends its model to each neighbour, one world.network->transmit per arc;
// the round ends at a global barrier once every node has its gradient and all its neighbours'
// models. Combine-then-adapt sends x_i at the round start, concurrently with the gradient (the
// gradient and the neighbour average both read x_i^r, so the paper runs them in parallel), unless
// "overlap" is off; adapt-then-combine sends x_i − η g_i, so it must wait for the gradient.
// graph.dynamic (World::live): each round mixes on the snapshot live when it opens, with that
// graph's own W (the rule above; on a directed one-peer graph the paper's x_i ← (x_i + x_peer(i))/2).
// Gradient sets: a node's new set is the union of its neighbours' sets (models sent) and its own,
// plus its own new gradient.
// Node faults (the round rule: synchronous_round.hpp; the mixing: dpsgd_faults.cpp): a round mixes
// over its live set L, the reporters still up at the barrier, with W folded onto L: W'_ij = W_ij for
// i ≠ j both in L, W'_ii = W_ii + Σ_{j ∈ N(i) \ L} W_ij, and row i = e_i for i ∉ L (the node keeps its
// model). W' is symmetric with rows summing to 1, so doubly stochastic on every round. Under
// graph.dynamic W is the round graph's (undirected kinds; the directed one-peer graph is refused).
// Link faults (each model message one LinkFaults::hop; dpsgd_faults.cpp): a neighbour's model lost
// on its way to i is left out of i's mixing and its weight goes onto i's diagonal, W'_ii = W_ii +
// Σ_{j: x_j lost towards i} W_ij, W'_ij = 0 for those j, the rest of row i unchanged. Each row still
// sums to 1 (W' row-stochastic), but a loss in one direction only breaks the symmetry, so the node
// average is not conserved in such a round. The barrier waits for each lost model until its
// detection (LossDetection: the give-up, or send + round_timeout).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/algorithms/synchronous_round.hpp"
#include "topologies/mixing.hpp"
#include "topologies/spectral.hpp"

namespace dasgd {

class LiveSnapshot;  // sim/faults/live_topology.hpp

enum class DpsgdVariant { combine_then_adapt, adapt_then_combine };
std::string to_string(DpsgdVariant variant);

struct DpsgdParams {
  double eta = 0.01;  // step size η (>= 0; the config requires > 0; tests use 0 for pure mixing)
  MixingRule mixing = MixingRule::metropolis_hastings;
  DpsgdVariant variant = DpsgdVariant::combine_then_adapt;
  bool overlap = true;       // combine_then_adapt only: send x_i at the round start
  double header_bytes = 32;  // model message size = d·8 bytes + header
  // d × n starting models (column i: x_i); empty: every node starts at the objective's x_0.
  // Lets a run (or a test) start from a chosen disagreement between the nodes.
  Eigen::MatrixXd initial_models;
};

class Dpsgd final : public SynchronousRounds {
 public:
  // Throws std::invalid_argument for uniform mixing on an irregular graph (W = 1/(deg + 1) is then
  // not doubly stochastic, which the paper's analysis needs), for overlap with adapt_then_combine,
  // and for initial_models of the wrong shape.
  Dpsgd(const World& world, const DpsgdParams& params, GradientObserver* observer);

  std::string name() const override { return "dpsgd"; }
  ConstVectorRef model(NodeId node) const override { return models_.col(node); }
  // W doubly stochastic: the node average moves by −(η/n) Σ g, so the virtual step is η/n.
  double virtual_step() const override { return params_.eta / static_cast<double>(n_); }
  std::vector<AlgorithmFigure> figures() const override;

  const SpectralGap& spectral() const noexcept { return spectral_; }

 private:
  void open_round(Simulator& simulator) override;
  void gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) override;
  SimTime communicate(Simulator& simulator) override;
  void close_round(Simulator& simulator) override;
  void close_round_on_live_set(Simulator& simulator);  // node faults (dpsgd_faults.cpp)
  void close_round_over_faults(Simulator& simulator);  // link faults (dpsgd_faults.cpp)
  // Link faults: node's model sent on each of its arcs through LinkFaults::hop.
  void send_model_over_faults(NodeId node, SimTime now, LinkFaults& faults);
  void recover(Simulator& simulator, NodeId node) override;  // keep, initial, neighbour
  // Sends node's current model to every neighbour at now.
  void send_model(NodeId node, SimTime now);

  DpsgdParams params_;
  MixingWeights weights_;
  SpectralGap spectral_;
  Eigen::MatrixXd models_;   // column i: x_i
  Eigen::MatrixXd mixed_;    // scratch: the next models
  std::vector<std::uint64_t> round_gradient_;  // per node: the index t of its gradient this round
  std::vector<std::uint64_t> tokens_;          // per node: observer's snapshot of the model it sent
  std::vector<SimTime> models_in_;             // per node: last arrival of a neighbour's model
  // Node faults only: node sent its model this round (its token has one use per neighbour); the
  // round's live set (reporters up at the barrier).
  std::vector<std::uint8_t> sent_, live_;
  // Link faults only: per arc j → i, this round's model from j reached i; per arc, its reverse arc;
  // models lost this round.
  std::vector<std::uint8_t> arrived_;
  std::vector<ArcId> reverse_arc_;
  std::size_t lost_this_round_ = 0;

  // graph.dynamic: each round uses the snapshot live when it opens, with that graph's own W.
  void use_round_graph();
  std::shared_ptr<LiveSnapshot> round_graph_;
  std::uint64_t weights_for_ = ~std::uint64_t{0};  // snapshot index weights_ belong to
  std::uint64_t round_graphs_ = 0;
  std::vector<std::uint32_t> receivers_begin_;  // directed one-peer: node j sends to
  std::vector<NodeId> receivers_;               // receivers_[receivers_begin_[j] ..)
};

}  // namespace dasgd
