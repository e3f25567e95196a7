// Local SGD meets asynchrony: workers, averaging process and ring all-reduce on each event; see
// local_async_sgd.hpp.
#include "sim/algorithms/local_async_sgd.hpp"

#include "sim/faults/live_topology.hpp"
#include "topologies/properties.hpp"

#include <algorithm>
#include <stdexcept>

namespace dasgd {

namespace {

// Arcs of a fewest-hop path from `source` to `target` (BFS in increasing neighbour order, so ties
// go to the lowest-numbered parent), source first.
std::vector<ArcId> shortest_path(const Topology& topology, NodeId source, NodeId target) {
  const std::size_t n = topology.num_nodes();
  std::vector<NodeId> parent(n, source);
  std::vector<ArcId> parent_arc(n, 0);
  std::vector<char> seen(n, 0);
  std::vector<NodeId> queue{source};
  seen[source] = 1;
  for (std::size_t head = 0; head < queue.size() && seen[target] == 0; ++head) {
    const NodeId u = queue[head];
    const auto neighbours = topology.neighbours(u);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const NodeId v = neighbours[k];
      if (seen[v] != 0) continue;
      seen[v] = 1;
      parent[v] = u;
      parent_arc[v] = topology.arc_begin(u) + k;
      queue.push_back(v);
    }
  }
  if (seen[target] == 0)
    throw std::invalid_argument("local_async_sgd: no path from node " + std::to_string(source) + " to node " +
                                std::to_string(target) + " for the ring all-reduce (/graph/kind)");
  std::vector<ArcId> path;
  for (NodeId v = target; v != source; v = parent[v]) path.push_back(parent_arc[v]);
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

LocalAsyncSgd::LocalAsyncSgd(const World& world, const LocalAsyncSgdParams& params, GradientObserver* observer)
    : AsynchronousAlgorithm(world, observer),
      params_(params),
      chunk_bytes_(8.0 * static_cast<double>((d_ + static_cast<Eigen::Index>(n_) - 1) / static_cast<Eigen::Index>(n_)) +
                   params.header_bytes),
      snapshots_(Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(n_))),
      mean_(d_),
      observed_(Vector::Zero(d_)),
      started_(n_, 0),
      computed_(n_, 0),
      since_snapshot_(n_, 0),
      joined_(n_, 0),
      tokens_(n_, 0) {
  // η = 0 is allowed here (tests of the averaging step); the config requires η > 0.
  if (!(params.eta >= 0)) throw std::invalid_argument("/algorithm/eta: expected a non-negative number");
  if (params.workers == 0) throw std::invalid_argument("/algorithm/workers: expected an integer >= 1, got 0");
  if (params.partitioned && static_cast<Eigen::Index>(params.workers) > d_)
    throw std::invalid_argument("/algorithm/workers: partitioned updates need at most d = " + std::to_string(d_) +
                                " workers (one coordinate block each), got " + std::to_string(params.workers));
  if (params.blocking && params.workers != 1)
    throw std::invalid_argument("/algorithm/workers: blocking (post-local SGD) runs one worker per node, got " +
                                std::to_string(params.workers));
  const auto columns = static_cast<Eigen::Index>(n_ * params.workers);
  gradients_ = Eigen::MatrixXd::Zero(d_, columns);
  computation_ids_.assign(static_cast<std::size_t>(columns), 0);
  started_at_.assign(static_cast<std::size_t>(columns), 0.0);
  noise_.reserve(n_);
  for (std::size_t i = 0; i < n_; ++i) noise_.push_back(world.streams.stream(Stream::gradient_noise, i));
  if (params.local_steps > 0 && n_ > 1) {
    ring_paths_.reserve(n_);
    for (NodeId i = 0; i < n_; ++i)
      ring_paths_.push_back(shortest_path(*world.topology, i, static_cast<NodeId>((i + 1) % n_)));
  }
}

void LocalAsyncSgd::set_model(NodeId node, ConstVectorRef x) {
  if (node >= n_ || x.size() != d_)
    throw std::invalid_argument("LocalAsyncSgd::set_model: expected a node < " + std::to_string(n_) +
                                " and a vector of dimension " + std::to_string(d_));
  models_.col(node) = x;
}

std::pair<Eigen::Index, Eigen::Index> LocalAsyncSgd::block(std::uint32_t worker) const {
  // U nearly equal contiguous blocks: the first d mod U hold one coordinate more.
  const auto u = static_cast<Eigen::Index>(params_.workers);
  const auto r = static_cast<Eigen::Index>(worker);
  const Eigen::Index base = d_ / u, extra = d_ % u;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

std::vector<AlgorithmFigure> LocalAsyncSgd::figures() const {
  const double averages = static_cast<double>(averages_);
  const double gradients = static_cast<double>(next_gradient_);
  std::vector<AlgorithmFigure> figures = {
      {"averages_done", averages, "all-reduce averages completed"},
      {"mean_collective_duration", averages_ == 0 ? 0.0 : collective_time_ / averages,
       "mean time from the last node joining to the all-reduce's end (ring model, 2(n-1) steps)"},
      {"mean_collective_wait", averages_ == 0 ? 0.0 : wait_time_ / averages,
       "mean time from the first node's snapshot to the last node joining"},
      {"fraction_computed_during_average", next_gradient_ == 0 ? 0.0 : static_cast<double>(during_average_) / gradients,
       "fraction of gradients completed at a node between its snapshot and the average's end"},
      {"workers", static_cast<double>(params_.workers), "U, workers per node on one shared model"},
      {"local_steps", static_cast<double>(params_.local_steps), "H, minibatches per node between averages (0: never)"},
      {"chunk_bytes", chunk_bytes_, "bytes per all-reduce chunk: ceil(d/n)*8 + header"},
  };
  if (world_.live != nullptr)
    figures.push_back({"partitioned_collectives", static_cast<double>(partitioned_collectives_),
                       "collectives whose live snapshot was disconnected: each component averaged on its own"});
  return figures;
}

void LocalAsyncSgd::start(Simulator& simulator) {
  for (NodeId i = 0; i < n_; ++i)
    for (std::uint32_t r = 0; r < params_.workers; ++r) begin_compute(simulator, i, r);
}

void LocalAsyncSgd::stop_computing() {
  stopped_ = true;
  if (in_flight_ || joined_count_ == 0) return;
  // A gathering collective: the missing nodes will never join.
  for (NodeId i = 0; i < n_; ++i) {
    if (joined_[i] == 0) continue;
    if (observer_ != nullptr && n_ > 1)
      for (std::size_t use = 0; use + 1 < n_; ++use) observer_->on_model_dropped(tokens_[i]);
    joined_[i] = 0;
  }
  joined_count_ = 0;
}

void LocalAsyncSgd::handle(Simulator& simulator, const Event& event) {
  switch (event.type) {
    case compute_done: complete_compute(simulator, event.target, static_cast<std::uint32_t>(event.payload)); break;
    case collective_done: finish_collective(simulator); break;
    default: throw std::logic_error("local_async_sgd: unknown event type");
  }
}

void LocalAsyncSgd::begin_compute(Simulator& simulator, NodeId node, std::uint32_t worker) {
  if (stopped_ || (budget_ != 0 && started_[node] >= budget_)) return;
  const SimTime now = simulator.now();
  const auto w = static_cast<Eigen::Index>(slot(node, worker));
  started_at_[static_cast<std::size_t>(w)] = now;
  // Several workers of a node compute at once: the observer tells their computations apart by id.
  if (observer_ != nullptr)
    computation_ids_[static_cast<std::size_t>(w)] = observer_->on_compute_start(node, now, models_.col(node));
  // Computing now on the model read now is computing on a snapshot taken now (Hogwild's read).
  world_.objective->stochastic_gradient(node, models_.col(node), noise_[node], gradients_.col(w));
  simulator.schedule_at(now + world_.compute->duration(node, started_[node]++), compute_done, node, worker);
}

void LocalAsyncSgd::complete_compute(Simulator& simulator, NodeId node, std::uint32_t worker) {
  const SimTime now = simulator.now();
  const std::uint64_t t = next_gradient_++;
  const auto w = static_cast<Eigen::Index>(slot(node, worker));
  const SimTime started = started_at_[static_cast<std::size_t>(w)];
  auto x = models_.col(node);
  auto g = gradients_.col(w);
  if (observer_ != nullptr) {
    const std::uint64_t computation = computation_ids_[static_cast<std::size_t>(w)];
    if (params_.partitioned && params_.workers > 1) {
      const auto [first, size] = block(worker);
      observed_.setZero();
      observed_.segment(first, size) = g.segment(first, size);
      observer_->on_compute_complete(node, t, started, now, observed_, computation);
    } else {
      observer_->on_compute_complete(node, t, started, now, g, computation);
    }
  }
  if (++computed_[node] == budget_) ++nodes_at_budget_;
  if (params_.partitioned) {
    const auto [first, size] = block(worker);
    x.segment(first, size).noalias() -= params_.eta * g.segment(first, size);
  } else {
    x.noalias() -= params_.eta * g;
  }
  if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
  if (joined_[node] != 0) ++during_average_;
  ++since_snapshot_[node];
  if (params_.local_steps > 0 && joined_[node] == 0 && since_snapshot_[node] >= params_.local_steps && !stopped_)
    join(simulator, node);
  if (params_.blocking && joined_[node] != 0) return;  // waits for the average
  begin_compute(simulator, node, worker);
}

void LocalAsyncSgd::join(Simulator& simulator, NodeId node) {
  const SimTime now = simulator.now();
  snapshots_.col(node) = models_.col(node);
  since_snapshot_[node] = 0;
  joined_[node] = 1;
  if (observer_ != nullptr) tokens_[node] = observer_->on_model_sent(node, now, static_cast<std::uint32_t>(n_ - 1));
  if (joined_count_++ == 0) first_join_ = now;
  if (joined_count_ < n_) return;
  // The last node joined: the collective starts now.
  in_flight_ = true;
  collective_started_ = now;
  wait_time_ += now - first_join_;
  simulator.schedule_at(world_.live != nullptr ? ring_allreduce_live(now) : ring_allreduce(now), collective_done, 0);
}

SimTime LocalAsyncSgd::ring_allreduce(SimTime start) {
  if (n_ == 1) return start;
  ring_ready_.assign(n_, start);
  std::vector<SimTime>& ready = ring_ready_;
  const std::size_t steps = 2 * (n_ - 1);  // reduce-scatter, then all-gather
  std::vector<SimTime> arrived(n_);
  for (std::size_t step = 0; step < steps; ++step) {
    for (NodeId i = 0; i < n_; ++i) {
      SimTime at = ready[i];
      for (const ArcId arc : ring_paths_[i]) at = world_.network->transmit(arc, chunk_bytes_, at);
      arrived[(i + 1) % n_] = at;
      traffic_.messages += ring_paths_[i].size();
      traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(ring_paths_[i].size()) * chunk_bytes_);
      ++traffic_.deliveries;
    }
    // Node j sends its next chunk once it holds the one from j − 1 (and has sent its own).
    for (NodeId j = 0; j < n_; ++j) ready[j] = std::max(ready[j], arrived[j]);
  }
  return *std::max_element(ready.begin(), ready.end());
}

void LocalAsyncSgd::finish_collective(Simulator& simulator) {
  const SimTime now = simulator.now();
  if (world_.live != nullptr) average_live(now);
  else average(now);
  ++averages_;
  collective_time_ += now - collective_started_;
  in_flight_ = false;
  joined_count_ = 0;
  std::fill(joined_.begin(), joined_.end(), 0);
  for (NodeId i = 0; i < n_; ++i) {
    if (params_.blocking) begin_compute(simulator, i, 0);
    else if (since_snapshot_[i] >= params_.local_steps && !stopped_) join(simulator, i);
  }
}

void LocalAsyncSgd::average(SimTime now) {
  mean_ = snapshots_.col(0);
  for (std::size_t i = 1; i < n_; ++i) mean_ += snapshots_.col(static_cast<Eigen::Index>(i));
  mean_ /= static_cast<double>(n_);
  for (NodeId i = 0; i < n_; ++i) {
    auto x = models_.col(i);
    // x_i ← x_i^now + (s̄ − s_i); exactly s̄ when nothing moved x_i since the snapshot.
    if (x == snapshots_.col(i)) x = mean_;
    else x += mean_ - snapshots_.col(i);
  }
  if (observer_ != nullptr && n_ > 1)
    for (NodeId j = 0; j < n_; ++j)
      for (NodeId i = 0; i < n_; ++i)
        if (i != j) observer_->on_model_merged(j, tokens_[i], now);
}

}  // namespace dasgd

namespace dasgd {

// graph.dynamic: the collective runs on the snapshot live when it starts (the last node joins).
// Each connected component of that snapshot runs its own ring all-reduce over its members in id
// order (member k sends to member k + 1 mod c along a fewest-hop path of the snapshot, on the
// snapshot's links), 2(c − 1) steps of ⌈d/c⌉·8 + header bytes; a single node has nothing to send.
// On a connected snapshot this is the static ring exactly. The ring paths are computed once per
// snapshot, at the first collective on it: c BFS per component, O(n (n + m)) at most.
SimTime LocalAsyncSgd::ring_allreduce_live(SimTime start) {
  LiveSnapshot& live = world_.live->current();
  const Topology& topology = live.topology();
  if (!ring_graph_ || ring_graph_->index() != live.index()) {
    ring_graph_ = world_.live->share();
    live_component_ = component_labels(n_, topology.edges());
    live_component_size_.assign(n_, 0);
    for (NodeId i = 0; i < n_; ++i) ++live_component_size_[live_component_[i]];
    // The ring successor of i in its component: the next member in id order, wrapping around.
    std::vector<NodeId> first(n_, 0), last(n_, 0);
    std::vector<char> seen(n_, 0);
    live_next_.assign(n_, 0);
    for (NodeId i = 0; i < n_; ++i) {
      const std::uint32_t c = live_component_[i];
      if (seen[c] == 0) first[c] = i;
      else live_next_[last[c]] = i;
      seen[c] = 1;
      last[c] = i;
    }
    for (NodeId i = 0; i < n_; ++i)
      if (last[live_component_[i]] == i) live_next_[i] = first[live_component_[i]];
    live_paths_.assign(n_, {});
    for (NodeId i = 0; i < n_; ++i)
      if (live_next_[i] != i) live_paths_[i] = shortest_path(topology, i, live_next_[i]);
  }
  collective_component_ = live_component_;
  collective_component_size_ = live_component_size_;
  if (live_component_size_[0] < n_) ++partitioned_collectives_;
  if (n_ == 1) return start;
  ring_ready_.assign(n_, start);
  std::vector<SimTime>& ready = ring_ready_;
  std::vector<SimTime> arrived(n_, start);
  std::size_t steps = 0;
  for (NodeId i = 0; i < n_; ++i) steps = std::max(steps, 2 * (live_component_size_[live_component_[i]] - 1));
  Network& network = live.network();
  for (std::size_t step = 0; step < steps; ++step) {
    for (NodeId i = 0; i < n_; ++i) {
      const std::size_t c = live_component_size_[live_component_[i]];
      if (step >= 2 * (c - 1)) continue;
      const double bytes = 8.0 * static_cast<double>((d_ + static_cast<Eigen::Index>(c) - 1) / static_cast<Eigen::Index>(c)) +
                           params_.header_bytes;
      SimTime at = ready[i];
      for (const ArcId arc : live_paths_[i]) at = network.transmit(arc, bytes, at);
      arrived[live_next_[i]] = at;
      traffic_.messages += live_paths_[i].size();
      traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(live_paths_[i].size()) * bytes);
      ++traffic_.deliveries;
    }
    for (NodeId j = 0; j < n_; ++j) ready[j] = std::max(ready[j], arrived[j]);
  }
  return *std::max_element(ready.begin(), ready.end());
}

// The end of a collective on a dynamic graph: each component's mean s̄_c (summed in node order)
// replaces its members' snapshots, x_i ← x_i^now + (s̄_c − s_i) as in the static average. Node i's
// snapshot set (sent with n − 1 uses) is merged by the other members of its component; its other
// n − c uses are dropped.
void LocalAsyncSgd::average_live(SimTime now) {
  const std::size_t components = *std::max_element(collective_component_.begin(), collective_component_.end()) + 1;
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(d_, static_cast<Eigen::Index>(components));
  std::vector<char> started(components, 0);
  for (NodeId i = 0; i < n_; ++i) {
    const auto c = static_cast<Eigen::Index>(collective_component_[i]);
    if (started[static_cast<std::size_t>(c)] == 0) means.col(c) = snapshots_.col(i);
    else means.col(c) += snapshots_.col(i);
    started[static_cast<std::size_t>(c)] = 1;
  }
  for (std::size_t c = 0; c < components; ++c)
    means.col(static_cast<Eigen::Index>(c)) /= static_cast<double>(collective_component_size_[c]);
  for (NodeId i = 0; i < n_; ++i) {
    auto x = models_.col(i);
    const auto mean = means.col(static_cast<Eigen::Index>(collective_component_[i]));
    if (x == snapshots_.col(i)) x = mean;
    else x += mean - snapshots_.col(i);
  }
  if (observer_ == nullptr || n_ == 1) return;
  for (NodeId j = 0; j < n_; ++j)
    for (NodeId i = 0; i < n_; ++i) {
      if (i == j) continue;
      if (collective_component_[i] == collective_component_[j]) observer_->on_model_merged(j, tokens_[i], now);
      else observer_->on_model_dropped(tokens_[i]);
    }
}

}  // namespace dasgd
