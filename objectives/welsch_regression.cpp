// Welsch robust regression; constants derived in welsch_regression.hpp.
#include "objectives/welsch_regression.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace dasgd {

struct WelschRegression::Data {
  SampleMatrix features;
  Vector responses;
  Eigen::Index dimension;
  Vector ground_truth;
};

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("welsch_regression: " + message);
}

}  // namespace

WelschRegression::WelschRegression(Eigen::Index dimension, std::uint64_t samples,
                                   const WelschRegressionParameters& parameters, NoiseSpec noise,
                                   std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed)
    : WelschRegression(
          [&] {
            require(dimension >= 1, "expected dimension >= 1, got " + std::to_string(dimension));
            require(samples >= 1, "expected samples >= 1, got 0");
            require(std::isfinite(parameters.scale) && parameters.scale > 0,
                    "expected scale c > 0, got " + std::to_string(parameters.scale));
            require(std::isfinite(parameters.noise_std) && parameters.noise_std >= 0,
                    "expected noise_std >= 0, got " + std::to_string(parameters.noise_std));
            require(parameters.outlier_fraction >= 0 && parameters.outlier_fraction <= 1,
                    "expected outlier_fraction in [0, 1], got " +
                        std::to_string(parameters.outlier_fraction));
            const auto n = static_cast<Eigen::Index>(samples);
            Data data{SampleMatrix(n, dimension), Vector(n), dimension, Vector(dimension)};
            Rng features = objective_stream(seed, ObjectiveDraw::features);
            for (Eigen::Index s = 0; s < n; ++s)
              for (Eigen::Index j = 0; j < dimension; ++j) data.features(s, j) = features.normal();
            Rng truth = objective_stream(seed, ObjectiveDraw::teacher);
            const double truth_scale = 1.0 / std::sqrt(static_cast<double>(dimension));
            for (Eigen::Index j = 0; j < dimension; ++j)
              data.ground_truth[j] = truth_scale * truth.normal();
            Rng errors = objective_stream(seed, ObjectiveDraw::targets);
            for (Eigen::Index s = 0; s < n; ++s) {
              double response = data.features.row(s).dot(data.ground_truth) +
                                parameters.noise_std * errors.normal();
              const bool outlier = errors.uniform() < parameters.outlier_fraction;
              const double gross = errors.normal();  // drawn always: draws do not depend on flags
              if (outlier) response += 10.0 * parameters.scale * gross;
              data.responses[s] = response;
            }
            return data;
          }(),
          parameters, noise, num_nodes, heterogeneous, seed) {}

WelschRegression::WelschRegression(Data data, const WelschRegressionParameters& parameters,
                                   NoiseSpec noise, std::uint32_t num_nodes, bool heterogeneous,
                                   std::uint64_t seed)
    : FiniteSumObjective(std::move(data.features), std::move(data.responses), data.dimension,
                         noise, num_nodes, heterogeneous),
      c_(parameters.scale),
      ground_truth_(std::move(data.ground_truth)) {
  require(std::isfinite(parameters.initial_scale) && parameters.initial_scale >= 0,
          "expected initial_scale >= 0, got " + std::to_string(parameters.initial_scale));
  const Eigen::Index d = dimension();
  const double init_scale = parameters.initial_scale / std::sqrt(static_cast<double>(d));
  Rng start = objective_stream(seed, ObjectiveDraw::initial_point);
  initial_point_.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) initial_point_[j] = init_scale * start.normal();

  const double gram = largest_part_gram_eigenvalue(
      mix_key(seed, Stream::initialisation, kObjectiveStreamTag,
              static_cast<std::uint64_t>(ObjectiveDraw::power_iteration)));
  const double max_psi_prime = c_ / std::sqrt(2.0 * std::numbers::e);
  constants_.smoothness_L = gram;
  constants_.gradient_bound_Q = max_psi_prime * max_feature_norm();
  constants_.noise_variance_sigma2 =
      noise_variance(max_psi_prime * max_psi_prime * max_part_mean_squared_feature_norm());
  constants_.dissimilarity_zeta2 = dissimilarity(initial_point_);
  constants_.derivation =
      "L = lambda_max(A^T A/N) (max over nodes' blocks when heterogeneous; power iteration): "
      "psi'' in [-2e^{-3/2}, 1]\n"
      "Q = c/sqrt(2e) max_s |a_s|: max|psi'| = c/sqrt(2e) at r = c/sqrt2\n" +
      noise_derivation("c^2/(2e) max_i mean_s |a_s|^2") +
      "\nf*: unknown (>= 0)\n" +
      (heterogeneous ? "zeta2: at x_0 (split sorted by response), not a supremum"
                     : "zeta2 = 0: homogeneous data");
}

double WelschRegression::sample_loss(Eigen::Index sample, ConstVectorRef x) const {
  const double r = features().row(sample).dot(x) - targets()[sample];
  return 0.5 * c_ * c_ * -std::expm1(-r * r / (c_ * c_));
}

void WelschRegression::add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                                           VectorRef out) const {
  const auto a = features().row(sample);
  const double r = a.dot(x) - targets()[sample];
  out.noalias() += (scale * r * std::exp(-r * r / (c_ * c_))) * a.transpose();
}

}  // namespace dasgd
