// Mixing weights of the uniform and Metropolis–Hastings rules (formulas in mixing.hpp), per arc
// and as an Eigen sparse matrix, plus the symmetrised form the spectral solvers work on.
#include "topologies/mixing.hpp"

#include <algorithm>
#include <cmath>

namespace dasgd {

std::string to_string(MixingRule rule) {
  switch (rule) {
    case MixingRule::uniform: return "uniform";
    case MixingRule::metropolis_hastings: return "metropolis_hastings";
  }
  return "unknown";
}

MixingWeights mixing_weights(const Topology& topology, MixingRule rule) {
  const std::size_t n = topology.num_nodes();
  MixingWeights w;
  w.self.resize(n);
  w.arc.resize(topology.num_arcs());
  for (NodeId i = 0; i < n; ++i) {
    const auto deg_i = static_cast<double>(topology.degree(i));
    const ArcId first = topology.arc_begin(i);
    const auto neighbours = topology.neighbours(i);
    if (rule == MixingRule::uniform) {
      w.self[i] = 1.0 / (deg_i + 1.0);
      for (std::size_t k = 0; k < neighbours.size(); ++k) w.arc[first + k] = w.self[i];
    } else {
      double off_diagonal = 0.0;
      for (std::size_t k = 0; k < neighbours.size(); ++k) {
        const auto deg_j = static_cast<double>(topology.degree(neighbours[k]));
        w.arc[first + k] = 1.0 / (1.0 + std::max(deg_i, deg_j));
        off_diagonal += w.arc[first + k];
      }
      w.self[i] = 1.0 - off_diagonal;
    }
  }
  return w;
}

Eigen::SparseMatrix<double> mixing_matrix(const Topology& topology, MixingRule rule) {
  const std::size_t n = topology.num_nodes();
  const MixingWeights w = mixing_weights(topology, rule);
  // Row-major fill is natural for W; build it row-major and let Eigen transpose the storage.
  Eigen::SparseMatrix<double, Eigen::RowMajor> rows(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  Eigen::VectorXi per_row(static_cast<Eigen::Index>(n));
  for (NodeId i = 0; i < n; ++i) per_row[i] = static_cast<int>(topology.degree(i) + 1);
  rows.reserve(per_row);
  for (NodeId i = 0; i < n; ++i) {
    const auto neighbours = topology.neighbours(i);
    const ArcId first = topology.arc_begin(i);
    bool diagonal_done = false;
    for (std::size_t k = 0; k < neighbours.size(); ++k) {  // keep each row sorted by column
      if (!diagonal_done && neighbours[k] > i) {
        rows.insert(i, i) = w.self[i];
        diagonal_done = true;
      }
      rows.insert(i, neighbours[k]) = w.arc[first + k];
    }
    if (!diagonal_done) rows.insert(i, i) = w.self[i];
  }
  rows.makeCompressed();
  return Eigen::SparseMatrix<double>(rows);
}

SymmetrisedMixing symmetrised_mixing(const Topology& topology, MixingRule rule) {
  const std::size_t n = topology.num_nodes();
  SymmetrisedMixing s;
  s.weights = mixing_weights(topology, rule);
  s.stationary.resize(n);
  if (rule == MixingRule::metropolis_hastings) {
    std::fill(s.stationary.begin(), s.stationary.end(), 1.0 / std::sqrt(static_cast<double>(n)));
    return s;
  }
  // D^{1/2} W D^{-1/2} with W = D^{-1}(A + I): entries 1/√(d_i d_j), diagonal 1/d_i, d = deg + 1.
  // Its eigenvector for 1 is D^{1/2}·1, since W·1 = 1.
  double norm_squared = 0.0;
  for (NodeId i = 0; i < n; ++i) norm_squared += static_cast<double>(topology.degree(i) + 1);
  const double norm = std::sqrt(norm_squared);
  for (NodeId i = 0; i < n; ++i) {
    const auto d_i = static_cast<double>(topology.degree(i) + 1);
    s.stationary[i] = std::sqrt(d_i) / norm;
    const ArcId first = topology.arc_begin(i);
    const auto neighbours = topology.neighbours(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      const auto d_j = static_cast<double>(topology.degree(neighbours[k]) + 1);
      s.weights.arc[first + k] = 1.0 / std::sqrt(d_i * d_j);
    }
  }
  return s;
}

}  // namespace dasgd
