// Matrix-free power iteration on (1/m) BᵀB; see power_iteration.hpp.
#include "objectives/power_iteration.hpp"

#include <cmath>

#include "sim/random/rng.hpp"

namespace dasgd {

PowerIterationResult largest_gram_eigenvalue(const Eigen::Ref<const SampleMatrix>& rows,
                                             std::uint64_t seed, double relative_tolerance,
                                             int max_iterations) {
  PowerIterationResult result;
  const Eigen::Index m = rows.rows();
  const Eigen::Index d = rows.cols();
  if (m == 0 || d == 0) {
    result.converged = true;
    return result;
  }
  Rng rng(seed);
  Eigen::VectorXd v(d);
  for (Eigen::Index j = 0; j < d; ++j) v[j] = rng.normal();
  v.normalize();
  Eigen::VectorXd projected(m);
  Eigen::VectorXd image(d);
  const double inverse_m = 1.0 / static_cast<double>(m);
  double previous = 0.0;
  for (int k = 1; k <= max_iterations; ++k) {
    projected.noalias() = rows * v;
    image.noalias() = rows.transpose() * projected;
    image *= inverse_m;
    const double norm = image.norm();
    result.eigenvalue = norm;
    result.iterations = k;
    if (norm == 0.0) {  // B v = 0 for a random v: B = 0 almost surely
      result.converged = true;
      break;
    }
    v = image / norm;
    if (k > 1 && std::abs(norm - previous) <= relative_tolerance * norm) {
      result.converged = true;
      break;
    }
    previous = norm;
  }
  return result;
}

}  // namespace dasgd
