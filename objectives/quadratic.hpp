// Convex quadratic f(x) = ½ xᵀHx − bᵀx with a chosen Hessian spectrum (world layer: objectives/).
// H = R D Rᵀ: D = diag(λ_0 … λ_{d−1}), log-spaced or linear from min_eigenvalue μ to max_eigenvalue
// L; R = P_1 ⋯ P_k a product of k Householder reflections P = I − 2uuᵀ (k = 0: diagonal H), so
// H·x costs O(k·d) and no d×d matrix is ever formed.
//
// Constants: L = λ_max(H) = max_eigenvalue (the spec's table: max_i |λ_i(H)|); μ-strongly convex;
// Q unbounded (∇f = Hx − b grows linearly). x* = H⁻¹b in closed form: we draw x* first
// (minimiser_scale · N(0, I) from the seed, or the config's value, list or law) and set b = H x*,
// so f* = −½ x*ᵀHx* = −½ bᵀx*.
// Heterogeneous data: f_i = f + c_iᵀx with Σ c_i = 0 (NodeShifts), ζ² exact at every x.
// x_0 = 0, so f(x_0) − f* = ½ x*ᵀHx*.
#pragma once

#include <optional>
#include <vector>

#include "objectives/coordinate_law.hpp"
#include "objectives/node_shifts.hpp"
#include "objectives/objective.hpp"

namespace dasgd {

enum class Spectrum { log, linear };

struct QuadraticParameters {
  double min_eigenvalue = 0.1;     // μ > 0
  double max_eigenvalue = 1.0;     // L ≥ μ
  Spectrum spectrum = Spectrum::log;
  std::uint64_t reflections = 2;   // Householder reflections in R (0: H diagonal)
  double minimiser_scale = 1.0;    // x* ~ minimiser_scale · N(0, I)
  // Set from the config ("minimiser": a number, a list of d numbers, or a coordinate law); when
  // either is given, minimiser_scale is not used. values: x* itself (size d); law: x*_k =
  // draw(law, mix_key(seed, Stream::initialisation, minimiser_law_tag, k)).
  std::vector<double> minimiser_values;
  std::optional<CoordinateLaw> minimiser_law;
};

class Quadratic final : public Objective {
 public:
  // Throws std::invalid_argument for d = 0, μ ≤ 0, L < μ, sigma2 < 0 or non-finite values.
  Quadratic(Eigen::Index dimension, const QuadraticParameters& parameters, double sigma2,
            std::uint64_t seed, NodeShifts shifts = {});

  std::string name() const override { return "quadratic"; }
  Eigen::Index dimension() const override { return eigenvalues_.size(); }
  double value(ConstVectorRef x) const override;
  void gradient(ConstVectorRef x, VectorRef out) const override;
  void node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const override;
  void stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                           VectorRef out) const override;
  double dissimilarity(ConstVectorRef x) const override;
  ObjectiveConstants constants() const override;
  Vector initial_point() const override { return Vector::Zero(eigenvalues_.size()); }

  const Vector& eigenvalues() const noexcept { return eigenvalues_; }
  const Vector& minimiser() const noexcept { return minimiser_; }
  const Vector& linear_term() const noexcept { return linear_term_; }
  // out = H v, O(k·d), allocation-free; `out` must not alias `v`.
  void apply_hessian(ConstVectorRef v, VectorRef out) const;

 private:
  void rotate_transpose(VectorRef v) const;   // v ← Rᵀ v
  void rotate(VectorRef v) const;             // v ← R v

  Vector eigenvalues_;
  std::vector<Vector> reflections_;  // unit vectors u_1 … u_k
  Vector minimiser_;
  Vector linear_term_;
  double f_star_ = 0;
  double sigma2_;
  NodeShifts shifts_;
};

}  // namespace dasgd
