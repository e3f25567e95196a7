// The contract every synthetic objective meets: f, ∇f, a stochastic gradient, and the constants
// the convergence bounds need (L, Q, σ², f*), each derived in the objective's own header.
// Sits below the algorithms: an algorithm asks a node's objective for gradients and nothing else.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sim/random/rng.hpp"

namespace dasgd {

using Vector = Eigen::VectorXd;
using VectorRef = Eigen::Ref<Vector>;
using ConstVectorRef = Eigen::Ref<const Vector>;

// Constants of an objective, as the theory uses them (../shared/spec/dasgd.md, "Setting").
struct ObjectiveConstants {
  double smoothness_L = 0;                   // ‖∇f(x) − ∇f(y)‖ ≤ L ‖x − y‖ for all x, y
  std::optional<double> gradient_bound_Q;    // ‖∇f(x)‖ ≤ Q for all x (nullopt: unbounded)
  double noise_variance_sigma2 = 0;          // E‖g − ∇f(x)‖² ≤ σ² (exact for Gaussian noise)
  std::optional<double> f_star;              // inf f where known in closed form
  std::optional<double> dissimilarity_zeta2; // heterogeneous data: sup_x (1/n) Σ‖∇f_i − ∇f‖²
  std::string derivation;                    // one line per constant: where it comes from
};

// How a stochastic gradient is formed.
//   gaussian:  g = ∇f_i(x) + ζ, ζ ~ N(0, σ²/d · I), so E‖ζ‖² = σ² exactly.
//   minibatch: g = average of ∇ over b samples drawn uniformly with replacement from the node's
//              finite sum (only for finite-sum objectives); σ² is then the per-b sampling variance
//              bound the objective documents.
enum class NoiseKind { gaussian, minibatch };

class Objective {
 public:
  virtual ~Objective() = default;

  virtual std::string name() const = 0;
  virtual Eigen::Index dimension() const = 0;

  // Global objective f = (1/n) Σ_i f_i (f_i = f for homogeneous data).
  virtual double value(ConstVectorRef x) const = 0;
  virtual void gradient(ConstVectorRef x, VectorRef out) const = 0;

  // Node i's stochastic gradient at x, O(d) (or O(d·b) for a minibatch); draws from `rng`, which the
  // caller takes from Stream::gradient_noise / Stream::data_sampling for that node.
  virtual void stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                                   VectorRef out) const = 0;

  virtual ObjectiveConstants constants() const = 0;
  // The documented starting point x_0 (the same for every node).
  virtual Vector initial_point() const = 0;

  // Node i's own objective: ∇f_i(x), exact (no noise). Homogeneous data: ∇f. Heterogeneous data:
  // (1/n) Σ_i ∇f_i = ∇f, which is the definition of f above.
  virtual void node_gradient(std::uint32_t /*node*/, ConstVectorRef x, VectorRef out) const {
    gradient(x, out);
  }
  // ζ²(x) = (1/n) Σ_i ‖∇f_i(x) − ∇f(x)‖², the data dissimilarity at x (0 for homogeneous data).
  virtual double dissimilarity(ConstVectorRef /*x*/) const { return 0.0; }
  // Number of samples N of a finite-sum objective (all nodes together); 0 when f is not a finite sum.
  virtual Eigen::Index num_samples() const { return 0; }
};

}  // namespace dasgd
