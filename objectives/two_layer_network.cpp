// Two-layer tanh network, logistic loss, fixed output layer; constants in two_layer_network.hpp.
#include "objectives/two_layer_network.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dasgd {

struct TwoLayerNetwork::Data {
  SampleMatrix features;
  Vector labels;
  Eigen::Index dimension;
  Vector output_weights;
};

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("two_layer_network: " + message);
}

using WeightMap = Eigen::Map<const SampleMatrix>;

}  // namespace

TwoLayerNetwork::TwoLayerNetwork(Eigen::Index dimension, std::uint64_t samples,
                                 const TwoLayerNetworkParameters& parameters, NoiseSpec noise,
                                 std::uint32_t num_nodes, bool heterogeneous, std::uint64_t seed)
    : TwoLayerNetwork(
          [&] {
            const auto h = static_cast<Eigen::Index>(parameters.hidden);
            require(h >= 1, "expected hidden >= 1, got 0");
            require(dimension >= h && dimension % h == 0,
                    "expected dimension a positive multiple of hidden = " + std::to_string(h) +
                        " (d = hidden * inputs), got " + std::to_string(dimension));
            require(samples >= 1, "expected samples >= 1, got 0");
            require(std::isfinite(parameters.output_scale) && parameters.output_scale > 0,
                    "expected output_scale > 0, got " + std::to_string(parameters.output_scale));
            require(parameters.label_noise >= 0 && parameters.label_noise <= 1,
                    "expected label_noise in [0, 1], got " + std::to_string(parameters.label_noise));
            const Eigen::Index p = dimension / h;
            const auto n = static_cast<Eigen::Index>(samples);
            Data data{SampleMatrix(n, p), Vector(n), dimension, Vector(h)};
            for (Eigen::Index k = 0; k < h; ++k)
              data.output_weights[k] = (k % 2 == 0 ? 1.0 : -1.0) * parameters.output_scale /
                                       std::sqrt(static_cast<double>(h));
            Rng features = objective_stream(seed, ObjectiveDraw::features);
            for (Eigen::Index s = 0; s < n; ++s)
              for (Eigen::Index j = 0; j < p; ++j) data.features(s, j) = features.normal();
            Rng teacher_draw = objective_stream(seed, ObjectiveDraw::teacher);
            SampleMatrix teacher(h, p);
            const double teacher_scale = 1.0 / std::sqrt(static_cast<double>(p));
            for (Eigen::Index k = 0; k < h; ++k)
              for (Eigen::Index j = 0; j < p; ++j) teacher(k, j) = teacher_scale * teacher_draw.normal();
            Rng flips = objective_stream(seed, ObjectiveDraw::targets);
            for (Eigen::Index s = 0; s < n; ++s) {
              const Eigen::VectorXd z = teacher * data.features.row(s).transpose();
              const double u = data.output_weights.dot(z.array().tanh().matrix());
              double label = u >= 0 ? 1.0 : -1.0;
              if (flips.uniform() < parameters.label_noise) label = -label;
              data.labels[s] = label;
            }
            return data;
          }(),
          parameters, noise, num_nodes, heterogeneous, seed) {}

TwoLayerNetwork::TwoLayerNetwork(Data data, const TwoLayerNetworkParameters& parameters,
                                 NoiseSpec noise, std::uint32_t num_nodes, bool heterogeneous,
                                 std::uint64_t seed)
    : FiniteSumObjective(std::move(data.features), std::move(data.labels), data.dimension, noise,
                         num_nodes, heterogeneous),
      output_weights_(std::move(data.output_weights)) {
  require(std::isfinite(parameters.initial_scale) && parameters.initial_scale >= 0,
          "expected initial_scale >= 0, got " + std::to_string(parameters.initial_scale));
  const Eigen::Index d = dimension();
  const double init_scale =
      parameters.initial_scale / std::sqrt(static_cast<double>(inputs()));
  Rng start = objective_stream(seed, ObjectiveDraw::initial_point);
  initial_point_.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) initial_point_[j] = init_scale * start.normal();

  const double gram = largest_part_gram_eigenvalue(
      mix_key(seed, Stream::initialisation, kObjectiveStreamTag,
              static_cast<std::uint64_t>(ObjectiveDraw::power_iteration)));
  const double c2 = 4.0 / (3.0 * std::sqrt(3.0));  // max |tanh''|
  const double v_norm_sq = output_weights_.squaredNorm();
  const double v_max = output_weights_.cwiseAbs().maxCoeff();
  constants_.smoothness_L = gram * (v_norm_sq / 4.0 + c2 * v_max);
  constants_.gradient_bound_Q = std::sqrt(v_norm_sq) * max_feature_norm();
  constants_.noise_variance_sigma2 =
      noise_variance(v_norm_sq * max_part_mean_squared_feature_norm());
  constants_.dissimilarity_zeta2 = dissimilarity(initial_point_);
  constants_.derivation =
      "L = lambda_max(A^T A/N) (|v|^2/4 + c2 max|v_k|), c2 = max|tanh''| = 4/(3 sqrt3): global "
      "bound (output layer fixed; |l'| <= 1, l'' <= 1/4, |tanh'| <= 1); max over nodes' blocks "
      "when heterogeneous; power iteration\n"
      "Q = |v| max_s |a_s|: |grad_W u|^2 <= |v|^2 |a|^2, |l'| <= 1\n" +
      noise_derivation("|v|^2 max_i mean_s |a_s|^2") +
      "\nf*: unknown (no closed form)\n" +
      (heterogeneous ? "zeta2: at x_0 (label-sorted split), not a supremum"
                     : "zeta2 = 0: homogeneous data");
}

void TwoLayerNetwork::pre_activations(Eigen::Index sample, ConstVectorRef x,
                                      Eigen::VectorXd& z) const {
  const WeightMap weights(x.data(), hidden(), inputs());
  z.noalias() = weights * features().row(sample).transpose();
}

double TwoLayerNetwork::sample_loss(Eigen::Index sample, ConstVectorRef x) const {
  thread_local Eigen::VectorXd z;
  z.resize(hidden());
  pre_activations(sample, x, z);
  const double u = output_weights_.dot(z.array().tanh().matrix());
  return softplus(-targets()[sample] * u);
}

void TwoLayerNetwork::add_sample_gradient(Eigen::Index sample, ConstVectorRef x, double scale,
                                          VectorRef out) const {
  // Per-thread buffer for the h pre-activations: no allocation after a thread's first call.
  thread_local Eigen::VectorXd z;
  z.resize(hidden());
  pre_activations(sample, x, z);
  z.array() = z.array().tanh();
  const double y = targets()[sample];
  const double u = output_weights_.dot(z);
  // ∂ℓ/∂u = −y σ(−y u); ∂u/∂w_k = v_k (1 − tanh²(z_k)) a.
  const double dloss = -y * logistic_sigmoid(-y * u);
  const auto a = features().row(sample);
  const Eigen::Index p = inputs();
  for (Eigen::Index k = 0; k < hidden(); ++k) {
    const double coefficient = scale * dloss * output_weights_[k] * (1.0 - z[k] * z[k]);
    out.segment(k * p, p).noalias() += coefficient * a.transpose();
  }
}

}  // namespace dasgd
