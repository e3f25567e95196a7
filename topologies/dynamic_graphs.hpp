// Time-varying graphs (../shared/spec/faults.md, "A topology that changes over time"): the graph of
// period k of each generator, as a function of (n, k, key) only, so that every algorithm run on
// the same seed sees the same graphs (config → world; the run's LiveTopology applies them, in
// sim/faults/live_topology.hpp). A snapshot may be disconnected and have isolated nodes.
//  - random perfect matching: a uniform random permutation π of the nodes paired off as
//    (π0, π1), (π2, π3), …: every perfect matching is equally likely, each pair is matched with
//    probability 1/(n − 1). Odd n: the permutation's last node is left out (isolated) that period,
//    each node with probability 1/n.
//  - one-peer exponential (Ying et al., NeurIPS 2021, arXiv 2110.13363, §3.2): with τ = ⌈log2 n⌉,
//    in period k node i's one peer is (i + 2^(k mod τ)) mod n. The paper's graph is directed: its
//    mixing matrix has W_ii = W_{i, peer(i)} = 1/2 (x_i ← (x_i + x_peer(i))/2: node peer(i) sends to
//    i), a circulant, doubly stochastic and not symmetric; for n a power of two the product of τ
//    consecutive ones is exactly J/n (Ying et al., Lemma 1). The undirected edge set {i, peer(i)}
//    carries the messages.
//  - random regular, re-sampled every period: generate::random_regular keyed by (seed, k).
//  - Markov on/off edges over a base graph: each base edge is a two-state continuous-time chain
//    (off → on at rate on_rate, on → off at rate off_rate), observed at the period boundaries: the
//    graph of period k holds every edge that is on at time k·period. Period 0 draws each edge from
//    the stationary law, P(on) = on_rate / (on_rate + off_rate); period k + 1 from period k by the
//    chain's exact transition probabilities over one period, so the marginals are exact at every
//    boundary and the fraction of live edges is stationary from the start.
#pragma once

#include "topologies/topology.hpp"

#include <Eigen/Dense>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dasgd {

// One graph of a time-varying topology: the live edges, and for a directed one-peer graph each
// node's single peer (peer[i]: the node i talks to; W_ii = W_{i, peer(i)} = 1/2).
struct GraphSnapshot {
  Topology topology;
  std::vector<NodeId> peer;  // empty for undirected snapshots
  bool directed() const noexcept { return !peer.empty(); }
};

namespace dynamic {

// The random perfect matching of one period, drawn from Rng(key) (see above for odd n).
EdgeList random_matching(std::size_t n, std::uint64_t key);
GraphSnapshot random_matching_snapshot(std::size_t n, std::uint64_t key);

// τ = ⌈log2 n⌉ (0 for n = 1): the one-peer exponential graph's period in rounds.
std::size_t one_peer_rounds(std::size_t n);
// Node i's peer in period k, (i + 2^(k mod τ)) mod n, for every i (empty for n = 1).
std::vector<NodeId> one_peer_exponential_peers(std::size_t n, std::uint64_t k);
GraphSnapshot one_peer_exponential_snapshot(std::size_t n, std::uint64_t k);
// The paper's dense mixing matrix of one one-peer snapshot (W_ii = W_{i, peer(i)} = 1/2).
Eigen::MatrixXd one_peer_mixing_matrix(const std::vector<NodeId>& peer);

// The base graph's edges as on/off chains; see above. Advance once per period, in order.
class MarkovEdges {
 public:
  // Requires on_rate, off_rate > 0 and period > 0 (std::invalid_argument otherwise).
  MarkovEdges(const Topology& base, double on_rate, double off_rate, double period, std::uint64_t key);
  std::uint64_t period_index() const noexcept { return k_; }
  bool on(EdgeId e) const noexcept { return on_[e] != 0; }
  std::size_t live_edges() const noexcept { return live_; }
  double stationary_on() const noexcept { return stationary_on_; }
  // Moves to the next period; returns the edges that switched (base edge ids, increasing).
  std::vector<EdgeId> advance();
  GraphSnapshot snapshot() const;

 private:
  const Topology* base_;
  std::uint64_t key_;
  double stationary_on_;
  double p_on_to_off_;   // P(off at the next boundary | on now)
  double p_off_to_on_;   // P(on at the next boundary | off now)
  std::uint64_t k_ = 0;
  std::vector<std::uint8_t> on_;
  std::size_t live_ = 0;
};

}  // namespace dynamic
}  // namespace dasgd

namespace dasgd::dynamic {

// ‖P − J/n‖₂ for a doubly stochastic P (dense): the factor by which P contracts every
// disagreement vector (x − x̄) at worst; 0 exactly when P averages (P = J/n). For a product of the
// mixing matrices of one period, 1 − this is the period's consensus gap.
double consensus_contraction(const Eigen::MatrixXd& p);

}  // namespace dasgd::dynamic
