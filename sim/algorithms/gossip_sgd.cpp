// Push-gossip SGD: local step, push to a random neighbour, average on arrival; see gossip_sgd.hpp.
#include "sim/algorithms/gossip_sgd.hpp"

#include "sim/faults/live_topology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/algorithms/model_recovery.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

GossipSgd::GossipSgd(const World& world, const GossipSgdParams& params, GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer),
      params_(params),
      message_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes),
      choice_key_(purpose_key(world.streams.master_seed(), Stream::algorithm)) {
  if (!(params.eta >= 0) || !std::isfinite(params.eta))
    throw std::invalid_argument("gossip_sgd: expected a step size eta >= 0, got " + std::to_string(params.eta));
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
  std::vector<AlgorithmFigure> figures{{"gossip_messages", static_cast<double>(traffic_.messages), "models pushed to a random neighbour"},
          {"model_age_avg", mean_model_age(), "mean time between a model's push and its merge at the receiver"},
          {"merges", static_cast<double>(merges_), "pushed models averaged in at their receiver"},
          {"peak_messages_in_flight", static_cast<double>(peak_in_flight_), "most model copies in flight at once"},
          {"message_bytes", message_bytes_, "bytes per gossip message: d*8 + header"}};
  if (world_.live != nullptr)
    figures.push_back({"pushes_skipped", static_cast<double>(pushes_skipped_),
                       "local steps after which the node had no live neighbour to push to (graph.dynamic)"});
  if (world_.network->faults() != nullptr)
    figures.push_back({"models_lost", static_cast<double>(models_lost_),
                       "pushed models that never reached their receiver (lost on a link, or the transport gave up)"});
  return figures;
}

void GossipSgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void GossipSgd::handle(Simulator& simulator, const Event& event) {
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case arrival:
      if (world_.availability != nullptr && !world_.availability->up(event.target)) {
        arrive_while_down(event);
        break;
      }
      merge(simulator, event.target, static_cast<std::uint32_t>(event.payload));
      break;
    case NodeAvailability::event_type: world_.availability->handle(simulator, event, *this); break;
    default: throw std::logic_error("gossip_sgd: unknown event type");
  }
}

void GossipSgd::complete_compute(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  const std::uint64_t t = computations_.complete(node, now);
  // Local step on the current model (which merges may have moved since the read).
  double* x = models_.col(node).data();
  const double* g = computations_.gradient(node).data();
  const double eta = params_.eta;
  for (Eigen::Index j = 0; j < d_; ++j) x[j] -= eta * g[j];
  if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
  push(simulator, node);
  begin_compute(simulator, node);
}

std::uint32_t GossipSgd::acquire_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  const auto slot = static_cast<std::uint32_t>(messages_.size());
  messages_.push_back(MessageHeader{});
  // Grows with std::vector's doubling: amortised O(d) per new slot, none once at the peak.
  message_models_.resize(messages_.size() * static_cast<std::size_t>(d_));
  return slot;
}

void GossipSgd::push(Simulator& simulator, NodeId node) {
  // graph.dynamic: pick among the neighbours live now; none live: the push is skipped (counted).
  LiveSnapshot* live = world_.live != nullptr ? &world_.live->current() : nullptr;
  const auto neighbours = live != nullptr ? live->choices(node) : world_.topology->neighbours(node);
  if (neighbours.empty()) {  // one node: plain SGD
    if (live != nullptr) ++pushes_skipped_;
    return;
  }
  Rng choice(mix_key_from(choice_key_, node, computations_.completed_by(node)));  // = streams.stream(algorithm, node, k)
  const std::size_t k = choice.below(neighbours.size());
  if (LinkFaults* faults = world_.network->faults(); faults != nullptr) [[unlikely]] {
    push_over_faults(simulator, node, k, *faults);
    return;
  }
  const std::uint32_t slot = acquire_slot();
  peak_in_flight_ = std::max(peak_in_flight_, ++in_flight_);
  const SimTime now = simulator.now();
  const double* x = models_.col(node).data();
  std::copy(x, x + d_, slot_model(slot));
  MessageHeader& message = messages_[slot];
  message.sent_at = now;
  if (observer_ != nullptr) message.token = observer_->on_model_sent(node, now, 1);
  const SimTime at = live != nullptr ? live->network().transmit(live->choice_arc(node, k), message_bytes_, now)
                                      : world_.network->transmit(world_.topology->arc_begin(node) + k, message_bytes_, now);
  ++traffic_.messages;
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  simulator.schedule_at(at, arrival, neighbours[k], slot);
}

// The push of node's model to its k-th neighbour when links can lose it. A lost model is accounted
// at the send (on_model_dropped: its snapshot is freed, no merge happens). No gradient is ever lost
// for anyone here: each is in its origin's model from its completion on, and every later push of
// that model (or of a model merged with it) carries it, so S^lost = 0 and the loss shows in S.
void GossipSgd::push_over_faults(Simulator& simulator, NodeId node, std::size_t k, LinkFaults& faults) {
  const SimTime now = simulator.now();
  const ArcId arc = world_.topology->arc_begin(node) + k;
  const SimTime first = world_.network->transmit(arc, message_bytes_, now);
  ++traffic_.messages;
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  const HopOutcome outcome = faults.hop(arc, now, first, message_bytes_);
  if (!outcome.delivered) {
    ++models_lost_;
    if (observer_ != nullptr) observer_->on_model_dropped(observer_->on_model_sent(node, now, 1));
    return;
  }
  const std::uint32_t slot = acquire_slot();
  peak_in_flight_ = std::max(peak_in_flight_, ++in_flight_);
  const double* x = models_.col(node).data();
  std::copy(x, x + d_, slot_model(slot));
  MessageHeader& message = messages_[slot];
  message.sent_at = now;
  if (observer_ != nullptr) message.token = observer_->on_model_sent(node, now, 1);
  simulator.schedule_at(outcome.at, arrival, world_.topology->neighbours(node)[k], slot);
}

void GossipSgd::merge(Simulator& simulator, NodeId node, std::uint32_t slot) {
  const MessageHeader& message = messages_[slot];
  const SimTime now = simulator.now();
  double* x = models_.col(node).data();
  const double* received = slot_model(slot);
  for (Eigen::Index j = 0; j < d_; ++j) x[j] = 0.5 * (x[j] + received[j]);
  ++traffic_.deliveries;
  ++merges_;
  age_sum_ += now - message.sent_at;
  if (observer_ != nullptr) observer_->on_model_merged(node, message.token, now);
  free_slots_.push_back(slot);
  --in_flight_;
}

}  // namespace dasgd

namespace dasgd {

// A push reaching a down node: held (the slot stays in use until the recovery merges it) or dropped.
void GossipSgd::arrive_while_down(const Event& event) {
  if (world_.availability->hold_or_drop(event.target, event)) return;
  const auto slot = static_cast<std::uint32_t>(event.payload);
  if (observer_ != nullptr) observer_->on_model_dropped(messages_[slot].token);
  free_slots_.push_back(slot);
  --in_flight_;
}

// Recovery: keep; initial (x_0); neighbour: a copy of a live neighbour's model, its gradient set
// merged in with weight 1 (model-sent and merged at this instant).
void GossipSgd::node_up(Simulator& simulator, NodeId node) {
  recover_model(world_, observer_, models_, node, simulator.now());
}

}  // namespace dasgd
