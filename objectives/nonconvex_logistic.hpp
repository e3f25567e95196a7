// Logistic regression with the non-convex regulariser λ Σ_j x_j²/(1 + x_j²) on synthetic data
// (world layer: objectives/); the spec's table, row 2. ℓ_s(x) = log(1 + exp(−y_s a_sᵀx)).
// Data from (seed, initialisation stream): a_s ~ N(0, I_d), teacher w* ~ N(0, I/d),
// y_s = sign(a_sᵀw*) flipped with probability label_noise. x_0 = initial_scale · N(0, I_d).
//
// Constants (ρ(t) = t²/(1+t²): ρ'' = (2 − 6t²)/(1+t²)³ so max|ρ''| = 2 at t = 0;
// ρ' = 2t/(1+t²)² so max|ρ'| = 3√3/8 at t = 1/√3):
//   L = λ_G/4 + 2λ, λ_G = max over parts of λ_max(A_pᵀA_p/N_p) (homogeneous: λ_max(AᵀA)/N, the
//       spec's value): ∇²ℓ_s = σ(1−σ) a_s a_sᵀ with σ(1−σ) ≤ 1/4; attained at x = 0.
//       λ_max by power iteration once at construction (power_iteration.hpp).
//   Q = max_s ‖a_s‖ + λ (3√3/8) √d: |∂ℓ_s/∂(aᵀx)| ≤ 1 and ‖∇r‖ ≤ λ max|ρ'| √d.
//   σ² (minibatch) = max_i (1/N_i) Σ_s ‖a_s‖² / b: ‖∇ℓ_s‖ ≤ ‖a_s‖, variance ≤ second moment.
//   f*: not known in closed form. ζ² (heterogeneous, label-sorted): at x_0.
#pragma once

#include "objectives/finite_sum.hpp"

namespace dasgd {

struct NonconvexLogisticParameters {
  double lambda = 0.1;         // regulariser weight λ ≥ 0
  double label_noise = 0.1;    // probability a teacher label is flipped
  double initial_scale = 1.0;  // x_0 ~ initial_scale · N(0, I)
};

class NonconvexLogistic final : public FiniteSumObjective {
 public:
  // Throws std::invalid_argument for d = 0, N = 0, λ < 0, label_noise outside [0, 1], bad noise,
  // heterogeneous with N < n.
  NonconvexLogistic(Eigen::Index dimension, std::uint64_t samples,
                    const NonconvexLogisticParameters& parameters, NoiseSpec noise,
                    std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);

  std::string name() const override { return "nonconvex_logistic"; }
  ObjectiveConstants constants() const override { return constants_; }

 protected:
  double sample_loss(Eigen::Index sample, ConstVectorRef x) const override;
  void add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                           VectorRef out) const override;
  double regulariser(ConstVectorRef x) const override;
  void add_regulariser_gradient(ConstVectorRef x, VectorRef out) const override;

 private:
  struct Data;
  NonconvexLogistic(Data data, const NonconvexLogisticParameters& parameters, NoiseSpec noise,
                    std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);

  double lambda_;
  ObjectiveConstants constants_;
};

}  // namespace dasgd
