// D-PSGD (Lian et al. 2017) against hand loops and closed forms: one node is plain SGD, both
// variants follow X ← XW − ηG / (X − ηG)W, iterates do not depend on delay draws, with η = 0 the
// disagreement contracts by λ = max(|λ_2|, |λ_n|) per round, gradient sets spread one hop per round,
// and uniform mixing on an irregular graph is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sim/algorithms/dpsgd.hpp"
#include "sim/config/algorithm_config.hpp"
#include "tests/test_world.hpp"

namespace dasgd {
namespace {

using testing::compute_law;
using testing::cosine_objective;
using testing::link_law;
using testing::make_recorder;
using testing::make_world;

using testing::run_rounds;

DpsgdParams params(double eta, MixingRule mixing, DpsgdVariant variant) {
  DpsgdParams p;
  p.eta = eta;
  p.mixing = mixing;
  p.variant = variant;
  p.overlap = variant == DpsgdVariant::combine_then_adapt;
  return p;
}

class DpsgdVariants : public ::testing::TestWithParam<DpsgdVariant> {};

TEST_P(DpsgdVariants, OneNodeIsPlainSgd) {
  const double eta = 0.05;
  auto w = make_world(generate::complete(1), cosine_objective(6, 0.3), compute_law(law::Exponential{1.0}),
                      link_law(law::Constant{0.1}));
  Dpsgd algorithm(w->world, params(eta, MixingRule::uniform, GetParam()), nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, 40);
  const Vector x = testing::plain_sgd(*w, eta, 40);
  for (Eigen::Index j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(algorithm.model(0)(j), x(j));
}

// Hand loop with the dense W from mixing_matrix: X ← XW − ηG(X) or X ← (X − ηG(X))W (W symmetric,
// column i of X is x_i, so column i of XW is Σ_j W_ji x_j = Σ_j W_ij x_j).
TEST_P(DpsgdVariants, FollowsTheMatrixFormOfTheUpdate) {
  const double eta = 0.1;
  const int rounds = 15;
  auto w = make_world(generate::star(5), cosine_objective(4, 0.4), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.3}));
  Dpsgd algorithm(w->world, params(eta, MixingRule::metropolis_hastings, GetParam()), nullptr);
  Simulator simulator;
  run_rounds(algorithm, simulator, rounds);

  const Eigen::MatrixXd W = Eigen::MatrixXd(mixing_matrix(w->topology, MixingRule::metropolis_hastings));
  Eigen::MatrixXd X(4, 5), G(4, 5);
  X.colwise() = w->objective->initial_point();
  std::vector<Rng> noise;
  for (NodeId i = 0; i < 5; ++i) noise.push_back(w->world.streams.stream(Stream::gradient_noise, i));
  for (int r = 0; r < rounds; ++r) {
    for (NodeId i = 0; i < 5; ++i) w->objective->stochastic_gradient(i, X.col(i), noise[i], G.col(i));
    if (GetParam() == DpsgdVariant::combine_then_adapt) X = (X * W - eta * G).eval();
    else X = ((X - eta * G) * W).eval();
  }
  for (NodeId i = 0; i < 5; ++i) EXPECT_LT((algorithm.model(i) - X.col(i)).norm(), 1e-12);
}

TEST_P(DpsgdVariants, IteratesDoNotDependOnTheDelayDraws) {
  auto fast = make_world(generate::grid(3, 3), cosine_objective(4, 0.5), compute_law(law::Exponential{1.0}),
                         link_law(law::Constant{0.01}), 5);
  auto slow = make_world(generate::grid(3, 3), cosine_objective(4, 0.5), compute_law(law::Uniform{0.5, 4.0}),
                         link_law(law::Exponential{1.5}), 5);
  Dpsgd a(fast->world, params(0.1, MixingRule::metropolis_hastings, GetParam()), nullptr);
  Dpsgd b(slow->world, params(0.1, MixingRule::metropolis_hastings, GetParam()), nullptr);
  Simulator sa, sb;
  run_rounds(a, sa, 20);
  run_rounds(b, sb, 20);
  EXPECT_NE(sa.now(), sb.now());
  for (NodeId i = 0; i < 9; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) EXPECT_EQ(a.model(i)(j), b.model(i)(j));
}

// Ring of 8: node i's gradient of round r reads x_i^r, whose set holds gradient (j, s) iff
// dist(i, j) <= r − 1 − s (combine-then-adapt: own gradient at the barrier, one more hop per round)
// or <= r − s (adapt-then-combine: the sent model already holds the sender's new gradient). With
// equal compute times the round's gradients complete in node order, t = 8r + i, so
//   S_t = 8r + i − Σ_{q ∈ Q} min(2q + 1, 8),  Q = {0..r−1} (CTA) or {1..r} (ATC).
TEST_P(DpsgdVariants, GradientSetsSpreadOneHopPerRound) {
  const std::size_t n = 8;
  auto w = make_world(generate::ring(n), cosine_objective(3, 0.1), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.25}));
  auto recorder = make_recorder(*w, 0.05);
  Dpsgd algorithm(w->world, params(0.05, MixingRule::uniform, GetParam()), recorder.get());
  Simulator simulator;
  run_rounds(algorithm, simulator, 7);
  const bool cta = GetParam() == DpsgdVariant::combine_then_adapt;
  ASSERT_EQ(recorder->log().size(), 7 * n);
  for (const GradientLogRow& row : recorder->log()) {
    const std::uint64_t r = row.t / n, i = row.t % n;
    EXPECT_EQ(row.node, i);
    std::uint64_t held = 0;
    for (std::uint64_t q = cta ? 0 : 1; q < (cta ? r : r + 1); ++q) held += std::min<std::uint64_t>(2 * q + 1, n);
    EXPECT_EQ(row.s, n * r + i - held) << "t = " << row.t;
  }
  EXPECT_EQ(algorithm.traffic().messages, cta ? 8u * 16u : 7u * 16u);  // CTA sent round 8's already
  // Draining the round in flight merges every model sent: no snapshot is left open.
  algorithm.stop_computing();
  simulator.run(algorithm);
  EXPECT_EQ(algorithm.rounds_completed(), 8u);
  EXPECT_EQ(recorder->open_model_snapshots(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Dpsgd, DpsgdVariants,
                         ::testing::Values(DpsgdVariant::combine_then_adapt, DpsgdVariant::adapt_then_combine),
                         [](const ::testing::TestParamInfo<DpsgdVariant>& param_info) { return to_string(param_info.param); });

// With η = 0, X^{r+1} = X^r W. Starting from x_i = x_0 + v_i u, with v an eigenvector of W for the
// eigenvalue λ of largest modulus below 1, the disagreement ‖X − X̄‖ is multiplied by |λ| exactly.
double disagreement(const Dpsgd& algorithm) {
  const std::size_t n = algorithm.num_nodes();
  Vector mean = Vector::Zero(algorithm.model(0).size());
  for (NodeId i = 0; i < n; ++i) mean += algorithm.model(i);
  mean /= static_cast<double>(n);
  double sum = 0;
  for (NodeId i = 0; i < n; ++i) sum += (algorithm.model(i) - mean).squaredNorm();
  return std::sqrt(sum);
}

std::vector<double> contraction_ratios(const testing::TestWorld& w, MixingRule mixing,
                                       const Eigen::MatrixXd& start, int rounds) {
  DpsgdParams p = params(0.0, mixing, DpsgdVariant::combine_then_adapt);
  p.initial_models = start;
  Dpsgd algorithm(w.world, p, nullptr);
  Simulator simulator;
  algorithm.start(simulator);
  std::vector<double> ratios;
  double before = disagreement(algorithm);
  for (int r = 1; r <= rounds; ++r) {
    simulator.run_while(algorithm, [&] { return algorithm.rounds_completed() < static_cast<std::uint64_t>(r); });
    const double after = disagreement(algorithm);
    ratios.push_back(after / before);
    before = after;
  }
  return ratios;
}

Eigen::MatrixXd start_along(const testing::TestWorld& w, const std::vector<double>& v) {
  const Vector x0 = w.objective->initial_point();
  Eigen::MatrixXd start(x0.size(), static_cast<Eigen::Index>(v.size()));
  Vector u = Vector::LinSpaced(x0.size(), 1.0, 2.0);
  for (std::size_t i = 0; i < v.size(); ++i) start.col(static_cast<Eigen::Index>(i)) = x0 + v[i] * u;
  return start;
}

// Ring of 8, uniform W (1/3 on self and both neighbours): eigenvalues (1 + 2cos(2πk/8))/3, the
// largest below 1 is λ = (1 + √2)/3 with eigenvector cos(2πi/8).
TEST(Dpsgd, ZeroStepContractsRingDisagreementByLambdaEachRound) {
  auto w = make_world(generate::ring(8), cosine_objective(3, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.1}));
  const double lambda = (1.0 + std::sqrt(2.0)) / 3.0;
  std::vector<double> v(8);
  for (std::size_t i = 0; i < 8; ++i) v[i] = std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / 8.0);
  for (const double ratio : contraction_ratios(*w, MixingRule::uniform, start_along(*w, v), 10))
    EXPECT_NEAR(ratio, lambda, 1e-12);
  Dpsgd algorithm(w->world, params(0.1, MixingRule::uniform, DpsgdVariant::combine_then_adapt), nullptr);
  EXPECT_NEAR(algorithm.spectral().second_modulus, lambda, 1e-12);
  EXPECT_NEAR(algorithm.spectral().p, 1.0 - lambda * lambda, 1e-12);
}

// Star of n with Metropolis–Hastings: W_0l = 1/n, W_ll = 1 − 1/n, W_00 = 1/n. A difference between
// two leaves (+1, −1) is an eigenvector with eigenvalue 1 − 1/n, the largest below 1 (the other one
// is 0): the disagreement shrinks by exactly 1 − 1/n per round.
TEST(Dpsgd, ZeroStepContractsStarLeafDisagreementByOneMinusOneOverN) {
  const std::size_t n = 6;
  auto w = make_world(generate::star(n), cosine_objective(3, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.1}));
  std::vector<double> v(n, 0.0);
  v[2] = 1.0;
  v[4] = -1.0;
  for (const double ratio : contraction_ratios(*w, MixingRule::metropolis_hastings, start_along(*w, v), 10))
    EXPECT_NEAR(ratio, 1.0 - 1.0 / n, 1e-12);
}

// From a generic start the ratio tends to λ (the other modes die out faster).
TEST(Dpsgd, ZeroStepContractionFromAGenericStartTendsToLambda) {
  auto w = make_world(generate::grid(3, 4), cosine_objective(2, 0.5), compute_law(law::Exponential{1.0}),
                      link_law(law::Exponential{0.1}));
  Rng rng(12345);
  std::vector<double> v(12);
  for (double& value : v) value = rng.normal();
  const std::vector<double> ratios = contraction_ratios(*w, MixingRule::metropolis_hastings, start_along(*w, v), 80);
  // λ = 0.86358..., next modulus 0.77625...: after 80 rounds the ratio is within (0.899)^80 of λ.
  const double lambda = spectral_gap(w->topology, MixingRule::metropolis_hastings).second_modulus;
  for (const double ratio : ratios) EXPECT_LE(ratio, lambda + 1e-9);
  EXPECT_NEAR(ratios.back(), lambda, 1e-3);
  EXPECT_GT(std::abs(ratios.front() - lambda), 1e-3);  // it does start away from λ
}

// Compute 1, latency 0.5 on a ring: with overlap the models travel while the gradient is computed
// (round 1); without it, and for adapt-then-combine, they leave after it (round 1.5).
TEST(Dpsgd, RoundTimeOverlapsCommunicationOnlyWhenTheUpdateAllows) {
  auto round_time = [](DpsgdVariant variant, bool overlap) {
    auto w = make_world(generate::ring(5), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                        link_law(law::Constant{0.5}));
    DpsgdParams p = params(0.1, MixingRule::uniform, variant);
    p.overlap = overlap;
    Dpsgd algorithm(w->world, p, nullptr);
    Simulator simulator;
    run_rounds(algorithm, simulator, 3);
    return algorithm.mean_round_time();
  };
  EXPECT_DOUBLE_EQ(round_time(DpsgdVariant::combine_then_adapt, true), 1.0);
  EXPECT_DOUBLE_EQ(round_time(DpsgdVariant::combine_then_adapt, false), 1.5);
  EXPECT_DOUBLE_EQ(round_time(DpsgdVariant::adapt_then_combine, false), 1.5);
}

TEST(Dpsgd, UniformMixingOnAnIrregularGraphIsRefused) {
  auto w = make_world(generate::star(5), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}));
  try {
    Dpsgd algorithm(w->world, params(0.1, MixingRule::uniform, DpsgdVariant::combine_then_adapt), nullptr);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("/graph/kind"), std::string::npos) << message;
    EXPECT_NE(message.find("metropolis_hastings"), std::string::npos) << message;
    EXPECT_NE(message.find("1..4"), std::string::npos) << message;
  }
}

TEST(DpsgdConfig, AdaptThenCombineWithOverlapIsAConfigError) {
  nlohmann::json section = {{"name", "dpsgd"}, {"eta", 0.1}, {"variant", "adapt_then_combine"}, {"overlap", true}};
  JsonReader reader(section, "/algorithm");
  try {
    parse_algorithm(reader);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.path(), "/algorithm/overlap");
  }
}

TEST(DpsgdConfig, DefaultsAreMetropolisHastingsCombineThenAdaptWithOverlap) {
  nlohmann::json section = {{"name", "dpsgd"}, {"eta", 0.1}};
  JsonReader reader(section, "/algorithm");
  const AlgorithmSpec spec = parse_algorithm(reader);
  EXPECT_EQ(spec.name, "dpsgd");
  EXPECT_DOUBLE_EQ(spec.eta, 0.1);
  EXPECT_EQ(section["mixing"], "metropolis_hastings");
  EXPECT_EQ(section["variant"], "combine_then_adapt");
  EXPECT_EQ(section["overlap"], true);
  // Uniform W works on a star only as an error naming the graph.
  auto w = make_world(generate::star(4), cosine_objective(2, 0.0), compute_law(law::Constant{1.0}),
                      link_law(law::Constant{0.5}));
  EXPECT_NO_THROW(spec.build(w->world, nullptr));
}

}  // namespace
}  // namespace dasgd
