// The scaled sphere and its registration: its own keys are read with the simulator's JsonReader,
// so a wrong one gets the same located error as a built-in's ("/objective/curvature: ...").
#include "scaled_sphere.hpp"

#include <dasgd/objectives/gradient_noise.hpp>
#include <dasgd/sim/config/objective_config.hpp>

namespace extension {

void ScaledSphere::stochastic_gradient(std::uint32_t /*node*/, dasgd::ConstVectorRef x, dasgd::Rng& rng,
                                       dasgd::VectorRef out) const {
  gradient(x, out);
  dasgd::add_gaussian_noise(sigma2_, rng, out);
}

dasgd::ObjectiveConstants ScaledSphere::constants() const {
  dasgd::ObjectiveConstants k;
  k.smoothness_L = a_;
  k.noise_variance_sigma2 = sigma2_;
  k.f_star = 0.0;
  k.derivation = "L = curvature (Hessian a I); f* = 0 at x = 0; sigma2 exact (Gaussian noise)";
  return k;
}

void register_scaled_sphere() {
  dasgd::register_objective(
      {"scaled_sphere", "(a/2)||x||^2 with Gaussian noise (example extension)",
       [](dasgd::JsonReader& reader, Eigen::Index dimension) {
         const double curvature = reader.positive_or("curvature", 1.0);
         const double sigma2 = reader.non_negative_or("sigma2", 0.0);
         const double initial_value = reader.number_or("initial_value", 1.0);
         reader.finish();
         return [=](std::size_t /*nodes*/, std::uint64_t /*seed*/) -> std::unique_ptr<dasgd::Objective> {
           return std::make_unique<ScaledSphere>(dimension, curvature, sigma2, initial_value);
         };
       }});
}

}  // namespace extension
