// Finite sums on synthetic data: partition, exact and minibatch gradients; see finite_sum.hpp.
#include "objectives/finite_sum.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace dasgd {

double softplus(double t) noexcept { return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t))); }

double logistic_sigmoid(double t) noexcept {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

FiniteSumObjective::FiniteSumObjective(SampleMatrix features, Vector targets,
                                       Eigen::Index dimension, NoiseSpec noise,
                                       std::uint32_t num_nodes, bool heterogeneous)
    : features_(std::move(features)),
      targets_(std::move(targets)),
      dimension_(dimension),
      noise_(noise),
      num_nodes_(num_nodes),
      heterogeneous_(heterogeneous) {
  const Eigen::Index n_samples = features_.rows();
  if (dimension_ <= 0)
    throw std::invalid_argument("finite-sum objective: expected dimension >= 1, got " +
                                std::to_string(dimension_));
  if (n_samples == 0)
    throw std::invalid_argument("finite-sum objective: expected samples >= 1, got 0");
  if (targets_.size() != n_samples)
    throw std::invalid_argument("finite-sum objective: expected one target per sample");
  if (num_nodes_ == 0)
    throw std::invalid_argument("finite-sum objective: expected at least 1 node, got 0");
  if (heterogeneous_ && n_samples < static_cast<Eigen::Index>(num_nodes_))
    throw std::invalid_argument(
        "finite-sum objective: heterogeneous data needs samples >= nodes (one block each), got " +
        std::to_string(n_samples) + " samples for " + std::to_string(num_nodes_) + " nodes");
  if (noise_.kind == NoiseKind::gaussian && (!(noise_.sigma2 >= 0) || !std::isfinite(noise_.sigma2)))
    throw std::invalid_argument("gradient noise: expected sigma2 >= 0, got " +
                                std::to_string(noise_.sigma2));
  if (noise_.kind == NoiseKind::minibatch && noise_.batch_size == 0)
    throw std::invalid_argument("gradient noise: expected minibatch batch_size >= 1, got 0");
  if (heterogeneous_) {
    // Label-sorted split (stable, so ties keep generation order): node i gets a contiguous block.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n_samples));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return targets_[a] < targets_[b]; });
    SampleMatrix sorted_features(n_samples, features_.cols());
    Vector sorted_targets(n_samples);
    for (Eigen::Index r = 0; r < n_samples; ++r) {
      sorted_features.row(r) = features_.row(order[static_cast<std::size_t>(r)]);
      sorted_targets[r] = targets_[order[static_cast<std::size_t>(r)]];
    }
    features_ = std::move(sorted_features);
    targets_ = std::move(sorted_targets);
  }
}

FiniteSumObjective::SampleRange FiniteSumObjective::node_samples(std::uint32_t node) const {
  check_node(node);
  const Eigen::Index n_samples = features_.rows();
  if (!heterogeneous_) return {0, n_samples};
  const auto n = static_cast<Eigen::Index>(num_nodes_);
  const auto i = static_cast<Eigen::Index>(node);
  return {i * n_samples / n, (i + 1) * n_samples / n};
}

void FiniteSumObjective::check_node(std::uint32_t node) const {
  if (heterogeneous_ && node >= num_nodes_)
    throw std::invalid_argument("objective: expected a node index below " +
                                std::to_string(num_nodes_) + ", got " + std::to_string(node));
}

double FiniteSumObjective::part_value(SampleRange range, ConstVectorRef x) const {
  double sum = 0.0;
  for (Eigen::Index s = range.begin; s < range.end; ++s) sum += sample_loss(s, x);
  return sum / static_cast<double>(range.size());
}

void FiniteSumObjective::add_part_gradient(SampleRange range, ConstVectorRef x, double scale,
                                           VectorRef out) const {
  const double weight = scale / static_cast<double>(range.size());
  for (Eigen::Index s = range.begin; s < range.end; ++s) add_sample_gradient(s, x, weight, out);
}

double FiniteSumObjective::value(ConstVectorRef x) const {
  if (!heterogeneous_) return part_value({0, features_.rows()}, x) + regulariser(x);
  double sum = 0.0;
  for (std::uint32_t i = 0; i < num_nodes_; ++i) sum += part_value(node_samples(i), x);
  return sum / static_cast<double>(num_nodes_) + regulariser(x);
}

void FiniteSumObjective::gradient(ConstVectorRef x, VectorRef out) const {
  out.setZero();
  if (!heterogeneous_) {
    add_part_gradient({0, features_.rows()}, x, 1.0, out);
  } else {
    const double node_weight = 1.0 / static_cast<double>(num_nodes_);
    for (std::uint32_t i = 0; i < num_nodes_; ++i)
      add_part_gradient(node_samples(i), x, node_weight, out);
  }
  add_regulariser_gradient(x, out);
}

void FiniteSumObjective::node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const {
  out.setZero();
  add_part_gradient(node_samples(node), x, 1.0, out);
  add_regulariser_gradient(x, out);
}

void FiniteSumObjective::stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                                             VectorRef out) const {
  if (noise_.kind == NoiseKind::gaussian) {
    node_gradient(node, x, out);
    add_gaussian_noise(noise_.sigma2, rng, out);
    return;
  }
  const SampleRange range = node_samples(node);
  const double weight = 1.0 / static_cast<double>(noise_.batch_size);
  out.setZero();
  for (std::uint64_t k = 0; k < noise_.batch_size; ++k) {
    const auto s = range.begin + static_cast<Eigen::Index>(
                                     rng.below(static_cast<std::uint64_t>(range.size())));
    add_sample_gradient(s, x, weight, out);
  }
  add_regulariser_gradient(x, out);
}

void FiniteSumObjective::sample_gradient(Eigen::Index sample, ConstVectorRef x,
                                         VectorRef out) const {
  if (sample < 0 || sample >= features_.rows())
    throw std::invalid_argument("objective: expected a sample index below " +
                                std::to_string(features_.rows()) + ", got " +
                                std::to_string(sample));
  out.setZero();
  add_sample_gradient(sample, x, 1.0, out);
}

double FiniteSumObjective::dissimilarity(ConstVectorRef x) const {
  if (!heterogeneous_ || num_nodes_ < 2) return 0.0;
  Vector mean(dimension_);
  Vector node(dimension_);
  gradient(x, mean);
  double sum = 0.0;
  for (std::uint32_t i = 0; i < num_nodes_; ++i) {
    node_gradient(i, x, node);
    sum += (node - mean).squaredNorm();
  }
  return sum / static_cast<double>(num_nodes_);
}

double FiniteSumObjective::largest_part_gram_eigenvalue(std::uint64_t seed) const {
  const std::uint32_t parts = heterogeneous_ ? num_nodes_ : 1;
  double largest = 0.0;
  for (std::uint32_t i = 0; i < parts; ++i) {
    const SampleRange range = heterogeneous_ ? node_samples(i) : SampleRange{0, features_.rows()};
    const auto result = largest_gram_eigenvalue(features_.middleRows(range.begin, range.size()),
                                                mix_key(seed, Stream::initialisation, i));
    largest = std::max(largest, result.eigenvalue);
  }
  return largest;
}

double FiniteSumObjective::max_feature_norm() const {
  return features_.rowwise().norm().maxCoeff();
}

double FiniteSumObjective::max_part_mean_squared_feature_norm() const {
  const std::uint32_t parts = heterogeneous_ ? num_nodes_ : 1;
  double largest = 0.0;
  for (std::uint32_t i = 0; i < parts; ++i) {
    const SampleRange range = heterogeneous_ ? node_samples(i) : SampleRange{0, features_.rows()};
    largest = std::max(largest, features_.middleRows(range.begin, range.size()).squaredNorm() /
                                    static_cast<double>(range.size()));
  }
  return largest;
}

double FiniteSumObjective::noise_variance(double per_sample_bound) const {
  if (noise_.kind == NoiseKind::gaussian) return noise_.sigma2;
  return per_sample_bound / static_cast<double>(noise_.batch_size);
}

std::string FiniteSumObjective::noise_derivation(const std::string& per_sample_bound_text) const {
  if (noise_.kind == NoiseKind::gaussian)
    return "sigma2: Gaussian noise N(0, sigma2/d I), E|zeta|^2 = sigma2 exactly";
  return "sigma2: minibatch of b = " + std::to_string(noise_.batch_size) +
         " with replacement, variance <= second moment: sigma2 = " + per_sample_bound_text +
         " / b (a bound, over each node's samples)";
}

}  // namespace dasgd
