// Separable non-convex test function f(x) = Σ_j [ (μ/2) x_j² + a_j (1 − cos x_j) ] (world layer:
// objectives/), the spec's Σ_j a_j (1 − cos x_j) plus an optional quadratic. Tunable smoothness
// (a_max + μ) and non-convexity (a_j > μ gives negative curvature where cos x_j < −μ/a_j); a = 0
// gives the pure quadratic ½ μ ‖x‖² used by the spec's one-node SGD check.
//
// Constants (∇f_j = μ x_j + a_j sin x_j, ∇²f = diag(μ + a_j cos x_j)):
//   L  = μ + max_j a_j: |μ + a_j cos x_j| ≤ μ + a_j (μ, a_j ≥ 0), attained at x = 0.
//   Q  = ‖a‖ when μ = 0 (‖∇f‖² = Σ a_j² sin² x_j, attained at x_j = π/2); unbounded when μ > 0.
//   f* = 0 at x* = 0: each term is ≥ 0 and vanishes at 0 (the unique minimiser when μ > 0; with
//        μ = 0 every point of 2πℤ^d).
// Heterogeneous data: f_i = f + c_iᵀx with Σ c_i = 0 (NodeShifts), so ζ² is exact for every x.
// x_0 = initial_value · (1, …, 1), default 2.5: past π/2, where cos < 0, so runs start in the
// non-convex region when a_j > μ.
#pragma once

#include "objectives/node_shifts.hpp"
#include "objectives/objective.hpp"

namespace dasgd {

struct SeparableCosineParameters {
  double amplitude = 1.0;       // a_max = a_{d−1}
  double amplitude_min = 1.0;   // a_0; a_j is linear from amplitude_min to amplitude
  double mu = 0.0;              // weight of the quadratic term
  double initial_value = 2.5;   // every coordinate of x_0
};

class SeparableCosine final : public Objective {
 public:
  // Throws std::invalid_argument for d = 0, amplitude < 0, amplitude_min outside [0, amplitude],
  // mu < 0, mu + amplitude = 0 (f ≡ 0), sigma2 < 0 or non-finite values.
  // `shifts` empty: homogeneous data.
  SeparableCosine(Eigen::Index dimension, const SeparableCosineParameters& parameters,
                  double sigma2, NodeShifts shifts = {});

  std::string name() const override { return "separable_cosine"; }
  Eigen::Index dimension() const override { return amplitudes_.size(); }
  double value(ConstVectorRef x) const override;
  void gradient(ConstVectorRef x, VectorRef out) const override;
  void node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const override;
  void stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                           VectorRef out) const override;
  double dissimilarity(ConstVectorRef x) const override;
  ObjectiveConstants constants() const override;
  Vector initial_point() const override;

  const Vector& amplitudes() const noexcept { return amplitudes_; }
  Vector minimiser() const { return Vector::Zero(amplitudes_.size()); }

 private:
  Vector amplitudes_;
  SeparableCosineParameters parameters_;
  double sigma2_;
  NodeShifts shifts_;
};

}  // namespace dasgd
