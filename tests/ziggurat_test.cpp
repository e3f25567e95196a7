// Tests for the ziggurat normal sampler (sim/random/ziggurat.hpp) against the standard normal's known
// numbers: the layer tables (equal areas, the density's values), moments over 10^6 draws (mean
// within 5 standard errors, variance, third and fourth moments), the Kolmogorov–Smirnov distance to
// Φ, the mass beyond the base layer's edge R (where the tail sampler takes over), and a
// Box–Muller cross-check of a central interval's probability.
#include "sim/random/ziggurat.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace dasgd {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(Ziggurat, LayersHaveEqualAreaAndFollowTheDensity) {
  using namespace ziggurat_detail;
  const Tables& t = kTables;
  EXPECT_DOUBLE_EQ(t.x[1], kR);
  EXPECT_EQ(t.x[kLayers], 0.0);
  // Base strip: rectangle x[0] × f(R) has the common area; the density there is f(R).
  EXPECT_NEAR(t.x[0] * std::exp(-0.5 * kR * kR), kArea, 1e-15);
  for (int i = 1; i < kLayers; ++i) {
    ASSERT_LT(t.x[i + 1], t.x[i]) << i;
    EXPECT_NEAR(t.f[i], std::exp(-0.5 * t.x[i] * t.x[i]), 1e-15);
    // Layer i: rectangle of width x[i] between heights f(x[i]) and f(x[i + 1]).
    EXPECT_NEAR(t.x[i] * (t.f[i + 1] - t.f[i]), kArea, 1e-9 * kArea) << i;
  }
  // The base strip's area equals the tail's area beyond R plus R·f(R):
  // ∫_R^∞ f = sqrt(2π)(1 − Φ(R)).
  const double tail = std::sqrt(2.0 * M_PI) * (1.0 - normal_cdf(kR));
  EXPECT_NEAR(kR * std::exp(-0.5 * kR * kR) + tail, kArea, 1e-11);
}

TEST(Ziggurat, MomentsMatchTheStandardNormal) {
  Rng rng(20260405);
  const int n = 1'000'000;
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = ziggurat_normal(rng);
    s1 += z;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
  }
  const double mean = s1 / n, m2 = s2 / n, m3 = s3 / n, m4 = s4 / n;
  const double se = 1.0 / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(mean, 0.0, 5 * se);
  EXPECT_NEAR(m2, 1.0, 5 * std::sqrt(2.0) * se);    // Var(z²) = 2
  EXPECT_NEAR(m3, 0.0, 5 * std::sqrt(15.0) * se);   // Var(z³) = 15
  EXPECT_NEAR(m4, 3.0, 5 * std::sqrt(96.0) * se);   // Var(z⁴) = 105 − 9
}

TEST(Ziggurat, KolmogorovSmirnovDistanceToPhiIsSmall) {
  Rng rng(7);
  const int n = 200'000;
  std::vector<double> z(n);
  for (double& v : z) v = ziggurat_normal(rng);
  std::sort(z.begin(), z.end());
  double d = 0;
  for (int i = 0; i < n; ++i) {
    const double f = normal_cdf(z[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  // P(sqrt(n) D > 1.95) ≈ 0.001 (Kolmogorov distribution).
  EXPECT_LT(std::sqrt(static_cast<double>(n)) * d, 1.95);
}

TEST(Ziggurat, TailBeyondTheBaseLayerHasTheNormalMass) {
  Rng rng(99);
  const int n = 4'000'000;
  int beyond = 0, beyond4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = std::fabs(ziggurat_normal(rng));
    beyond += z > ziggurat_detail::kR;
    beyond4 += z > 4.0;
  }
  const double p = 2.0 * (1.0 - normal_cdf(ziggurat_detail::kR));  // ≈ 2.58e-4
  EXPECT_NEAR(beyond, n * p, 5 * std::sqrt(n * p));
  const double p4 = 2.0 * (1.0 - normal_cdf(4.0));  // ≈ 6.33e-5
  EXPECT_NEAR(beyond4, n * p4, 5 * std::sqrt(n * p4));
}

TEST(Ziggurat, CentralIntervalAgreesWithBoxMuller) {
  Rng a(3), b(4);
  const int n = 1'000'000;
  int in_a = 0, in_b = 0;
  for (int i = 0; i < n; ++i) {
    in_a += std::fabs(ziggurat_normal(a)) < 1.0;
    in_b += std::fabs(b.normal()) < 1.0;
  }
  const double p = normal_cdf(1.0) - normal_cdf(-1.0);
  const double sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(in_a, n * p, 5 * sd);
  EXPECT_NEAR(in_b, n * p, 5 * sd);
}

// The register-held loop of the noise draws gives, bit for bit, the normals of repeated
// ziggurat_normal calls, slow paths included (1.2 % of draws: about 1200 wedge or tail draws here),
// and leaves the generator where those calls leave it.
TEST(Ziggurat, ForEachNormalGivesTheDrawsAndFinalStateOfRepeatedCalls) {
  constexpr std::int64_t kDraws = 100000;
  Rng reference(42);
  std::vector<double> expected(kDraws);
  for (double& z : expected) z = ziggurat_normal(reference);
  Rng rng(42);
  std::vector<double> got(kDraws);
  for_each_normal(rng, kDraws, [&](std::int64_t j, double z) { got[static_cast<std::size_t>(j)] = z; });
  EXPECT_EQ(got, expected);
  EXPECT_EQ(rng(), reference());
  const auto slow = std::count_if(expected.begin(), expected.end(),
                                  [](double z) { return std::fabs(z) > ziggurat_detail::kR; });
  EXPECT_GT(slow, 0);  // the tail (a slow path) was exercised
}

}  // namespace
}  // namespace dasgd
