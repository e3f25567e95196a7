// Top-k, Random-k and error feedback; see sparsifier.hpp.
#include "sim/algorithms/sparsifier.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace dasgd {

std::string to_string(SparsifierKind kind) {
  switch (kind) {
    case SparsifierKind::top_k: return "top_k";
    case SparsifierKind::random_k: return "random_k";
  }
  return "?";
}

namespace {

void check_k(Eigen::Index k, Eigen::Index d, const char* who) {
  if (k < 0 || k > d)
    throw std::invalid_argument(std::string(who) + ": expected 0 <= k <= d = " + std::to_string(d) +
                                ", got k = " + std::to_string(k));
}

}  // namespace

void select_top_k(ConstVectorRef v, Eigen::Index k, std::vector<Eigen::Index>& indices) {
  const Eigen::Index d = v.size();
  check_k(k, d, "select_top_k");
  indices.resize(static_cast<std::size_t>(d));
  std::iota(indices.begin(), indices.end(), Eigen::Index{0});
  // Strict total order: larger magnitude first, then lower index first.
  const auto before = [&v](Eigen::Index a, Eigen::Index b) {
    const double ma = std::abs(v(a)), mb = std::abs(v(b));
    return ma > mb || (ma == mb && a < b);
  };
  if (k < d) std::nth_element(indices.begin(), indices.begin() + k, indices.end(), before);
  indices.resize(static_cast<std::size_t>(k));
  std::sort(indices.begin(), indices.end());
}

std::vector<Eigen::Index> identity_permutation(Eigen::Index d) {
  std::vector<Eigen::Index> permutation(static_cast<std::size_t>(d));
  std::iota(permutation.begin(), permutation.end(), Eigen::Index{0});
  return permutation;
}

void select_random_k(Eigen::Index k, Rng& rng, std::vector<Eigen::Index>& permutation,
                     std::vector<Eigen::Index>& indices) {
  const auto d = static_cast<Eigen::Index>(permutation.size());
  check_k(k, d, "select_random_k");
  // Partial Fisher–Yates: position r receives a uniform pick among positions r..d−1.
  for (Eigen::Index r = 0; r < k; ++r) {
    const auto pick = r + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(d - r)));
    std::swap(permutation[static_cast<std::size_t>(r)], permutation[static_cast<std::size_t>(pick)]);
  }
  indices.assign(permutation.begin(), permutation.begin() + k);
  std::sort(indices.begin(), indices.end());
}

void gather(ConstVectorRef v, double scale, SparseUpdate& update) {
  update.values.resize(update.indices.size());
  for (std::size_t r = 0; r < update.indices.size(); ++r) update.values[r] = scale * v(update.indices[r]);
}

void subtract(const SparseUpdate& update, VectorRef x) {
  for (std::size_t r = 0; r < update.indices.size(); ++r) x(update.indices[r]) -= update.values[r];
}

std::size_t nonzeros(const SparseUpdate& update) {
  return static_cast<std::size_t>(
      std::count_if(update.values.begin(), update.values.end(), [](double value) { return value != 0.0; }));
}

}  // namespace dasgd
