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
  dense,    // Eigen::SelfAdjointEigenSolver on the dense symmetrised W: exact to rounding
  lanczos,  // Lanczos with full reorthogonalisation on the complement of the stationary vector
};
std::string to_string(SpectralMethod method);

struct SpectralOptions {
  std::size_t dense_limit = 2000;       // dense solver for n <= dense_limit
  std::size_t max_iterations = 3000;    // Lanczos steps (Krylov dimension) at most
  std::size_t basis_memory_limit = std::size_t{512} << 20;  // bytes for the Krylov basis
  // Lanczos stops when the residual ‖S y − θ y‖ = |β_k s_k| of both extreme Ritz pairs is below
  // this; each Ritz value is then within the residual of a true eigenvalue (Parlett 1998, §13.2).
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
  // Dense results are always converged. A Lanczos result with converged == false ran out of its
  // iteration or memory budget: λ_2 and λ_n are then only inner estimates (λ_2 may be too small,
  // λ_n too large, so the gap is over-estimated) and must not be used as the graph's gap.
  bool converged = true;
  std::size_t iterations = 0;   // Lanczos steps (0 for dense)
  double residual = 0.0;        // largest residual of the two extreme Ritz pairs (Lanczos)
};

SpectralGap spectral_gap(const Topology& topology, MixingRule rule, const SpectralOptions& options = {});

}  // namespace dasgd
