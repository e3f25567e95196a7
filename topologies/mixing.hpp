// Gossip mixing matrices on a topology (config → world): the W of D-PSGD (Lian et al. 2017) and of
// Koloskova et al. 2020's unified analysis. Both rules put weight only on edges and the diagonal and
// make every row sum to 1.
//  - uniform:  W_ij = 1/(deg_i + 1) for j ∈ N(i) ∪ {i}. Row-stochastic; symmetric (hence doubly
//    stochastic) only when the graph is regular. Its eigenvalues are real: W = D^{-1}(A + I) is
//    similar to the symmetric D^{-1/2}(A + I)D^{-1/2}, D = diag(deg + 1).
//  - metropolis_hastings: W_ij = 1/(1 + max(deg_i, deg_j)) for j ∈ N(i), W_ii = 1 − Σ_j W_ij.
//    Symmetric and doubly stochastic on every graph (Xiao & Boyd 2004, "Fast linear iterations").
#pragma once

#include "topologies/topology.hpp"

#include <Eigen/SparseCore>

#include <string>
#include <vector>

namespace dasgd {

enum class MixingRule { uniform, metropolis_hastings };
std::string to_string(MixingRule rule);

// W in the layout the hot loops use: self[i] = W_ii, arc[a] = W_{source(a), target(a)}
// (arc ids as in Topology, so row i is self[i] plus arc[arc_begin(i) .. arc_begin(i) + deg_i)).
struct MixingWeights {
  std::vector<double> self;
  std::vector<double> arc;
};
MixingWeights mixing_weights(const Topology& topology, MixingRule rule);

// The same W as an n × n sparse matrix (n + 2m non-zeros).
Eigen::SparseMatrix<double> mixing_matrix(const Topology& topology, MixingRule rule);

// A symmetric matrix with the same spectrum as W: W itself for Metropolis–Hastings,
// D^{1/2} W D^{-1/2} for uniform. `stationary` is its unit eigenvector for eigenvalue 1
// (1/√n for MH, √(deg_i + 1) normalised for uniform). Used by the spectral-gap solvers.
struct SymmetrisedMixing {
  MixingWeights weights;
  std::vector<double> stationary;
};
SymmetrisedMixing symmetrised_mixing(const Topology& topology, MixingRule rule);

}  // namespace dasgd
