// Tests of the objectives layer: every constant an objective states (L, Q, σ², f*, ζ²) is checked
// against an independent number (finite differences, a dense eigensolver, closed forms, Monte
// Carlo, the spec's one-node SGD stationary variance), plus config parsing and bad input.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "objectives/objective_factory.hpp"
#include "objectives/power_iteration.hpp"
#include "objectives/quadratic.hpp"
#include "sim/config/objective_config.hpp"

namespace dasgd {
namespace {

constexpr std::uint64_t kSeed = 20240611;

Vector random_point(Rng& rng, Eigen::Index d, double scale) {
  Vector x(d);
  for (Eigen::Index j = 0; j < d; ++j) x[j] = scale * rng.normal();
  return x;
}

ObjectiveSpec cosine_spec(double mu) {
  ObjectiveSpec spec;
  spec.kind = "separable_cosine";
  spec.dimension = 12;
  spec.separable_cosine = {.amplitude = 3.0, .amplitude_min = 1.0, .mu = mu, .initial_value = 2.5};
  return spec;
}
ObjectiveSpec quadratic_spec() {
  ObjectiveSpec spec;
  spec.kind = "quadratic";
  spec.dimension = 16;
  spec.quadratic = {.min_eigenvalue = 0.1, .max_eigenvalue = 5.0, .spectrum = Spectrum::log,
                    .reflections = 3, .minimiser_scale = 1.0, .minimiser_values = {}, .minimiser_law = {}};
  return spec;
}
ObjectiveSpec finite_sum_spec(const std::string& kind) {
  ObjectiveSpec spec;
  spec.kind = kind;
  spec.dimension = kind == "two_layer_network" ? 24 : 10;  // network: h = 8, p = 3
  spec.samples = 300;
  spec.nonconvex_logistic.lambda = 0.2;
  return spec;
}
std::vector<ObjectiveSpec> all_specs() {
  return {cosine_spec(0.5), cosine_spec(0.0), quadratic_spec(),
          finite_sum_spec("nonconvex_logistic"), finite_sum_spec("two_layer_network"),
          finite_sum_spec("welsch_regression")};
}

// Where each objective's curvature peaks (see the headers): there the stated L is (nearly) attained.
Vector peak_curvature_point(const Objective& objective) {
  if (const auto* welsch = dynamic_cast<const WelschRegression*>(&objective))
    return welsch->ground_truth();
  return Vector::Zero(objective.dimension());
}

// ‖∇f(x + εu) − ∇f(x − εu)‖ / (2ε) maximised over u by power iteration on the Hessian, with
// Hessian-vector products from gradient differences: a lower estimate of ‖∇²f(x)‖.
double attained_curvature(const Objective& objective, const Vector& x) {
  const Eigen::Index d = objective.dimension();
  Rng rng(7);
  Vector u = random_point(rng, d, 1.0).normalized();
  Vector plus(d), minus(d);
  const double epsilon = 1e-5;
  double best = 0;
  for (int k = 0; k < 300; ++k) {
    objective.gradient(x + epsilon * u, plus);
    objective.gradient(x - epsilon * u, minus);
    const Vector image = (plus - minus) / (2 * epsilon);
    best = std::max(best, image.norm());
    if (image.norm() == 0) break;
    u = image.normalized();
  }
  return best;
}

TEST(Objectives, GradientsMatchCentralFiniteDifferences) {
  for (const ObjectiveSpec& spec : all_specs()) {
    const auto objective = make_objective(spec, 1, kSeed);
    const Eigen::Index d = objective->dimension();
    Rng rng(11);
    Vector g(d);
    for (int trial = 0; trial < 5; ++trial) {
      Vector x = random_point(rng, d, 1.5);
      objective->gradient(x, g);
      for (Eigen::Index j = 0; j < d; ++j) {
        const double h = 1e-5;
        Vector xp = x, xm = x;
        xp[j] += h;
        xm[j] -= h;
        const double fd = (objective->value(xp) - objective->value(xm)) / (2 * h);
        EXPECT_NEAR(g[j], fd, 1e-6 * (1 + std::abs(fd))) << spec.kind << " coordinate " << j;
      }
    }
  }
}

TEST(Objectives, GradientIsLipschitzWithTheStatedSmoothness) {
  for (const ObjectiveSpec& spec : all_specs()) {
    const auto objective = make_objective(spec, 1, kSeed);
    const double L = objective->constants().smoothness_L;
    const Eigen::Index d = objective->dimension();
    Rng rng(13);
    Vector gx(d), gy(d);
    for (double scale : {1e-3, 0.3, 1.0, 5.0}) {
      for (int pair = 0; pair < 200; ++pair) {
        const Vector x = random_point(rng, d, 2.0);
        const Vector y = x + random_point(rng, d, scale);
        objective->gradient(x, gx);
        objective->gradient(y, gy);
        EXPECT_LE((gx - gy).norm(), L * (x - y).norm() * (1 + 1e-9)) << spec.kind;
      }
    }
    // Near the peak curvature the ratio must come close to L, so L is not wildly loose.
    const double attained = attained_curvature(*objective, peak_curvature_point(*objective));
    EXPECT_LE(attained, L * (1 + 1e-6)) << spec.kind;
    EXPECT_GE(attained, 0.5 * L) << spec.kind;
    // Where the header says L is attained exactly, it is.
    if (spec.kind == "separable_cosine" || spec.kind == "quadratic" ||
        spec.kind == "nonconvex_logistic") {
      EXPECT_NEAR(attained, L, 1e-4 * L) << spec.kind;
    }
    // Network: at W = 0 the Hessian is ¼ vvᵀ ⊗ G, so attained / L = 1 / (1 + 4 c₂ / (β √h)).
    if (spec.kind == "two_layer_network") {
      const double c2 = 4 / (3 * std::sqrt(3.0));
      const double beta = spec.two_layer_network.output_scale;
      const auto h = static_cast<double>(spec.two_layer_network.hidden);
      EXPECT_NEAR(attained / L, 1 / (1 + 4 * c2 / (beta * std::sqrt(h))), 1e-4);
    }
  }
}

TEST(Objectives, GradientNeverExceedsTheStatedBoundQ) {
  int bounded = 0;
  for (const ObjectiveSpec& spec : all_specs()) {
    const auto objective = make_objective(spec, 1, kSeed);
    const auto Q = objective->constants().gradient_bound_Q;
    if (!Q) continue;
    ++bounded;
    const Eigen::Index d = objective->dimension();
    Rng rng(17);
    Vector g(d);
    for (double scale : {0.1, 1.0, 10.0, 1e3}) {
      for (int trial = 0; trial < 200; ++trial) {
        objective->gradient(random_point(rng, d, scale), g);
        EXPECT_LE(g.norm(), *Q * (1 + 1e-12)) << spec.kind << " at scale " << scale;
      }
    }
  }
  EXPECT_EQ(bounded, 4);  // cosine with μ = 0, logistic, network, Welsch
  EXPECT_FALSE(make_objective(quadratic_spec(), 1, kSeed)->constants().gradient_bound_Q);
  EXPECT_FALSE(make_objective(cosine_spec(0.5), 1, kSeed)->constants().gradient_bound_Q);
}

TEST(SeparableCosine, BoundQIsAttainedAtHalfPi) {
  const auto objective = make_objective(cosine_spec(0.0), 1, kSeed);
  Vector g(objective->dimension());
  objective->gradient(Vector::Constant(objective->dimension(), std::numbers::pi / 2), g);
  EXPECT_NEAR(g.norm(), *objective->constants().gradient_bound_Q, 1e-12);
}

TEST(SeparableCosine, MinimumIsZeroAtTheOrigin) {
  const auto objective = make_objective(cosine_spec(0.5), 1, kSeed);
  const Eigen::Index d = objective->dimension();
  EXPECT_EQ(*objective->constants().f_star, 0.0);
  EXPECT_EQ(objective->value(Vector::Zero(d)), 0.0);
  Vector g(d);
  objective->gradient(Vector::Zero(d), g);
  EXPECT_EQ(g.norm(), 0.0);
  Rng rng(19);
  for (int trial = 0; trial < 1000; ++trial)
    EXPECT_GT(objective->value(random_point(rng, d, 3.0)), 0.0);
  // Non-convex: with a_j > μ the curvature μ + a_j cos x_j is negative at x_j = π.
  objective->gradient(Vector::Constant(d, std::numbers::pi - 1e-3), g);
  Vector g2(d);
  objective->gradient(Vector::Constant(d, std::numbers::pi + 1e-3), g2);
  EXPECT_LT(g2[d - 1] - g[d - 1], 0.0);  // ∂²f/∂x² = μ − a_max < 0 near π
}

TEST(Quadratic, MinimiserAndMinimumMatchClosedForm) {
  ObjectiveSpec spec = quadratic_spec();
  const auto objective = make_objective(spec, 1, kSeed);
  const auto& quadratic = dynamic_cast<const Quadratic&>(*objective);
  const Vector& x_star = quadratic.minimiser();
  const Eigen::Index d = x_star.size();
  Vector g(d);
  objective->gradient(x_star, g);
  EXPECT_LT(g.norm(), 1e-12);
  EXPECT_NEAR(objective->value(x_star), *objective->constants().f_star, 1e-12);
  Rng rng(23);
  for (int trial = 0; trial < 200; ++trial) {
    // f(x* + δ) − f* = ½ δᵀHδ ∈ [μ/2 ‖δ‖², L/2 ‖δ‖²].
    const Vector delta = random_point(rng, d, 1.0);
    const double excess = objective->value(x_star + delta) - *objective->constants().f_star;
    EXPECT_GE(excess, 0.5 * 0.1 * delta.squaredNorm() * (1 - 1e-9));
    EXPECT_LE(excess, 0.5 * 5.0 * delta.squaredNorm() * (1 + 1e-9));
  }
}

// The config's "minimiser" (a number, a list, a law) is the point where ∇f = Hx − b vanishes and
// f takes its stated minimum f* = −½ x*ᵀHx*: checked against the set values, with H rotated.
TEST(Quadratic, ASetMinimiserIsWhereTheGradientVanishesAndFIsMinimal) {
  std::vector<double> values(16);
  for (std::size_t j = 0; j < values.size(); ++j) values[j] = 0.25 * static_cast<double>(j) - 1.5;
  for (const std::string& given : {std::string("2.5"), nlohmann::json(values).dump(),
                                   std::string(R"({"law": "uniform", "low": 3, "high": 4})")}) {
    nlohmann::json document = nlohmann::json::parse(R"({"kind": "quadratic", "dimension": 16, "min_eigenvalue": 0.1,
        "max_eigenvalue": 5, "reflections": 3, "minimiser": )" + given + "}");
    JsonReader reader(document, "/objective");
    const auto objective = make_objective(parse_objective(reader), 1, kSeed);
    const Vector& x_star = dynamic_cast<const Quadratic&>(*objective).minimiser();
    if (given == "2.5") EXPECT_EQ(x_star, Vector::Constant(16, 2.5));
    else if (given[0] == '[') EXPECT_EQ(x_star, Eigen::Map<const Vector>(values.data(), 16));
    else EXPECT_TRUE((x_star.array() >= 3).all() && (x_star.array() < 4).all()) << x_star.transpose();
    Vector g(16);
    objective->gradient(x_star, g);
    EXPECT_LT(g.norm(), 1e-12 * (1 + x_star.norm())) << given;
    const Quadratic& q = dynamic_cast<const Quadratic&>(*objective);
    Vector hx(16);
    q.apply_hessian(x_star, hx);
    EXPECT_NEAR(*objective->constants().f_star, -0.5 * x_star.dot(hx), 1e-12 * x_star.squaredNorm()) << given;
    EXPECT_NEAR(objective->value(x_star), *objective->constants().f_star, 1e-12 * x_star.squaredNorm()) << given;
    Rng rng(5);
    for (int trial = 0; trial < 50; ++trial)
      EXPECT_GT(objective->value(x_star + random_point(rng, 16, 0.1)), *objective->constants().f_star) << given;
  }
}

TEST(Quadratic, HessianHasTheChosenSpectrumAfterRotation) {
  for (Spectrum spectrum : {Spectrum::log, Spectrum::linear}) {
    ObjectiveSpec spec = quadratic_spec();
    spec.quadratic.spectrum = spectrum;
    const auto objective = make_objective(spec, 1, kSeed);
    const auto& quadratic = dynamic_cast<const Quadratic&>(*objective);
    const Eigen::Index d = objective->dimension();
    Eigen::MatrixXd hessian(d, d);
    Vector column(d);
    for (Eigen::Index j = 0; j < d; ++j) {
      quadratic.apply_hessian(Vector::Unit(d, j), column);
      hessian.col(j) = column;
    }
    EXPECT_LT((hessian - hessian.transpose()).norm(), 1e-12);
    EXPECT_GT(std::abs(hessian(0, 1)), 1e-3);  // the rotation made it non-diagonal
    const Vector computed = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(hessian).eigenvalues();
    for (Eigen::Index j = 0; j < d; ++j) {
      const double t = static_cast<double>(j) / static_cast<double>(d - 1);
      const double expected = spectrum == Spectrum::log ? 0.1 * std::pow(50.0, t) : 0.1 + 4.9 * t;
      EXPECT_NEAR(computed[j], expected, 1e-10);
    }
  }
}

TEST(PowerIteration, MatchesDenseEigensolver) {
  Rng rng(29);
  SampleMatrix rows(200, 15);
  for (Eigen::Index i = 0; i < rows.rows(); ++i)
    for (Eigen::Index j = 0; j < rows.cols(); ++j) rows(i, j) = rng.normal() * (1.0 + 0.1 * static_cast<double>(j));
  const Eigen::MatrixXd gram = rows.transpose() * rows / 200.0;
  const double dense = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(gram).eigenvalues().maxCoeff();
  const auto result = largest_gram_eigenvalue(rows, 1);
  EXPECT_TRUE(result.converged);
  EXPECT_NEAR(result.eigenvalue, dense, 1e-8 * dense);
}

TEST(NonconvexLogistic, SmoothnessAndBoundFollowTheSpecFormulas) {
  const auto objective = make_objective(finite_sum_spec("nonconvex_logistic"), 1, kSeed);
  const auto& logistic = dynamic_cast<const NonconvexLogistic&>(*objective);
  const SampleMatrix& a = logistic.features();
  const auto n = static_cast<double>(a.rows());
  const Eigen::MatrixXd gram = a.transpose() * a;
  const double lambda_max = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(gram).eigenvalues().maxCoeff();
  const auto c = objective->constants();
  EXPECT_NEAR(c.smoothness_L, lambda_max / (4 * n) + 2 * 0.2, 1e-8);
  EXPECT_NEAR(*c.gradient_bound_Q,
              a.rowwise().norm().maxCoeff() + 0.2 * 3 * std::sqrt(3.0) / 8 * std::sqrt(10.0), 1e-12);
  EXPECT_FALSE(c.f_star);
}

// Monte Carlo: the mean of the draws is ∇f_i(x) within 5 standard errors per coordinate, and the
// mean of ‖g − ∇f_i‖² is `expected_variance` within 5 standard errors.
void expect_unbiased_with_variance(const Objective& objective, std::uint32_t node, const Vector& x,
                                   double expected_variance, int draws) {
  const Eigen::Index d = objective.dimension();
  Vector exact(d), g(d);
  objective.node_gradient(node, x, exact);
  Vector sum = Vector::Zero(d), sum_sq = Vector::Zero(d);
  double dev = 0, dev_sq = 0;
  Rng rng(mix_key(kSeed, Stream::gradient_noise, node));
  for (int k = 0; k < draws; ++k) {
    objective.stochastic_gradient(node, x, rng, g);
    const Vector error = g - exact;
    sum += error;
    sum_sq += error.cwiseAbs2();
    const double e2 = error.squaredNorm();
    dev += e2;
    dev_sq += e2 * e2;
  }
  const double m = draws;
  for (Eigen::Index j = 0; j < d; ++j) {
    const double mean = sum[j] / m;
    const double se = std::sqrt((sum_sq[j] / m - mean * mean) / m);
    EXPECT_LE(std::abs(mean), 5 * se + 1e-12) << objective.name() << " coordinate " << j;
  }
  const double mean_dev = dev / m;
  const double se_dev = std::sqrt((dev_sq / m - mean_dev * mean_dev) / m);
  EXPECT_NEAR(mean_dev, expected_variance, 5 * se_dev) << objective.name();
}

TEST(Objectives, GaussianStochasticGradientIsUnbiasedWithVarianceSigma2) {
  for (ObjectiveSpec spec : all_specs()) {
    spec.noise = {.kind = NoiseKind::gaussian, .sigma2 = 0.5, .batch_size = 1};
    const auto objective = make_objective(spec, 1, kSeed);
    EXPECT_EQ(objective->constants().noise_variance_sigma2, 0.5);
    Rng rng(31);
    expect_unbiased_with_variance(*objective, 0, random_point(rng, objective->dimension(), 1.0),
                                  0.5, spec.kind == "separable_cosine" ? 40000 : 5000);
  }
}

TEST(Objectives, MinibatchGradientIsUnbiasedWithTheSamplingVariance) {
  for (const std::string kind : {"nonconvex_logistic", "two_layer_network", "welsch_regression"}) {
    for (bool heterogeneous : {false, true}) {
      ObjectiveSpec spec = finite_sum_spec(kind);
      spec.noise = {.kind = NoiseKind::minibatch, .sigma2 = 0, .batch_size = 4};
      spec.heterogeneous = heterogeneous;
      const auto objective = make_objective(spec, 3, kSeed);
      const auto& sum = dynamic_cast<const FiniteSumObjective&>(*objective);
      const Eigen::Index d = objective->dimension();
      Rng rng(37);
      const Vector x = random_point(rng, d, 1.0);
      const std::uint32_t node = 2;
      // Exact V_i(x)/b from the node's per-sample gradients.
      const auto range = sum.node_samples(node);
      Vector node_mean = Vector::Zero(d), g(d);
      std::vector<Vector> per_sample;
      for (Eigen::Index s = range.begin; s < range.end; ++s) {
        sum.sample_gradient(s, x, g);
        per_sample.push_back(g);
        node_mean += g / static_cast<double>(range.size());
      }
      double variance = 0;
      for (const Vector& v : per_sample) variance += (v - node_mean).squaredNorm();
      variance /= static_cast<double>(range.size()) * 4.0;
      EXPECT_LE(variance, objective->constants().noise_variance_sigma2) << kind;
      expect_unbiased_with_variance(*objective, node, x, variance, 40000);
    }
  }
}

TEST(Objectives, HeterogeneousNodeGradientsAverageToTheGradient) {
  for (ObjectiveSpec spec : all_specs()) {
    spec.heterogeneous = true;
    spec.heterogeneity = 2.5;
    const std::uint32_t n = 5;
    const auto objective = make_objective(spec, n, kSeed);
    const Eigen::Index d = objective->dimension();
    Rng rng(41);
    Vector g(d), gi(d);
    for (int trial = 0; trial < 5; ++trial) {
      const Vector x = random_point(rng, d, 1.0);
      objective->gradient(x, g);
      Vector average = Vector::Zero(d);
      double zeta2 = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        objective->node_gradient(i, x, gi);
        average += gi / n;
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        objective->node_gradient(i, x, gi);
        zeta2 += (gi - g).squaredNorm() / n;
      }
      EXPECT_LT((average - g).norm(), 1e-12 * (1 + g.norm())) << spec.kind;
      EXPECT_NEAR(objective->dissimilarity(x), zeta2, 1e-12 * (1 + zeta2)) << spec.kind;
      if (!is_finite_sum(spec.kind)) {
        EXPECT_NEAR(zeta2, 2.5, 1e-12) << spec.kind;  // exact, at every x
      } else {
        EXPECT_GT(zeta2, 1e-3) << spec.kind;  // label-sorted blocks differ
      }
    }
    EXPECT_NEAR(*objective->constants().dissimilarity_zeta2,
                objective->dissimilarity(objective->initial_point()), 1e-12);
    EXPECT_THROW(objective->node_gradient(n, Vector::Zero(d), gi), std::invalid_argument);
    Rng noise(1);
    EXPECT_THROW(objective->stochastic_gradient(n, Vector::Zero(d), noise, gi),
                 std::invalid_argument);
  }
}

TEST(Objectives, HeterogeneousSmoothnessHoldsForEveryNode) {
  for (ObjectiveSpec spec : all_specs()) {
    spec.heterogeneous = true;
    const auto objective = make_objective(spec, 4, kSeed);
    const double L = objective->constants().smoothness_L;
    const Eigen::Index d = objective->dimension();
    Rng rng(43);
    Vector gx(d), gy(d);
    for (std::uint32_t i = 0; i < 4; ++i) {
      for (int pair = 0; pair < 100; ++pair) {
        const Vector x = random_point(rng, d, 1.0);
        const Vector y = x + random_point(rng, d, 0.1);
        objective->node_gradient(i, x, gx);
        objective->node_gradient(i, y, gy);
        EXPECT_LE((gx - gy).norm(), L * (x - y).norm() * (1 + 1e-9)) << spec.kind;
      }
    }
  }
}

// The spec's independent number: one node, f = ½ a x² per coordinate, noise σ²/d per coordinate,
// x ← x − η g: stationary E x_j² = (η σ²/d) / (a (2 − η a)).
TEST(SeparableCosine, PureQuadraticSgdReachesTheStationaryVariance) {
  ObjectiveSpec spec;
  spec.kind = "separable_cosine";
  spec.dimension = 64;
  spec.separable_cosine = {.amplitude = 0, .amplitude_min = 0, .mu = 2.0, .initial_value = 0};
  spec.noise.sigma2 = 0.64;
  const auto objective = make_objective(spec, 1, kSeed);
  const double a = 2.0, eta = 0.25, d = 64;
  Vector x = objective->initial_point(), g(64);
  Rng rng(mix_key(kSeed, Stream::gradient_noise, 0));
  double sum = 0;
  long count = 0;
  for (int step = 0; step < 101000; ++step) {
    objective->stochastic_gradient(0, x, rng, g);
    x -= eta * g;
    if (step >= 1000) {
      sum += x.squaredNorm() / d;
      ++count;
    }
  }
  const double expected = (eta * 0.64 / d) / (a * (2 - eta * a));
  EXPECT_NEAR(sum / static_cast<double>(count), expected, 0.02 * expected);
}

TEST(Objectives, SameSeedSameObjectiveOtherSeedOtherData) {
  for (const ObjectiveSpec& spec : all_specs()) {
    const auto first = make_objective(spec, 1, kSeed);
    const auto second = make_objective(spec, 1, kSeed);
    const Eigen::Index d = first->dimension();
    EXPECT_EQ(first->initial_point(), second->initial_point());
    Rng r1(5), r2(5);
    Vector g1(d), g2(d);
    Rng point(3);
    const Vector x = random_point(point, d, 0.5);
    first->stochastic_gradient(0, x, r1, g1);
    second->stochastic_gradient(0, x, r2, g2);
    EXPECT_EQ(g1, g2) << spec.kind;
    if (spec.kind != "separable_cosine") {
      const auto other = make_objective(spec, 1, kSeed + 1);
      EXPECT_NE(first->value(x), other->value(x)) << spec.kind;
    }
  }
}

TEST(Objectives, BadSpecsThrowInvalidArgumentNamingTheProblem) {
  ObjectiveSpec spec = cosine_spec(0.0);
  spec.kind = "rosenbrock";
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  spec = cosine_spec(0.0);
  spec.dimension = 0;
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  spec = quadratic_spec();
  spec.noise.kind = NoiseKind::minibatch;
  try {
    make_objective(spec, 1, kSeed);
    ADD_FAILURE() << "minibatch noise on a quadratic was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("finite-sum"), std::string::npos);
  }
  spec = quadratic_spec();
  spec.quadratic.max_eigenvalue = 0.01;
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  spec = cosine_spec(0.0);
  spec.noise.sigma2 = -1;
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  spec = finite_sum_spec("two_layer_network");
  spec.dimension = 25;
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  spec = finite_sum_spec("nonconvex_logistic");
  spec.heterogeneous = true;
  spec.samples = 3;
  EXPECT_THROW(make_objective(spec, 4, kSeed), std::invalid_argument);
  spec = finite_sum_spec("welsch_regression");
  spec.noise = {.kind = NoiseKind::minibatch, .sigma2 = 0, .batch_size = 0};
  EXPECT_THROW(make_objective(spec, 1, kSeed), std::invalid_argument);
  EXPECT_THROW(make_objective(cosine_spec(0.0), 0, kSeed), std::invalid_argument);
}

ObjectiveSpec parse(const std::string& text) {
  nlohmann::json document = nlohmann::json::parse(text);
  JsonReader reader(document, "/objective");
  return parse_objective(reader);
}

std::string config_error_path(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& error) {
    return error.path();
  }
  return "(no error)";
}

TEST(ObjectiveConfig, ReadsKindsAndFillsDefaults) {
  nlohmann::json document = nlohmann::json::parse(
      R"({"kind":"separable_cosine","dimension":32,"noise":{"kind":"gaussian","sigma2":0.1},
          "amplitude":2})");
  JsonReader reader(document, "/objective");
  const ObjectiveSpec spec = parse_objective(reader);
  EXPECT_EQ(spec.kind, "separable_cosine");
  EXPECT_EQ(spec.dimension, 32);
  EXPECT_EQ(spec.noise.kind, NoiseKind::gaussian);
  EXPECT_EQ(spec.noise.sigma2, 0.1);
  EXPECT_EQ(spec.separable_cosine.amplitude, 2.0);
  EXPECT_EQ(spec.separable_cosine.amplitude_min, 2.0);  // defaults to amplitude
  EXPECT_EQ(document["mu"], 0.0);                       // default written back
  EXPECT_EQ(document["heterogeneous"], false);

  const ObjectiveSpec network = parse(
      R"({"kind":"two_layer_network","dimension":32,"hidden":4,"samples":50,
          "noise":{"kind":"minibatch","batch_size":8},"heterogeneous":true})");
  EXPECT_EQ(network.two_layer_network.hidden, 4u);
  EXPECT_EQ(network.samples, 50u);
  EXPECT_EQ(network.noise.kind, NoiseKind::minibatch);
  EXPECT_EQ(network.noise.batch_size, 8u);
  EXPECT_TRUE(network.heterogeneous);
  EXPECT_EQ(make_objective(network, 4, kSeed)->num_samples(), 50);

  const ObjectiveSpec quadratic = parse(
      R"({"kind":"quadratic","dimension":8,"min_eigenvalue":0.5,"max_eigenvalue":4,
          "spectrum":"linear","reflections":0})");
  EXPECT_EQ(quadratic.quadratic.spectrum, Spectrum::linear);
  EXPECT_EQ(make_objective(quadratic, 1, kSeed)->constants().smoothness_L, 4.0);
}

TEST(ObjectiveConfig, WrongValuesNameTheirPath) {
  EXPECT_EQ(config_error_path(R"({"kind":"rosenbrok","dimension":4})"), "/objective/kind");
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic"})"), "/objective/dimension");
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic","dimension":0})"), "/objective/dimension");
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic","dimension":4,"noise":{"sigma2":-1}})"),
            "/objective/noise/sigma2");
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic","dimension":4,"noise":{"kind":"minibatch"}})"),
            "/objective/noise/kind");
  EXPECT_EQ(config_error_path(
                R"({"kind":"quadratic","dimension":4,"min_eigenvalue":2,"max_eigenvalue":1})"),
            "/objective/max_eigenvalue");
  EXPECT_EQ(config_error_path(R"({"kind":"separable_cosine","dimension":4,"amplitude":1,
                                  "amplitude_min":3})"),
            "/objective/amplitude_min");
  EXPECT_EQ(config_error_path(R"({"kind":"two_layer_network","dimension":30,"hidden":8})"),
            "/objective/dimension");
  EXPECT_EQ(config_error_path(R"({"kind":"nonconvex_logistic","dimension":4,"label_noise":2})"),
            "/objective/label_noise");
  // Keys of another kind are unknown here (samples is for finite sums only).
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic","dimension":4,"samples":10})"),
            "/objective/samples");
  EXPECT_EQ(config_error_path(R"({"kind":"quadratic","dimension":4,"lamda":1})"),
            "/objective/lamda");
}

}  // namespace
}  // namespace dasgd
