// Push-gossip SGD: local step, push to a random neighbour, average on arrival; see gossip_sgd.hpp.
#include "sim/algorithms/gossip_sgd.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dasgd {

GossipSgd::GossipSgd(const World& world, const GossipSgdParams& params, GradientObserver* observer)
    : world_(world),
      params_(params),
      observer_(observer),
      computations_(world, observer),
      n_(world.topology->num_nodes()),
      d_(world.objective->dimension()),
      message_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes) {
  if (!(params.eta >= 0) || !std::isfinite(params.eta))
    throw std::invalid_argument("gossip_sgd: expected a step size eta >= 0, got " + std::to_string(params.eta));
  const auto columns = static_cast<Eigen::Index>(n_);
  const Vector x0 = world.objective->initial_point();
  models_.resize(d_, columns);
  models_.colwise() = x0;
  choice_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    choice_.push_back(world.streams.stream(Stream::algorithm, i));
  }
}

void GossipSgd::set_model(NodeId node, ConstVectorRef x) {
  if (node >= n_) throw std::invalid_argument("gossip_sgd: set_model: no node " + std::to_string(node));
  if (x.size() != d_)
    throw std::invalid_argument("gossip_sgd: set_model: expected dimension " + std::to_string(d_) + ", got " +
                                std::to_string(x.size()));
  models_.col(node) = x;
}

double GossipSgd::mean_model_age() const noexcept {
  return merges_ == 0 ? 0.0 : age_sum_ / static_cast<double>(merges_);
}

std::vector<AlgorithmFigure> GossipSgd::figures() const {
  return {{"gossip_messages", static_cast<double>(traffic_.messages), "models pushed to a random neighbour"},
          {"model_age_avg", mean_model_age(), "mean time between a model's push and its merge at the receiver"},
          {"merges", static_cast<double>(merges_), "pushed models averaged in at their receiver"},
          {"peak_messages_in_flight", static_cast<double>(peak_in_flight_), "most model copies in flight at once"},
          {"message_bytes", message_bytes_, "bytes per gossip message: d*8 + header"}};
}

void GossipSgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void GossipSgd::handle(Simulator& simulator, const Event& event) {
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case arrival: merge(simulator, event.target, static_cast<std::uint32_t>(event.payload)); break;
    default: throw std::logic_error("gossip_sgd: unknown event type");
  }
}

void GossipSgd::begin_compute(Simulator& simulator, NodeId node) {
  computations_.begin(simulator, node, models_.col(node), compute_done);
}

void GossipSgd::complete_compute(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  const std::uint64_t t = computations_.complete(node, now);
  // Local step on the current model (which merges may have moved since the read).
  models_.col(node).noalias() -= params_.eta * computations_.gradient(node);
  if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
  push(simulator, node);
  begin_compute(simulator, node);
}

void GossipSgd::push(Simulator& simulator, NodeId node) {
  const auto neighbours = world_.topology->neighbours(node);
  if (neighbours.empty()) return;  // one node: plain SGD
  const std::size_t k = choice_[node].below(neighbours.size());
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(messages_.size());
    messages_.push_back(ModelMessage{Vector(d_), 0, 0});
  }
  peak_in_flight_ = std::max(peak_in_flight_, ++in_flight_);
  const SimTime now = simulator.now();
  ModelMessage& message = messages_[slot];
  message.model = models_.col(node);
  message.sent_at = now;
  if (observer_ != nullptr) message.token = observer_->on_model_sent(node, now, 1);
  const SimTime at = world_.network->transmit(world_.topology->arc_begin(node) + k, message_bytes_, now);
  ++traffic_.messages;
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  simulator.schedule_at(at, arrival, neighbours[k], slot);
}

void GossipSgd::merge(Simulator& simulator, NodeId node, std::uint32_t slot) {
  const ModelMessage& message = messages_[slot];
  const SimTime now = simulator.now();
  models_.col(node) = 0.5 * (models_.col(node) + message.model);
  ++traffic_.deliveries;
  ++merges_;
  age_sum_ += now - message.sent_at;
  if (observer_ != nullptr) observer_->on_model_merged(node, message.token, now);
  free_slots_.push_back(slot);
  --in_flight_;
}

}  // namespace dasgd
