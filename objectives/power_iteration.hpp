// λ_max of a sample Gram matrix (1/m) BᵀB by power iteration, matrix-free (world layer:
// objectives/). Used once, at construction, for the smoothness constants of finite-sum objectives
// (logistic: L = λ_max(AᵀA)/(4N) + 2λ); never in a gradient call, never a dense d×d eigensolve.
#pragma once

#include <Eigen/Core>

#include <cstdint>

namespace dasgd {

using SampleMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct PowerIterationResult {
  double eigenvalue = 0;      // ‖G v‖ at the last unit iterate v: a lower estimate of λ_max
  int iterations = 0;
  bool converged = false;     // relative change below the tolerance before the iteration cap
};

// λ_max((1/m) BᵀB) for the m×d block `rows`, each iteration O(m·d) and allocation-free after setup.
// Power iteration on a PSD matrix increases ‖G v‖ monotonically towards λ_max; we stop when one
// iteration changes it by less than `relative_tolerance`. The start vector is Gaussian from
// `seed`, so the result is deterministic.
PowerIterationResult largest_gram_eigenvalue(const Eigen::Ref<const SampleMatrix>& rows,
                                             std::uint64_t seed,
                                             double relative_tolerance = 1e-11,
                                             int max_iterations = 10000);

}  // namespace dasgd
