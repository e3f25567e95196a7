// Σ_j [(μ/2) x_j² + a_j (1 − cos x_j)]; constants derived in separable_cosine.hpp.
#include "objectives/separable_cosine.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "objectives/gradient_noise.hpp"

namespace dasgd {

namespace {
void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("separable_cosine: " + message);
}
}  // namespace

SeparableCosine::SeparableCosine(Eigen::Index dimension,
                                 const SeparableCosineParameters& parameters, double sigma2,
                                 NodeShifts shifts)
    : parameters_(parameters), sigma2_(sigma2), shifts_(std::move(shifts)) {
  const auto& p = parameters_;
  require(dimension >= 1, "expected dimension >= 1, got " + std::to_string(dimension));
  require(std::isfinite(p.amplitude) && p.amplitude >= 0,
          "expected amplitude >= 0, got " + std::to_string(p.amplitude));
  require(std::isfinite(p.amplitude_min) && p.amplitude_min >= 0 && p.amplitude_min <= p.amplitude,
          "expected amplitude_min in [0, amplitude = " + std::to_string(p.amplitude) + "], got " +
              std::to_string(p.amplitude_min));
  require(std::isfinite(p.mu) && p.mu >= 0, "expected mu >= 0, got " + std::to_string(p.mu));
  require(p.mu + p.amplitude > 0, "expected mu + amplitude > 0 (else f is constant), got 0");
  require(std::isfinite(p.initial_value),
          "expected a finite initial_value, got " + std::to_string(p.initial_value));
  require(std::isfinite(sigma2) && sigma2 >= 0,
          "expected noise sigma2 >= 0, got " + std::to_string(sigma2));
  require(shifts_.empty() || shifts_.shift(0).size() == dimension,
          "node shifts have the wrong dimension");
  amplitudes_.resize(dimension);
  for (Eigen::Index j = 0; j < dimension; ++j) {
    const double t = dimension == 1 ? 1.0 : static_cast<double>(j) / static_cast<double>(dimension - 1);
    amplitudes_[j] = p.amplitude_min + t * (p.amplitude - p.amplitude_min);
  }
}

double SeparableCosine::value(ConstVectorRef x) const {
  double sum = 0.0;
  for (Eigen::Index j = 0; j < x.size(); ++j)
    sum += 0.5 * parameters_.mu * x[j] * x[j] + amplitudes_[j] * (1.0 - std::cos(x[j]));
  return sum;
}

void SeparableCosine::gradient(ConstVectorRef x, VectorRef out) const {
  for (Eigen::Index j = 0; j < x.size(); ++j)
    out[j] = parameters_.mu * x[j] + amplitudes_[j] * std::sin(x[j]);
}

void SeparableCosine::node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const {
  gradient(x, out);
  if (shifts_.empty()) return;
  if (node >= shifts_.num_nodes())
    throw std::invalid_argument("separable_cosine: expected a node index below " +
                                std::to_string(shifts_.num_nodes()) + ", got " +
                                std::to_string(node));
  out += shifts_.shift(node).transpose();
}

void SeparableCosine::stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                                          VectorRef out) const {
  node_gradient(node, x, out);
  add_gaussian_noise(sigma2_, rng, out);
}

double SeparableCosine::dissimilarity(ConstVectorRef /*x*/) const {
  return shifts_.empty() ? 0.0 : shifts_.dissimilarity();
}

ObjectiveConstants SeparableCosine::constants() const {
  ObjectiveConstants c;
  const double a_max = amplitudes_.maxCoeff();
  c.smoothness_L = parameters_.mu + a_max;
  if (parameters_.mu == 0) c.gradient_bound_Q = amplitudes_.norm();
  c.noise_variance_sigma2 = sigma2_;
  c.f_star = 0.0;
  c.dissimilarity_zeta2 = dissimilarity(amplitudes_);
  c.derivation =
      "L = mu + max_j a_j: Hessian diag(mu + a_j cos x_j), attained at x = 0\n"
      "Q = |a| when mu = 0 (|grad|^2 = sum a_j^2 sin^2 x_j, attained at x_j = pi/2); unbounded "
      "when mu > 0\n"
      "sigma2: Gaussian noise N(0, sigma2/d I), E|zeta|^2 = sigma2 exactly\n"
      "f* = 0 at x* = 0 (each term >= 0, zero at 0)\n";
  c.derivation += shifts_.empty()
                      ? "zeta2 = 0: homogeneous data"
                      : "zeta2 = (1/n) sum_i |c_i|^2, exact at every x (f_i = f + c_i.x, sum c_i "
                        "= 0); node gradients obey |grad f_i| <= Q + max_i |c_i|";
  return c;
}

Vector SeparableCosine::initial_point() const {
  return Vector::Constant(amplitudes_.size(), parameters_.initial_value);
}

}  // namespace dasgd
