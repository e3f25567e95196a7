// Tests of the graph properties (topologies/properties.hpp), mixing matrices (mixing.hpp), spectral
// gaps (spectral.hpp) and the `dasgd graph` summary (summary.hpp) against closed forms and
// hand-worked cases.
#include "topologies/generators.hpp"
#include "topologies/mixing.hpp"
#include "topologies/properties.hpp"
#include "topologies/spectral.hpp"
#include "topologies/summary.hpp"

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace dasgd {
namespace {

constexpr double pi = std::numbers::pi;

TEST(Diameter, MatchesClosedFormsOfDeterministicGraphs) {
  for (std::size_t n = 3; n <= 20; ++n) EXPECT_EQ(diameter(generate::ring(n)).value(), n / 2) << n;
  for (unsigned m = 1; m <= 8; ++m) EXPECT_EQ(diameter(generate::hypercube(m)).value(), m) << m;
  EXPECT_EQ(diameter(generate::star(9)).value(), 2u);
  EXPECT_EQ(diameter(generate::complete(9)).value(), 1u);
  EXPECT_EQ(diameter(generate::grid(4, 7)).value(), 3u + 6u);
  EXPECT_EQ(diameter(generate::torus(5, 8)).value(), 2u + 4u);
  EXPECT_EQ(diameter(generate::balanced_tree(2, 4)).value(), 8u);
  EXPECT_EQ(diameter(generate::hypercube(0)).value(), 0u);
  const Diameter d = diameter(generate::ring(10));
  EXPECT_TRUE(d.exact);
  EXPECT_EQ(d.method, DiameterMethod::all_sources_bfs);
}

TEST(Diameter, IfubAgreesWithBfsFromEveryNode) {
  DiameterOptions ifub;
  ifub.exhaustive_work_limit = 0;  // force iFUB
  ifub.max_bfs_runs = 100000;
  const Topology graphs[] = {generate::barabasi_albert(300, 2, 1), generate::watts_strogatz(300, 4, 0.05, 2),
                             generate::grid(9, 23), generate::balanced_tree(3, 4), generate::ring(41),
                             generate::random_regular(400, 3, 3)};
  for (const Topology& t : graphs) {
    const Diameter exact = diameter(t);
    const Diameter fast = diameter(t, ifub);
    EXPECT_EQ(fast.method, DiameterMethod::ifub);
    EXPECT_TRUE(fast.exact) << t.name();
    EXPECT_EQ(fast.value(), exact.value()) << t.name();
  }
}

TEST(Diameter, IfubOutOfBudgetReportsValidBounds) {
  DiameterOptions tight;
  tight.exhaustive_work_limit = 0;
  tight.max_bfs_runs = 8;
  const Topology t = generate::torus(30, 30);  // vertex-transitive: iFUB's worst case
  const Diameter d = diameter(t, tight);
  EXPECT_FALSE(d.exact);
  EXPECT_LE(d.lower_bound, 30u);
  EXPECT_GE(d.upper_bound, 30u);
  EXPECT_LE(d.bfs_runs, 8u);
}

TEST(Properties, HopDistancesOnAGridAreManhattanDistances) {
  const Topology t = generate::grid(3, 4);
  const auto d = hop_distances(t, 5);  // row 1, column 1
  for (NodeId v = 0; v < 12; ++v) {
    const int r = static_cast<int>(v / 4), c = static_cast<int>(v % 4);
    EXPECT_EQ(d[v], static_cast<std::uint32_t>(std::abs(r - 1) + std::abs(c - 1))) << v;
  }
  EXPECT_EQ(eccentricity(t, 0), 5u);
  EXPECT_THROW(hop_distances(t, 12), std::invalid_argument);
}

TEST(Properties, ComponentsOfAnEdgeListAreCountedAndLabelled) {
  const std::vector<Edge> edges = {{0, 1, {}}, {3, 4, {}}, {1, 2, {}}};  // {0,1,2}, {3,4}, {5}
  EXPECT_EQ(count_components(6, edges), 3u);
  EXPECT_EQ(component_labels(6, edges), (std::vector<std::uint32_t>{0, 0, 0, 1, 1, 2}));
  EXPECT_THROW(count_components(4, edges), std::invalid_argument);
}

// Dense copy of a sparse W.
Eigen::MatrixXd dense(const Topology& t, MixingRule rule) { return Eigen::MatrixXd(mixing_matrix(t, rule)); }

TEST(Mixing, MetropolisHastingsIsSymmetricDoublyStochasticOnIrregularGraphs) {
  const Topology t = generate::barabasi_albert(60, 2, 4);
  const Eigen::MatrixXd w = dense(t, MixingRule::metropolis_hastings);
  EXPECT_LT((w - w.transpose()).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LT((w.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-12);
  EXPECT_GE(w.minCoeff(), 0.0);
  EXPECT_EQ(mixing_matrix(t, MixingRule::metropolis_hastings).nonZeros(),
            static_cast<Eigen::Index>(t.num_nodes() + t.num_arcs()));
}

TEST(Mixing, UniformIsRowStochasticAndSymmetricOnlyWhenRegular) {
  const Eigen::MatrixXd star = dense(generate::star(5), MixingRule::uniform);
  EXPECT_LT((star.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-15);
  EXPECT_DOUBLE_EQ(star(0, 1), 1.0 / 5);  // hub: degree 4
  EXPECT_DOUBLE_EQ(star(1, 0), 1.0 / 2);  // leaf: degree 1
  const Eigen::MatrixXd ring = dense(generate::ring(6), MixingRule::uniform);
  EXPECT_LT((ring - ring.transpose()).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_DOUBLE_EQ(ring(2, 3), 1.0 / 3);
}

TEST(Mixing, HandWorkedPathOfThreeNodes) {
  // Degrees 1, 2, 1. MH: W_01 = W_12 = 1/3, W_00 = W_22 = 2/3, W_11 = 1/3; eigenvalues 1, 2/3, 0.
  const Topology path(3, {{0, 1, {}}, {1, 2, {}}}, "path");
  Eigen::MatrixXd expected(3, 3);
  expected << 2. / 3, 1. / 3, 0, 1. / 3, 1. / 3, 1. / 3, 0, 1. / 3, 2. / 3;
  EXPECT_LT((dense(path, MixingRule::metropolis_hastings) - expected).cwiseAbs().maxCoeff(), 1e-15);
  const SpectralGap g = spectral_gap(path, MixingRule::metropolis_hastings);
  EXPECT_NEAR(g.lambda_2, 2.0 / 3, 1e-14);
  EXPECT_NEAR(g.lambda_n, 0.0, 1e-14);
  EXPECT_NEAR(g.gap, 1.0 / 3, 1e-14);
  EXPECT_NEAR(g.p, 1.0 - 4.0 / 9, 1e-14);
}

TEST(SpectralGap, RingMatchesClosedForm) {
  for (std::size_t n : {3, 4, 5, 8, 17, 64, 100}) {
    const SpectralGap g = spectral_gap(generate::ring(n), MixingRule::uniform);
    const double expected = 1.0 - (1.0 + 2.0 * std::cos(2 * pi / static_cast<double>(n))) / 3.0;
    EXPECT_NEAR(g.gap, expected, 1e-12) << n;
    EXPECT_EQ(g.method, SpectralMethod::dense);
    EXPECT_TRUE(g.converged);
  }
}

// Above the dense limit a complete graph's W = J/n has one eigenvalue 0 of multiplicity n − 1:
// Lanczos breaks down at once, so the scalar check answers (W = J/n for both rules: 1/(1 + d) = 1/n).
TEST(SpectralGap, CompleteGraphAboveTheDenseLimitIsExactWithOneApplication) {
  SpectralOptions options;
  options.dense_limit = 10;
  for (const MixingRule rule : {MixingRule::uniform, MixingRule::metropolis_hastings}) {
    const SpectralGap g = spectral_gap(generate::complete(300), rule, options);
    EXPECT_EQ(g.method, SpectralMethod::scalar);
    EXPECT_TRUE(g.converged);
    EXPECT_NEAR(g.lambda_2, 0.0, 1e-12);
    EXPECT_NEAR(g.lambda_n, 0.0, 1e-12);
    EXPECT_NEAR(g.gap, 1.0, 1e-12);
  }
  // A ring is no multiple of I off the stationary vector: the check must not fire.
  EXPECT_NE(spectral_gap(generate::ring(300), MixingRule::uniform, options).method, SpectralMethod::scalar);
}

TEST(SpectralGap, CompleteGraphMixesInOneStep) {
  const SpectralGap g = spectral_gap(generate::complete(12), MixingRule::uniform);  // W = J/n
  EXPECT_NEAR(g.lambda_2, 0.0, 1e-13);
  EXPECT_NEAR(g.lambda_n, 0.0, 1e-13);
  EXPECT_NEAR(g.gap, 1.0, 1e-13);
  EXPECT_NEAR(g.p, 1.0, 1e-13);
}

TEST(SpectralGap, HypercubeMatchesTwoOverDimensionPlusOne) {
  for (unsigned m = 1; m <= 7; ++m) {
    EXPECT_NEAR(spectral_gap(generate::hypercube(m), MixingRule::uniform).gap, 2.0 / (m + 1), 1e-12) << m;
  }
}

TEST(SpectralGap, SquareTorusMatchesClosedForm) {
  for (std::size_t k = 3; k <= 12; ++k) {
    const double expected = 1.0 - (3.0 + 2.0 * std::cos(2 * pi / static_cast<double>(k))) / 5.0;
    EXPECT_NEAR(spectral_gap(generate::torus(k, k), MixingRule::uniform).gap, expected, 1e-12) << k;
  }
}

TEST(SpectralGap, UniformRuleOnIrregularGraphMatchesEigenvaluesOfW) {
  // W is not symmetric here; its eigenvalues (computed directly, non-symmetric solver) must equal
  // those of the symmetrised D^{1/2} W D^{-1/2} that spectral_gap uses.
  const Topology t = generate::barabasi_albert(40, 2, 9);
  const Eigen::EigenSolver<Eigen::MatrixXd> solver(dense(t, MixingRule::uniform), false);
  std::vector<double> values;
  for (const auto& v : solver.eigenvalues()) {
    EXPECT_LT(std::abs(v.imag()), 1e-10);
    values.push_back(v.real());
  }
  std::sort(values.begin(), values.end());
  const SpectralGap g = spectral_gap(t, MixingRule::uniform);
  EXPECT_NEAR(values.back(), 1.0, 1e-10);
  EXPECT_NEAR(g.lambda_2, values[values.size() - 2], 1e-10);
  EXPECT_NEAR(g.lambda_n, values.front(), 1e-10);
}

// Relative error, for eigenvalues that are known in closed form.
double relative(double value, double expected) { return std::abs(value - expected) / std::abs(expected); }

TEST(SpectralGap, ShiftInvertMatchesClosedFormOnA3000NodeTorus) {
  // 50 × 60 torus, uniform W = (A + I)/5: λ_2 = (3 + 2cos(2π/60))/5, λ_n = (1 − 2 − 2)/5.
  const SpectralGap g = spectral_gap(generate::torus(50, 60), MixingRule::uniform);
  EXPECT_EQ(g.method, SpectralMethod::shift_invert);
  EXPECT_TRUE(g.converged);
  EXPECT_NEAR(g.lambda_2, (3.0 + 2.0 * std::cos(2 * pi / 60)) / 5.0, 1e-12);
  EXPECT_NEAR(g.lambda_n, -0.6, 1e-12);
  EXPECT_NEAR(g.gap, 1.0 - (3.0 + 2.0 * std::cos(2 * pi / 60)) / 5.0, 1e-12);
  EXPECT_LT(g.residual, 1e-8);
}

TEST(SpectralGap, TenThousandNodeRingsMatchTheClosedFormForBothRules) {
  // Ring: W = (I + A)/3 for both rules (2-regular), eigenvalues (1 + 2cos(2πk/n))/3. The gap,
  // 1.3e-7 at n = 10^4, is far below what plain Krylov methods resolve in n steps.
  for (std::size_t n : {10000, 10001}) {
    const double x = static_cast<double>(n);
    const double lambda_2 = (1.0 + 2.0 * std::cos(2 * pi / x)) / 3.0;
    const double lambda_n = (1.0 + 2.0 * std::cos(2 * pi * std::floor(x / 2) / x)) / 3.0;
    for (const auto rule : {MixingRule::uniform, MixingRule::metropolis_hastings}) {
      const SpectralGap g = spectral_gap(generate::ring(n), rule);
      SCOPED_TRACE(std::to_string(n) + " " + to_string(rule));
      EXPECT_EQ(g.method, SpectralMethod::shift_invert);
      EXPECT_TRUE(g.converged);
      EXPECT_LT(relative(g.lambda_2, lambda_2), 1e-9);
      EXPECT_LT(relative(g.lambda_n, lambda_n), 1e-9);
      EXPECT_LT(relative(g.gap, 1.0 - lambda_2), 1e-6);  // the gap itself, to six digits
    }
  }
}

TEST(SpectralGap, LargeTorusAndHypercubeMatchTheirClosedForms) {
  // 100 × 100 torus, uniform: λ_2 = (3 + 2cos(2π/100))/5, λ_n = −3/5 (bipartite).
  const SpectralGap torus = spectral_gap(generate::torus(100, 100), MixingRule::uniform);
  EXPECT_TRUE(torus.converged);
  EXPECT_LT(relative(torus.lambda_2, (3.0 + 2.0 * std::cos(2 * pi / 100)) / 5.0), 1e-9);
  EXPECT_LT(relative(torus.lambda_n, -0.6), 1e-9);
  // Hypercube of dimension m, uniform: eigenvalues (1 + m − 2j)/(m + 1), so λ_2 = (m − 1)/(m + 1)
  // (m-fold) and λ_n = (1 − m)/(1 + m).
  for (unsigned m : {11u, 12u}) {
    const SpectralGap cube = spectral_gap(generate::hypercube(m), MixingRule::uniform);
    SCOPED_TRACE(m);
    EXPECT_TRUE(cube.converged);
    EXPECT_LT(relative(cube.lambda_2, (m - 1.0) / (m + 1.0)), 1e-9);
    EXPECT_LT(relative(cube.lambda_n, (1.0 - m) / (1.0 + m)), 1e-9);
  }
}

TEST(SpectralGap, BothIterativeModesMatchDenseOnIrregularAndRandomGraphs) {
  SpectralOptions shift_invert;
  shift_invert.dense_limit = 0;
  SpectralOptions lanczos = shift_invert;
  lanczos.factor_flops_limit = 0;  // never factorise
  for (const auto rule : {MixingRule::uniform, MixingRule::metropolis_hastings}) {
    for (const Topology& t : {generate::random_regular(900, 4, 5), generate::barabasi_albert(700, 2, 6)}) {
      const SpectralGap dense_result = spectral_gap(t, rule);
      for (const SpectralOptions& options : {shift_invert, lanczos}) {
        const SpectralGap iterative = spectral_gap(t, rule, options);
        SCOPED_TRACE(t.name() + " " + to_string(rule) + " " + to_string(iterative.method));
        EXPECT_EQ(iterative.method, options.factor_flops_limit > 0 ? SpectralMethod::shift_invert : SpectralMethod::lanczos);
        EXPECT_TRUE(iterative.converged);
        EXPECT_NEAR(iterative.lambda_2, dense_result.lambda_2, 1e-9);
        EXPECT_NEAR(iterative.lambda_n, dense_result.lambda_n, 1e-9);
        EXPECT_LT(iterative.residual, 1e-7);
      }
    }
  }
}

TEST(SpectralGap, LanczosSaysWhenItRanOutOfIterations) {
  SpectralOptions short_run;
  short_run.dense_limit = 0;
  short_run.factor_flops_limit = 0;  // plain Lanczos, which a ring's tiny gap defeats
  short_run.max_iterations = 5;
  const SpectralGap g = spectral_gap(generate::ring(500), MixingRule::uniform, short_run);
  EXPECT_EQ(g.method, SpectralMethod::lanczos);
  EXPECT_FALSE(g.converged);
  EXPECT_LE(g.iterations, 2u * 12u);  // both ends, a handful of products each
  EXPECT_TRUE(std::isnan(g.residual));
  // Ritz values are inner estimates: the true λ_2 is larger, so the gap is over-estimated.
  EXPECT_GT(g.gap, 1.0 - (1.0 + 2.0 * std::cos(2 * pi / 500)) / 3.0);
}

TEST(SpectralGap, SingleNodeHasFullGap) {
  const SpectralGap g = spectral_gap(generate::complete(1), MixingRule::metropolis_hastings);
  EXPECT_EQ(g.gap, 1.0);
  EXPECT_EQ(g.p, 1.0);
}

TEST(Summary, DescribesSizeDegreesDiameterAndBothGaps) {
  const std::string text = describe_topology(generate::ring(16));
  EXPECT_NE(text.find("topology: ring(n=16)"), std::string::npos) << text;
  EXPECT_NE(text.find("nodes: 16\n"), std::string::npos) << text;
  EXPECT_NE(text.find("edges: 16\n"), std::string::npos) << text;
  EXPECT_NE(text.find("degree: min 2, max 2, mean 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("diameter: 8  (exact"), std::string::npos) << text;
  EXPECT_NE(text.find("spectral gap, uniform W: 0.050747 "), std::string::npos) << text;  // 1 − (1 + 2cos(π/8))/3
  EXPECT_NE(text.find("spectral gap, Metropolis-Hastings W: 0.050747 "), std::string::npos) << text;
}

}  // namespace
}  // namespace dasgd
