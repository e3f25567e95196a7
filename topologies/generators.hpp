// Graph generators: the standard topologies of the decentralized-SGD literature, built as a
// Topology (config → world). Deterministic ones take sizes; random ones also take the master seed
// and draw only from RandomStreams(seed).stream(Stream::topology), so the same seed gives the
// same graph and never moves any other stream's draws. Bad sizes throw std::invalid_argument.
#pragma once

#include "topologies/topology.hpp"

#include <cstddef>
#include <cstdint>

namespace dasgd::generate {

// Cycle 0-1-…-(n−1)-0; n >= 3. Edges: n.
Topology ring(std::size_t n);
// rows × cols lattice with wrap-around in both directions (node r·cols + c). A side of length 1
// contributes no edges and a side of length 2 one edge per pair (wrapping would duplicate it).
// Edges for rows, cols >= 3: 2·rows·cols.
Topology torus(std::size_t rows, std::size_t cols);
// rows × cols lattice without wrap-around. Edges: rows(cols−1) + cols(rows−1).
Topology grid(std::size_t rows, std::size_t cols);
// Every pair linked. Edges: n(n−1)/2.
Topology complete(std::size_t n);
// Node 0 linked to every other node. Edges: n − 1.
Topology star(std::size_t n);
// Q_d: 2^d nodes, i ~ j iff they differ in one bit. Edges: d·2^(d−1).
Topology hypercube(unsigned dimension);
// Rooted tree, every internal node has `branching` children, leaves at depth `height`
// (height 0 is a single node); breadth-first numbering, root 0. Edges: n − 1.
Topology balanced_tree(std::size_t branching, std::size_t height);
// Exponential graph (Ying et al. 2021, arXiv 2110.13363, undirected version): i ~ (i ± 2^k) mod n
// for every 2^k < n, duplicates merged.
Topology exponential(std::size_t n);

// G(n, p) by geometric skipping (Batagelj & Brandes 2005, "Efficient generation of large random
// networks", Alg. 1): O(n + m) draws instead of n²/2 coin flips. A disconnected draw is refused
// ("graph is disconnected: K components"), with the connectivity threshold ln(n)/n in the message.
Topology erdos_renyi(std::size_t n, double p, std::uint64_t seed);
// Random k-regular graph by pairing with local restarts (Steger & Wormald 1999, as in NetworkX's
// random_regular_graph): asymptotically uniform for k = O(n^(1/28)), fast for small k. Draws that
// fail or come out disconnected are redrawn (so the law is conditioned on connectivity), up to
// 100 attempts. Requires 1 <= k < n and n·k even. Edges: nk/2.
Topology random_regular(std::size_t n, std::size_t k, std::uint64_t seed);
// Watts & Strogatz 1998 small world: ring lattice with k/2 neighbours on each side (k even,
// 2 <= k < n), then each lattice edge (u, u + j) has its far end rewired with probability beta to a
// uniform node that creates neither a self-loop nor a duplicate (NetworkX convention). Edges: nk/2.
// Disconnected draws are redrawn, up to 100 attempts.
Topology watts_strogatz(std::size_t n, std::size_t k, double beta, std::uint64_t seed);
// Barabási & Albert 1999 preferential attachment: start from a star on m + 1 nodes, then each new
// node links to m distinct existing nodes drawn with probability ∝ degree. 1 <= m < n.
// Edges: m + (n − m − 1)·m = m(n − m).
Topology barabasi_albert(std::size_t n, std::size_t m, std::uint64_t seed);

}  // namespace dasgd::generate
