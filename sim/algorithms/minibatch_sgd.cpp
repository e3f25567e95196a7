// Synchronous minibatch SGD's rounds; see minibatch_sgd.hpp.
#include "sim/algorithms/minibatch_sgd.hpp"

#include <stdexcept>

#include "sim/faults/live_topology.hpp"

namespace dasgd {

MinibatchSgd::MinibatchSgd(const World& world, const MinibatchSgdParams& params, GradientObserver* observer)
    : SynchronousRounds(world, params.header_bytes, observer),
      params_(params),
      model_(world.initial_average()),
      sum_(world.objective->dimension()),
      round_gradient_(n_, 0),
      all_reduce_(*world.topology) {
  if (!(params.eta >= 0)) throw std::invalid_argument("minibatch_sgd: eta must be >= 0");
  if (link_faults() != nullptr) models_ = model_.replicate(1, static_cast<Eigen::Index>(n_));
}

std::vector<AlgorithmFigure> MinibatchSgd::figures() const {
  std::vector<AlgorithmFigure> figures = round_figures();
  figures.push_back({"all_reduce_depth", static_cast<double>(all_reduce_.depth()),
                     "depth of the BFS tree the reduce + broadcast all-reduce runs over (hops each way)"});
  figures.push_back({"message_bytes", message_bytes_, "bytes per all-reduce message: d*8 + header"});
  return figures;
}

void MinibatchSgd::open_round(Simulator& simulator) {
  if (world_.live != nullptr) {
    live_reduce_.take(*world_.live);
    if (live_reduce_.forest().components() != 1)
      throw std::logic_error("minibatch_sgd: a disconnected snapshot (the config refuses such dynamic graphs)");
  }
  if (link_faults() != nullptr) [[unlikely]] {
    for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i, models_.col(static_cast<Eigen::Index>(i)));
    return;
  }
  for (NodeId i = 0; i < n_; ++i)
    if (participates(i)) begin_compute(simulator, i, model_);
}

void MinibatchSgd::gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) {
  round_gradient_[node] = t;
  node_ready(simulator, node);
}

SimTime MinibatchSgd::communicate(Simulator& /*simulator*/) {
  if (LinkFaults* faults = link_faults(); faults != nullptr) [[unlikely]] {
    const SimTime end = all_reduce_.run_over_faults(ready_times(), *world_.network, *faults, detection(),
                                                    message_bytes_, traffic_);
    for (NodeId i = 0; i < n_; ++i)
      if (i != all_reduce_.root() && all_reduce_.received(i)) ++traffic_.deliveries;
    return end;
  }
  const SimTime end = world_.live != nullptr
                           ? live_reduce_.forest().run(ready_times(), live_reduce_.network(), message_bytes_, traffic_)
                           : all_reduce_.run(ready_times(), *world_.network, message_bytes_, traffic_);
  traffic_.deliveries += n_ - 1;  // the summed gradient reaches every node but the root by message
  return end;
}

void MinibatchSgd::close_round_over_faults(Simulator& simulator) {
  const std::size_t m = all_reduce_.contributions();
  std::size_t results_lost = 0;
  sum_.setZero();
  for (NodeId i = 0; i < n_; ++i)
    if (all_reduce_.counted(i)) sum_ += gradient(i);
  sum_ *= params_.eta / static_cast<double>(m);
  for (NodeId j = 0; j < n_; ++j) {
    if (all_reduce_.received(j)) models_.col(static_cast<Eigen::Index>(j)).noalias() -= sum_;
    else ++results_lost;
  }
  count_round_losses(n_ - m, results_lost);
  if (observer_ == nullptr) return;
  // Node j applies the counted gradients iff the result reached it; every other (node, gradient)
  // of the round is lost for good (no later message carries a round's gradients).
  const SimTime now = simulator.now();
  for (NodeId j = 0; j < n_; ++j)
    for (NodeId i = 0; i < n_; ++i) {
      if (all_reduce_.counted(i) && all_reduce_.received(j)) observer_->on_apply(j, round_gradient_[i], now, i == j);
      else observer_->on_gradient_lost(j, round_gradient_[i], now);
    }
}

void MinibatchSgd::close_round(Simulator& simulator) {
  if (link_faults() != nullptr) [[unlikely]] {
    close_round_over_faults(simulator);
    return;
  }
  // Node faults: the mean of the m gradients that were reported (m = n without faults; m = 0: no step).
  const std::size_t m = reporters();
  if (m == 0) return;
  sum_.setZero();
  for (NodeId i = 0; i < n_; ++i)
    if (reported(i)) sum_ += gradient(i);
  model_.noalias() -= (params_.eta / static_cast<double>(m)) * sum_;
  if (observer_ == nullptr) return;
  // Every node applies every gradient of the round at the barrier (the one shared model, which a
  // node down now reads when it rejoins).
  const SimTime now = simulator.now();
  for (NodeId j = 0; j < n_; ++j)
    for (NodeId i = 0; i < n_; ++i)
      if (reported(i)) observer_->on_apply(j, round_gradient_[i], now, i == j);
}

}  // namespace dasgd
