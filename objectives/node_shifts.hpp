// Heterogeneous data for closed-form objectives: node i minimises f_i(x) = f(x) + c_iᵀx with
// Σ_i c_i = 0 (world layer: objectives/). Then (1/n) Σ_i f_i = f, every f_i has f's smoothness L,
// and ζ²(x) = (1/n) Σ_i ‖c_i‖² is the same at every x, so the supremum the theory asks for is exact.
#pragma once

#include <Eigen/Core>

#include <cstdint>

#include "objectives/objective.hpp"

namespace dasgd {

class NodeShifts {
 public:
  NodeShifts() = default;
  // n shifts in R^d: Gaussian draws from (seed, ObjectiveDraw::node_shifts), centred to sum to
  // zero, then scaled so that (1/n) Σ ‖c_i‖² = zeta2. With n = 1 the one shift is 0 (ζ² = 0).
  NodeShifts(std::uint32_t num_nodes, Eigen::Index dimension, double zeta2, std::uint64_t seed);

  bool empty() const noexcept { return shifts_.rows() == 0; }
  std::uint32_t num_nodes() const noexcept { return static_cast<std::uint32_t>(shifts_.rows()); }
  // c_i as a row (contiguous: the matrix is row-major).
  auto shift(std::uint32_t node) const { return shifts_.row(node); }
  // The realised (1/n) Σ ‖c_i‖² (equals the requested ζ² up to rounding; 0 when n = 1).
  double dissimilarity() const noexcept { return dissimilarity_; }
  // max_i ‖c_i‖: node gradients obey ‖∇f_i‖ ≤ Q + max_i ‖c_i‖.
  double max_norm() const noexcept { return max_norm_; }

 private:
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> shifts_;
  double dissimilarity_ = 0.0;
  double max_norm_ = 0.0;
};

}  // namespace dasgd
