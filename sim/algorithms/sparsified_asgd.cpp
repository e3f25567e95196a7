// Sparsified asynchronous SGD's node behaviour on each event; see sparsified_asgd.hpp.
// The event order mirrors sim/algorithms/dasgd.cpp step for step (complete → own apply → route to
// every other node → start the next computation), so with k = d it reproduces DASGD exactly. Under
// faults it follows DASGD's rules and, for link faults, DASGD's tree delivery (the same classes).
#include "sim/algorithms/sparsified_asgd.hpp"

#include "sim/faults/live_topology.hpp"
#include "sim/faults/node_availability.hpp"
#include "topologies/properties.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dasgd {

std::string to_string(VirtualGradient kind) { return kind == VirtualGradient::full ? "full" : "sent"; }

namespace {

Eigen::Index resolve_k(const SparsifiedAsgdParams& params, Eigen::Index d) {
  if (params.k > 0) {
    if (params.k > d)
      throw std::invalid_argument("/algorithm/k: expected an integer in 1.." + std::to_string(d) +
                                  " (the objective's dimension), got " + std::to_string(params.k));
    return params.k;
  }
  if (!(params.gamma > 0 && params.gamma <= 1))
    throw std::invalid_argument("/algorithm/gamma: expected a number in (0, 1], got " + std::to_string(params.gamma));
  return std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(params.gamma * static_cast<double>(d))));
}

}  // namespace

SparsifiedAsgd::SparsifiedAsgd(const World& world, const SparsifiedAsgdParams& params, GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer),
      params_(params),
      k_(resolve_k(params, d_)),
      scale_(params.rescale ? static_cast<double>(d_) / static_cast<double>(k_) : 1.0),
      message_bytes_(12.0 * static_cast<double>(k_) + params.header_bytes),
      dense_message_bytes_(8.0 * static_cast<double>(d_) + params.header_bytes),
      memories_(Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(n_))),
      observed_(Vector::Zero(d_)),
      availability_(world.availability),
      faults_(world.network->faults()),
      faulty_(availability_ != nullptr || faults_ != nullptr) {
  if (!(params.eta > 0)) throw std::invalid_argument("/algorithm/eta: expected a positive number");
  if (params.rescale && params.sparsifier != SparsifierKind::random_k)
    throw std::invalid_argument("/algorithm/rescale: rescaling by d/k applies to random_k only");
  choices_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    choices_.push_back(world.streams.stream(Stream::algorithm, i));
  }
  if (params.sparsifier == SparsifierKind::random_k) permutations_.assign(n_, identity_permutation(d_));
  if (n_ > 1) router_ = std::make_unique<ShortestPathRouter>(*world.topology);
  // Link faults: DASGD's tree delivery (link faults with graph.dynamic are refused by the config).
  if (faults_ != nullptr && world.live == nullptr) trees_ = std::make_unique<ShortestPathTrees>(*world.topology, 0);
}

std::vector<AlgorithmFigure> SparsifiedAsgd::figures() const {
  double memory_mean = 0, memory_max = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double norm = memories_.col(static_cast<Eigen::Index>(i)).norm();
    memory_mean += norm / static_cast<double>(n_);
    memory_max = std::max(memory_max, norm);
  }
  const double sent = static_cast<double>(traffic_.messages);
  std::vector<AlgorithmFigure> figures = {
      {"k", static_cast<double>(k_), "coordinates per update (Top-k / Random-k)"},
      {"gamma", static_cast<double>(k_) / static_cast<double>(d_), "k/d, the fraction of coordinates sent"},
      {"message_bytes", message_bytes_, "bytes per update message: 12 k (4-byte index + 8-byte value) + header"},
      {"dense_message_bytes", dense_message_bytes_, "bytes of the same message dense: d*8 + header (DASGD)"},
      {"bytes_saved_vs_dense", sent * (dense_message_bytes_ - message_bytes_),
       "link transmissions x (dense - sparse message bytes); negative when 12k > 8d"},
      {"compression_ratio", message_bytes_ / dense_message_bytes_, "sparse / dense message bytes"},
      {"mean_nnz", updates_ == 0 ? 0.0 : static_cast<double>(nonzeros_sent_) / static_cast<double>(updates_),
       "mean nonzero values per update sent (<= k)"},
      {"ef_memory_norm_mean", memory_mean, "mean over nodes of the error-feedback memory norm |e_i| at the end (0 without EF)"},
      {"ef_memory_norm_max", memory_max, "max over nodes of |e_i| at the end (0 without EF)"},
  };
  if (world_.live != nullptr) {
    figures.push_back({"deliveries_unreachable", static_cast<double>(unreachable_),
                       "routed copies dropped at the send: the destination was unreachable on the live graph"});
    figures.push_back({"route_rebuilds", static_cast<double>(route_rebuilds_),
                       "graph snapshots routing state was set up for (one per snapshot a routed send used)"});
  }
  return figures;
}

void SparsifiedAsgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void SparsifiedAsgd::handle(Simulator& simulator, const Event& event) {
  if (faulty_) [[unlikely]] {
    handle_with_faults(simulator, event);
    return;
  }
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case arrival: receive(simulator, event.target, static_cast<std::uint32_t>(event.payload)); break;
    default: throw std::logic_error("sparsified_asgd: unknown event type");
  }
}

// Node or link faults on: the same events, plus tree batches (link faults), copies reaching down
// nodes and availability transitions. Kept out of handle() so a run without faults pays one
// predictable branch per event.
void SparsifiedAsgd::handle_with_faults(Simulator& simulator, const Event& event) {
  // Link faults: tree broadcasts in flight run their batches in DASGD's order.
  if (!pending_.empty() && pending_.run_before(event, routed_batch, [&] { run_routed_batch(simulator); })) return;
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target); break;
    case arrival: {
      const auto slot = static_cast<std::uint32_t>(event.payload);
      if (availability_ != nullptr && !availability_->up(event.target)) {
        // Down receiver: held as is (the event keeps its slot), or dropped.
        if (!availability_->hold_or_drop(event.target, event)) release(slot);
        break;
      }
      receive(simulator, event.target, slot);
      break;
    }
    case routed_batch: break;  // a tick with nothing left to run
    case NodeAvailability::event_type: availability_->handle(simulator, event, *this); break;
    default: throw std::logic_error("sparsified_asgd: unknown event type");
  }
}

void SparsifiedAsgd::sparsify(NodeId node, SparseUpdate& update) {
  const auto column = static_cast<Eigen::Index>(node);
  const auto choose = [&](ConstVectorRef v, std::vector<Eigen::Index>& indices) {
    if (params_.sparsifier == SparsifierKind::top_k) select_top_k(v, k_, indices);
    else select_random_k(k_, choices_[node], permutations_[node], indices);
  };
  if (params_.error_feedback) {
    error_feedback_step(memories_.col(column), computations_.gradient(node), params_.eta, scale_, choose, update);
  } else {
    choose(computations_.gradient(node), update.indices);
    gather(computations_.gradient(node), params_.eta * scale_, update);
  }
  nonzeros_sent_ += nonzeros(update);
  ++updates_;
}

void SparsifiedAsgd::complete_compute(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  const std::uint32_t slot = acquire_message();
  Message& message = messages_[slot];
  sparsify(node, message.update);
  std::uint64_t t;
  if (observer_ != nullptr && params_.virtual_gradient == VirtualGradient::sent) {
    observed_.setZero();
    for (std::size_t r = 0; r < message.update.indices.size(); ++r)
      observed_(message.update.indices[r]) = message.update.values[r] / params_.eta;
    t = computations_.complete(node, now, observed_);
  } else {
    t = computations_.complete(node, now);  // the observer sees the full gradient
  }
  message.gradient = t;
  subtract(message.update, models_.col(node));
  if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
  if (n_ > 1) send(simulator, node, slot);
  else free_messages_.push_back(slot);
  begin_compute(simulator, node);
}

std::uint32_t SparsifiedAsgd::acquire_message() {
  if (!free_messages_.empty()) {
    const std::uint32_t slot = free_messages_.back();
    free_messages_.pop_back();
    return slot;
  }
  messages_.emplace_back();
  messages_.back().update.indices.reserve(static_cast<std::size_t>(d_));
  messages_.back().update.values.reserve(static_cast<std::size_t>(k_));
  return static_cast<std::uint32_t>(messages_.size() - 1);
}

void SparsifiedAsgd::send(Simulator& simulator, NodeId origin, std::uint32_t slot) {
  const SimTime now = simulator.now();
  if (world_.live != nullptr) {
    send_live(simulator, origin, slot);
    return;
  }
  if (faults_ != nullptr) [[unlikely]] {
    send_over_tree(simulator, origin, slot);
    return;
  }
  traffic_.messages += router_->deliver(origin, now, message_bytes_, *world_.network, arrival_scratch_);
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  messages_[slot].outstanding = 0;
  for (NodeId j = 0; j < n_; ++j) {
    if (j == origin) continue;
    ++messages_[slot].outstanding;
    simulator.schedule_at(arrival_scratch_[j], arrival, j, slot);
  }
}

// graph.dynamic, as DASGD's routed delivery: shortest paths on the snapshot live at the send, hop
// times drawn on that snapshot's links; a destination the snapshot cannot reach loses its copy at the
// send (counted). The router belongs to one snapshot and is set up again at the first send on a new
// one, O(n); each send adds one BFS, O(n + m), to know the unreachable destinations.
void SparsifiedAsgd::send_live(Simulator& simulator, NodeId origin, std::uint32_t slot) {
  const SimTime now = simulator.now();
  LiveSnapshot& live = world_.live->current();
  if (!route_graph_ || route_graph_->index() != live.index()) {
    route_graph_ = world_.live->share();
    ++route_rebuilds_;
    router_ = std::make_unique<ShortestPathRouter>(live.topology());
  }
  traffic_.messages += router_->deliver(origin, now, message_bytes_, live.network(), arrival_scratch_);
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  const std::vector<std::uint32_t> hops = hop_distances(live.topology(), origin);
  messages_[slot].outstanding = 0;
  for (NodeId j = 0; j < n_; ++j) {
    if (j == origin) continue;
    if (hops[j] == unreachable) {
      ++unreachable_;  // no path on the live graph: this copy is lost (as DASGD: S_t counts it missing)
      continue;
    }
    ++messages_[slot].outstanding;
    simulator.schedule_at(arrival_scratch_[j], arrival, j, slot);
  }
  if (messages_[slot].outstanding == 0) free_messages_.push_back(slot);
}

void SparsifiedAsgd::receive(Simulator& simulator, NodeId node, std::uint32_t slot) {
  Message& message = messages_[slot];
  subtract(message.update, models_.col(node));
  ++traffic_.deliveries;
  if (observer_ != nullptr) observer_->on_apply(node, message.gradient, simulator.now(), false);
  if (--message.outstanding == 0) free_messages_.push_back(slot);
}

void SparsifiedAsgd::release(std::uint32_t slot) {
  if (--messages_[slot].outstanding == 0) free_messages_.push_back(slot);
}

// Link faults: DASGD's routed delivery over shortest-path trees (Dasgd::send_over_tree), so the
// hops, and with them every loss, outage and retransmission draw, come in DASGD's order: each tree
// arc the broadcast reaches is one LinkFaults::hop, drawn when the expansion reaches it; a copy lost
// on an arc is lost for the arc's whole subtree. Under outages the tree is built on the edges up at
// the send (O(n + m) per broadcast); a node with no live path loses its copy at the send.
void SparsifiedAsgd::send_over_tree(Simulator& simulator, NodeId origin, std::uint32_t slot) {
  const SimTime now = simulator.now();
  if (broadcasts_.size() <= slot) {
    const std::size_t size = std::max<std::size_t>(slot + 1, 2 * broadcasts_.size());
    broadcasts_.resize(size);
    broadcast_trees_.resize(size);
  }
  broadcast_trees_[slot] = broadcast_tree(*trees_, *world_.topology, origin, now, faults_);
  const ShortestPathTree& tree = *broadcast_trees_[slot];
  traffic_.messages += tree.hops;  // counted as the per-destination walk sends it, as DASGD
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  TreeBroadcast& broadcast = broadcasts_[slot];
  broadcast.start(tree, now, message_bytes_, *world_.network);
  messages_[slot].outstanding = 1;  // held by the broadcast until its last batch (+1 per held copy)
  // The first tick takes the sequence number every per-destination event would have had.
  const EventId first = simulator.schedule_at(broadcast.next_time(), routed_batch, origin, slot);
  pending_.push({broadcast.next_time(), first.sequence, slot});
}

void SparsifiedAsgd::run_routed_batch(Simulator& simulator) {
  const PendingBatches::Entry batch = pending_.top();
  TreeBroadcast& broadcast = broadcasts_[batch.slot];
  const auto destinations = broadcast.next_batch();
  batch_scratch_.assign(destinations.begin(), destinations.end());
  broadcast.advance(*world_.network);
  const bool last = broadcast.done();
  if (!last) {
    simulator.schedule_at(broadcast.next_time(), routed_batch, broadcast_trees_[batch.slot]->source, batch.slot);
    pending_.replace_top({broadcast.next_time(), batch.sequence, batch.slot});
  } else {
    pending_.pop();
    broadcast_trees_[batch.slot].reset();
  }
  const std::uint64_t t = messages_[batch.slot].gradient;
  for (const NodeId j : batch_scratch_) {
    if ((j & TreeBroadcast::lost_flag) != 0) {
      // Every copy towards this node is gone: lost for it, S^lost counts it from now on.
      if (observer_ != nullptr) observer_->on_gradient_lost(j & ~TreeBroadcast::lost_flag, t, batch.time);
      continue;
    }
    if (availability_ != nullptr && down_at_arrival(batch.time, j, batch.slot)) continue;
    subtract(messages_[batch.slot].update, models_.col(j));
    ++traffic_.deliveries;
    if (observer_ != nullptr) observer_->on_apply(j, t, batch.time, false);
  }
  if (last) release(batch.slot);
}

bool SparsifiedAsgd::down_at_arrival(SimTime now, NodeId node, std::uint32_t slot) {
  if (availability_->up(node)) return false;
  const Event held{now, 0, arrival, node, slot};
  if (availability_->hold_or_drop(node, held)) ++messages_[slot].outstanding;
  return true;
}

// Recovery: `keep` leaves the model and the error-feedback memory as the crash left them (the node's
// persisted state); `initial` restarts it from x_0 with an empty memory, as a fresh node. (The
// Random-k generator is not state the node restores: it keeps drawing where it was.) `neighbour` is
// refused by the config, as for DASGD: a copied model would apply gradients still in flight twice.
void SparsifiedAsgd::node_up(Simulator& /*simulator*/, NodeId node) {
  if (availability_->recovery() != Recovery::initial) return;
  models_.col(node) = world_.initial_model(node);
  memories_.col(node).setZero();
}

void SparsifiedAsgd::node_resume(Simulator& simulator, NodeId node) {
  if (!computations_.busy(node)) begin_compute(simulator, node);
}

}  // namespace dasgd
