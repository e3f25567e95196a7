// The shared wait-free compute loop; see node_computations.hpp.
#include "sim/algorithms/node_computations.hpp"

#include <type_traits>

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
}

void NodeComputations::begin(Simulator& simulator, NodeId node, ConstVectorRef model, std::uint32_t done_event) {
  if (stopped_) return;
  const SimTime now = simulator.now();
  double* b = block(node);
  b[d_ + kStartedAt] = now;
  if (observer_ != nullptr) observer_->on_compute_start(node, now, model);
  Rng noise = load_rng(node);
  world_.objective->stochastic_gradient(node, model, noise, Eigen::Map<Vector>(b, d_));
  store_rng(node, noise);
  simulator.schedule_at(now + world_.compute->duration(node, completed_by(node)), done_event, node);
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now) {
  return complete(node, now, gradient(node));
}

std::uint64_t NodeComputations::complete(NodeId node, SimTime now, ConstVectorRef observed) {
  const std::uint64_t t = next_gradient_++;
  if (observer_ != nullptr) observer_->on_compute_complete(node, t, started_at(node), now, observed);
  set_completed(node, completed_by(node) + 1);
  return t;
}

}  // namespace dasgd
