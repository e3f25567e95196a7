// Spectral gap of a mixing matrix: a dense eigensolver for small graphs; above that Spectra's
// implicitly restarted Lanczos, on S itself or on (S − σI)^{-1} through a sparse LDLᵀ factor,
// whichever the graph makes cheap (spectral.hpp). All work on the symmetric S with W's spectrum
// (mixing.hpp: symmetrised_mixing).
// GCC 12 reports a spurious -Wmaybe-uninitialized inside Eigen's self-adjoint product kernels (used
// by the dense eigensolver's tridiagonalisation); the pragma must precede Eigen's first inclusion.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "topologies/spectral.hpp"

#include "sim/random/rng.hpp"

#include <Eigen/Dense>
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

// Spectra's headers do not build warning-free under -Wconversion -Wshadow.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <Spectra/SymEigsSolver.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace dasgd {
namespace {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

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

// S as a sparse matrix (both triangles, diagonal included).
SparseMatrix sparse_symmetrised(const Topology& topology, const MixingWeights& w) {
  const std::size_t n = topology.num_nodes();
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(n + topology.num_arcs());
  for (NodeId i = 0; i < n; ++i) {
    entries.emplace_back(static_cast<int>(i), static_cast<int>(i), w.self[i]);
    const ArcId first = topology.arc_begin(i);
    const auto neighbours = topology.neighbours(i);
    for (std::size_t k = 0; k < neighbours.size(); ++k) {
      entries.emplace_back(static_cast<int>(i), static_cast<int>(neighbours[k]), w.arc[first + k]);
    }
  }
  SparseMatrix s(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  s.setFromTriplets(entries.begin(), entries.end());
  return s;
}

// Whether an LDLᵀ factor of a matrix with S's pattern fits the limits: AMD ordering (as
// Eigen::SimplicialLDLT does it), then the elimination-tree column counts (Eigen's own symbolic
// algorithm, Davis 2006 §4), which stops as soon as the non-zero count passes the limit, so that an
// expander's dense factor is never even counted out, let alone allocated.
double factor_flops(const SparseMatrix& s, const SpectralOptions& options) {
  constexpr double unaffordable = std::numeric_limits<double>::infinity();
  const Eigen::Index n = s.rows();
  if (n >= std::numeric_limits<int>::max() / 2) return unaffordable;
  const double bytes_per_entry = sizeof(double) + sizeof(int);
  const double entry_limit = static_cast<double>(options.factor_memory_limit) / bytes_per_entry;
  if (options.factor_flops_limit <= 0 || entry_limit < static_cast<double>(n)) return unaffordable;
  Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> inverse;  // new position → old node
  Eigen::AMDOrdering<int>()(s, inverse);
  std::vector<int> position(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k) position[static_cast<std::size_t>(inverse.indices()[k])] = static_cast<int>(k);
  std::vector<int> parent(static_cast<std::size_t>(n), -1), tag(static_cast<std::size_t>(n), -1);
  std::vector<double> count(static_cast<std::size_t>(n), 0.0);
  double entries = 0.0;
  for (int k = 0; k < n; ++k) {
    tag[static_cast<std::size_t>(k)] = k;
    for (SparseMatrix::InnerIterator it(s, inverse.indices()[k]); it; ++it) {
      int i = position[static_cast<std::size_t>(it.index())];
      if (i >= k) continue;
      for (; tag[static_cast<std::size_t>(i)] != k; i = parent[static_cast<std::size_t>(i)]) {
        if (parent[static_cast<std::size_t>(i)] == -1) parent[static_cast<std::size_t>(i)] = k;
        count[static_cast<std::size_t>(i)] += 1.0;
        tag[static_cast<std::size_t>(i)] = k;
        if (++entries > entry_limit) return unaffordable;
      }
    }
  }
  double flops = 0.0;
  for (double c : count) flops += c * c;
  return flops;
}

// Spectra operators: y = op(x) on n-vectors. `deflate` projects out the stationary vector s.
struct Deflation {
  const double* stationary = nullptr;
  Eigen::Index n = 0;
  void apply(double* v) const {
    if (stationary == nullptr) return;
    Eigen::Map<Eigen::VectorXd> x(v, n);
    const Eigen::Map<const Eigen::VectorXd> s(stationary, n);
    x -= s.dot(x) * s;
  }
};

// Regular mode. Top: S − 2ssᵀ moves the eigenvalue 1 to −1, below every other eigenvalue of S
// (all > −1: W has a positive diagonal), so the largest eigenvalue left is λ_2. Bottom: S itself.
class ProductOp {
 public:
  using Scalar = double;
  ProductOp(const SparseMatrix& s, const double* stationary) : s_(s), stationary_(stationary) {}
  Eigen::Index rows() const { return s_.rows(); }
  Eigen::Index cols() const { return s_.cols(); }
  void perform_op(const double* x_in, double* y_out) const {
    const Eigen::Map<const Eigen::VectorXd> x(x_in, s_.rows());
    Eigen::Map<Eigen::VectorXd> y(y_out, s_.rows());
    y.noalias() = s_ * x;
    if (stationary_ != nullptr) {
      const Eigen::Map<const Eigen::VectorXd> s(stationary_, s_.rows());
      y -= 2.0 * s.dot(x) * s;
    }
  }

 private:
  const SparseMatrix& s_;
  const double* stationary_;
};

// Shift-invert mode: y = P (S − σI)^{-1} P x, P projecting out s when given (the top end, where s's
// eigenvalue 1 is the one nearest σ and must not be found).
class ShiftSolveOp {
 public:
  using Scalar = double;
  ShiftSolveOp(const SparseMatrix& s, Deflation deflation) : shifted_(s), deflation_(deflation) {
    ldlt_.analyzePattern(shifted_);
  }
  Eigen::Index rows() const { return shifted_.rows(); }
  Eigen::Index cols() const { return shifted_.cols(); }
  // Factorises S − σI; false when the factorisation failed (a zero pivot).
  bool set_shift(const SparseMatrix& s, double sigma) {
    shifted_ = s;
    for (Eigen::Index j = 0; j < shifted_.outerSize(); ++j) shifted_.coeffRef(j, j) -= sigma;
    ldlt_.factorize(shifted_);
    return ldlt_.info() == Eigen::Success;
  }
  void perform_op(const double* x_in, double* y_out) const {
    scratch_ = Eigen::Map<const Eigen::VectorXd>(x_in, shifted_.rows());
    deflation_.apply(scratch_.data());
    Eigen::Map<Eigen::VectorXd> y(y_out, shifted_.rows());
    y = ldlt_.solve(scratch_);
    deflation_.apply(y_out);
  }

 private:
  SparseMatrix shifted_;
  Deflation deflation_;
  Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower, Eigen::AMDOrdering<int>> ldlt_;
  mutable Eigen::VectorXd scratch_;
};

// SymEigsSolver with access to its current Ritz value, which is an inner estimate even when the
// iteration stopped before converging.
template <typename Op>
class Solver : public Spectra::SymEigsSolver<Op> {
 public:
  using Spectra::SymEigsSolver<Op>::SymEigsSolver;
  double first_ritz_value() const { return this->m_ritz_val[0]; }
};

struct End {
  double value = 0.0;            // the eigenvalue of S found
  bool converged = false;
  std::size_t operations = 0;
  std::optional<Eigen::VectorXd> vector;  // its unit eigenvector, when converged
};

// One extreme eigenpair of `op` (LargestAlge, or LargestMagn for the inverted operators), the
// Ritz value mapped back through `to_lambda`.
template <typename Op, typename Map>
End extreme(Op& op, Spectra::SortRule rule, const Deflation& deflation, const SpectralOptions& options,
            Map to_lambda) {
  const auto n = op.rows();
  const auto by_memory = static_cast<Eigen::Index>(
      std::max<std::size_t>(3, options.basis_memory_limit / (sizeof(double) * static_cast<std::size_t>(n))));
  const auto budget = static_cast<Eigen::Index>(std::max<std::size_t>(3, options.max_iterations));
  const Eigen::Index ncv = std::max<Eigen::Index>(
      2, std::min({static_cast<Eigen::Index>(options.krylov_dimension), n - 1, by_memory, budget}));
  // Each restart keeps about half the basis and refills the rest.
  const Eigen::Index restarts = std::max<Eigen::Index>(1, (budget - ncv) / std::max<Eigen::Index>(1, ncv / 2));
  Solver<Op> solver(op, 1, ncv);
  // A fixed pseudo-random start (numerical, not part of the simulation's randomness).
  Rng start(0x1A2C305ULL);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = start.uniform() - 0.5;
  deflation.apply(v.data());
  End end;
  try {
    solver.init(v.data());
    solver.compute(rule, restarts, options.tolerance, rule);
  } catch (const std::runtime_error&) {
    // Spectra gives up when the start vector spans an invariant subspace at once (the tridiagonal
    // is degenerate, e.g. K_n, whose complement of s is one eigenspace). The start vector's
    // Rayleigh quotient is then an eigenvalue, reported as an unconverged inner estimate.
    Eigen::VectorXd w(n);
    v.normalize();
    op.perform_op(v.data(), w.data());
    end.value = to_lambda(v.dot(w));
    end.operations = 1;
    return end;
  }
  end.operations = static_cast<std::size_t>(solver.num_operations());
  end.converged = solver.info() == Spectra::CompInfo::Successful;
  if (end.converged) {
    end.value = to_lambda(solver.eigenvalues()[0]);
    end.vector = solver.eigenvectors(1).col(0).normalized();
  } else {
    end.value = to_lambda(solver.first_ritz_value());
  }
  return end;
}

double residual(const SparseMatrix& s, const End& end) {
  if (!end.vector) return std::numeric_limits<double>::quiet_NaN();
  return (s * *end.vector - end.value * *end.vector).norm();
}

// When S restricted to the complement of the stationary vector is μI (the complete graph: every
// eigenvalue but 1 is the same), Lanczos breaks down at once and Spectra reports no convergence.
// A pseudo-random v ⟂ s has a component in every eigenspace, so Sv = μv holds for it only if S is
// μI there (with probability 1): one application then gives λ_2 = λ_n = μ exactly.
std::optional<double> scalar_complement(const SparseMatrix& s, const Deflation& deflation, double tolerance) {
  const Eigen::Index n = s.rows();
  Rng start(0x5CA1A5ULL);  // numerical, not part of the simulation's randomness
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = start.uniform() - 0.5;
  deflation.apply(v.data());
  v.normalize();
  const Eigen::VectorXd w = s * v;
  const double mu = v.dot(w);
  if ((w - mu * v).norm() <= tolerance * std::max(1.0, std::abs(mu))) return mu;
  return std::nullopt;
}

SpectralGap iterative_gap(const Topology& topology, const SymmetrisedMixing& mixing, MixingRule rule,
                          const SpectralOptions& options) {
  const SparseMatrix s = sparse_symmetrised(topology, mixing.weights);
  const Deflation top_deflation{mixing.stationary.data(), s.rows()};
  const Deflation none{nullptr, s.rows()};
  SpectralGap result;
  result.rule = rule;
  if (const std::optional<double> mu = scalar_complement(s, top_deflation, 1e-12)) {
    result.method = SpectralMethod::scalar;
    result.lambda_2 = result.lambda_n = *mu;
    result.converged = true;
    result.iterations = 1;
    result.residual = 0;
    finish(result);
    return result;
  }
  End top, bottom;
  const auto lanczos = [&](const SpectralOptions& budget) {
    ProductOp top_op(s, mixing.stationary.data());
    ProductOp bottom_op(s, nullptr);
    top = extreme(top_op, Spectra::SortRule::LargestAlge, top_deflation, budget, [](double x) { return x; });
    bottom = extreme(bottom_op, Spectra::SortRule::SmallestAlge, none, budget, [](double x) { return x; });
    result.method = SpectralMethod::lanczos;
    return top.converged && bottom.converged;
  };
  // Returns false when the factorisation or the check of its answer failed.
  const auto shift_invert = [&] {
    // σ just above 1 (the top of W's spectrum) and just below Gershgorin's lower bound: every
    // eigenvalue lies on one side, S − σI is definite, and λ_2 (λ_n) is the one nearest σ.
    constexpr double offset = 1e-9;
    double lower = 1.0;
    for (std::size_t i = 0; i < mixing.weights.self.size(); ++i) lower = std::min(lower, 2.0 * mixing.weights.self[i] - 1.0);
    const double sigma_top = 1.0 + offset;
    const double sigma_bottom = lower - offset;
    ShiftSolveOp top_op(s, top_deflation);
    ShiftSolveOp bottom_op(s, none);
    if (!top_op.set_shift(s, sigma_top) || !bottom_op.set_shift(s, sigma_bottom)) return false;
    top = extreme(top_op, Spectra::SortRule::LargestMagn, top_deflation, options,
                  [&](double nu) { return sigma_top + 1.0 / nu; });
    bottom = extreme(bottom_op, Spectra::SortRule::LargestMagn, none, options,
                     [&](double nu) { return sigma_bottom + 1.0 / nu; });
    result.method = SpectralMethod::shift_invert;
    if (!(top.converged && bottom.converged)) return true;  // out of budget: say so
    // A check of what came back, with S itself: a true eigenpair, the top one orthogonal to the
    // stationary vector (were s to leak through the projection, its eigenvalue 1 would pose as
    // λ_2). Otherwise plain Lanczos decides.
    const Eigen::Map<const Eigen::VectorXd> stationary(mixing.stationary.data(), s.rows());
    const double trust = 1e3 * options.tolerance;
    return residual(s, top) <= trust && residual(s, bottom) <= trust &&
           std::abs(stationary.dot(*top.vector)) <= trust && top.value < 1.0;
  };
  const double flops = factor_flops(s, options);
  bool done = flops <= options.factor_flops_limit && shift_invert();
  if (!done) {
    // A short Lanczos run first: expanders converge in it. Slowly mixing graphs whose factor is
    // dearer than the direct limit (big tori, grids) then go to shift-invert all the same.
    SpectralOptions first = options;
    first.max_iterations = std::min(options.max_iterations, options.lanczos_first_budget);
    done = lanczos(first) || first.max_iterations == options.max_iterations;
    if (!done && flops <= options.factor_flops_fallback_limit) done = shift_invert();
    if (!done) lanczos(options);
  }
  result.lambda_2 = top.value;
  result.lambda_n = bottom.value;
  result.converged = top.converged && bottom.converged;
  result.iterations = top.operations + bottom.operations;
  result.residual = std::max(residual(s, top), residual(s, bottom));
  if (std::isnan(residual(s, top)) || std::isnan(residual(s, bottom))) result.residual = std::numeric_limits<double>::quiet_NaN();
  finish(result);
  return result;
}

}  // namespace

std::string to_string(SpectralMethod method) {
  switch (method) {
    case SpectralMethod::dense: return "dense eigensolver";
    case SpectralMethod::lanczos: return "Spectra Lanczos";
    case SpectralMethod::shift_invert: return "Spectra shift-invert Lanczos, sparse LDLT";
    case SpectralMethod::scalar: return "S is a multiple of I off the stationary vector";
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
  return iterative_gap(topology, s, rule, options);
}

}  // namespace dasgd
