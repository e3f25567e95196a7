// A two-layer tanh network classifier on synthetic data (world layer: objectives/):
// u(W; a) = Σ_k v_k tanh(w_kᵀa), ℓ_s(W) = log(1 + exp(−y_s u(W; a_s))). Trained: the hidden layer
// W ∈ R^{h×p} (x = W row-major, d = h·p). Fixed: the output layer v_k = (−1)^k β/√h (β =
// output_scale), which is what makes a global smoothness bound exist.
// Data: a_s ~ N(0, I_p); labels from a teacher of the same shape (W* entries N(0, 1/p), same v),
// flipped with probability label_noise. x_0: W entries initial_scale · N(0, 1/p).
//
// Constants (a global bound, not an estimate). With Δ a unit direction (rows Δ_k), φ = tanh,
// |φ'| ≤ 1, c₂ = max|φ''| = 4/(3√3), |ℓ'| ≤ 1, ℓ'' ≤ 1/4 and G_p = A_pᵀA_p/N_p:
//   Δᵀ∇²f Δ = mean_s [ℓ''_s (Σ_k v_k φ'_sk Δ_kᵀa_s)² + ℓ'_s Σ_k v_k φ''_sk (Δ_kᵀa_s)²], and by
//   Cauchy–Schwarz |first| ≤ ‖v‖²/4 · Σ_k Δ_kᵀ G Δ_k, |second| ≤ max|v_k| c₂ Σ_k Δ_kᵀ G Δ_k, so
//   L = λ_G (‖v‖²/4 + c₂ max_k|v_k|) = λ_G (β²/4 + c₂ β/√h), λ_G = max over parts of λ_max(G_p)
//       (power iteration). At W = 0 the Hessian is ¼ vvᵀ ⊗ G exactly (φ''(0) = 0), curvature
//       λ_G β²/4: the bound is within a factor 1 + 4c₂/(β√h) of attained.
//   Q = ‖v‖ max_s ‖a_s‖ = β max_s ‖a_s‖: ‖∇_W u‖² = Σ_k v_k² φ'_k² ‖a‖² ≤ ‖v‖²‖a‖².
//   σ² (minibatch) = β² max_i mean_s ‖a_s‖² / b (variance ≤ second moment).
//   f*: unknown. ζ² (heterogeneous, label-sorted): at x_0.
#pragma once

#include "objectives/finite_sum.hpp"

namespace dasgd {

struct TwoLayerNetworkParameters {
  std::uint64_t hidden = 8;    // h; the input dimension is p = dimension / h
  double output_scale = 2.0;   // β: v_k = (−1)^k β/√h, ‖v‖ = β
  double label_noise = 0.05;
  double initial_scale = 1.0;  // x_0 entries initial_scale · N(0, 1/p)
};

class TwoLayerNetwork final : public FiniteSumObjective {
 public:
  // Throws std::invalid_argument when dimension is not a positive multiple of hidden, for β ≤ 0,
  // label_noise outside [0, 1], N = 0, bad noise, heterogeneous with N < n.
  TwoLayerNetwork(Eigen::Index dimension, std::uint64_t samples,
                  const TwoLayerNetworkParameters& parameters, NoiseSpec noise,
                  std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);

  std::string name() const override { return "two_layer_network"; }
  ObjectiveConstants constants() const override { return constants_; }

  Eigen::Index hidden() const noexcept { return output_weights_.size(); }
  Eigen::Index inputs() const noexcept { return features().cols(); }
  const Vector& output_weights() const noexcept { return output_weights_; }

 protected:
  double sample_loss(Eigen::Index sample, ConstVectorRef x) const override;
  void add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                           VectorRef out) const override;

 private:
  struct Data;
  TwoLayerNetwork(Data data, const TwoLayerNetworkParameters& parameters, NoiseSpec noise,
                  std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed);
  // Pre-activations z = W a_s into `z` (size h).
  void pre_activations(Eigen::Index sample, ConstVectorRef x, Eigen::VectorXd& z) const;

  Vector output_weights_;
  ObjectiveConstants constants_;
};

}  // namespace dasgd
