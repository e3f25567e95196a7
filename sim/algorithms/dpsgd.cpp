// D-PSGD's rounds: gradient, neighbour exchange, mixing at the barrier; see dpsgd.hpp.
#include "sim/algorithms/dpsgd.hpp"

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
  check_mixing(*world.topology, params.mixing);
  if (params.overlap && params.variant == DpsgdVariant::adapt_then_combine)
    throw std::invalid_argument(
        "dpsgd: adapt_then_combine sends x_i - eta g_i, which needs the gradient first: overlap must be false");
  weights_ = mixing_weights(*world.topology, params.mixing);
  spectral_ = spectral_gap(*world.topology, params.mixing);
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
  figures.push_back({"consensus_rate_p", spectral_.p,
                     "p = 1 - lambda^2, lambda = max(|lambda_2(W)|, |lambda_n(W)|) (Koloskova et al. 2020)"});
  figures.push_back({"second_modulus", spectral_.second_modulus,
                     "lambda = max(|lambda_2(W)|, |lambda_n(W)|): disagreement contracts by it per round"});
  figures.push_back({"message_bytes", message_bytes_, "bytes per model message: d*8 + header"});
  return figures;
}

void Dpsgd::send_model(NodeId node, SimTime now) {
  const Topology& topology = *world_.topology;
  const auto neighbours = topology.neighbours(node);
  if (observer_ != nullptr && !neighbours.empty())
    tokens_[node] = observer_->on_model_sent(node, now, static_cast<std::uint32_t>(neighbours.size()));
  const ArcId first = topology.arc_begin(node);
  for (std::size_t k = 0; k < neighbours.size(); ++k) {
    const SimTime at = world_.network->transmit(first + k, message_bytes_, now);
    models_in_[neighbours[k]] = std::max(models_in_[neighbours[k]], at);
  }
  traffic_.messages += neighbours.size();
  traffic_.deliveries += neighbours.size();
  traffic_.bytes += static_cast<std::uint64_t>(static_cast<double>(neighbours.size()) * message_bytes_);
}

void Dpsgd::open_round(Simulator& simulator) {
  const SimTime now = simulator.now();
  std::fill(models_in_.begin(), models_in_.end(), now);
  for (NodeId i = 0; i < n_; ++i) begin_compute(simulator, i, models_.col(i));
  if (params_.variant == DpsgdVariant::combine_then_adapt && params_.overlap)
    for (NodeId i = 0; i < n_; ++i) send_model(i, now);
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
  const Topology& topology = *world_.topology;
  const SimTime now = simulator.now();
  const bool adapt_after = params_.variant == DpsgdVariant::combine_then_adapt;
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
