// D-PSGD's mixing under node faults: W folded onto the round's live set; see dpsgd.hpp.
//
// Why W' stays doubly stochastic: for i ∈ L, Σ_j W'_ij = W_ii + Σ_{j ∈ N(i) \ L} W_ij +
// Σ_{j ∈ N(i) ∩ L} W_ij = Σ_j W_ij = 1; for i ∉ L the row is e_i. W' is symmetric (W is, and the
// fold only adds to the diagonal), so its columns sum to 1 too.
#include "sim/algorithms/dpsgd.hpp"

#include "sim/algorithms/model_recovery.hpp"
#include "sim/faults/link_faults.hpp"
#include "sim/faults/live_topology.hpp"

namespace dasgd {

// Every participant sent its model (at the round start, or at its completion) with one use per
// neighbour: a use is merged where both ends are in L, and dropped otherwise.
void Dpsgd::close_round_on_live_set(Simulator& simulator) {
  const SimTime now = simulator.now();
  const bool adapt_after = params_.variant == DpsgdVariant::combine_then_adapt;
  const Topology& topology = round_graph_ ? round_graph_->topology() : *world_.topology;
  live_.assign(n_, 0);
  for (NodeId i = 0; i < n_; ++i) live_[i] = reported(i) && up(i) ? 1 : 0;
  for (NodeId i = 0; i < n_; ++i) {
    mixed_.col(i) = models_.col(i);
    if (!live_[i]) {
      // Keeps its model; a reporter down now applies its own gradient to it (combine-then-adapt;
      // adapt-then-combine applied it at its completion).
      if (reported(i) && adapt_after) mixed_.col(i).noalias() -= params_.eta * gradient(i);
      continue;
    }
    const auto neighbours = topology.neighbours(i);
    const ArcId first = topology.arc_begin(i);
    double self = weights_.self[i];
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      if (!live_[neighbours[k]]) self += weights_.arc[first + k];
    mixed_.col(i) *= self;
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      if (live_[neighbours[k]]) mixed_.col(i).noalias() += weights_.arc[first + k] * models_.col(neighbours[k]);
    if (adapt_after) mixed_.col(i).noalias() -= params_.eta * gradient(i);
  }
  models_.swap(mixed_);
  if (observer_ == nullptr) return;
  for (NodeId j = 0; j < n_; ++j) {
    if (sent_[j]) {
      for (const NodeId k : topology.neighbours(j)) {
        if (live_[j] && live_[k]) observer_->on_model_merged(k, tokens_[j], now);
        else observer_->on_model_dropped(tokens_[j]);
      }
    }
    if (reported(j) && adapt_after) observer_->on_apply(j, round_gradient_[j], now, true);
  }
}

// Link faults: every node sends every round (node faults are refused with link faults), one hop
// per arc; a lost model is known at its detection, which bounds the barrier.
void Dpsgd::send_model_over_faults(NodeId node, SimTime now, LinkFaults& faults) {
  const Topology& topology = *world_.topology;
  const auto neighbours = topology.neighbours(node);
  if (observer_ != nullptr && !neighbours.empty())
    tokens_[node] = observer_->on_model_sent(node, now, static_cast<std::uint32_t>(neighbours.size()));
  const ArcId first = topology.arc_begin(node);
  for (std::size_t k = 0; k < neighbours.size(); ++k) {
    const ArcId arc = first + k;
    const SimTime at = world_.network->transmit(arc, message_bytes_, now);
    const HopOutcome outcome = faults.hop(arc, now, at, message_bytes_);
    arrived_[arc] = outcome.delivered ? 1 : 0;
    if (!outcome.delivered) ++lost_this_round_;
    else ++traffic_.deliveries;
    const SimTime known = outcome.delivered ? outcome.at : detection().known(outcome, now);
    models_in_[neighbours[k]] = std::max(models_in_[neighbours[k]], known);
  }
  traffic_.messages += neighbours.size();
  traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(neighbours.size()) * message_bytes_);
}

// Row i of W' (dpsgd.hpp): a neighbour's model that did not arrive gives its weight to the diagonal.
void Dpsgd::close_round_over_faults(Simulator& simulator) {
  const SimTime now = simulator.now();
  const bool adapt_after = params_.variant == DpsgdVariant::combine_then_adapt;
  const Topology& topology = *world_.topology;
  for (NodeId i = 0; i < n_; ++i) {
    const auto neighbours = topology.neighbours(i);
    const ArcId first = topology.arc_begin(i);
    double self = weights_.self[i];
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      if (!arrived_[reverse_arc_[first + k]]) self += weights_.arc[first + k];
    mixed_.col(i) = self * models_.col(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      if (arrived_[reverse_arc_[first + k]])
        mixed_.col(i).noalias() += weights_.arc[first + k] * models_.col(neighbours[k]);
    if (adapt_after) mixed_.col(i).noalias() -= params_.eta * gradient(i);
  }
  models_.swap(mixed_);
  count_round_losses(lost_this_round_, 0);
  if (observer_ == nullptr) return;
  for (NodeId i = 0; i < n_; ++i) {
    const auto neighbours = topology.neighbours(i);
    const ArcId first = topology.arc_begin(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const NodeId j = neighbours[k];
      if (arrived_[reverse_arc_[first + k]]) observer_->on_model_merged(i, tokens_[j], now);
      else observer_->on_model_dropped(tokens_[j]);
    }
    if (adapt_after) observer_->on_apply(i, round_gradient_[i], now, true);
  }
}

void Dpsgd::recover(Simulator& simulator, NodeId node) {
  recover_model(world_, observer_, models_, node, simulator.now());
}

}  // namespace dasgd
