// Rounds, barriers and the tree all-reduce of the synchronous baselines; see synchronous_round.hpp.
#include "sim/algorithms/synchronous_round.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/faults/node_availability.hpp"

namespace dasgd {

namespace {

constexpr NodeId unreached = static_cast<NodeId>(-1);

// Breadth-first search from `source` over neighbours in increasing id order (deterministic).
// Fills order (visit order), parent and hops; returns the last node visited (a farthest one).
NodeId breadth_first(const Topology& topology, NodeId source, std::vector<NodeId>& order,
                     std::vector<NodeId>& parent, std::vector<std::size_t>& hops) {
  const std::size_t n = topology.num_nodes();
  order.clear();
  parent.assign(n, unreached);
  hops.assign(n, 0);
  parent[source] = source;
  order.push_back(source);
  for (std::size_t head = 0; head < order.size(); ++head) {
    const NodeId u = order[head];
    for (const NodeId v : topology.neighbours(u)) {
      if (parent[v] != unreached) continue;
      parent[v] = u;
      hops[v] = hops[u] + 1;
      order.push_back(v);
    }
  }
  return order.back();
}

}  // namespace

TreeAllReduce::TreeAllReduce(const Topology& topology) {
  const std::size_t n = topology.num_nodes();
  if (n == 0) throw std::invalid_argument("all-reduce needs at least one node, got an empty graph");
  std::vector<std::size_t> hops;
  // Double sweep: a farthest node a from 0, then a farthest b from a; the middle of the a–b path.
  const NodeId a = breadth_first(topology, 0, order_, parent_, hops);
  const NodeId b = breadth_first(topology, a, order_, parent_, hops);
  NodeId centre = b;
  for (std::size_t k = 0; k < hops[b] / 2; ++k) centre = parent_[centre];
  breadth_first(topology, centre, order_, parent_, hops);
  depth_ = hops[order_.back()];
  up_arc_.assign(n, 0);
  down_arc_.assign(n, 0);
  for (const NodeId v : order_) {
    if (v == centre) continue;
    up_arc_[v] = *topology.find_arc(v, parent_[v]);
    down_arc_[v] = *topology.find_arc(parent_[v], v);
  }
  gathered_.assign(n, 0.0);
  have_.assign(n, 0.0);
}

SimTime TreeAllReduce::run(std::span<const SimTime> ready, Network& network, double bytes,
                           TrafficCounters& traffic) {
  if (ready.size() != order_.size())
    throw std::invalid_argument("all-reduce: expected " + std::to_string(order_.size()) +
                                " ready times, got " + std::to_string(ready.size()));
  std::copy(ready.begin(), ready.end(), gathered_.begin());
  // Reduce: children before parents (reverse BFS order), each sends when its subtree is complete.
  for (std::size_t k = order_.size(); k-- > 1;) {
    const NodeId v = order_[k];
    const SimTime arrival = network.transmit(up_arc_[v], bytes, gathered_[v]);
    gathered_[parent_[v]] = std::max(gathered_[parent_[v]], arrival);
  }
  // Broadcast: parents before children.
  SimTime last = have_[root()] = gathered_[root()];
  for (std::size_t k = 1; k < order_.size(); ++k) {
    const NodeId v = order_[k];
    have_[v] = network.transmit(down_arc_[v], bytes, have_[parent_[v]]);
    last = std::max(last, have_[v]);
  }
  const std::uint64_t messages = 2 * (order_.size() - 1);
  traffic.messages += messages;
  traffic.bytes += static_cast<std::uint64_t>(static_cast<double>(messages) * bytes);
  return last;
}

SimTime TreeAllReduce::run_over_faults(std::span<const SimTime> ready, Network& network, LinkFaults& faults,
                                       const LossDetection& detection, double bytes, TrafficCounters& traffic) {
  const std::size_t n = order_.size();
  if (ready.size() != n)
    throw std::invalid_argument("all-reduce: expected " + std::to_string(n) + " ready times, got " +
                                std::to_string(ready.size()));
  std::copy(ready.begin(), ready.end(), gathered_.begin());
  counted_.assign(n, 1);  // up: 0 where v's partial was lost on v's up-arc
  received_.assign(n, 0);
  std::uint64_t messages = 0;
  for (std::size_t k = n; k-- > 1;) {
    const NodeId v = order_[k];
    const SimTime send = gathered_[v];
    const SimTime first = network.transmit(up_arc_[v], bytes, send);
    const HopOutcome outcome = faults.hop(up_arc_[v], send, first, bytes);
    ++messages;
    if (!outcome.delivered) counted_[v] = 0;
    const SimTime at = outcome.delivered ? outcome.at : detection.known(outcome, send);
    gathered_[parent_[v]] = std::max(gathered_[parent_[v]], at);
  }
  // A contribution is in the result iff no up-arc on its path to the root lost it.
  contributions_ = 1;
  for (std::size_t k = 1; k < n; ++k) {
    const NodeId v = order_[k];
    counted_[v] = counted_[v] != 0 && counted_[parent_[v]] != 0 ? 1 : 0;
    contributions_ += counted_[v];
  }
  SimTime last = have_[root()] = gathered_[root()];
  received_[root()] = 1;
  for (std::size_t k = 1; k < n; ++k) {
    const NodeId v = order_[k];
    const NodeId p = parent_[v];
    if (received_[p] == 0) {
      have_[v] = detection.unsent(have_[p]);
    } else {
      const SimTime first = network.transmit(down_arc_[v], bytes, have_[p]);
      const HopOutcome outcome = faults.hop(down_arc_[v], have_[p], first, bytes);
      ++messages;
      received_[v] = outcome.delivered ? 1 : 0;
      have_[v] = outcome.delivered ? outcome.at : detection.known(outcome, have_[p]);
    }
    last = std::max(last, have_[v]);
  }
  traffic.messages += messages;
  traffic.bytes += static_cast<std::uint64_t>(static_cast<double>(messages) * bytes);
  return last;
}

LossDetection loss_detection(const LinkFaults& faults) {
  LossDetection detection;
  detection.reliable = faults.reliable();
  if (detection.reliable)
    detection.delay = static_cast<double>(faults.spec().transport.max_retries + 1) * faults.spec().transport.timeout;
  else
    detection.delay = faults.spec().round_timeout.value_or(0.0);
  return detection;
}

SynchronousRounds::SynchronousRounds(const World& world, double header_bytes, GradientObserver* observer)
    : world_(world),
      observer_(observer),
      n_(world.topology->num_nodes()),
      d_(world.objective->dimension()),
      message_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + header_bytes),
      gradients_(Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(n_))),
      started_at_(n_, 0.0),
      computed_(n_, 0),
      ready_at_(n_, 0.0) {
  if (!(header_bytes >= 0)) throw std::invalid_argument("header_bytes must be >= 0");
  noise_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) noise_.push_back(world.streams.stream(Stream::gradient_noise, i));
  needed_ = n_;
  link_faults_ = world.network->faults();
  if (link_faults_ != nullptr) {
    if (faults_on())
      throw std::invalid_argument("/faults: a synchronous algorithm takes node faults or link faults, not both");
    if (!link_faults_->reliable() && (link_faults_->loss_on() || link_faults_->outages_on()) &&
        !link_faults_->spec().round_timeout)
      throw std::invalid_argument("/faults/links: a synchronous algorithm needs round_timeout when messages can be "
                                  "lost without a reliable transport");
    detection_ = loss_detection(*link_faults_);
  }
  if (faults_on()) {
    participating_.assign(n_, 0);
    reported_.assign(n_, 0);
    generation_.assign(n_, 0);
    busy_.assign(n_, 0);
  }
}

double SynchronousRounds::mean_round_time() const noexcept {
  return rounds_ == 0 ? 0.0 : total_round_time_ / static_cast<double>(rounds_);
}

double SynchronousRounds::mean_barrier_wait() const noexcept {
  return rounds_ == 0 ? 0.0 : total_wait_ / (static_cast<double>(rounds_) * static_cast<double>(n_));
}

double SynchronousRounds::idle_fraction() const noexcept {
  return total_round_time_ > 0 ? total_wait_ / (static_cast<double>(n_) * total_round_time_) : 0.0;
}

std::vector<AlgorithmFigure> SynchronousRounds::round_figures() const {
  std::vector<AlgorithmFigure> figures{{"rounds", static_cast<double>(rounds_), "barriers passed (synchronous rounds completed)"},
          {"mean_round_time", mean_round_time(), "mean of (barrier - round start) over rounds"},
          {"mean_barrier_wait", mean_barrier_wait(),
           "mean over nodes and rounds of (barrier - time the node's own work for the round was done)"},
          {"idle_fraction", idle_fraction(), "sum of barrier waits / (nodes * sum of round times)"}};
  if (faults_on()) {
    figures.push_back({"short_rounds", static_cast<double>(short_rounds_),
                       "rounds that closed with fewer reporters than nodes (node faults)"});
    figures.push_back({"crashed_participants", static_cast<double>(crashed_participants_),
                       "participants that crashed before their round's contribution was ready"});
  }
  if (link_faults_ != nullptr) {
    figures.push_back({"short_rounds", static_cast<double>(short_rounds_),
                       "rounds in which some contribution (all-reduce) or neighbour model (dpsgd) was lost "
                       "on a link (link faults)"});
    figures.push_back({"lost_contributions", static_cast<double>(lost_contributions_),
                       "contributions (all-reduce: gradients or models not in the root's result; dpsgd: "
                       "neighbour models) lost on links, over all rounds"});
    figures.push_back({"results_lost", static_cast<double>(results_lost_),
                       "(node, round) pairs in which the all-reduce's result did not reach the node (it kept "
                       "its own model); 0 for dpsgd"});
  }
  return figures;
}

void SynchronousRounds::start(Simulator& simulator) { begin_round(simulator); }

void SynchronousRounds::begin_round(Simulator& simulator) {
  if (stopped_ || budget_spent_) return;
  if (budget_ != 0 && std::all_of(computed_.begin(), computed_.end(), [&](std::uint64_t k) { return k >= budget_; })) {
    budget_spent_ = true;
    return;
  }
  round_start_ = simulator.now();
  ready_count_ = 0;
  if (faults_on()) {
    // The round's participants: the nodes up now. Nobody up: the next recovery opens the round.
    needed_ = 0;
    reporter_count_ = 0;
    detected_until_ = round_start_;
    for (NodeId i = 0; i < n_; ++i) {
      participating_[i] = world_.availability->up(i) ? 1 : 0;
      reported_[i] = 0;
      ready_at_[i] = round_start_;  // a non-participant contributes nothing, at once
      needed_ += participating_[i];
    }
    round_open_ = needed_ > 0;
    if (!round_open_) return;
  }
  open_round(simulator);
}

void SynchronousRounds::handle(Simulator& simulator, const Event& event) {
  switch (event.type) {
    case compute_done:
      if (faults_on()) {
        if (event.payload != generation_[event.target]) break;  // lost in a crash
        busy_[event.target] = 0;
      }
      complete_compute(simulator, event.target);
      break;
    case barrier:
      pass_barrier(simulator);
      break;
    case NodeAvailability::event_type:
      world_.availability->handle(simulator, event, *this);
      break;
    default:
      throw std::logic_error(name() + ": unknown event type " + std::to_string(event.type));
  }
}

void SynchronousRounds::begin_compute(Simulator& simulator, NodeId node, ConstVectorRef model) {
  const SimTime now = simulator.now();
  started_at_[node] = now;
  if (observer_ != nullptr) observer_->on_compute_start(node, now, model);
  world_.objective->stochastic_gradient(node, model, noise_[node], gradients_.col(node));
  const SimTime at = now + world_.compute->duration(node, computed_[node]);
  if (faults_on()) busy_[node] = 1;
  if (faults_on()) simulator.schedule_at(at, compute_done, node, generation_[node]);
  else simulator.schedule_at(at, compute_done, node);
}

void SynchronousRounds::complete_compute(Simulator& simulator, NodeId node) {
  const std::uint64_t t = next_gradient_++;
  if (observer_ != nullptr)
    observer_->on_compute_complete(node, t, started_at_[node], simulator.now(), gradients_.col(node));
  ++computed_[node];
  gradient_done(simulator, node, t);
}

void SynchronousRounds::node_ready(Simulator& simulator, NodeId node) {
  ready_at_[node] = simulator.now();
  if (faults_on()) {
    reported_[node] = 1;
    ++reporter_count_;
  }
  if (++ready_count_ < needed_) return;
  end_of_contributions(simulator);
}

void SynchronousRounds::end_of_contributions(Simulator& simulator) {
  const SimTime end = std::max({communicate(simulator), simulator.now(), detected_until_});
  simulator.schedule_at(end, barrier, 0);
}

// A participant that is not ready yet loses its computation and leaves the round; the barrier
// waits for its detection (crash + timeout). Others: nothing until the next round.
void SynchronousRounds::node_down(Simulator& simulator, NodeId node) {
  if (!round_open_ || !participating_[node] || reported_[node] || ready_count_ >= needed_) return;
  // Its gradient in progress (none once computing was stopped) is lost.
  if (busy_[node]) {
    ++generation_[node];
    busy_[node] = 0;
    if (observer_ != nullptr) observer_->on_compute_lost(node);
  }
  participating_[node] = 0;
  ++crashed_participants_;
  const SimTime detected = simulator.now() + world_.availability->timeout();
  ready_at_[node] = detected;
  detected_until_ = std::max(detected_until_, detected);
  if (++ready_count_ == needed_) end_of_contributions(simulator);
}

bool SynchronousRounds::up(NodeId node) const { return !faults_on() || world_.availability->up(node); }

void SynchronousRounds::node_resume(Simulator& simulator, NodeId /*node*/) {
  if (!round_open_ && !stopped_) begin_round(simulator);  // nobody was up: this node opens one
}

void SynchronousRounds::pass_barrier(Simulator& simulator) {
  const SimTime now = simulator.now();
  total_round_time_ += now - round_start_;
  for (NodeId i = 0; i < n_; ++i)
    if (reported(i)) total_wait_ += now - ready_at_[i];  // faults: reporters' waits only
  ++rounds_;
  if (faults_on() && reporter_count_ < n_) ++short_rounds_;
  close_round(simulator);
  if (faults_on()) round_open_ = false;
  begin_round(simulator);
}

}  // namespace dasgd
