// Welsch robust regression on synthetic data with outliers (world layer: objectives/); the spec's
// table, row 4. ℓ_s(x) = (c²/2)(1 − exp(−r_s²/c²)), r_s = a_sᵀx − b_s: bounded, so gross outliers
// barely move the fit, and non-convex (ψ'' < 0 for |r| > c/√2).
// Data: a_s ~ N(0, I_d), ground truth x_true ~ N(0, I/d), b_s = a_sᵀx_true + noise_std · N(0, 1),
// plus, with probability outlier_fraction, a gross error 10 c · N(0, 1).
// x_0 = initial_scale · N(0, I/d).
//
// Constants (ψ(r) = (c²/2)(1 − e^{−r²/c²}): ψ' = r e^{−r²/c²}, max|ψ'| = c/√(2e) at r = c/√2;
// ψ'' = (1 − 2r²/c²) e^{−r²/c²} ∈ [−2e^{−3/2}, 1]):
//   L = λ_G = max over parts of λ_max(A_pᵀA_p/N_p): ∇²f = mean_s ψ''(r_s) a_s a_sᵀ, |ψ''| ≤ 1;
//       near x_true with small noise every ψ'' ≈ 1, so it is nearly attained.
//   Q = c/√(2e) · max_s ‖a_s‖.
//   σ² (minibatch) = c²/(2e) · max_i mean_s ‖a_s‖² / b (variance ≤ second moment).
//   f*: unknown (≥ 0). ζ² (heterogeneous, split sorted by b_s): at x_0.
#pragma once

#include "objectives/finite_sum.hpp"

namespace dasgd {

struct WelschRegressionParameters {
  double scale = 1.0;             // c > 0
  double noise_std = 0.1;         // inlier noise
  double outlier_fraction = 0.1;  // probability of a gross error
  double initial_scale = 1.0;     // x_0 ~ initial_scale · N(0, I/d)
};

class WelschRegression final : public FiniteSumObjective {
 public:
  // Throws std::invalid_argument for d = 0, N = 0, c ≤ 0, noise_std < 0, outlier_fraction outside
  // [0, 1], bad noise, heterogeneous with N < n.
  WelschRegression(Eigen::Index dimension, std::uint64_t samples,
                   const WelschRegressionParameters& parameters, NoiseSpec noise,
                   std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);

  std::string name() const override { return "welsch_regression"; }
  ObjectiveConstants constants() const override { return constants_; }
  const Vector& ground_truth() const noexcept { return ground_truth_; }

 protected:
  double sample_loss(Eigen::Index sample, ConstVectorRef x) const override;
  void add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                           VectorRef out) const override;

 private:
  struct Data;
  WelschRegression(Data data, const WelschRegressionParameters& parameters, NoiseSpec noise,
                   std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);

  double c_;
  Vector ground_truth_;
  ObjectiveConstants constants_;
};

}  // namespace dasgd
