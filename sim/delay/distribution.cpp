// Delay distributions: samplers, closed-form moments and validation for each law (config → world).
// Moments are the textbook ones (e.g. Johnson, Kotz, Balakrishnan, "Continuous Univariate
// Distributions", vol. 1); the Gamma sampler is Marsaglia & Tsang (2000).
#include "sim/delay/distribution.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace dasgd {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000:
// for shape a >= 1, d = a - 1/3, c = 1/sqrt(9d); accept d v with v = (1 + c x)^3, x ~ N(0,1), when
// log u < x^2/2 + d - d v + d log v. For a < 1 their boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
double sample_gamma(double shape, double scale, Rng& rng) {
  if (shape < 1.0) {
    const double boosted = sample_gamma(shape + 1.0, 1.0, rng);
    return scale * boosted * std::pow(rng.uniform_open_zero(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform_open_zero();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return scale * d * v;
  }
}

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

bool finite(double x) { return std::isfinite(x); }

}  // namespace

double sample(const Distribution& law, Rng& rng) {
  return std::visit(
      Overloaded{
          [](const law::Constant& d) { return d.value; },
          [&](const law::Exponential& d) { return rng.exponential(d.mean); },
          [&](const law::ShiftedExponential& d) { return d.shift + rng.exponential(d.mean); },
          [&](const law::Uniform& d) { return d.low + (d.high - d.low) * rng.uniform(); },
          [&](const law::LogNormal& d) { return std::exp(d.mu + d.sigma * rng.normal()); },
          [&](const law::Gamma& d) { return sample_gamma(d.shape, d.scale, rng); },
          // Inversion: X = x_m U^(-1/alpha) with U on (0, 1], so X >= x_m and never infinite.
          [&](const law::Pareto& d) {
            return d.scale * std::pow(rng.uniform_open_zero(), -1.0 / d.shape);
          },
      },
      law);
}

double mean(const Distribution& law) {
  return std::visit(
      Overloaded{
          [](const law::Constant& d) { return d.value; },
          [](const law::Exponential& d) { return d.mean; },
          [](const law::ShiftedExponential& d) { return d.shift + d.mean; },
          [](const law::Uniform& d) { return 0.5 * (d.low + d.high); },
          [](const law::LogNormal& d) { return std::exp(d.mu + 0.5 * d.sigma * d.sigma); },
          [](const law::Gamma& d) { return d.shape * d.scale; },
          [](const law::Pareto& d) {
            return d.shape > 1.0 ? d.shape * d.scale / (d.shape - 1.0) : kInfinity;
          },
      },
      law);
}

double variance(const Distribution& law) {
  return std::visit(
      Overloaded{
          [](const law::Constant&) { return 0.0; },
          [](const law::Exponential& d) { return d.mean * d.mean; },
          [](const law::ShiftedExponential& d) { return d.mean * d.mean; },
          [](const law::Uniform& d) { return (d.high - d.low) * (d.high - d.low) / 12.0; },
          // (e^{s^2} - 1) e^{2 mu + s^2}; expm1 keeps precision for small sigma.
          [](const law::LogNormal& d) {
            const double s2 = d.sigma * d.sigma;
            return std::expm1(s2) * std::exp(2.0 * d.mu + s2);
          },
          [](const law::Gamma& d) { return d.shape * d.scale * d.scale; },
          // x_m^2 alpha / ((alpha - 1)^2 (alpha - 2)) for alpha > 2, infinite otherwise.
          [](const law::Pareto& d) {
            if (d.shape <= 2.0) return kInfinity;
            const double a = d.shape;
            return d.scale * d.scale * a / ((a - 1.0) * (a - 1.0) * (a - 2.0));
          },
      },
      law);
}

std::optional<std::string> invalid_reason(const Distribution& law) {
  using Reason = std::optional<std::string>;
  const Reason reason = std::visit(
      Overloaded{
          [](const law::Constant& d) -> Reason {
            if (!finite(d.value) || d.value < 0.0)
              return "constant: expected value >= 0 (a delay), got " + number(d.value);
            return std::nullopt;
          },
          [](const law::Exponential& d) -> Reason {
            if (!finite(d.mean) || d.mean <= 0.0)
              return "exponential: expected mean > 0, got " + number(d.mean);
            return std::nullopt;
          },
          [](const law::ShiftedExponential& d) -> Reason {
            if (!finite(d.shift) || d.shift < 0.0)
              return "shifted_exponential: expected shift >= 0, got " + number(d.shift);
            if (!finite(d.mean) || d.mean <= 0.0)
              return "shifted_exponential: expected mean > 0, got " + number(d.mean);
            return std::nullopt;
          },
          [](const law::Uniform& d) -> Reason {
            if (!finite(d.low) || d.low < 0.0)
              return "uniform: expected low >= 0 (a delay), got " + number(d.low);
            if (!finite(d.high) || !(d.high > d.low))
              return "uniform: expected high > low = " + number(d.low) + ", got " + number(d.high);
            return std::nullopt;
          },
          [](const law::LogNormal& d) -> Reason {
            if (!finite(d.mu)) return "lognormal: expected a finite mu, got " + number(d.mu);
            if (!finite(d.sigma) || d.sigma < 0.0)
              return "lognormal: expected sigma >= 0, got " + number(d.sigma);
            return std::nullopt;
          },
          [](const law::Gamma& d) -> Reason {
            if (!finite(d.shape) || d.shape <= 0.0)
              return "gamma: expected shape > 0, got " + number(d.shape);
            if (!finite(d.scale) || d.scale <= 0.0)
              return "gamma: expected scale > 0, got " + number(d.scale);
            return std::nullopt;
          },
          [](const law::Pareto& d) -> Reason {
            if (!finite(d.scale) || d.scale <= 0.0)
              return "pareto: expected scale > 0, got " + number(d.scale);
            if (!finite(d.shape) || d.shape <= 1.0)
              return "pareto: expected shape > 1 (the mean is infinite otherwise), got " +
                     number(d.shape);
            return std::nullopt;
          },
      },
      law);
  if (reason) return reason;
  // Parameters can each be fine and still overflow the moments (e.g. lognormal mu = 800).
  if (!finite(mean(law))) return describe(law) + ": the mean overflows a double";
  return std::nullopt;
}

bool is_deterministic(const Distribution& law) {
  if (std::holds_alternative<law::Constant>(law)) return true;
  if (const auto* d = std::get_if<law::LogNormal>(&law)) return d->sigma == 0.0;
  return false;
}

std::string describe(const Distribution& law) {
  return std::visit(
      Overloaded{
          [](const law::Constant& d) { return "constant(value=" + number(d.value) + ")"; },
          [](const law::Exponential& d) { return "exponential(mean=" + number(d.mean) + ")"; },
          [](const law::ShiftedExponential& d) {
            return "shifted_exponential(shift=" + number(d.shift) + ", mean=" + number(d.mean) +
                   ")";
          },
          [](const law::Uniform& d) {
            return "uniform(low=" + number(d.low) + ", high=" + number(d.high) + ")";
          },
          [](const law::LogNormal& d) {
            return "lognormal(mu=" + number(d.mu) + ", sigma=" + number(d.sigma) + ")";
          },
          [](const law::Gamma& d) {
            return "gamma(shape=" + number(d.shape) + ", scale=" + number(d.scale) + ")";
          },
          [](const law::Pareto& d) {
            return "pareto(scale=" + number(d.scale) + ", shape=" + number(d.shape) + ")";
          },
      },
      law);
}

law::LogNormal lognormal_from_mean_cv(double mean_value, double cv) {
  if (!finite(mean_value) || mean_value <= 0.0)
    throw std::invalid_argument("lognormal: expected mean > 0, got " + number(mean_value));
  if (!finite(cv) || cv < 0.0)
    throw std::invalid_argument("lognormal: expected cv >= 0, got " + number(cv));
  // E[X] = e^{mu + s^2/2}, Var[X] / E[X]^2 = e^{s^2} - 1.
  const double s2 = std::log1p(cv * cv);
  return law::LogNormal{std::log(mean_value) - 0.5 * s2, std::sqrt(s2)};
}

}  // namespace dasgd
