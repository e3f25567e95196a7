// AD-PSGD: each node's computation, and the locked pairwise exchange; see adpsgd.hpp for the
// protocol and why it cannot deadlock.
#include "sim/algorithms/adpsgd.hpp"

#include "sim/faults/live_topology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/algorithms/model_recovery.hpp"
#include "sim/faults/node_availability.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

Adpsgd::Adpsgd(const World& world, const AdpsgdParams& params, GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer),
      params_(params),
      model_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes) {
  if (!(params.eta >= 0) || !std::isfinite(params.eta))
    throw std::invalid_argument("adpsgd: expected a step size eta >= 0, got " + std::to_string(params.eta));
  pending_gradient_.assign(n_, 0);
  lock_holder_.assign(n_, no_exchange);
  lock_queue_.resize(n_);
  choice_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    choice_.push_back(world.streams.stream(Stream::algorithm, i));
  }
  if (faults_on()) initiated_.assign(n_, no_exchange);
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
  std::vector<AlgorithmFigure> figures{{"exchanges", static_cast<double>(exchanges_done_), "pairwise averages completed at both ends"},
          {"exchange_wait_avg", mean_exchange_wait(),
           "mean time from a gradient's completion until the initiator's model holds the pair average"},
          {"lock_wait_avg", mean_lock_wait(),
           "mean time per exchange spent queued for the two endpoint locks (taken in id order)"},
          {"message_bytes", model_bytes_, "bytes per model message: d*8 + header (lock requests: header only)"}};
  if (world_.live != nullptr)
    figures.push_back({"exchanges_skipped", static_cast<double>(exchanges_skipped_),
                       "gradients applied without an exchange: the node had no live neighbour (graph.dynamic)"});
  if (world_.network->faults() != nullptr)
    figures.push_back({"exchanges_abandoned", static_cast<double>(exchanges_abandoned_),
                       "exchanges given up because one of their messages was lost on a link"});
  return figures;
}

void Adpsgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void Adpsgd::handle(Simulator& simulator, const Event& event) {
  const auto slot = static_cast<std::uint32_t>(event.payload);
  if (faults_on() && intercept(simulator, event)) return;
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case lock_request_arrival:
    case model_arrival: request_lock(simulator, event.target, slot); break;
    case average_arrival: finish_at_lower(simulator, slot); break;
    case exchange_lost: abandon_exchange(simulator, slot, static_cast<EventType>(event.target)); break;
    default: throw std::logic_error("adpsgd: unknown event type");
  }
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
    if (faults_on()) generation_.push_back(0);
  }
  Exchange& exchange = slots_[slot];
  exchange = Exchange{};
  exchange.initiator = node;
  exchange.lower = std::min(node, partner);
  exchange.higher = std::max(node, partner);
  exchange.wanted_at = now;
  exchange.snapshot = std::move(live);
  ++in_flight_;
  if (faults_on()) initiated_[node] = slot;
  if (node == exchange.lower) request_lock(simulator, node, slot);
  else send(simulator, node, exchange.lower, params_.header_bytes, lock_request_arrival, slot);
}

void Adpsgd::send(Simulator& simulator, NodeId from, NodeId to, double bytes, EventType type, std::uint32_t slot) {
  // graph.dynamic: on the exchange's snapshot (link faults are refused with a dynamic graph).
  if (LiveSnapshot* live = slots_[slot].snapshot.get(); live != nullptr) [[unlikely]] {
    const SimTime at = live->network().transmit(live->arc(from, to), bytes, simulator.now());
    ++traffic_.messages;
    traffic_.bytes += static_cast<std::uint64_t>(bytes);
    const std::uint64_t generation = faults_on() ? generation_[slot] : 0;
    simulator.schedule_at(at, type, to, (generation << 32) | slot);
    return;
  }
  const ArcId arc = *world_.topology->find_arc(from, to);
  SimTime at = world_.network->transmit(arc, bytes, simulator.now());
  ++traffic_.messages;
  traffic_.bytes += static_cast<std::uint64_t>(bytes);
  if (LinkFaults* faults = world_.network->faults(); faults != nullptr) [[unlikely]] {
    const HopOutcome outcome = faults->hop(arc, simulator.now(), at, bytes);
    if (!outcome.delivered) {
      simulator.schedule_at(outcome.at, exchange_lost, type, slot);
      return;
    }
    at = outcome.at;
  }
  const std::uint64_t generation = faults_on() ? generation_[slot] : 0;
  simulator.schedule_at(at, type, to, (generation << 32) | slot);
}

void Adpsgd::abandon_exchange(Simulator& simulator, std::uint32_t slot, EventType lost) {
  const Exchange& e = slots_[slot];
  ++exchanges_abandoned_;
  if (lost == model_arrival && observer_ != nullptr) observer_->on_model_dropped(e.token_lower);
  if (lost == average_arrival && observer_ != nullptr) observer_->on_model_dropped(e.token_higher);
  // The initiator gives up on the average: its gradient goes onto its own model now, unless b
  // initiated and already applied it at the averaging instant (the average was lost on the way back).
  const NodeId initiator = e.initiator;
  const bool applied = lost == average_arrival && initiator == e.higher;
  const bool lower_holds_lock = lost != lock_request_arrival;
  const NodeId lower = e.lower;
  --in_flight_;
  free_slots_.push_back(slot);
  if (!applied) apply_own_gradient(simulator, initiator);
  if (lower_holds_lock) release_lock(simulator, lower);
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
    e.lower_token_open = true;
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
  e.lower_token_open = false;
  e.higher_token_open = true;
  send(simulator, b, e.lower, model_bytes_, average_arrival, slot);
  if (e.initiator == b) {  // b initiated: its model holds the average now
    e.exchange_wait = now - e.wanted_at;
    if (faults_on()) initiated_[b] = no_exchange;
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
  e.higher_token_open = false;
  if (e.initiator == a) e.exchange_wait = now - e.wanted_at;
  if (faults_on() && e.initiator == a) initiated_[a] = no_exchange;
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

// Node faults --------------------------------------------------------------------------------------
namespace dasgd {

bool Adpsgd::intercept(Simulator& simulator, const Event& event) {
  if (event.type == NodeAvailability::event_type) {
    world_.availability->handle(simulator, event, *this);
    return true;
  }
  if (event.type == compute_done) return false;
  const auto slot = static_cast<std::uint32_t>(event.payload);
  const bool stale = static_cast<std::uint32_t>(event.payload >> 32) != generation_[slot];
  if (event.type == exchange_timeout) {
    if (!stale) time_out(simulator, event.target, slot);
    return true;
  }
  const bool down = !world_.availability->up(event.target);
  if (down) world_.availability->hold_or_drop(event.target, event);  // (hold is refused for AD-PSGD)
  if (stale) return true;  // a message of an exchange aborted meanwhile
  if (down) abort(simulator, slot);
  return down;
}

void Adpsgd::free_slot(std::uint32_t slot) {
  free_slots_.push_back(slot);
  --in_flight_;
}

// The exchange in `slot` cannot complete: its in-flight messages become stale, their model tokens
// are dropped, and the live endpoint that waits on it (at most one: an abort needs a down endpoint)
// gives up after the timeout.
void Adpsgd::abort(Simulator& simulator, std::uint32_t slot) {
  Exchange& e = slots_[slot];
  e.aborted = true;
  ++generation_[slot];
  ++exchanges_aborted_;
  if (observer_ != nullptr) {
    if (e.lower_token_open) observer_->on_model_dropped(e.token_lower);
    if (e.higher_token_open) observer_->on_model_dropped(e.token_higher);
  }
  e.lower_token_open = e.higher_token_open = false;
  NodeId waiter = no_exchange;
  for (const NodeId p : {e.lower, e.higher}) {
    if (!world_.availability->up(p)) continue;
    std::deque<std::uint32_t>& queue = lock_queue_[p];
    const auto queued = std::find(queue.begin(), queue.end(), slot);
    if (queued != queue.end()) queue.erase(queued);
    if (lock_holder_[p] == slot || initiated_[p] == slot) waiter = p;
  }
  if (waiter == no_exchange) {
    free_slot(slot);
    return;
  }
  simulator.schedule_in(world_.availability->timeout(), exchange_timeout, waiter,
                        (static_cast<std::uint64_t>(generation_[slot]) << 32) | slot);
}

void Adpsgd::time_out(Simulator& simulator, NodeId node, std::uint32_t slot) {
  if (world_.availability->up(node)) {
    if (lock_holder_[node] == slot) release_lock(simulator, node);
    if (initiated_[node] == slot) {
      initiated_[node] = no_exchange;
      apply_own_gradient(simulator, node);  // unaveraged, then the next computation
    }
  }
  free_slot(slot);
}

void Adpsgd::node_down(Simulator& simulator, NodeId node) {
  computations_.abort(simulator, node);
  std::vector<std::uint32_t> open(lock_queue_[node].begin(), lock_queue_[node].end());
  lock_queue_[node].clear();
  if (lock_holder_[node] != no_exchange) open.push_back(lock_holder_[node]);
  lock_holder_[node] = no_exchange;
  if (initiated_[node] != no_exchange) {
    open.push_back(initiated_[node]);
    initiated_[node] = no_exchange;
    apply_own_gradient(simulator, node);  // the completed gradient persists (no computation follows)
  }
  for (const std::uint32_t slot : open)
    if (!slots_[slot].aborted) abort(simulator, slot);
}

void Adpsgd::node_up(Simulator& simulator, NodeId node) {
  recover_model(world_, observer_, models_, node, simulator.now());
}

void Adpsgd::node_resume(Simulator& simulator, NodeId node) {
  if (!computations_.busy(node) && initiated_[node] == no_exchange) begin_compute(simulator, node);
}

}  // namespace dasgd
