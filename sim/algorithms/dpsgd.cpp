// D-PSGD's rounds: gradient, neighbour exchange, mixing at the barrier; see dpsgd.hpp.
#include "sim/algorithms/dpsgd.hpp"

#include "sim/faults/live_topology.hpp"

#include <algorithm>
#include <stdexcept>

namespace dasgd {

std::string to_string(DpsgdVariant variant) {
  return variant == DpsgdVariant::combine_then_adapt ? "combine_then_adapt" : "adapt_then_combine";
}

namespace {

void check_mixing(const Topology& topology, MixingRule rule) {
  if (rule != MixingRule::uniform || topology.num_nodes() == 0) return;
  std::size_t low = topology.degree(0), high = low;
  for (NodeId i = 1; i < topology.num_nodes(); ++i) {
    low = std::min(low, topology.degree(i));
    high = std::max(high, topology.degree(i));
  }
  if (low != high)
    throw std::invalid_argument(
        "/graph/kind: dpsgd with \"mixing\": \"uniform\" needs a regular graph (W_ij = 1/(deg_i + 1) is "
        "doubly stochastic only then, as D-PSGD's analysis requires), got " + topology.name() +
        " with degrees " + std::to_string(low) + ".." + std::to_string(high) +
        "; use \"mixing\": \"metropolis_hastings\"");
}

}  // namespace

Dpsgd::Dpsgd(const World& world, const DpsgdParams& params, GradientObserver* observer)
    : SynchronousRounds(world, params.header_bytes, observer),
      params_(params),
      models_(d_, static_cast<Eigen::Index>(n_)),
      mixed_(d_, static_cast<Eigen::Index>(n_)),
      round_gradient_(n_, 0),
      tokens_(n_, 0),
      models_in_(n_, 0.0) {
  if (!(params.eta >= 0)) throw std::invalid_argument("dpsgd: eta must be >= 0");
  if (world.live == nullptr) {
    check_mixing(*world.topology, params.mixing);
  } else if (params.mixing == MixingRule::uniform && !world.live->uniform_mixing_doubly_stochastic()) {
    throw std::invalid_argument(
        "/graph/dynamic: dpsgd with \"mixing\": \"uniform\" needs every snapshot's edges to join nodes of equal "
        "degree (W_ij = 1/(deg_i + 1) is doubly stochastic only then); " + world.live->spec().kind +
        " can produce other graphs: use \"mixing\": \"metropolis_hastings\"");
  }
  if (world.availability != nullptr && world.live != nullptr && world.live->spec().kind == "one_peer_exponential")
    throw std::invalid_argument("/faults/nodes: dpsgd on the directed one-peer graph cannot fold a crashed peer's "
                                "weight onto the diagonal and stay doubly stochastic (its W is not symmetric); "
                                "use an undirected graph.dynamic kind");
  if (params.overlap && params.variant == DpsgdVariant::adapt_then_combine)
    throw std::invalid_argument(
        "dpsgd: adapt_then_combine sends x_i - eta g_i, which needs the gradient first: overlap must be false");
  if (world.live == nullptr) {
    weights_ = mixing_weights(*world.topology, params.mixing);
    spectral_ = spectral_gap(*world.topology, params.mixing);
  }
  if (link_faults() != nullptr) {
    const Topology& topology = *world.topology;
    arrived_.assign(topology.num_arcs(), 0);
    reverse_arc_.assign(topology.num_arcs(), 0);
    for (NodeId u = 0; u < n_; ++u) {
      const auto neighbours = topology.neighbours(u);
      for (std::size_t k = 0; k < neighbours.size(); ++k)
        reverse_arc_[topology.arc_begin(u) + k] = *topology.find_arc(neighbours[k], u);
    }
  }
  if (params.initial_models.size() == 0) {
    world.set_initial_models(models_);
  } else if (params.initial_models.rows() != d_ || params.initial_models.cols() != models_.cols()) {
    throw std::invalid_argument("dpsgd: initial_models must be " + std::to_string(d_) + " x " +
                                std::to_string(n_) + ", got " + std::to_string(params.initial_models.rows()) +
                                " x " + std::to_string(params.initial_models.cols()));
  } else {
    models_ = params.initial_models;
  }
}

std::vector<AlgorithmFigure> Dpsgd::figures() const {
  std::vector<AlgorithmFigure> figures = round_figures();
  if (world_.live != nullptr) {  // no one W: each round mixes with its own graph's
    figures.push_back({"round_graphs", static_cast<double>(round_graphs_),
                       "distinct graph snapshots the rounds mixed on (graph.dynamic)"});
    figures.push_back({"message_bytes", message_bytes_, "bytes per model message: d*8 + header"});
    return figures;
  }
  figures.push_back({"consensus_rate_p", spectral_.p,
                     "p = 1 - lambda^2, lambda = max(|lambda_2(W)|, |lambda_n(W)|) (Koloskova et al. 2020)"});
  figures.push_back({"second_modulus", spectral_.second_modulus,
                     "lambda = max(|lambda_2(W)|, |lambda_n(W)|): disagreement contracts by it per round"});
  figures.push_back({"message_bytes", message_bytes_, "bytes per model message: d*8 + header"});
  return figures;
}

void Dpsgd::use_round_graph() {
  round_graph_ = world_.live->share();
  if (round_graph_->index() == weights_for_) return;
  weights_for_ = round_graph_->index();
  ++round_graphs_;
  const std::vector<NodeId>& peer = round_graph_->peers();
  if (peer.empty()) {
    weights_ = mixing_weights(round_graph_->topology(), params_.mixing);
    return;
  }
  // Directed one-peer graph: node j's model goes to every i with peer(i) = j (reverse lists).
  receivers_begin_.assign(n_ + 1, 0);
  for (NodeId i = 0; i < n_; ++i) ++receivers_begin_[peer[i] + 1];
  for (std::size_t j = 0; j < n_; ++j) receivers_begin_[j + 1] += receivers_begin_[j];
  receivers_.resize(n_);
  std::vector<std::uint32_t> cursor(receivers_begin_.begin(), receivers_begin_.end() - 1);
  for (NodeId i = 0; i < n_; ++i) receivers_[cursor[peer[i]]++] = i;
}

void Dpsgd::send_model(NodeId node, SimTime now) {
  if (round_graph_ && round_graph_->directed()) {
    // The paper's one-peer W (Ying et al. 2021): x_i <- (x_i + x_peer(i))/2, so peer(i) sends to i.
    const std::uint32_t begin = receivers_begin_[node], end = receivers_begin_[node + 1];
    if (observer_ != nullptr && end > begin) tokens_[node] = observer_->on_model_sent(node, now, end - begin);
    for (std::uint32_t k = begin; k < end; ++k) {
      const NodeId i = receivers_[k];
      const SimTime at = round_graph_->network().transmit(round_graph_->arc(node, i), message_bytes_, now);
      models_in_[i] = std::max(models_in_[i], at);
    }
    traffic_.messages += end - begin;
    traffic_.deliveries += end - begin;
    traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(end - begin) * message_bytes_);
    return;
  }
  if (LinkFaults* faults = link_faults(); faults != nullptr) [[unlikely]] {
    send_model_over_faults(node, now, *faults);
    return;
  }
  const Topology& topology = round_graph_ ? round_graph_->topology() : *world_.topology;
  Network& network = round_graph_ ? round_graph_->network() : *world_.network;
  const auto neighbours = topology.neighbours(node);
  if (observer_ != nullptr && !neighbours.empty()) {
    tokens_[node] = observer_->on_model_sent(node, now, static_cast<std::uint32_t>(neighbours.size()));
    if (faults_on()) sent_[node] = 1;
  }
  const ArcId first = topology.arc_begin(node);
  for (std::size_t k = 0; k < neighbours.size(); ++k) {
    const SimTime at = network.transmit(first + k, message_bytes_, now);
    models_in_[neighbours[k]] = std::max(models_in_[neighbours[k]], at);
  }
  traffic_.messages += neighbours.size();
  traffic_.deliveries += neighbours.size();
  traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(neighbours.size()) * message_bytes_);
}

void Dpsgd::open_round(Simulator& simulator) {
  const SimTime now = simulator.now();
  if (world_.live != nullptr) use_round_graph();  // this round's graph and its W
  std::fill(models_in_.begin(), models_in_.end(), now);
  if (faults_on()) sent_.assign(n_, 0);
  lost_this_round_ = 0;
  for (NodeId i = 0; i < n_; ++i)
    if (participates(i)) begin_compute(simulator, i, models_.col(i));
  if (params_.variant == DpsgdVariant::combine_then_adapt && params_.overlap)
    for (NodeId i = 0; i < n_; ++i)
      if (participates(i)) send_model(i, now);
}

void Dpsgd::gradient_done(Simulator& simulator, NodeId node, std::uint64_t t) {
  const SimTime now = simulator.now();
  round_gradient_[node] = t;
  if (params_.variant == DpsgdVariant::adapt_then_combine) {
    models_.col(node).noalias() -= params_.eta * gradient(node);
    if (observer_ != nullptr) observer_->on_apply(node, t, now, true);
    send_model(node, now);
  } else if (!params_.overlap) {
    send_model(node, now);
  }
  node_ready(simulator, node);
}

SimTime Dpsgd::communicate(Simulator& /*simulator*/) {
  SimTime end = 0;
  for (NodeId i = 0; i < n_; ++i) end = std::max({end, ready_time(i), models_in_[i]});
  return end;
}

void Dpsgd::close_round(Simulator& simulator) {
  if (link_faults() != nullptr) [[unlikely]] {
    close_round_over_faults(simulator);
    return;
  }
  if (faults_on()) {
    close_round_on_live_set(simulator);
    return;
  }
  const SimTime now = simulator.now();
  const bool adapt_after = params_.variant == DpsgdVariant::combine_then_adapt;
  if (round_graph_ && round_graph_->directed()) {
    const std::vector<NodeId>& peer = round_graph_->peers();
    for (NodeId i = 0; i < n_; ++i) {
      mixed_.col(i).noalias() = 0.5 * models_.col(i) + 0.5 * models_.col(peer[i]);
      if (adapt_after) mixed_.col(i).noalias() -= params_.eta * gradient(i);
    }
    models_.swap(mixed_);
    if (observer_ == nullptr) return;
    for (NodeId i = 0; i < n_; ++i) {
      observer_->on_model_merged(i, tokens_[peer[i]], now);
      if (adapt_after) observer_->on_apply(i, round_gradient_[i], now, true);
    }
    return;
  }
  const Topology& topology = round_graph_ ? round_graph_->topology() : *world_.topology;
  for (NodeId i = 0; i < n_; ++i) {
    // Row i of W: x_i ← W_ii x_i + Σ_{j ∈ N(i)} W_ij x_j (arc weights in arc order).
    mixed_.col(i).noalias() = weights_.self[i] * models_.col(i);
    const auto neighbours = topology.neighbours(i);
    const ArcId first = topology.arc_begin(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      mixed_.col(i).noalias() += weights_.arc[first + k] * models_.col(neighbours[k]);
    if (adapt_after) mixed_.col(i).noalias() -= params_.eta * gradient(i);
  }
  models_.swap(mixed_);
  if (observer_ == nullptr) return;
  for (NodeId i = 0; i < n_; ++i) {
    for (const NodeId j : topology.neighbours(i)) observer_->on_model_merged(i, tokens_[j], now);
    if (adapt_after) observer_->on_apply(i, round_gradient_[i], now, true);
  }
}

}  // namespace dasgd
