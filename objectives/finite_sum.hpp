// Finite-sum objectives on a synthetic data set: f_i(x) = (1/N_i) Σ_{s ∈ node i} ℓ_s(x) + r(x), and
// f = (1/n) Σ_i f_i (world layer: objectives/). Holds the samples, the node partition (homogeneous:
// every node samples all N; heterogeneous: samples sorted by target and cut into n contiguous
// blocks, the usual label-sorted split), exact and minibatch gradients. Subclasses give ℓ_s and r.
#pragma once

#include <Eigen/Core>

#include <cstdint>

#include "objectives/gradient_noise.hpp"
#include "objectives/objective.hpp"
#include "objectives/power_iteration.hpp"

namespace dasgd {

class FiniteSumObjective : public Objective {
 public:
  struct SampleRange {
    Eigen::Index begin = 0;
    Eigen::Index end = 0;
    Eigen::Index size() const noexcept { return end - begin; }
  };

  Eigen::Index dimension() const override { return dimension_; }
  double value(ConstVectorRef x) const override;
  void gradient(ConstVectorRef x, VectorRef out) const override;
  void node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const override;
  // Gaussian: ∇f_i(x) + ζ (O(N_i·d): the exact node gradient is a full pass over its samples).
  // Minibatch: (1/b) Σ_{k<b} ∇ℓ_{s_k}(x) + ∇r(x), s_k uniform on node i's samples with replacement
  // (O(b·d)), so E g = ∇f_i(x) and E‖g − ∇f_i(x)‖² = V_i(x)/b with
  // V_i(x) = (1/N_i) Σ_s ‖∇ℓ_s(x) − ∇(f_i − r)(x)‖² ≤ (1/N_i) Σ_s sup‖∇ℓ_s‖².
  void stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                           VectorRef out) const override;
  double dissimilarity(ConstVectorRef x) const override;
  Eigen::Index num_samples() const override { return features_.rows(); }
  Vector initial_point() const override { return initial_point_; }

  // ∇ℓ_s(x), the data term of one sample without the regulariser (diagnostics and tests).
  void sample_gradient(Eigen::Index sample, ConstVectorRef x, VectorRef out) const;
  // Node i's samples: rows [begin, end) of features() (all rows for homogeneous data).
  SampleRange node_samples(std::uint32_t node) const;
  const SampleMatrix& features() const noexcept { return features_; }
  const Vector& targets() const noexcept { return targets_; }
  bool heterogeneous() const noexcept { return heterogeneous_; }
  std::uint32_t num_nodes() const noexcept { return num_nodes_; }
  const NoiseSpec& noise() const noexcept { return noise_; }

 protected:
  // Heterogeneous data reorders the rows (stable sort by target) before partitioning.
  // Throws std::invalid_argument for N = 0, N < n (heterogeneous), dimension 0, bad noise.
  FiniteSumObjective(SampleMatrix features, Vector targets, Eigen::Index dimension, NoiseSpec noise,
                     std::uint32_t num_nodes, bool heterogeneous);

  // ℓ_s(x) and out += scale · ∇ℓ_s(x), O(d) and allocation-free.
  virtual double sample_loss(Eigen::Index sample, ConstVectorRef x) const = 0;
  virtual void add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                                   VectorRef out) const = 0;
  // The regulariser r(x) shared by all nodes (default none).
  virtual double regulariser(ConstVectorRef /*x*/) const { return 0.0; }
  virtual void add_regulariser_gradient(ConstVectorRef /*x*/, VectorRef /*out*/) const {}

  // max over the parts f is averaged from (each node's block; all rows when homogeneous) of
  // λ_max((1/N_p) A_pᵀ A_p). Bounds the Gram term of ∇²f and of every ∇²f_i, since the Gram matrix
  // of f is the average of the nodes' (heterogeneous) or the one matrix (homogeneous).
  double largest_part_gram_eigenvalue(std::uint64_t seed) const;
  // max_s ‖a_s‖ and max over parts of (1/N_p) Σ_{s ∈ p} ‖a_s‖².
  double max_feature_norm() const;
  double max_part_mean_squared_feature_norm() const;
  // σ² of the configured noise: sigma2 (Gaussian) or per_sample_bound / b (minibatch), where
  // per_sample_bound ≥ (1/N_i) Σ_s sup_x ‖∇ℓ_s(x)‖² for every node (variance ≤ second moment).
  double noise_variance(double per_sample_bound) const;
  // The text that says which σ² applies.
  std::string noise_derivation(const std::string& per_sample_bound_text) const;

  Vector initial_point_;

 private:
  double part_value(SampleRange range, ConstVectorRef x) const;
  void add_part_gradient(SampleRange range, ConstVectorRef x, double scale, VectorRef out) const;
  void check_node(std::uint32_t node) const;

  SampleMatrix features_;
  Vector targets_;
  Eigen::Index dimension_;
  NoiseSpec noise_;
  std::uint32_t num_nodes_;
  bool heterogeneous_;
};

// Numerically stable log(1 + e^t) and logistic σ(t) = 1/(1 + e^{−t}).
double softplus(double t) noexcept;
double logistic_sigmoid(double t) noexcept;

}  // namespace dasgd
