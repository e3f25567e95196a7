// Tests for the delay laws (sim/delay/distribution): samplers against closed-form moments over 10^6
// draws (mean within 5 standard errors; variance through the fourth moment), and parameter checks.
#include "sim/delay/distribution.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Moments {
  double mean = 0;
  double variance = 0;
  double min = kInf;
};

// Welford's one-pass mean and variance over n draws from one stream.
Moments sample_moments(const Distribution& law, std::uint64_t seed, int n) {
  Rng rng(seed);
  Moments m;
  double m2 = 0;
  for (int i = 1; i <= n; ++i) {
    const double x = sample(law, rng);
    const double delta = x - m.mean;
    m.mean += delta / i;
    m2 += delta * (x - m.mean);
    m.min = std::min(m.min, x);
  }
  m.variance = m2 / (n - 1);
  return m;
}

// Central fourth moments, written out here independently of the library (textbook forms via
// excess kurtosis): they give the standard error of the sample variance, sqrt((mu4 - s^4) / n).
double central_fourth_moment(const Distribution& law) {
  if (const auto* d = std::get_if<law::Exponential>(&law)) return 9 * std::pow(d->mean, 4);
  if (const auto* d = std::get_if<law::ShiftedExponential>(&law)) return 9 * std::pow(d->mean, 4);
  if (const auto* d = std::get_if<law::Uniform>(&law)) return std::pow(d->high - d->low, 4) / 80;
  if (const auto* d = std::get_if<law::Gamma>(&law))
    return 3 * d->shape * (d->shape + 2) * std::pow(d->scale, 4);
  if (const auto* d = std::get_if<law::LogNormal>(&law)) {
    const double s2 = d->sigma * d->sigma;
    const double kurtosis = std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3;
    return kurtosis * std::pow(variance(law), 2);
  }
  if (const auto* d = std::get_if<law::Pareto>(&law)) {
    const double a = d->shape;
    const double excess = 6 * (a * a * a + a * a - 6 * a - 2) / (a * (a - 3) * (a - 4));
    return (3 + excess) * std::pow(variance(law), 2);
  }
  return 0;
}

TEST(Distribution, ClosedFormMomentsMatchHandWorkedValues) {
  EXPECT_EQ(mean(law::Constant{0.25}), 0.25);
  EXPECT_EQ(variance(law::Constant{0.25}), 0.0);
  EXPECT_DOUBLE_EQ(variance(law::Exponential{2}), 4.0);
  EXPECT_DOUBLE_EQ(mean(law::ShiftedExponential{1, 2}), 3.0);
  EXPECT_DOUBLE_EQ(variance(law::ShiftedExponential{1, 2}), 4.0);
  EXPECT_DOUBLE_EQ(mean(law::Uniform{1, 3}), 2.0);
  EXPECT_DOUBLE_EQ(variance(law::Uniform{1, 3}), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(mean(law::LogNormal{0, 1}), std::exp(0.5));
  EXPECT_DOUBLE_EQ(variance(law::LogNormal{0, 1}), (std::exp(1.0) - 1) * std::exp(1.0));
  EXPECT_DOUBLE_EQ(mean(law::Gamma{2, 3}), 6.0);
  EXPECT_DOUBLE_EQ(variance(law::Gamma{2, 3}), 18.0);
  EXPECT_DOUBLE_EQ(mean(law::Pareto{1, 3}), 1.5);
  EXPECT_DOUBLE_EQ(variance(law::Pareto{1, 3}), 0.75);
  EXPECT_EQ(variance(law::Pareto{1, 2}), kInf);
  EXPECT_EQ(variance(law::Pareto{1, 1.5}), kInf);
}

// 10^6 draws per law: sample mean within 5 standard errors of the closed form, sample variance
// within 5 standard errors (from the fourth moment), and no draw below the law's support.
TEST(Distribution, SampleMeanAndVarianceMatchClosedForms) {
  const std::vector<std::pair<Distribution, double>> laws = {
      // law, lower end of its support
      {law::Exponential{0.5}, 0.0},
      {law::ShiftedExponential{0.2, 1.5}, 0.2},
      {law::Uniform{0.5, 2.0}, 0.5},
      {law::LogNormal{-0.3, 0.5}, 0.0},
      {law::Gamma{2.5, 0.4}, 0.0},
      {law::Gamma{1.0, 2.0}, 0.0},
      {law::Gamma{0.3, 1.0}, 0.0},
      {law::Pareto{0.5, 5.5}, 0.5},
      {lognormal_from_mean_cv(2.0, 0.3), 0.0},
  };
  constexpr int n = 1'000'000;
  std::uint64_t seed = 100;
  for (const auto& [law, support_low] : laws) {
    const Moments m = sample_moments(law, ++seed, n);
    const double var = variance(law);
    EXPECT_NEAR(m.mean, mean(law), 5 * std::sqrt(var / n)) << describe(law);
    const double se_variance = std::sqrt((central_fourth_moment(law) - var * var) / n);
    EXPECT_NEAR(m.variance, var, 5 * se_variance) << describe(law);
    EXPECT_GE(m.min, support_low) << describe(law);
  }
}

TEST(Distribution, HeavyTailedParetoMeanMatches) {
  constexpr int n = 1'000'000;
  // shape 3: finite variance, infinite fourth moment: mean within 5 standard errors only.
  const Distribution finite_variance = law::Pareto{1.0, 3.0};
  EXPECT_NEAR(sample_moments(finite_variance, 7, n).mean, 1.5, 5 * std::sqrt(0.75 / n));
  // shape 1.5: infinite variance; the sample mean's error is of order n^(1/1.5 - 1) = 0.01
  // (generalised CLT, stable limit), so a 5% band is several typical errors wide.
  const Distribution infinite_variance = law::Pareto{1.0, 1.5};
  const Moments m = sample_moments(infinite_variance, 8, n);
  EXPECT_NEAR(m.mean, 3.0, 0.15);
  EXPECT_GE(m.min, 1.0);
}

TEST(Distribution, ConstantAndZeroSigmaLognormalAreDeterministic) {
  Rng rng(1);
  EXPECT_TRUE(is_deterministic(law::Constant{0.1}));
  EXPECT_EQ(sample(law::Constant{0.1}, rng), 0.1);
  EXPECT_TRUE(is_deterministic(law::LogNormal{0.5, 0.0}));
  EXPECT_DOUBLE_EQ(sample(law::LogNormal{0.5, 0.0}, rng), std::exp(0.5));
  EXPECT_FALSE(is_deterministic(law::Exponential{1}));
  EXPECT_FALSE(is_deterministic(law::Uniform{1, 1.5}));
  EXPECT_FALSE(is_deterministic(law::Pareto{1, 3}));
}

TEST(Distribution, LognormalFromMeanAndCvHasThatMeanAndCv) {
  const law::LogNormal d = lognormal_from_mean_cv(3.0, 0.5);
  EXPECT_NEAR(mean(d), 3.0, 1e-12);
  EXPECT_NEAR(std::sqrt(variance(d)) / mean(d), 0.5, 1e-12);
  EXPECT_THROW(lognormal_from_mean_cv(0.0, 0.5), std::invalid_argument);
  EXPECT_THROW(lognormal_from_mean_cv(1.0, -0.1), std::invalid_argument);
}

TEST(Distribution, DescribeNamesLawAndParameters) {
  EXPECT_EQ(describe(law::Exponential{0.5}), "exponential(mean=0.5)");
  EXPECT_EQ(describe(law::Pareto{1, 2.5}), "pareto(scale=1, shape=2.5)");
}

TEST(Distribution, EveryInvalidParameterIsRefusedWithAReason) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::pair<Distribution, std::string>> bad = {
      {law::Constant{-1}, "value >= 0"},
      {law::Constant{nan}, "value >= 0"},
      {law::Exponential{0}, "mean > 0"},
      {law::Exponential{kInf}, "mean > 0"},
      {law::ShiftedExponential{-0.1, 1}, "shift >= 0"},
      {law::ShiftedExponential{0.1, 0}, "mean > 0"},
      {law::Uniform{-1, 1}, "low >= 0"},
      {law::Uniform{2, 2}, "high > low"},
      {law::Uniform{2, 1}, "high > low"},
      {law::LogNormal{nan, 1}, "finite mu"},
      {law::LogNormal{0, -1}, "sigma >= 0"},
      {law::LogNormal{800, 1}, "overflows"},
      {law::Gamma{0, 1}, "shape > 0"},
      {law::Gamma{1, -2}, "scale > 0"},
      {law::Pareto{0, 3}, "scale > 0"},
      {law::Pareto{1, 1}, "shape > 1"},
      {law::Pareto{1, 0.5}, "shape > 1"},
  };
  for (const auto& [law, expected] : bad) {
    const auto reason = invalid_reason(law);
    ASSERT_TRUE(reason.has_value()) << describe(law);
    EXPECT_NE(reason->find(expected), std::string::npos) << *reason;
  }
  for (const Distribution& good :
       {Distribution{law::Constant{0}}, Distribution{law::Uniform{0, 1}},
        Distribution{law::LogNormal{-2, 0}}, Distribution{law::Pareto{1, 1.01}}})
    EXPECT_FALSE(invalid_reason(good).has_value()) << describe(good);
}

}  // namespace
}  // namespace dasgd
