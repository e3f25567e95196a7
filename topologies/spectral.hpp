// Spectral gap of a mixing matrix (config → world; feeds the bounds and `dasgd graph`).
// With 1 = λ_1 >= λ_2 >= … >= λ_n the eigenvalues of W (real for both rules, see mixing.hpp) and
// |λ2| := max(|λ_2|, |λ_n|), the gap is 1 − |λ2| and Koloskova et al. 2020 (arXiv 2003.10422,
// Assumption 4) use the consensus rate p = 1 − |λ2|².
#pragma once

#include "topologies/mixing.hpp"
#include "topologies/topology.hpp"

#include <cstddef>
#include <string>

namespace dasgd {

enum class SpectralMethod {
  dense,         // Eigen::SelfAdjointEigenSolver on the dense symmetrised W: exact to rounding
  lanczos,       // Spectra's implicitly restarted Lanczos on S (graphs whose sparse factor is too big)
  shift_invert,  // Spectra's Lanczos on (S − σI)^{-1}, sparse LDLᵀ (slowly mixing, sparse graphs)
  scalar,        // S is μI off the stationary vector (complete graphs): one application finds μ
};
std::string to_string(SpectralMethod method);

// Above dense_limit both extreme eigenvalues come from Spectra (Qiu, spectralib.org) in one of two
// modes, chosen per graph from the exact cost of a sparse factorisation (symbolic LDLᵀ after AMD
// ordering, which counts the factor's non-zeros and flops before any number is computed):
//  - shift_invert when the factor fits factor_memory_limit and factor_flops_limit (or a short
//    Lanczos run did not converge and it fits factor_flops_fallback_limit): λ_2 is the
//    eigenvalue of S nearest σ = 1 + 1e-9 once the stationary vector is projected out, λ_n the one
//    nearest σ = min_i(2 S_ii − 1) − 1e-9 (a Gershgorin lower bound, exact on bipartite regular
//    graphs). Convergence goes with (σ − λ_2)/(σ − λ_3), about 1/4 on a ring whatever n: rings,
//    tori, grids and trees, whose gaps shrink like 1/n² and defeat plain Krylov methods, take a few
//    dozen solves with a factor of O(n log n) non-zeros.
//  - lanczos otherwise (expanders: random regular, Erdős–Rényi, Barabási–Albert, hypercubes, whose
//    separators make the factor dense, and whose gaps are large, so plain Lanczos converges fast).
struct SpectralOptions {
  std::size_t dense_limit = 2000;       // dense solver for n <= dense_limit
  // Operator applications (products or solves) per extreme eigenvalue at most; the Krylov
  // subspace has min(krylov_dimension, n − 1, max_iterations) vectors.
  std::size_t max_iterations = 3000;
  std::size_t krylov_dimension = 40;
  std::size_t basis_memory_limit = std::size_t{512} << 20;  // bytes for the Krylov basis
  std::size_t factor_memory_limit = std::size_t{1} << 30;   // bytes for the sparse LDLᵀ factor
  double factor_flops_limit = 1e9;      // flops of one numeric factorisation (two are done)
  // Above factor_flops_limit, plain Lanczos first, for lanczos_first_budget operator applications
  // per end; when that does not converge, shift-invert after all if the factor costs at most
  // factor_flops_fallback_limit, else Lanczos on to max_iterations.
  std::size_t lanczos_first_budget = 600;
  double factor_flops_fallback_limit = 2e11;
  // Spectra's test: a Ritz value θ counts as converged when its residual ‖S y − θ y‖ is below
  // tolerance · max(|θ|, ε^{2/3}) (in shift-invert mode, of the inverted operator, which makes the
  // error in λ smaller still by the factor |λ − σ|).
  double tolerance = 1e-10;
};

struct SpectralGap {
  MixingRule rule = MixingRule::uniform;
  double lambda_2 = 0.0;        // second largest eigenvalue of W
  double lambda_n = 0.0;        // smallest eigenvalue of W
  double second_modulus = 0.0;  // |λ2| = max(|λ_2|, |λ_n|)
  double gap = 1.0;             // 1 − |λ2|
  double p = 1.0;               // 1 − |λ2|² (Koloskova et al. 2020)
  SpectralMethod method = SpectralMethod::dense;
  // Dense results are always converged. An iterative result with converged == false ran out of
  // its budget: λ_2 and λ_n are then only inner estimates (Ritz values: λ_2 may be too small, λ_n
  // too large, so the gap is over-estimated) and must not be used as the graph's gap.
  bool converged = true;
  std::size_t iterations = 0;   // operator applications, both ends together (0 for dense)
  // Largest ‖S v − λ v‖ of the two returned pairs (unit v), recomputed with S itself; NaN when a
  // pair did not converge (Spectra keeps no unconverged Ritz vectors).
  double residual = 0.0;
};

SpectralGap spectral_gap(const Topology& topology, MixingRule rule, const SpectralOptions& options = {});

}  // namespace dasgd
