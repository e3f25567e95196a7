// The extension's objective: f(x) = (a/2)·‖x‖², a = "curvature" > 0, with Gaussian gradient noise
// of total variance σ² ("sigma2"). Closed-form constants: L = a, f* = 0 at x = 0, ‖∇f‖ unbounded.
// x_0 = initial_value · (1, …, 1).
#pragma once

#include <dasgd/objectives/objective.hpp>

namespace extension {

class ScaledSphere final : public dasgd::Objective {
 public:
  ScaledSphere(Eigen::Index dimension, double curvature, double sigma2, double initial_value)
      : d_(dimension), a_(curvature), sigma2_(sigma2), x0_(initial_value) {}
  std::string name() const override { return "scaled_sphere"; }
  Eigen::Index dimension() const override { return d_; }
  double value(dasgd::ConstVectorRef x) const override { return 0.5 * a_ * x.squaredNorm(); }
  void gradient(dasgd::ConstVectorRef x, dasgd::VectorRef out) const override { out = a_ * x; }
  void stochastic_gradient(std::uint32_t node, dasgd::ConstVectorRef x, dasgd::Rng& rng,
                           dasgd::VectorRef out) const override;
  dasgd::ObjectiveConstants constants() const override;
  dasgd::Vector initial_point() const override { return dasgd::Vector::Constant(d_, x0_); }

 private:
  Eigen::Index d_;
  double a_, sigma2_, x0_;
};

// Adds "scaled_sphere" to the objective registry.
void register_scaled_sphere();

}  // namespace extension
