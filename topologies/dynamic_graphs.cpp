// Snapshots of the time-varying graph generators; see dynamic_graphs.hpp for the definitions.
#include "topologies/dynamic_graphs.hpp"

#include "sim/random/rng.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace dasgd::dynamic {

EdgeList random_matching(std::size_t n, std::uint64_t key) {
  std::vector<NodeId> order(n);
  std::iota(order.begin(), order.end(), NodeId{0});
  Rng rng(key);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher–Yates
  EdgeList edges;
  edges.reserve(n / 2);
  for (std::size_t i = 0; i + 1 < n; i += 2)
    edges.push_back({std::min(order[i], order[i + 1]), std::max(order[i], order[i + 1])});
  return edges;
}

GraphSnapshot random_matching_snapshot(std::size_t n, std::uint64_t key) {
  return {Topology(n, random_matching(n, key), "random_matching(n=" + std::to_string(n) + ")",
                   Topology::MayBeDisconnected{}),
          {}};
}

std::size_t one_peer_rounds(std::size_t n) {
  std::size_t tau = 0;
  while ((std::size_t{1} << tau) < n) ++tau;
  return tau;
}

std::vector<NodeId> one_peer_exponential_peers(std::size_t n, std::uint64_t k) {
  const std::size_t tau = one_peer_rounds(n);
  if (tau == 0) return {};
  const std::size_t hop = std::size_t{1} << (k % tau);
  std::vector<NodeId> peer(n);
  for (std::size_t i = 0; i < n; ++i) peer[i] = static_cast<NodeId>((i + hop) % n);
  return peer;
}

GraphSnapshot one_peer_exponential_snapshot(std::size_t n, std::uint64_t k) {
  GraphSnapshot snapshot{Topology(), one_peer_exponential_peers(n, k)};
  EdgeList edges;
  edges.reserve(n);
  for (std::size_t i = 0; i < snapshot.peer.size(); ++i) {
    const NodeId j = snapshot.peer[i];
    // hop = n/2 pairs i with i + n/2 from both ends: keep one copy of each edge.
    if (j < i && snapshot.peer[j] == i) continue;
    edges.push_back({std::min<NodeId>(static_cast<NodeId>(i), j), std::max<NodeId>(static_cast<NodeId>(i), j)});
  }
  snapshot.topology = Topology(n, std::move(edges), "one_peer_exponential(n=" + std::to_string(n) + ", k=" +
                                                        std::to_string(k) + ")",
                               Topology::MayBeDisconnected{});
  return snapshot;
}

Eigen::MatrixXd one_peer_mixing_matrix(const std::vector<NodeId>& peer) {
  const auto n = static_cast<Eigen::Index>(peer.size());
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    w(i, i) += 0.5;
    w(i, peer[static_cast<std::size_t>(i)]) += 0.5;
  }
  return w;
}

MarkovEdges::MarkovEdges(const Topology& base, double on_rate, double off_rate, double period,
                         std::uint64_t key)
    : base_(&base), key_(key), on_(base.num_edges(), 0) {
  if (!(on_rate > 0 && std::isfinite(on_rate)) || !(off_rate > 0 && std::isfinite(off_rate)) ||
      !(period > 0 && std::isfinite(period)))
    throw std::invalid_argument("markov edges: expected on_rate, off_rate and period > 0");
  // Two-state chain, total rate r = on + off: P(state at t + T differs | now) = π_other (1 − e^{−rT}).
  stationary_on_ = on_rate / (on_rate + off_rate);
  const double mixing = -std::expm1(-(on_rate + off_rate) * period);
  p_on_to_off_ = (1 - stationary_on_) * mixing;
  p_off_to_on_ = stationary_on_ * mixing;
  for (EdgeId e = 0; e < on_.size(); ++e) {
    Rng rng(mix_key(key_, Stream::topology_schedule, 0, std::uint64_t{e} + 1));
    on_[e] = rng.uniform() < stationary_on_ ? 1 : 0;
    live_ += on_[e];
  }
}

std::vector<EdgeId> MarkovEdges::advance() {
  ++k_;
  std::vector<EdgeId> switched;
  for (EdgeId e = 0; e < on_.size(); ++e) {
    Rng rng(mix_key(key_, Stream::topology_schedule, k_, std::uint64_t{e} + 1));
    const double u = rng.uniform();
    const bool flip = on_[e] != 0 ? u < p_on_to_off_ : u < p_off_to_on_;
    if (!flip) continue;
    on_[e] ^= 1;
    if (on_[e] != 0) ++live_;
    else --live_;
    switched.push_back(e);
  }
  return switched;
}

GraphSnapshot MarkovEdges::snapshot() const {
  std::vector<Edge> edges;  // with the base edges' attributes (latencies read from a file)
  edges.reserve(live_);
  for (EdgeId e = 0; e < on_.size(); ++e)
    if (on_[e] != 0) edges.push_back(base_->edge(e));
  return {Topology(base_->num_nodes(), std::move(edges),
                   "markov(" + base_->name() + ", period " + std::to_string(k_) + ")",
                   Topology::MayBeDisconnected{}),
          {}};
}

}  // namespace dasgd::dynamic

namespace dasgd::dynamic {

double consensus_contraction(const Eigen::MatrixXd& p) {
  const Eigen::Index n = p.rows();
  const Eigen::MatrixXd m = p - Eigen::MatrixXd::Constant(n, n, 1.0 / static_cast<double>(n));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m.transpose() * m, Eigen::EigenvaluesOnly);
  return std::sqrt(std::max(0.0, solver.eigenvalues().maxCoeff()));
}

}  // namespace dasgd::dynamic
