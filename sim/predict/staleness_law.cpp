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
  double sum = 0, cumulative = 0;
  for (std::size_t k = 0; k + 1 < pmf.size(); ++k) {
    cumulative += pmf[k];
    const double all_below = cumulative >= 1 ? 1.0 : std::exp(draws * std::log1p(-std::min(1.0, 1 - cumulative)));
    sum += 1 - all_below;  // P(max > k)
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
void accumulate(const PoissonGeometric& law, double weight, double tail_target, std::size_t max_size,
                std::vector<double>& out, double& missing) {
  const double g = law.geometric_mean;
  const double q = g / (1 + g);
  const double sd = std::sqrt(law.variance());
  double r = 0, total = 0;
  std::size_t k = 0;
  for (; k < max_size; ++k) {
    r = q * r + (1 - q) * poisson_pmf(law.poisson_mean, k);
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
