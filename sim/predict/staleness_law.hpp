// The law of one gradient's staleness as the closed forms give it (prediction, before any run):
// a Poisson count (gradients in flight, or a constant interval) plus a geometric count (the others'
// completions during an exponential interval), and mixtures of such laws over nodes. The pmf,
// nearest-rank quantiles and the expected maximum over T draws are computed from it.
// Derivation and when each piece is exact: docs/PREDICT.md.
#pragma once

#include <cstdint>
#include <vector>

namespace dasgd {

// N = P + G with P ~ Poisson(poisson_mean) and G ~ Geometric on {0, 1, ...} with mean
// geometric_mean (P(G = k) = (1 − q) q^k, q = g / (1 + g)), independent.
struct PoissonGeometric {
  double poisson_mean = 0;
  double geometric_mean = 0;
  double mean() const noexcept { return poisson_mean + geometric_mean; }
  double variance() const noexcept { return poisson_mean + geometric_mean * (1 + geometric_mean); }
};

// The count of a Poisson process of rate `rate` during an independent interval of length C (mean
// `interval_mean`, standard deviation `interval_sd`), as a PoissonGeometric with the same mean and
// variance (Var = rate E[C] + rate² Var C). Exact for a constant C (Poisson), an exponential C
// (geometric) and a shifted exponential C (both); for other laws it matches two moments only, and
// when sd > mean (a geometric cannot be that wide with a non-negative Poisson part) the variance is
// understated.
PoissonGeometric count_during(double rate, double interval_mean, double interval_sd);

// A tabulated law on {0, 1, ..., size() − 1}; the mass beyond is below `tail`.
struct StalenessPmf {
  std::vector<double> pmf;
  double tail = 0;   // 1 − Σ pmf
  bool merged = false;  // a mixture too wide to tabulate was replaced by one two-moment fit
  double mean() const;
  double mean_square() const;
  // Smallest k with P(N <= k) >= p (nearest rank); p in (0, 1].
  std::int64_t quantile(double p) const;
  // E[max of T independent draws] = Σ_k (1 − F(k)^T).
  double expected_maximum(double draws) const;
};

// Tabulates law until the mass left is below `tail_target` (or max_size entries, then tail says
// how much is missing). O(size) by the recursion r(k) = q r(k − 1) + (1 − q) poisson(k).
StalenessPmf tabulate(const PoissonGeometric& law, double tail_target, std::size_t max_size);

// Σ_i weight_i · law_i (weights summing to 1) tabulated the same way; equal laws are merged first.
// When the distinct laws together would need more than max_size entries, the mixture is fitted by
// one PoissonGeometric with its mean and variance instead (merged = true); when one law alone
// would need more, nothing is tabulated (empty pmf, tail = 1).
StalenessPmf tabulate_mixture(const std::vector<PoissonGeometric>& laws, const std::vector<double>& weights,
                              double tail_target, std::size_t max_size);

// Uniform on {0, ..., n − 1}: the rank of a gradient within a synchronous round of n.
StalenessPmf uniform_rank(std::size_t n);

}  // namespace dasgd
