// Staleness laws of the closed forms; see staleness_law.hpp.
#include "sim/predict/staleness_law.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

namespace dasgd {

PoissonGeometric count_during(double rate, double interval_mean, double interval_sd) {
  PoissonGeometric law;
  const double mean = rate * interval_mean;
  // Var[N] = rate E[C] + rate² Var[C]; a PoissonGeometric has Var = a + g + g², so g = rate · sd(C).
  const double g = std::min(mean, rate * interval_sd);
  law.geometric_mean = g;
  law.poisson_mean = mean - g;
  return law;
}

double StalenessPmf::mean() const {
  double sum = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) sum += static_cast<double>(k) * pmf[k];
  return sum;
}

double StalenessPmf::mean_square() const {
  double sum = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) sum += static_cast<double>(k) * static_cast<double>(k) * pmf[k];
  return sum;
}

std::int64_t StalenessPmf::quantile(double p) const {
  if (!(p > 0 && p <= 1)) throw std::invalid_argument("quantile: expected p in (0, 1], got " + std::to_string(p));
  double cumulative = 0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    cumulative += pmf[k];
    if (cumulative >= p * (1 - 1e-12)) return static_cast<std::int64_t>(k);
  }
  return static_cast<std::int64_t>(pmf.empty() ? 0 : pmf.size() - 1);
}

double StalenessPmf::expected_maximum(double draws) const {
  if (!(draws >= 1)) return mean();
  // P(max > k) = 1 − F(k)^T: 1 to double precision while F^T underflows (F < e^(−745/T)), and
  // below 10^-12 once T (1 − F) is; only the entries between need a log and an exp.
  const double underflow = std::exp(-745.0 / draws);
  double sum = 0, cumulative = 0;
  for (std::size_t k = 0; k + 1 < pmf.size(); ++k) {
    cumulative += pmf[k];
    if (cumulative < underflow) {
      sum += 1;
      continue;
    }
    if (draws * (1 - cumulative) < 1e-12) break;
    sum += 1 - std::exp(draws * std::log1p(-std::min(1.0, 1 - cumulative)));
  }
  return sum;
}

namespace {

// pmf of Poisson(m) at k, in log space (m may be large).
double poisson_pmf(double m, std::size_t k) {
  if (m == 0) return k == 0 ? 1.0 : 0.0;
  const double kd = static_cast<double>(k);
  return std::exp(-m + kd * std::log(m) - std::lgamma(kd + 1));
}

// Adds weight · law into out (growing it), up to where the law's remaining mass is below target.
// Below mean − 12 sd the Poisson part has no mass a double can hold beside 1: those entries stay 0
// and the recursion starts there, pois(k) = pois(k − 1) m / k (one lgamma per law, not per entry).
void accumulate(const PoissonGeometric& law, double weight, double tail_target, std::size_t max_size,
                std::vector<double>& out, double& missing) {
  const double g = law.geometric_mean;
  const double q = g / (1 + g);
  const double m = law.poisson_mean;
  const double sd = std::sqrt(law.variance());
  const double poisson_sd = std::sqrt(m);
  const std::size_t first = m > 0 ? static_cast<std::size_t>(std::max(0.0, std::floor(m - 12 * poisson_sd - 1))) : 0;
  double pois = poisson_pmf(m, first);
  double r = 0, total = 0;
  std::size_t k = first;
  if (out.size() < first) out.resize(first, 0.0);
  for (; k < max_size; ++k) {
    if (k > first) pois = m == 0 ? 0.0 : pois * m / static_cast<double>(k);
    r = q * r + (1 - q) * pois;
    total += r;
    if (k >= out.size()) out.push_back(0.0);
    out[k] += weight * r;
    if (static_cast<double>(k) > law.mean() + sd && 1 - total < tail_target) break;
  }
  missing += weight * std::max(0.0, 1 - total);
}

}  // namespace

StalenessPmf tabulate(const PoissonGeometric& law, double tail_target, std::size_t max_size) {
  return tabulate_mixture({law}, {1.0}, tail_target, max_size);
}

StalenessPmf tabulate_mixture(const std::vector<PoissonGeometric>& laws, const std::vector<double>& weights,
                              double tail_target, std::size_t max_size) {
  if (laws.size() != weights.size()) throw std::invalid_argument("tabulate_mixture: one weight per law");
  std::map<std::pair<double, double>, double> merged;
  for (std::size_t i = 0; i < laws.size(); ++i)
    if (weights[i] > 0) merged[{laws[i].poisson_mean, laws[i].geometric_mean}] += weights[i];
  StalenessPmf out;
  // Each law costs about mean + 13 sd entries; past max_size entries in all, the mixture is replaced
  // by one PoissonGeometric with its mean and variance (approximate; the caller says so).
  double work = 0, mixture_mean = 0, mixture_second = 0;
  for (const auto& [law, weight] : merged) {
    const PoissonGeometric l{law.first, law.second};
    work += l.mean() + 13 * std::sqrt(l.variance()) + 1;
    mixture_mean += weight * l.mean();
    mixture_second += weight * (l.variance() + l.mean() * l.mean());
  }
  // A law whose own support reaches past max_size entries is not tabulated at all (the caller
  // reports the mean only): an empty pmf with all its mass in `tail`.
  for (const auto& [law, weight] : merged) {
    const PoissonGeometric l{law.first, law.second};
    if (l.mean() + 13 * std::sqrt(l.variance()) + 1 > static_cast<double>(max_size)) {
      out.tail = 1;
      return out;
    }
  }
  if (work > static_cast<double>(max_size) && merged.size() > 1) {
    const double variance = std::max(0.0, mixture_second - mixture_mean * mixture_mean);
    // Var = a + g + g² with a + g = mean, so g² is the excess over a Poisson variance.
    const double excess = std::max(0.0, variance - mixture_mean);
    const double g = std::min(mixture_mean, std::sqrt(excess));
    accumulate(PoissonGeometric{mixture_mean - g, g}, 1.0, tail_target, max_size, out.pmf, out.tail);
    out.merged = true;
    return out;
  }
  for (const auto& [law, weight] : merged)
    accumulate(PoissonGeometric{law.first, law.second}, weight, tail_target, max_size, out.pmf, out.tail);
  return out;
}

StalenessPmf uniform_rank(std::size_t n) {
  StalenessPmf out;
  out.pmf.assign(std::max<std::size_t>(1, n), 1.0 / static_cast<double>(std::max<std::size_t>(1, n)));
  return out;
}

}  // namespace dasgd
