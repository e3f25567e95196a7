// The shared wait-free compute loop; see node_computations.hpp.
#include "sim/algorithms/node_computations.hpp"

#include "sim/faults/node_availability.hpp"

namespace dasgd {

NodeComputations::NodeComputations(const World& world, GradientObserver* observer)
    : world_(world),
      observer_(observer),
      gradients_(Eigen::MatrixXd::Zero(world.objective->dimension(),
                                       static_cast<Eigen::Index>(world.topology->num_nodes()))),
      started_at_(world.topology->num_nodes(), 0.0),
      computed_(world.topology->num_nodes(), 0) {
  noise_.reserve(world.topology->num_nodes());
  for (std::size_t i = 0; i < world.topology->num_nodes(); ++i)
    noise_.push_back(world.streams.stream(Stream::gradient_noise, i));
  if (world.availability != nullptr) pending_.assign(world.topology->num_nodes(), EventId{});
}

void NodeComputations::begin(Simulator& simulator, NodeId node, ConstVectorRef model, std::uint32_t done_event) {
  if (stopped_) return;
  if (!pending_.empty() && !world_.availability->up(node)) return;
  const SimTime now = simulator.now();
  started_at_[node] = now;
  if (observer_ != nullptr) observer_->on_compute_start(node, now, model);
  world_.objective->stochastic_gradient(node, model, noise_[node], gradients_.col(node));
  const EventId id = simulator.schedule_at(now + world_.compute->duration(node, computed_[node]), done_event, node);
  if (!pending_.empty()) pending_[node] = id;
}

void NodeComputations::abort(Simulator& simulator, NodeId node) {
  if (!busy(node)) return;
  simulator.cancel(pending_[node]);
  pending_[node] = EventId{};
  if (observer_ != nullptr) observer_->on_compute_lost(node);
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now) {
  return complete(node, now, gradients_.col(node));
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now, ConstVectorRef observed) {
  if (!pending_.empty()) pending_[node] = EventId{};
  const std::uint64_t t = next_gradient_++;
  if (observer_ != nullptr) observer_->on_compute_complete(node, t, started_at_[node], now, observed);
  ++computed_[node];
  return t;
}

}  // namespace dasgd
