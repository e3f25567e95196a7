// Delay distributions: the closed set of laws that compute times, link latencies and node speeds
// are drawn from (config → world). A law is a plain value (std::variant); sampling uses only our own
// samplers on Rng, so a seed gives the same delays on every standard library.
#pragma once

#include "sim/random/rng.hpp"

#include <optional>
#include <string>
#include <variant>

namespace dasgd {

// The laws live in their own namespace because their names (Constant, Uniform, ...) are too generic
// for `dasgd`: write law::Exponential{1.0}.
namespace law {

struct Constant {
  double value = 0;
};
struct Exponential {
  double mean = 1;
};
// shift + Exp(mean): a minimum time plus a memoryless tail (a common fit for measured compute time).
struct ShiftedExponential {
  double shift = 0;
  double mean = 1;  // mean of the exponential part only; the law's mean is shift + mean
};
struct Uniform {
  double low = 0;
  double high = 1;
};
// exp(N(mu, sigma^2)): mu and sigma are those of the underlying normal.
struct LogNormal {
  double mu = 0;
  double sigma = 1;
};
struct Gamma {
  double shape = 1;
  double scale = 1;
};
// Pareto type I: P(X > x) = (scale / x)^shape for x >= scale (scale = x_m, shape = alpha).
struct Pareto {
  double scale = 1;
  double shape = 2;
};

}  // namespace law

using Distribution = std::variant<law::Constant, law::Exponential, law::ShiftedExponential,
                                  law::Uniform, law::LogNormal, law::Gamma, law::Pareto>;

// One draw. The number of Rng outputs consumed depends on the law (Gamma uses rejection), so
// callers that need order-independence give each draw its own counter-keyed Rng.
double sample(const Distribution& law, Rng& rng);

// Closed forms. variance() is +infinity where the variance is infinite (Pareto with shape <= 2);
// mean() is +infinity for Pareto with shape <= 1 (such a law is refused by invalid_reason anyway).
double mean(const Distribution& law);
double variance(const Distribution& law);

// Why the parameters are not a valid delay law, or nullopt if they are. A valid law has finite
// parameters, only non-negative values (delays are >= 0) and a finite mean: exponential mean > 0,
// uniform 0 <= low < high, lognormal sigma >= 0, gamma shape and scale > 0, Pareto scale > 0 and
// shape > 1.
std::optional<std::string> invalid_reason(const Distribution& law);

// True when every draw is the same number (a constant, or a lognormal with sigma = 0).
bool is_deterministic(const Distribution& law);

// Human-readable, e.g. "exponential(mean=0.5)".
std::string describe(const Distribution& law);

// The lognormal with the given mean and coefficient of variation (sd / mean):
// sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2. Requires mean > 0 and cv >= 0.
law::LogNormal lognormal_from_mean_cv(double mean, double cv);

}  // namespace dasgd
