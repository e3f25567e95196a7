// DASGD's node behaviour on each event; see dasgd.hpp.
#include "sim/algorithms/dasgd.hpp"

#include "sim/faults/live_topology.hpp"
#include "topologies/properties.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/faults/node_availability.hpp"
#include "sim/faults/link_faults.hpp"

namespace dasgd {

namespace {

// graph.dynamic: the batch's destinations the tree reached (into `out`); returns how many it did not.
[[gnu::noinline]] std::uint64_t keep_reached(std::span<const NodeId> destinations,
                                             const std::vector<NodeId>& unreached, std::vector<NodeId>& out) {
  out.clear();
  std::uint64_t lost = 0;
  for (const NodeId j : destinations) {
    if (std::binary_search(unreached.begin(), unreached.end(), j)) ++lost;
    else out.push_back(j);
  }
  return lost;
}

}  // namespace

std::string to_string(Delivery delivery) {
  switch (delivery) {
    case Delivery::routed: return "routed";
    case Delivery::flooding: return "flooding";
    case Delivery::neighbours: return "neighbours";
  }
  return "?";
}

Dasgd::Dasgd(const World& world, const DasgdParams& params, GradientObserver* observer)
    : WaitFreeAlgorithm(world, observer),
      availability_(world.availability),
      params_(params),
      message_bytes_(static_cast<double>(world.objective->dimension()) * 8.0 + params.header_bytes),
      batch_indices_(n_),
      batch_versions_(n_, 0),
      applied_(n_, 0),
      pool_(world.objective->dimension()),
      faults_(world.network->faults()) {
  if (params.batch == 0) throw std::invalid_argument("DASGD batch b must be >= 1");
  if (params.batch > 1) batch_sums_ = Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(n_));
  if (params.delivery == Delivery::routed && world.live == nullptr) {  // dynamic: per snapshot
    // Under link faults routed delivery always runs over trees (a FIFO link is refused then).
    if (faults_ != nullptr && params.per_hop_routing)
      throw std::invalid_argument("DASGD: per-hop routing under link faults is not supported");
    if (params.per_hop_routing || (world.network->needs_per_hop_routing() && faults_ == nullptr))
      router_ = std::make_unique<ShortestPathRouter>(*world.topology);
    else
      trees_ = std::make_unique<ShortestPathTrees>(*world.topology, params.tree_cache_bytes);
  }
}

std::vector<AlgorithmFigure> Dasgd::figures() const {
  std::vector<AlgorithmFigure> figures = {{"message_bytes", message_bytes_, "bytes per gradient message: d*8 + header"},
          {"peak_messages_in_flight", static_cast<double>(pool_.peak_in_flight()),
           "most gradient messages stored at once (each shared by all its deliveries)"},
          {"duplicates_dropped", static_cast<double>(traffic_.duplicates),
           "flooding copies that reached a node that already had the gradient"}};
  if (world_.live != nullptr) {
    figures.push_back({"deliveries_unreachable", static_cast<double>(unreachable_),
                       "routed copies dropped at the send: the destination was unreachable on the live graph"});
    figures.push_back({"route_rebuilds", static_cast<double>(route_rebuilds_),
                       "graph snapshots routing state was set up for (one per snapshot a routed send used)"});
  }
  return figures;
}

void Dasgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i);
}

void Dasgd::handle(Simulator& simulator, const Event& event) {
  // Batches the per-destination schedule would have run before this event run first.
  if (!pending_.empty() && pending_.run_before(event, routed_batch, [&] { run_routed_batch(simulator); })) return;
  switch (event.type) {
    case routed_batch:
      break;  // a tick with nothing left to run
    case compute_done:
      complete_compute(simulator, event.target);
      break;
    case arrival:
      if (availability_ != nullptr && !availability_->up(event.target)) {
        // Down receiver: held as is (the event keeps its slot), or dropped.
        if (!availability_->hold_or_drop(event.target, event))
          finish_delivery(static_cast<std::uint32_t>(event.payload & 0xFFFFFFFFu), simulator.now());
        break;
      }
      receive(simulator, event.target, static_cast<std::uint32_t>(event.payload & 0xFFFFFFFFu),
              static_cast<NodeId>(event.payload >> 32));
      break;
    case arrival_batch:
      receive_batch(simulator, static_cast<std::uint32_t>(event.payload & 0xFFFFFFFFu),
                    static_cast<std::uint32_t>(event.payload >> 32));
      break;
    case NodeAvailability::event_type:
      availability_->handle(simulator, event, *this);
      break;
    case copy_lost:
      lose_copy(event.target, static_cast<std::uint32_t>(event.payload), simulator.now());
      break;
    default:
      throw std::logic_error("DASGD: unknown event type");
  }
}

void Dasgd::complete_compute(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  const std::uint64_t t = computations_.complete(node, now);
  const auto gradient = computations_.gradient(node);
  // Apply to the node's own, current model.
  models_.col(node).noalias() -= params_.eta * gradient;
  const std::uint64_t version_read = applied_[node];
  ++applied_[node];
  if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
  // Batch b local gradients into one message (TensAIR); b = 1 sends each at once.
  if (batch_indices_[node].empty()) batch_versions_[node] = version_read;
  batch_indices_[node].push_back(t);
  if (params_.batch > 1) batch_sums_.col(node) += gradient;
  if (batch_indices_[node].size() >= params_.batch && n_ > 1) send(simulator, node);
  else if (n_ == 1) batch_indices_[node].clear();
  // Nothing waits: the next computation starts now, before any arrival at this instant.
  begin_compute(simulator, node);
}

void Dasgd::send(Simulator& simulator, NodeId origin) {
  const SimTime now = simulator.now();
  const std::uint32_t slot = pool_.acquire();
  GradientMessage& message = pool_[slot];
  if (params_.batch > 1) {
    message.sum = batch_sums_.col(origin);
    batch_sums_.col(origin).setZero();
  } else {
    message.sum = computations_.gradient(origin);
  }
  message.gradients.swap(batch_indices_[origin]);
  batch_indices_[origin].clear();
  message.origin = origin;
  message.version = batch_versions_[origin];
  // graph.dynamic: routes and floods start on the graph live at the send.
  LiveSnapshot* live = world_.live != nullptr ? &world_.live->current() : nullptr;
  const Topology& topology = live != nullptr ? live->topology() : *world_.topology;
  Network& network = live != nullptr ? live->network() : *world_.network;
  switch (params_.delivery) {
    case Delivery::routed: {
      if (live != nullptr) use_live_routes();
      if (trees_) {
        send_over_tree(simulator, slot, origin);
        break;  // (n >= 2: the broadcast holds the message until its last batch)
      }
      traffic_.messages += router_->broadcast(origin, now, message_bytes_, network, arrival_scratch_);
      if (live != nullptr) reachable_scratch_ = hop_distances(topology, origin);
      // Destinations in increasing id order; a run of equal arrival times becomes one event.
      message.batch_begin.push_back(0);
      for (NodeId j = 0; j < n_; ++j) {
        if (j == origin) continue;
        if (live != nullptr && reachable_scratch_[j] == unreachable) {
          ++unreachable_;  // no path on the live graph: this copy is lost
          continue;
        }
        if (!message.destinations.empty() && arrival_scratch_[j] != arrival_scratch_[message.destinations.back()])
          message.batch_begin.push_back(static_cast<std::uint32_t>(message.destinations.size()));
        message.destinations.push_back(j);
      }
      message.batch_begin.push_back(static_cast<std::uint32_t>(message.destinations.size()));
      if (message.destinations.empty()) message.batch_begin.clear();
      message.outstanding += message.destinations.size();
      for (std::uint32_t b = 0; b + 1 < message.batch_begin.size(); ++b) {
        const SimTime at = arrival_scratch_[message.destinations[message.batch_begin[b]]];
        simulator.schedule_at(at, arrival_batch, message.destinations[message.batch_begin[b]],
                              (static_cast<std::uint64_t>(b) << 32) | slot);
      }
      break;
    }
    case Delivery::flooding: {
      message.seen.assign((n_ + 63) / 64, 0);
      message.seen[origin / 64] |= std::uint64_t{1} << (origin % 64);
      [[fallthrough]];
    }
    case Delivery::neighbours: {
      const auto neighbours = topology.neighbours(origin);
      const ArcId first = topology.arc_begin(origin);
      for (std::size_t k = 0; k < neighbours.size(); ++k)
        send_copy(simulator, network, first + k, neighbours[k], slot, origin, now);
      if (faults_ != nullptr && params_.delivery == Delivery::neighbours) {
        // No copy ever heads for a node that is not a neighbour: lost for it from the send.
        std::size_t k = 0;
        for (NodeId j = 0; j < n_; ++j) {
          while (k < neighbours.size() && neighbours[k] < j) ++k;
          if (j != origin && (k == neighbours.size() || neighbours[k] != j)) lose_gradients(j, slot, now);
        }
      }
      break;
    }
  }
  traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  if (pool_[slot].outstanding == 0) {
    if (params_.delivery == Delivery::flooding && faults_ != nullptr) lose_unseen(slot, now);
    pool_.release(slot);
  }
}

// `network` is the world's, or with graph.dynamic the live snapshot's (link faults are refused then,
// so faults_ is null and `arc` is never looked up in the base graph's fault state).
void Dasgd::send_copy(Simulator& simulator, Network& network, ArcId arc, NodeId to, std::uint32_t slot, NodeId from,
                      SimTime now) {
  const SimTime at = network.transmit(arc, message_bytes_, now);
  ++traffic_.messages;
  if (faults_ == nullptr) {
    schedule_arrival(simulator, at, to, slot, from);
    return;
  }
  const HopOutcome outcome = faults_->hop(arc, now, at, message_bytes_);
  if (outcome.delivered) {
    schedule_arrival(simulator, outcome.at, to, slot, from);
    return;
  }
  // The copy is gone at outcome.at: account for it then (it holds the message until that instant).
  ++pool_[slot].outstanding;
  simulator.schedule_at(outcome.at, copy_lost, to, slot);
}

void Dasgd::lose_gradients(NodeId node, std::uint32_t slot, SimTime now) {
  if (observer_ == nullptr) return;
  for (const std::uint64_t g : pool_[slot].gradients) observer_->on_gradient_lost(node, g, now);
}

void Dasgd::lose_copy(NodeId node, std::uint32_t slot, SimTime now) {
  // Neighbours delivery: the one copy towards `node` is gone. Flooding: one copy fewer in the
  // network; finish_delivery notices when none is left.
  if (params_.delivery == Delivery::neighbours) lose_gradients(node, slot, now);
  finish_delivery(slot, now);
}

// Flooding: no copy of the message is left anywhere, so every node that has not seen it never
// will. O(n/64 + nodes missing it), once per message.
void Dasgd::lose_unseen(std::uint32_t slot, SimTime now) {
  const GradientMessage& message = pool_[slot];
  for (std::size_t w = 0; w < message.seen.size(); ++w) {
    std::uint64_t missing = ~message.seen[w];
    while (missing != 0) {
      const auto j = static_cast<NodeId>(64 * w + static_cast<std::size_t>(__builtin_ctzll(missing)));
      missing &= missing - 1;
      if (j >= n_) break;
      lose_gradients(j, slot, now);
    }
  }
}

void Dasgd::send_over_tree(Simulator& simulator, std::uint32_t slot, NodeId origin) {
  const SimTime now = simulator.now();
  if (broadcasts_.size() <= slot) {
    const std::size_t size = std::max<std::size_t>(slot + 1, 2 * broadcasts_.size());
    broadcasts_.resize(size);
    broadcast_trees_.resize(size);
    routed_gradient_.resize(size);
    routed_sums_.conservativeResize(d_, static_cast<Eigen::Index>(size));
  }
  const GradientMessage& message = pool_[slot];
  routed_sums_.col(slot) = message.sum;
  routed_gradient_[slot] = message.gradients.size() == 1 ? message.gradients[0] : kSeveralGradients;
  TreeBroadcast& broadcast = broadcasts_[slot];
  // Under link outages routes on the live graph at the send (trees are not shared then).
  broadcast_trees_[slot] = broadcast_tree(*trees_, *world_.topology, origin, now, faults_);
  const ShortestPathTree& tree = *broadcast_trees_[slot];
  // Counted as the per-hop walk sends it: one message per destination, one transmission per hop.
  traffic_.messages += tree.hops;
  if (world_.live != nullptr) {
    if (broadcast_graphs_.size() < broadcasts_.size()) broadcast_graphs_.resize(broadcasts_.size());
    broadcast_graphs_[slot] = route_graph_;  // the broadcast's hops are drawn on its own snapshot
  }
  broadcast.start(tree, now, message_bytes_, slot_network(slot));
  // The message is held once for the whole broadcast and released after its last batch.
  ++pool_[slot].outstanding;
  // The broadcast's first tick takes the sequence number every one of its events would have had.
  const EventId first = simulator.schedule_at(broadcast.next_time(), routed_batch, origin, slot);
  pending_.push({broadcast.next_time(), first.sequence, slot});
}

void Dasgd::prefetch_routed(std::uint32_t slot, bool gradient) const noexcept {
  const char* state = reinterpret_cast<const char*>(&broadcasts_[slot]);
  __builtin_prefetch(state);
  __builtin_prefetch(state + 64);
  if (!gradient) return;
  __builtin_prefetch(&routed_gradient_[slot]);
  const char* sum = reinterpret_cast<const char*>(routed_sums_.col(slot).data());
  const std::size_t lines = std::min<std::size_t>(8, (static_cast<std::size_t>(d_) * 8 + 63) / 64);
  for (std::size_t k = 0; k < lines; ++k) __builtin_prefetch(sum + 64 * k);
}

void Dasgd::run_routed_batch(Simulator& simulator) {
  const PendingBatches::Entry batch = pending_.top();
  TreeBroadcast& broadcast = broadcasts_[batch.slot];
  const auto destinations = broadcast.next_batch();
  if (broadcast_graphs_.empty()) {  // a static graph reaches every node
    batch_scratch_.assign(destinations.begin(), destinations.end());
    broadcast.advance(*world_.network);
  } else {  // graph.dynamic: copies to nodes the live graph could not reach at the send are lost
    unreachable_ += keep_reached(destinations, broadcast_trees_[batch.slot]->unreached, batch_scratch_);
    broadcast.advance(broadcast_graphs_[batch.slot]->network());
  }
  const bool last = broadcast.done();
  if (!last) {
    simulator.schedule_at(broadcast.next_time(), routed_batch, broadcast_trees_[batch.slot]->source,
                          batch.slot);
    pending_.replace_top({broadcast.next_time(), batch.sequence, batch.slot});
  } else {
    pending_.pop();
    broadcast_trees_[batch.slot].reset();
    if (!broadcast_graphs_.empty()) broadcast_graphs_[batch.slot].reset();
  }
  // With many broadcasts in flight their state is cold: start loading the next batch's (most often
  // the heap's top) and the broadcasts likely to follow it while this batch runs.
  if (!pending_.empty()) {
    prefetch_routed(pending_.top().slot, true);
    const std::size_t end = std::min<std::size_t>(pending_.size(), 5);
    for (std::size_t i = 1; i < end; ++i) prefetch_routed(pending_[i].slot, false);
  }
  if (faults_ == nullptr) {
    for (const NodeId j : batch_scratch_) apply_routed(j, batch.slot, batch.time);
  } else {
    for (const NodeId j : batch_scratch_) {
      if ((j & TreeBroadcast::lost_flag) != 0) lose_gradients(j & ~TreeBroadcast::lost_flag, batch.slot, batch.time);
      else apply_routed(j, batch.slot, batch.time);
    }
  }
  if (last) finish_delivery(batch.slot, batch.time);
}

void Dasgd::apply_routed(NodeId node, std::uint32_t slot, SimTime now) {
  if (availability_ != nullptr && down_at_arrival(now, node, slot, pool_[slot].origin)) return;
  // The same update as apply_message, from the broadcast's copy of the sum.
  models_.col(node).noalias() -= params_.eta * routed_sums_.col(slot);
  ++traffic_.deliveries;
  const std::uint64_t t = routed_gradient_[slot];
  if (t != kSeveralGradients) {
    ++applied_[node];
    if (observer_ != nullptr) observer_->on_apply(node, t, now, false);
    return;
  }
  const GradientMessage& message = pool_[slot];
  applied_[node] += message.gradients.size();
  if (observer_ != nullptr)
    for (const std::uint64_t g : message.gradients) observer_->on_apply(node, g, now, false);
}

void Dasgd::schedule_arrival(Simulator& simulator, SimTime at, NodeId to, std::uint32_t slot, NodeId from) {
  ++pool_[slot].outstanding;
  simulator.schedule_at(at, arrival, to, (static_cast<std::uint64_t>(from) << 32) | slot);
}

void Dasgd::receive(Simulator& simulator, NodeId node, std::uint32_t slot, NodeId from) {
  GradientMessage& message = pool_[slot];
  if (params_.delivery == Delivery::flooding) {
    std::uint64_t& word = message.seen[node / 64];
    const std::uint64_t bit = std::uint64_t{1} << (node % 64);
    if ((word & bit) != 0) {
      ++traffic_.duplicates;
      finish_delivery(slot, simulator.now());
      return;
    }
    word |= bit;
    apply_message(node, slot, simulator.now());
    // Forward to every neighbour but the one it came from (graph.dynamic: every live neighbour now).
    LiveSnapshot* live = world_.live != nullptr ? &world_.live->current() : nullptr;
    const Topology& topology = live != nullptr ? live->topology() : *world_.topology;
    Network& network = live != nullptr ? live->network() : *world_.network;
    const auto neighbours = topology.neighbours(node);
    const ArcId first = topology.arc_begin(node);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      if (neighbours[k] == from || neighbours[k] == message.origin) continue;
      send_copy(simulator, network, first + k, neighbours[k], slot, node, simulator.now());
    }
    traffic_.bytes = static_cast<std::uint64_t>(static_cast<double>(traffic_.messages) * message_bytes_);
  } else {
    apply_message(node, slot, simulator.now());
  }
  finish_delivery(slot, simulator.now());
}

void Dasgd::receive_batch(Simulator& simulator, std::uint32_t slot, std::uint32_t batch) {
  const GradientMessage& message = pool_[slot];
  const std::uint32_t begin = message.batch_begin[batch];
  const std::uint32_t end = message.batch_begin[batch + 1];
  for (std::uint32_t k = begin; k < end; ++k) {
    const NodeId j = message.destinations[k];
    if (availability_ != nullptr && down_at_arrival(simulator.now(), j, slot, message.origin)) continue;
    apply_message(j, slot, simulator.now());
  }
  // The last delivery may recycle the slot: count them down only after the loop.
  for (std::uint32_t k = begin; k < end; ++k) finish_delivery(slot, simulator.now());
}

void Dasgd::apply_message(NodeId node, std::uint32_t slot, SimTime now) {
  const GradientMessage& message = pool_[slot];
  models_.col(node).noalias() -= params_.eta * message.sum;
  applied_[node] += message.gradients.size();
  ++traffic_.deliveries;
  if (observer_ != nullptr)
    for (const std::uint64_t t : message.gradients) observer_->on_apply(node, t, now, false);
}

bool Dasgd::down_at_arrival(SimTime now, NodeId node, std::uint32_t slot, NodeId from) {
  if (availability_->up(node)) return false;
  const Event held{now, 0, arrival, node, (static_cast<std::uint64_t>(from) << 32) | slot};
  if (availability_->hold_or_drop(node, held)) ++pool_[slot].outstanding;
  return true;
}

void Dasgd::node_up(Simulator& /*simulator*/, NodeId node) {
  if (availability_->recovery() == Recovery::initial) models_.col(node) = world_.initial_model(node);
  // neighbour is refused for DASGD by the config: a copied model would apply in-flight gradients twice.
}

void Dasgd::node_resume(Simulator& simulator, NodeId node) {
  if (!computations_.busy(node)) begin_compute(simulator, node);
}

void Dasgd::finish_delivery(std::uint32_t slot, SimTime now) {
  if (--pool_[slot].outstanding != 0) return;
  if (faults_ != nullptr && params_.delivery == Delivery::flooding) lose_unseen(slot, now);
  pool_.release(slot);
}

}  // namespace dasgd

namespace dasgd {

Network& Dasgd::slot_network(std::uint32_t slot) noexcept {
  return broadcast_graphs_.empty() ? *world_.network : broadcast_graphs_[slot]->network();
}

// Routing state belongs to one snapshot: at the first routed send on a new one it is set up again,
// O(n) (the per-source tree table or the walk's arrays); each source's shortest-path tree is then
// built on its first send in that snapshot, one O(n + m) BFS.
void Dasgd::use_live_routes() {
  LiveSnapshot& live = world_.live->current();
  if (route_graph_ && route_graph_->index() == live.index()) return;
  route_graph_ = world_.live->share();
  ++route_rebuilds_;
  router_.reset();
  trees_.reset();
  if (params_.per_hop_routing || live.network().needs_per_hop_routing())
    router_ = std::make_unique<ShortestPathRouter>(live.topology());
  else
    trees_ = std::make_unique<ShortestPathTrees>(live.topology(), params_.tree_cache_bytes);
}

}  // namespace dasgd
