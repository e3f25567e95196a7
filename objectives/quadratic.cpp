// ½ xᵀ R D Rᵀ x − bᵀx with Householder rotations; constants derived in quadratic.hpp.
#include "objectives/quadratic.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "objectives/gradient_noise.hpp"

namespace dasgd {

namespace {
// Sub-stream of Stream::initialisation for the minimiser's law (apart from objective_stream's tag).
constexpr std::uint64_t minimiser_law_tag = 0x6D696E6C6177ULL;  // "minlaw"

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("quadratic: " + message);
}

// out_j = (x_j λ_j − b_j) + scale · z_j with z_j = ziggurat_normal(rng), j = 0..d−1 in order: the
// same values and the same generator state afterwards as gradient() then add_gaussian_noise()
// (for_each_normal keeps the generator's words in registers).
void noisy_diagonal_gradient(const double* x, const double* lambda, const double* b, double scale, Rng& rng,
                             double* out, Eigen::Index d) {
  for_each_normal(rng, d, [&](std::int64_t j, double z) {
    const double g = x[j] * lambda[j] - b[j];
    out[j] = g + scale * z;
  });
}
}  // namespace

Quadratic::Quadratic(Eigen::Index dimension, const QuadraticParameters& parameters, double sigma2,
                     std::uint64_t seed, NodeShifts shifts)
    : sigma2_(sigma2), shifts_(std::move(shifts)) {
  const double mu = parameters.min_eigenvalue;
  const double top = parameters.max_eigenvalue;
  require(dimension >= 1, "expected dimension >= 1, got " + std::to_string(dimension));
  require(std::isfinite(mu) && mu > 0, "expected min_eigenvalue > 0, got " + std::to_string(mu));
  require(std::isfinite(top) && top >= mu, "expected max_eigenvalue >= min_eigenvalue = " +
                                               std::to_string(mu) + ", got " + std::to_string(top));
  require(std::isfinite(parameters.minimiser_scale) && parameters.minimiser_scale >= 0,
          "expected minimiser_scale >= 0, got " + std::to_string(parameters.minimiser_scale));
  require(std::isfinite(sigma2) && sigma2 >= 0,
          "expected noise sigma2 >= 0, got " + std::to_string(sigma2));
  require(shifts_.empty() || shifts_.shift(0).size() == dimension,
          "node shifts have the wrong dimension");

  // Spectrum: λ_0 = μ … λ_{d−1} = L (d = 1: the single eigenvalue is L).
  eigenvalues_.resize(dimension);
  for (Eigen::Index j = 0; j < dimension; ++j) {
    const double t = dimension == 1 ? 1.0 : static_cast<double>(j) / static_cast<double>(dimension - 1);
    eigenvalues_[j] = parameters.spectrum == Spectrum::log ? mu * std::pow(top / mu, t)
                                                           : mu + t * (top - mu);
  }
  eigenvalues_[dimension - 1] = top;  // exact, not pow's rounding

  Rng rotation = objective_stream(seed, ObjectiveDraw::rotation);
  for (std::uint64_t r = 0; r < parameters.reflections; ++r) {
    Vector u(dimension);
    for (Eigen::Index j = 0; j < dimension; ++j) u[j] = rotation.normal();
    const double norm = u.norm();
    if (norm == 0.0) continue;  // measure zero; skipping keeps R orthogonal
    reflections_.push_back(u / norm);
  }

  minimiser_.resize(dimension);
  if (!parameters.minimiser_values.empty()) {
    require(static_cast<Eigen::Index>(parameters.minimiser_values.size()) == dimension,
            "expected a minimiser of " + std::to_string(dimension) + " numbers, got " +
                std::to_string(parameters.minimiser_values.size()));
    for (Eigen::Index j = 0; j < dimension; ++j) minimiser_[j] = parameters.minimiser_values[static_cast<std::size_t>(j)];
  } else if (parameters.minimiser_law) {
    const std::uint64_t prefix = purpose_key(seed, Stream::initialisation);
    for (Eigen::Index j = 0; j < dimension; ++j)
      minimiser_[j] = draw(*parameters.minimiser_law, mix_key_from(prefix, minimiser_law_tag, static_cast<std::uint64_t>(j)));
  } else {
    Rng normal = objective_stream(seed, ObjectiveDraw::minimiser);
    for (Eigen::Index j = 0; j < dimension; ++j)
      minimiser_[j] = parameters.minimiser_scale * normal.normal();
  }
  require(minimiser_.allFinite(), "expected a finite minimiser");
  linear_term_.resize(dimension);
  apply_hessian(minimiser_, linear_term_);
  f_star_ = -0.5 * linear_term_.dot(minimiser_);
}

void Quadratic::rotate_transpose(VectorRef v) const {
  // Rᵀ = P_k ⋯ P_1: apply P_1 first.
  for (const Vector& u : reflections_) v.noalias() -= (2.0 * u.dot(v)) * u;
}

void Quadratic::rotate(VectorRef v) const {
  for (auto it = reflections_.rbegin(); it != reflections_.rend(); ++it)
    v.noalias() -= (2.0 * it->dot(v)) * *it;
}

void Quadratic::apply_hessian(ConstVectorRef v, VectorRef out) const {
  if (reflections_.empty()) {  // H diagonal: one pass, the same products as below
    out.array() = v.array() * eigenvalues_.array();
    return;
  }
  out = v;
  rotate_transpose(out);
  out.array() *= eigenvalues_.array();
  rotate(out);
}

double Quadratic::value(ConstVectorRef x) const {
  // ½ xᵀHx = ½ Σ_j λ_j (Rᵀx)_j²; the rotated copy lives in a per-thread buffer (no allocation
  // after the first call on a thread).
  if (reflections_.empty())  // Rᵀx = x: the same sums as below, without the copy
    return 0.5 * (eigenvalues_.array() * x.array().square()).sum() - linear_term_.dot(x);
  thread_local Vector rotated;
  rotated.resize(x.size());
  rotated = x;
  rotate_transpose(rotated);
  return 0.5 * (eigenvalues_.array() * rotated.array().square()).sum() - linear_term_.dot(x);
}

void Quadratic::gradient(ConstVectorRef x, VectorRef out) const {
  if (reflections_.empty()) {  // one pass: (λ_j x_j) − b_j, rounded exactly as the two passes below
    out.array() = x.array() * eigenvalues_.array() - linear_term_.array();
    return;
  }
  apply_hessian(x, out);
  out -= linear_term_;
}

void Quadratic::node_gradient(std::uint32_t node, ConstVectorRef x, VectorRef out) const {
  gradient(x, out);
  if (shifts_.empty()) return;
  if (node >= shifts_.num_nodes())
    throw std::invalid_argument("quadratic: expected a node index below " +
                                std::to_string(shifts_.num_nodes()) + ", got " +
                                std::to_string(node));
  out += shifts_.shift(node).transpose();
}

void Quadratic::stochastic_gradient(std::uint32_t node, ConstVectorRef x, Rng& rng,
                                    VectorRef out) const {
  if (reflections_.empty() && shifts_.empty() && sigma2_ > 0.0) {
    // The per-event case (H diagonal, one data set): gradient and noise in one pass, with the
    // same operations in the same order as gradient() followed by add_gaussian_noise().
    const double scale = gaussian_noise_scale(sigma2_, x.size());
    noisy_diagonal_gradient(x.data(), eigenvalues_.data(), linear_term_.data(), scale, rng, out.data(),
                            x.size());
    return;
  }
  node_gradient(node, x, out);
  add_gaussian_noise(sigma2_, rng, out);
}

double Quadratic::dissimilarity(ConstVectorRef /*x*/) const {
  return shifts_.empty() ? 0.0 : shifts_.dissimilarity();
}

ObjectiveConstants Quadratic::constants() const {
  ObjectiveConstants c;
  c.smoothness_L = eigenvalues_.maxCoeff();
  c.noise_variance_sigma2 = sigma2_;
  c.f_star = f_star_;
  c.dissimilarity_zeta2 = dissimilarity(minimiser_);
  c.derivation =
      "L = lambda_max(H) = max_eigenvalue (H = R D R^T, R orthogonal)\n"
      "Q: unbounded (grad f = Hx - b is linear in x)\n"
      "sigma2: Gaussian noise N(0, sigma2/d I), E|zeta|^2 = sigma2 exactly\n"
      "f* = -1/2 x*^T H x* at x* (drawn), b = H x*\n";
  c.derivation += shifts_.empty()
                      ? "zeta2 = 0: homogeneous data"
                      : "zeta2 = (1/n) sum_i |c_i|^2, exact at every x (f_i = f + c_i.x, sum c_i "
                        "= 0)";
  return c;
}

}  // namespace dasgd
