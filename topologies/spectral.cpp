// Spectral gap of a mixing matrix: dense eigensolver for small graphs, Lanczos with full
// reorthogonalisation (Golub & Van Loan 2013, §10.1–10.3) for large ones. Both work on the
// symmetric S with W's spectrum (mixing.hpp: symmetrised_mixing).
// GCC 12 reports a spurious -Wmaybe-uninitialized inside Eigen's self-adjoint product kernels (used
// by the dense eigensolver's tridiagonalisation); the pragma must precede Eigen's first inclusion.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "topologies/spectral.hpp"

#include "sim/random/rng.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

namespace dasgd {
namespace {

void finish(SpectralGap& result) {
  result.second_modulus = std::max(std::abs(result.lambda_2), std::abs(result.lambda_n));
  result.gap = 1.0 - result.second_modulus;
  result.p = 1.0 - result.second_modulus * result.second_modulus;
}

SpectralGap dense_gap(const Topology& topology, const SymmetrisedMixing& s, MixingRule rule) {
  const auto n = static_cast<Eigen::Index>(topology.num_nodes());
  Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(n, n);
  for (NodeId i = 0; i < n; ++i) {
    dense(i, i) = s.weights.self[i];
    const ArcId first = topology.arc_begin(i);
    const auto neighbours = topology.neighbours(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k) dense(i, neighbours[k]) = s.weights.arc[first + k];
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(dense, Eigen::EigenvaluesOnly);
  const Eigen::VectorXd& values = solver.eigenvalues();  // ascending; values[n−1] = 1
  SpectralGap result;
  result.rule = rule;
  result.method = SpectralMethod::dense;
  result.lambda_2 = values[n - 2];
  result.lambda_n = values[0];
  finish(result);
  return result;
}

// y = S x over the CSR arrays.
void apply(const Topology& topology, const MixingWeights& w, const Eigen::VectorXd& x, Eigen::VectorXd& y) {
  const std::size_t n = topology.num_nodes();
  for (NodeId i = 0; i < n; ++i) {
    double sum = w.self[i] * x[i];
    const ArcId first = topology.arc_begin(i);
    const auto neighbours = topology.neighbours(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k) sum += w.arc[first + k] * x[neighbours[k]];
    y[i] = sum;
  }
}

SpectralGap lanczos_gap(const Topology& topology, const SymmetrisedMixing& s, MixingRule rule,
                        const SpectralOptions& options) {
  const std::size_t n = topology.num_nodes();
  const auto rows = static_cast<Eigen::Index>(n);
  const std::size_t by_memory = std::max<std::size_t>(2, options.basis_memory_limit / (sizeof(double) * n));
  const std::size_t max_steps = std::min({options.max_iterations, n - 1, by_memory});
  const Eigen::Map<const Eigen::VectorXd> stationary(s.stationary.data(), rows);
  const auto deflate = [&](Eigen::VectorXd& v) { v -= stationary.dot(v) * stationary; };

  // A fixed pseudo-random start (numerical, not part of the simulation's randomness), orthogonal
  // to the stationary vector: the Krylov space then stays in its complement, where the top
  // eigenvalue is λ_2 and the bottom one λ_n.
  Rng start(0x1A2C305ULL);
  Eigen::MatrixXd basis(rows, static_cast<Eigen::Index>(max_steps));
  Eigen::VectorXd q(rows), w(rows);
  for (Eigen::Index i = 0; i < rows; ++i) q[i] = start.uniform() - 0.5;
  deflate(q);
  q.normalize();
  std::vector<double> alpha, beta;
  SpectralGap result;
  result.rule = rule;
  result.method = SpectralMethod::lanczos;
  result.converged = false;

  // Convergence checks: every few steps the Ritz values (eigenvalues of the tridiagonal T_k,
  // O(k²)); only once both extreme ones have stopped moving, the residuals, which need T_k's
  // eigenvectors (O(k³)).
  const auto tridiagonal = [&](std::size_t k, bool vectors) {
    const auto kk = static_cast<Eigen::Index>(k);
    const Eigen::VectorXd diagonal = Eigen::Map<const Eigen::VectorXd>(alpha.data(), kk);
    const Eigen::VectorXd off_diagonal = Eigen::Map<const Eigen::VectorXd>(beta.data(), kk - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    solver.computeFromTridiagonal(diagonal, off_diagonal,
                                  vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
    return solver;
  };
  double previous_top = 2.0, previous_bottom = 2.0;
  const std::size_t check_every = 10;
  for (std::size_t j = 0; j < max_steps; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    basis.col(jj) = q;
    apply(topology, s.weights, q, w);
    deflate(w);
    alpha.push_back(q.dot(w));
    // Full reorthogonalisation (Gram–Schmidt against the whole basis) replaces the three-term
    // recurrence's subtraction; a second pass runs when the first cancelled most of w
    // (Daniel–Gragg–Kaufman–Stewart criterion), which keeps the basis orthogonal to precision.
    const double before = w.norm();
    for (int pass = 0; pass < 2; ++pass) {
      const Eigen::VectorXd h = basis.leftCols(jj + 1).transpose() * w;
      w.noalias() -= basis.leftCols(jj + 1) * h;
      if (pass == 0 && w.norm() > 0.7071 * before) break;
    }
    deflate(w);
    const double b = w.norm();
    const bool invariant = b <= 1e-12;  // Krylov space exhausted: the Ritz values are exact
    const bool last = invariant || j + 1 == max_steps;
    result.iterations = j + 1;
    if ((j + 1) % check_every == 0 || last) {
      const auto k = static_cast<Eigen::Index>(j + 1);
      const auto values = tridiagonal(j + 1, false);
      const double top = values.eigenvalues()[k - 1];
      const double bottom = values.eigenvalues()[0];
      result.lambda_2 = top;
      result.lambda_n = bottom;
      const double moved = std::max(std::abs(top - previous_top), std::abs(bottom - previous_bottom));
      previous_top = top;
      previous_bottom = bottom;
      if (invariant) {
        result.converged = true;
        result.residual = 0.0;
        break;
      }
      if (moved <= options.tolerance || last) {
        // Residual of Ritz pair i: ‖S Q y_i − θ_i Q y_i‖ = β_k |y_i[k−1]|.
        const auto vectors = tridiagonal(j + 1, true);
        const Eigen::MatrixXd& y = vectors.eigenvectors();
        result.residual = b * std::max(std::abs(y(k - 1, 0)), std::abs(y(k - 1, k - 1)));
        if (result.residual <= options.tolerance) {
          result.converged = true;
          break;
        }
      }
    }
    if (last) break;
    beta.push_back(b);
    q = w / b;
  }
  finish(result);
  return result;
}

}  // namespace

std::string to_string(SpectralMethod method) {
  switch (method) {
    case SpectralMethod::dense: return "dense eigensolver";
    case SpectralMethod::lanczos: return "Lanczos (full reorthogonalisation)";
  }
  return "unknown";
}

SpectralGap spectral_gap(const Topology& topology, MixingRule rule, const SpectralOptions& options) {
  const std::size_t n = topology.num_nodes();
  SpectralGap result;
  result.rule = rule;
  if (n <= 1) {  // W = [1]: no second eigenvalue; consensus is immediate.
    finish(result);
    return result;
  }
  const SymmetrisedMixing s = symmetrised_mixing(topology, rule);
  if (n <= options.dense_limit || n <= 3) return dense_gap(topology, s, rule);
  return lanczos_gap(topology, s, rule, options);
}

}  // namespace dasgd
