// Local SGD's rounds: H local steps, then a global average; see local_sgd.hpp.
#include "sim/algorithms/local_sgd.hpp"

#include <stdexcept>

#include "sim/algorithms/model_recovery.hpp"
#include "sim/faults/live_topology.hpp"

namespace dasgd {

LocalSgd::LocalSgd(const World& world, const LocalSgdParams& params, GradientObserver* observer)
    : SynchronousRounds(world, params.header_bytes, observer),
      params_(params),
      models_(d_, static_cast<Eigen::Index>(n_)),
      average_(d_),
      steps_done_(n_, 0),
      tokens_(n_, 0),
      all_reduce_(*world.topology) {
  if (!(params.eta >= 0)) throw std::invalid_argument("local_sgd: eta must be >= 0");
  if (params.local_steps == 0) throw std::invalid_argument("local_sgd: local_steps H must be >= 1, got 0");
  world.set_initial_models(models_);
}

std::vector<AlgorithmFigure> LocalSgd::figures() const {
  std::vector<AlgorithmFigure> figures = round_figures();
  figures.push_back({"local_steps", static_cast<double>(params_.local_steps),
                     "H: local SGD steps per node between two global averages"});
  figures.push_back({"all_reduce_depth", static_cast<double>(all_reduce_.depth()),
                     "depth of the BFS tree the reduce + broadcast all-reduce runs over (hops each way)"});
  figures.push_back({"message_bytes", message_bytes_, "bytes per all-reduce message: d*8 + header"});
  if (world_.live != nullptr)
    figures.push_back({"partitioned_rounds", static_cast<double>(partitioned_rounds_),
                       "rounds whose snapshot was disconnected: each component averaged on its own"});
  return figures;
}

void LocalSgd::open_round(Simulator& simulator) {
  if (world_.live != nullptr) live_reduce_.take(*world_.live);
  for (NodeId i = 0; i < n_; ++i) {
    steps_done_[i] = 0;
    if (participates(i)) begin_compute(simulator, i, models_.col(i));
  }
}

void LocalSgd::gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) {
  models_.col(node).noalias() -= params_.eta * gradient(node);
  if (observer_ != nullptr) observer_->on_apply(node, t, simulator.now(), true);
  if (++steps_done_[node] == params_.local_steps) {
    node_ready(simulator, node);
  } else if (!stopped()) {
    begin_compute(simulator, node, models_.col(node));
  }
  // Stopped before its H-th step: the node never becomes ready and the round does not average.
}

SimTime LocalSgd::communicate(Simulator& /*simulator*/) {
  // Each node's model enters the all-reduce once its H steps are done; every other node merges it.
  // Node faults: the reporters' models only, merged by every other reporter (or dropped at the
  // barrier for one that is down by then).
  if (world_.live != nullptr) return communicate_live();
  if (LinkFaults* faults = link_faults(); faults != nullptr) [[unlikely]] return communicate_over_faults(*faults);
  const std::size_t m = reporters();
  if (observer_ != nullptr && m > 1)
    for (NodeId j = 0; j < n_; ++j)
      if (reported(j)) tokens_[j] = observer_->on_model_sent(j, ready_time(j), static_cast<std::uint32_t>(m - 1));
  const SimTime end = all_reduce_.run(ready_times(), *world_.network, message_bytes_, traffic_);
  traffic_.deliveries += n_ - 1;
  return end;
}

void LocalSgd::close_round(Simulator& simulator) {
  if (world_.live != nullptr) {
    close_round_live(simulator);  // (node faults are refused with a dynamic graph)
    return;
  }
  if (link_faults() != nullptr) [[unlikely]] {
    close_round_over_faults(simulator);
    return;
  }
  if (!faults_on()) {
    average_ = models_.rowwise().sum() / static_cast<double>(n_);
    models_.colwise() = average_;
    if (observer_ == nullptr || n_ == 1) return;
    const SimTime now = simulator.now();
    for (NodeId i = 0; i < n_; ++i)
      for (NodeId j = 0; j < n_; ++j)
        if (j != i) observer_->on_model_merged(i, tokens_[j], now);
    return;
  }
  const std::size_t m = reporters();
  if (m == 0) return;
  average_.setZero();
  for (NodeId j = 0; j < n_; ++j)
    if (reported(j)) average_ += models_.col(j);
  average_ /= static_cast<double>(m);
  const SimTime now = simulator.now();
  for (NodeId i = 0; i < n_; ++i) {
    if (!reported(i)) continue;
    const bool receives = up(i);
    if (receives) models_.col(i) = average_;
    if (observer_ == nullptr || m == 1) continue;
    for (NodeId j = 0; j < n_; ++j) {
      if (j == i || !reported(j)) continue;
      if (receives) observer_->on_model_merged(i, tokens_[j], now);
      else observer_->on_model_dropped(tokens_[j]);
    }
  }
}

void LocalSgd::recover(Simulator& simulator, NodeId node) {
  recover_model(world_, observer_, models_, node, simulator.now());
}

}  // namespace dasgd

namespace dasgd {

SimTime LocalSgd::communicate_live() {
  ForestAllReduce& forest = live_reduce_.forest();
  // Node j's model is merged by the other members of its component.
  if (observer_ != nullptr)
    for (NodeId j = 0; j < n_; ++j) {
      const std::size_t c = forest.component_size(forest.component(j));
      if (c > 1) tokens_[j] = observer_->on_model_sent(j, ready_time(j), static_cast<std::uint32_t>(c - 1));
    }
  const SimTime end = forest.run(ready_times(), live_reduce_.network(), message_bytes_, traffic_);
  traffic_.deliveries += n_ - forest.components();
  return end;
}

void LocalSgd::close_round_live(Simulator& simulator) {
  ForestAllReduce& forest = live_reduce_.forest();
  if (forest.components() > 1) ++partitioned_rounds_;
  // Component sums in node order (one component: exactly the static average's order).
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(forest.components()));
  for (NodeId j = 0; j < n_; ++j) sums.col(forest.component(j)) += models_.col(j);
  for (std::uint32_t c = 0; c < forest.components(); ++c)
    sums.col(c) /= static_cast<double>(forest.component_size(c));
  for (NodeId i = 0; i < n_; ++i) models_.col(i) = sums.col(forest.component(i));
  if (observer_ == nullptr) return;
  const SimTime now = simulator.now();
  for (NodeId i = 0; i < n_; ++i)
    for (NodeId j = 0; j < n_; ++j)
      if (j != i && forest.component(j) == forest.component(i)) observer_->on_model_merged(i, tokens_[j], now);
}

}  // namespace dasgd

namespace dasgd {

// Which models reach the root is known only once the all-reduce has run; each model in the average
// (j ∈ C) is then sent with one use per other node, merged at the barrier by the nodes that take
// the average and dropped by the others.
SimTime LocalSgd::communicate_over_faults(LinkFaults& faults) {
  const SimTime end =
      all_reduce_.run_over_faults(ready_times(), *world_.network, faults, detection(), message_bytes_, traffic_);
  for (NodeId i = 0; i < n_; ++i)
    if (i != all_reduce_.root() && all_reduce_.received(i)) ++traffic_.deliveries;
  if (observer_ != nullptr && n_ > 1)
    for (NodeId j = 0; j < n_; ++j)
      if (all_reduce_.counted(j))
        tokens_[j] = observer_->on_model_sent(j, ready_time(j), static_cast<std::uint32_t>(n_ - 1));
  return end;
}

void LocalSgd::close_round_over_faults(Simulator& simulator) {
  const std::size_t m = all_reduce_.contributions();
  average_.setZero();
  for (NodeId j = 0; j < n_; ++j)
    if (all_reduce_.counted(j)) average_ += models_.col(j);
  average_ /= static_cast<double>(m);
  std::size_t results_lost = 0;
  for (NodeId i = 0; i < n_; ++i) {
    if (!all_reduce_.received(i)) ++results_lost;
    if (all_reduce_.counted(i) && all_reduce_.received(i)) models_.col(i) = average_;
  }
  count_round_losses(n_ - m, results_lost);
  if (observer_ == nullptr || n_ == 1) return;
  const SimTime now = simulator.now();
  for (NodeId i = 0; i < n_; ++i) {
    const bool takes = all_reduce_.counted(i) && all_reduce_.received(i);
    for (NodeId j = 0; j < n_; ++j) {
      if (j == i || !all_reduce_.counted(j)) continue;
      if (takes) observer_->on_model_merged(i, tokens_[j], now);
      else observer_->on_model_dropped(tokens_[j]);
    }
  }
}

}  // namespace dasgd
