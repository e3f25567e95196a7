// The shared wait-free compute loop; see node_computations.hpp.
#include "sim/algorithms/node_computations.hpp"

#include <type_traits>

#include "sim/faults/node_availability.hpp"

namespace dasgd {

static_assert(sizeof(Rng) == 4 * sizeof(double) && std::is_trivially_copyable_v<Rng>,
              "NodeComputations stores the generator as four words of the node's block");

NodeComputations::NodeComputations(const World& world, GradientObserver* observer)
    : world_(world),
      observer_(observer),
      d_(world.objective->dimension()),
      stride_(static_cast<std::size_t>(world.objective->dimension()) + kTail),
      blocks_(stride_ * world.topology->num_nodes(), 0.0) {
  for (std::size_t i = 0; i < world.topology->num_nodes(); ++i)
    store_rng(static_cast<NodeId>(i), world.streams.stream(Stream::gradient_noise, i));
  if (world.availability != nullptr) pending_.assign(world.topology->num_nodes(), EventId{});
}

void NodeComputations::begin(Simulator& simulator, NodeId node, ConstVectorRef model, std::uint32_t done_event) {
  if (stopped_ || (budget_ != 0 && completed_by(node) >= budget_)) return;
  if (!pending_.empty() && !world_.availability->up(node)) return;
  const SimTime now = simulator.now();
  double* b = block(node);
  b[d_ + kStartedAt] = now;
  if (observer_ != nullptr) observer_->on_compute_start(node, now, model);
  Rng noise = load_rng(node);
  world_.objective->stochastic_gradient(node, model, noise, Eigen::Map<Vector>(b, d_));
  store_rng(node, noise);
  const EventId id = simulator.schedule_at(now + world_.compute->duration(node, completed_by(node)), done_event, node);
  if (!pending_.empty()) pending_[node] = id;
}

void NodeComputations::abort(Simulator& simulator, NodeId node) {
  if (!busy(node)) return;
  simulator.cancel(pending_[node]);
  pending_[node] = EventId{};
  if (observer_ != nullptr) observer_->on_compute_lost(node);
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now) {
  return complete(node, now, gradient(node));
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now, ConstVectorRef observed) {
  if (!pending_.empty()) pending_[node] = EventId{};
  const std::uint64_t t = next_gradient_++;
  if (observer_ != nullptr) observer_->on_compute_complete(node, t, started_at(node), now, observed);
  const std::uint64_t k = completed_by(node) + 1;
  set_completed(node, k);
  if (k == budget_) ++nodes_at_budget_;
  return t;
}

}  // namespace dasgd
