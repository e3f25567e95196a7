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
void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument("quadratic: " + message);
}

// The ziggurat's slow path on a generator made of the four words: the normal and the words after it.
// Out of line and cold, taking and returning the words by value, so that the caller's words never
// have an address and stay in registers on the fast path.
struct SlowDraw {
  double z;
  std::uint64_t words[4];
};
[[gnu::noinline, gnu::cold]] SlowDraw slow_normal(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2,
                                                  std::uint64_t s3, unsigned layer, double u) noexcept {
  SlowDraw draw{0.0, {s0, s1, s2, s3}};
  Rng slow;
  std::memcpy(static_cast<void*>(&slow), draw.words, sizeof draw.words);
  draw.z = ziggurat_detail::slow_path(slow, layer, u);
  std::memcpy(draw.words, static_cast<const void*>(&slow), sizeof draw.words);
  return draw;
}

// out_j = (x_j λ_j − b_j) + scale · z_j with z_j = ziggurat_normal(rng), j = 0..d−1 in order: the
// same values and the same generator state afterwards as gradient() then add_gaussian_noise().
// The xoshiro256** step is spelled out on four local words (the bytes of `rng`, a trivially
// copyable value) so that they stay in registers: through ziggurat_normal(Rng&) the generator's
// address escapes into the out-of-line slow path and every draw went through memory.
void noisy_diagonal_gradient(const double* x, const double* lambda, const double* b, double scale, Rng& rng,
                             double* out, Eigen::Index d) {
  static_assert(sizeof(Rng) == 4 * sizeof(std::uint64_t) && std::is_trivially_copyable_v<Rng>);
  std::uint64_t words[4];
  std::memcpy(words, static_cast<const void*>(&rng), sizeof words);
  // Four scalars whose address is never taken (an array handed to memcpy on the slow path made
  // GCC keep the state in memory: two loads and four stores per draw).
  std::uint64_t s0 = words[0], s1 = words[1], s2 = words[2], s3 = words[3];
  const auto rotl = [](std::uint64_t v, int k) { return (v << k) | (v >> (64 - k)); };
  const ziggurat_detail::Tables& tables = ziggurat_detail::kTables;
  for (Eigen::Index j = 0; j < d; ++j) {
    // Rng::operator()(), word for word.
    const std::uint64_t bits = rotl(s1 * 5, 7) * 9;
    const std::uint64_t t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 45);
    // ziggurat_normal's fast path, then its slow path on a generator holding the words.
    const unsigned layer = static_cast<unsigned>(bits & 0xFF);
    const double u = static_cast<double>(static_cast<std::int64_t>(bits) >> 11) * 0x1.0p-52;
    double z;
    if (std::fabs(u) < tables.ratio[layer]) [[likely]] {
      z = u * tables.x[layer];
    } else {
      const SlowDraw draw = slow_normal(s0, s1, s2, s3, layer, u);
      z = draw.z;
      s0 = draw.words[0];
      s1 = draw.words[1];
      s2 = draw.words[2];
      s3 = draw.words[3];
    }
    const double g = x[j] * lambda[j] - b[j];
    out[j] = g + scale * z;
  }
  const std::uint64_t final_words[4] = {s0, s1, s2, s3};
  std::memcpy(static_cast<void*>(&rng), final_words, sizeof final_words);
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

  Rng draw = objective_stream(seed, ObjectiveDraw::minimiser);
  minimiser_.resize(dimension);
  for (Eigen::Index j = 0; j < dimension; ++j)
    minimiser_[j] = parameters.minimiser_scale * draw.normal();
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
