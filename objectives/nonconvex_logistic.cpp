// Logistic loss + λ Σ x_j²/(1+x_j²); constants derived in nonconvex_logistic.hpp.
#include "objectives/nonconvex_logistic.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace dasgd {

struct NonconvexLogistic::Data {
  SampleMatrix features;
  Vector labels;
  Eigen::Index dimension;
};

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("nonconvex_logistic: " + message);
}

}  // namespace

NonconvexLogistic::NonconvexLogistic(Eigen::Index dimension, std::uint64_t samples,
                                     const NonconvexLogisticParameters& parameters,
                                     NoiseSpec noise, std::uint32_t num_nodes, bool heterogeneous,
                                     std::uint64_t seed)
    : NonconvexLogistic(
          [&] {
            require(dimension >= 1, "expected dimension >= 1, got " + std::to_string(dimension));
            require(samples >= 1, "expected samples >= 1, got 0");
            require(parameters.label_noise >= 0 && parameters.label_noise <= 1,
                    "expected label_noise in [0, 1], got " + std::to_string(parameters.label_noise));
            const auto n = static_cast<Eigen::Index>(samples);
            Data data{SampleMatrix(n, dimension), Vector(n), dimension};
            Rng features = objective_stream(seed, ObjectiveDraw::features);
            for (Eigen::Index s = 0; s < n; ++s)
              for (Eigen::Index j = 0; j < dimension; ++j) data.features(s, j) = features.normal();
            Rng teacher_draw = objective_stream(seed, ObjectiveDraw::teacher);
            Vector teacher(dimension);
            const double teacher_scale = 1.0 / std::sqrt(static_cast<double>(dimension));
            for (Eigen::Index j = 0; j < dimension; ++j)
              teacher[j] = teacher_scale * teacher_draw.normal();
            Rng flips = objective_stream(seed, ObjectiveDraw::targets);
            for (Eigen::Index s = 0; s < n; ++s) {
              double label = data.features.row(s).dot(teacher) >= 0 ? 1.0 : -1.0;
              if (flips.uniform() < parameters.label_noise) label = -label;
              data.labels[s] = label;
            }
            return data;
          }(),
          parameters, noise, num_nodes, heterogeneous, seed) {}

NonconvexLogistic::NonconvexLogistic(Data data, const NonconvexLogisticParameters& parameters,
                                     NoiseSpec noise, std::uint32_t num_nodes, bool heterogeneous,
                                     std::uint64_t seed)
    : FiniteSumObjective(std::move(data.features), std::move(data.labels), data.dimension, noise,
                         num_nodes, heterogeneous),
      lambda_(parameters.lambda) {
  require(std::isfinite(lambda_) && lambda_ >= 0,
          "expected lambda >= 0, got " + std::to_string(lambda_));
  require(std::isfinite(parameters.initial_scale) && parameters.initial_scale >= 0,
          "expected initial_scale >= 0, got " + std::to_string(parameters.initial_scale));
  const Eigen::Index d = dimension();
  Rng start = objective_stream(seed, ObjectiveDraw::initial_point);
  initial_point_.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) initial_point_[j] = parameters.initial_scale * start.normal();

  const double gram = largest_part_gram_eigenvalue(
      mix_key(seed, Stream::initialisation, kObjectiveStreamTag,
              static_cast<std::uint64_t>(ObjectiveDraw::power_iteration)));
  const double max_rho_prime = 3.0 * std::sqrt(3.0) / 8.0;
  constants_.smoothness_L = gram / 4.0 + 2.0 * lambda_;
  constants_.gradient_bound_Q =
      max_feature_norm() + lambda_ * max_rho_prime * std::sqrt(static_cast<double>(d));
  constants_.noise_variance_sigma2 = noise_variance(max_part_mean_squared_feature_norm());
  constants_.dissimilarity_zeta2 = dissimilarity(initial_point_);
  constants_.derivation =
      "L = lambda_max(A^T A / N)/4 + 2 lambda (max over nodes' blocks when heterogeneous; power "
      "iteration): sigma(1-sigma) <= 1/4, max|rho''| = 2, attained at x = 0\n"
      "Q = max_s |a_s| + lambda (3 sqrt3/8) sqrt d: |l'| <= 1, max|rho'| = 3 sqrt3/8\n" +
      noise_derivation("max_i mean_s |a_s|^2") +
      "\nf*: unknown (no closed form)\n" +
      (heterogeneous ? "zeta2: at x_0 (label-sorted split), not a supremum"
                     : "zeta2 = 0: homogeneous data");
}

double NonconvexLogistic::sample_loss(Eigen::Index sample, ConstVectorRef x) const {
  const double margin = targets()[sample] * features().row(sample).dot(x);
  return softplus(-margin);
}

void NonconvexLogistic::add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                                            VectorRef out) const {
  const double y = targets()[sample];
  const auto a = features().row(sample);
  const double margin = y * a.dot(x);
  // d/dx log(1 + e^{−m}) = −y σ(−m) a.
  out.noalias() += (-scale * y * logistic_sigmoid(-margin)) * a.transpose();
}

double NonconvexLogistic::regulariser(ConstVectorRef x) const {
  return lambda_ * (x.array().square() / (1.0 + x.array().square())).sum();
}

void NonconvexLogistic::add_regulariser_gradient(ConstVectorRef x, VectorRef out) const {
  if (lambda_ == 0) return;
  out.array() += lambda_ * 2.0 * x.array() / (1.0 + x.array().square()).square();
}

}  // namespace dasgd
