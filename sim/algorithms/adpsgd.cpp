// AD-PSGD: each node's computation, and the locked pairwise exchange; see adpsgd.hpp for the
// protocol and why it cannot deadlock.
#include "sim/algorithms/adpsgd.hpp"

#include "sim/faults/live_topology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dasgd {

Adpsgd::Adpsgd(const World& world, const AdpsgdParams& params, GradientObserver* observer)
    : world_(world),
      params_(params),
      observer_(observer),
      computations_(world, observer),
      n_(world.topology->num_nodes()),
      d_(world.objective->dimension()),
      model_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes) {
  if (!(params.eta >= 0) || !std::isfinite(params.eta))
    throw std::invalid_argument("adpsgd: expected a step size eta >= 0, got " + std::to_string(params.eta));
  const auto columns = static_cast<Eigen::Index>(n_);
  const Vector x0 = world.objective->initial_point();
  models_.resize(d_, columns);
  models_.colwise() = x0;
  pending_gradient_.assign(n_, 0);
  lock_holder_.assign(n_, no_exchange);
  lock_queue_.resize(n_);
  choice_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    choice_.push_back(world.streams.stream(Stream::algorithm, i));
  }
}

void Adpsgd::set_model(NodeId node, ConstVectorRef x) {
  if (node >= n_) throw std::invalid_argument("adpsgd: set_model: no node " + std::to_string(node));
  if (x.size() != d_)
    throw std::invalid_argument("adpsgd: set_model: expected dimension " + std::to_string(d_) + ", got " +
                                std::to_string(x.size()));
  models_.col(node) = x;
}

std::size_t Adpsgd::locks_held() const noexcept {
  return static_cast<std::size_t>(std::count_if(lock_holder_.begin(), lock_holder_.end(),
                                                [](std::uint32_t e) { return e != no_exchange; }));
}

double Adpsgd::mean_exchange_wait() const noexcept {
  return exchanges_done_ == 0 ? 0.0 : exchange_wait_sum_ / static_cast<double>(exchanges_done_);
}

double Adpsgd::mean_lock_wait() const noexcept {
  return exchanges_done_ == 0 ? 0.0 : lock_wait_sum_ / static_cast<double>(exchanges_done_);
}

std::vector<AlgorithmFigure> Adpsgd::figures() const {
  std::vector<AlgorithmFigure> figures = {{"exchanges", static_cast<double>(exchanges_done_), "pairwise averages completed at both ends"},
          {"exchange_wait_avg", mean_exchange_wait(),
           "mean time from a gradient's completion until the initiator's model holds the pair average"},
          {"lock_wait_avg", mean_lock_wait(),
           "mean time per exchange spent queued for the two endpoint locks (taken in id order)"},
          {"message_bytes", model_bytes_, "bytes per model message: d*8 + header (lock requests: header only)"}};
  if (world_.live != nullptr)
    figures.push_back({"exchanges_skipped", static_cast<double>(exchanges_skipped_),
                       "gradients applied without an exchange: the node had no live neighbour (graph.dynamic)"});
  return figures;
}

void Adpsgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void Adpsgd::handle(Simulator& simulator, const Event& event) {
  const auto slot = static_cast<std::uint32_t>(event.payload);
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case lock_request_arrival:
    case model_arrival: request_lock(simulator, event.target, slot); break;
    case average_arrival: finish_at_lower(simulator, slot); break;
    default: throw std::logic_error("adpsgd: unknown event type");
  }
}

void Adpsgd::begin_compute(Simulator& simulator, NodeId node) {
  computations_.begin(simulator, node, models_.col(node), compute_done);
}

void Adpsgd::complete_compute(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  const std::uint64_t t = computations_.complete(node, now);
  pending_gradient_[node] = t;
  // graph.dynamic: the partner is drawn among the neighbours live now, and the exchange's messages
  // travel on that snapshot to its end; with no live neighbour the node applies its gradient alone.
  std::shared_ptr<LiveSnapshot> live = world_.live != nullptr ? world_.live->share() : nullptr;
  const auto neighbours = live ? live->choices(node) : world_.topology->neighbours(node);
  if (neighbours.empty()) {  // one node: nobody to average with, plain SGD
    if (live) ++exchanges_skipped_;
    apply_own_gradient(simulator, node);
    return;
  }
  const NodeId partner = neighbours[choice_[node].below(neighbours.size())];
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    buffers_.emplace_back(d_);
  }
  Exchange& exchange = slots_[slot];
  exchange = Exchange{};
  exchange.initiator = node;
  exchange.lower = std::min(node, partner);
  exchange.higher = std::max(node, partner);
  exchange.wanted_at = now;
  exchange.snapshot = std::move(live);
  ++in_flight_;
  if (node == exchange.lower) request_lock(simulator, node, slot);
  else send(simulator, node, exchange.lower, params_.header_bytes, lock_request_arrival, slot);
}

void Adpsgd::send(Simulator& simulator, NodeId from, NodeId to, double bytes, EventType type, std::uint32_t slot) {
  LiveSnapshot* live = slots_[slot].snapshot.get();
  const SimTime at = live != nullptr ? live->network().transmit(live->arc(from, to), bytes, simulator.now())
                                     : world_.network->transmit(*world_.topology->find_arc(from, to), bytes,
                                                                simulator.now());
  ++traffic_.messages;
  traffic_.bytes += static_cast<std::uint64_t>(bytes);
  simulator.schedule_at(at, type, to, slot);
}

void Adpsgd::request_lock(Simulator& simulator, NodeId node, std::uint32_t slot) {
  slots_[slot].queued_at = simulator.now();
  lock_queue_[node].push_back(slot);
  if (lock_holder_[node] == no_exchange) release_lock(simulator, node);
}

// Frees node's lock and hands it on in FIFO order. A higher endpoint's turn takes no time, so the
// loop may serve several exchanges in one instant; it stops at the first lower endpoint (which holds
// the lock until its reply lands) or when the queue is empty.
void Adpsgd::release_lock(Simulator& simulator, NodeId node) {
  lock_holder_[node] = no_exchange;
  std::deque<std::uint32_t>& queue = lock_queue_[node];
  while (!queue.empty()) {
    const std::uint32_t slot = queue.front();
    queue.pop_front();
    if (grant(simulator, node, slot)) return;
  }
}

bool Adpsgd::grant(Simulator& simulator, NodeId node, std::uint32_t slot) {
  Exchange& e = slots_[slot];
  const SimTime now = simulator.now();
  e.lock_wait += now - e.queued_at;
  lock_holder_[node] = slot;
  if (node == e.lower) {
    // x_a leaves a and stays frozen until the average comes back.
    buffers_[slot] = models_.col(node);
    if (observer_ != nullptr) e.token_lower = observer_->on_model_sent(node, now, 1);
    send(simulator, node, e.higher, model_bytes_, model_arrival, slot);
    return true;
  }
  average_at_higher(simulator, slot);
  lock_holder_[node] = no_exchange;
  return false;
}

void Adpsgd::average_at_higher(Simulator& simulator, std::uint32_t slot) {
  Exchange& e = slots_[slot];
  const SimTime now = simulator.now();
  const NodeId b = e.higher;
  // The atomic pair average (Lian et al. 2018, Algorithm 1: x_i, x_j <- (x_i + x_j)/2).
  models_.col(b) = 0.5 * (models_.col(b) + buffers_[slot]);
  buffers_[slot] = models_.col(b);
  ++traffic_.deliveries;
  if (observer_ != nullptr) {
    observer_->on_model_merged(b, e.token_lower, now);
    e.token_higher = observer_->on_model_sent(b, now, 1);
  }
  send(simulator, b, e.lower, model_bytes_, average_arrival, slot);
  if (e.initiator == b) {  // b initiated: its model holds the average now
    e.exchange_wait = now - e.wanted_at;
    apply_own_gradient(simulator, b);
  }
}

void Adpsgd::finish_at_lower(Simulator& simulator, std::uint32_t slot) {
  Exchange& e = slots_[slot];
  const SimTime now = simulator.now();
  const NodeId a = e.lower;
  models_.col(a) = buffers_[slot];
  ++traffic_.deliveries;
  if (observer_ != nullptr) observer_->on_model_merged(a, e.token_higher, now);
  if (e.initiator == a) e.exchange_wait = now - e.wanted_at;
  ++exchanges_done_;
  --in_flight_;
  lock_wait_sum_ += e.lock_wait;
  exchange_wait_sum_ += e.exchange_wait;
  const bool initiated_here = e.initiator == a;
  e.snapshot.reset();
  free_slots_.push_back(slot);
  if (initiated_here) apply_own_gradient(simulator, a);
  release_lock(simulator, a);
}

void Adpsgd::apply_own_gradient(Simulator& simulator, NodeId node) {
  models_.col(node).noalias() -= params_.eta * computations_.gradient(node);
  if (observer_ != nullptr) observer_->on_apply(node, pending_gradient_[node], simulator.now(), true);
  begin_compute(simulator, node);
}

}  // namespace dasgd
