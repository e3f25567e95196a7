// Tests for sim/bounds: every formula against hand-computed numbers, the envelope's applicability,
// and small exact runs (gradient descent, delayed gradient descent, one-node SGD averaged over
// seeds) that the descent-lemma envelope must bound.
#include "sim/bounds/bounds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

// A hand-worked case: L = 2, σ² = 4, Q = 3, f(x0) − f* = 10, η = 1/4, T = 100, ε = 1/2,
// S_avg = 3, S_max = 7, Ŝ_avg = 4, Ŝ_max = 9, mean S² = 12, mean B² = 5, n = 4.
BoundInputs worked_case() {
  BoundInputs in;
  in.smoothness_L = 2;
  in.noise_variance_sigma2 = 4;
  in.gradient_bound_Q = 3;
  in.initial_gap = 10;
  in.step_size = 0.25;
  in.iterations = 100;
  in.epsilon = 0.5;
  in.s_avg = 3;
  in.s_max = 7;
  in.s_hat_avg = 4;
  in.s_hat_max = 9;
  in.mean_s_squared = 12;
  in.mean_b_squared = 5;
  in.nodes = 4;
  return in;
}

const BoundTerm& term(const BoundResult& result, const std::string& name) {
  for (const BoundTerm& t : result.terms) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no term named " + name);
}

TEST(BoundedGradientBound, TermsMatchHandComputedShapes) {
  const BoundResult r = dasgd_bounded_gradient_bound(worked_case());
  EXPECT_EQ(r.label, BoundLabel::order_only);
  EXPECT_EQ(r.quantity, BoundQuantity::iterations_to_epsilon);
  // σ² ε^-2 = 4 / 0.25 = 16; σ ε^-2 = 2 / 0.25 = 8; Q S_avg ε^-3/2 = 9 / 0.5^1.5 = 18√2;
  // S_avg ε^-1 = 6.
  EXPECT_DOUBLE_EQ(term(r, "sigma^2 * eps^-2").value, 16.0);
  EXPECT_DOUBLE_EQ(term(r, "sigma * eps^-2 (as printed in the abstract)").value, 8.0);
  EXPECT_FALSE(term(r, "sigma * eps^-2 (as printed in the abstract)").in_total);
  EXPECT_NEAR(term(r, "Q * S_avg * eps^-3/2").value, 18.0 * std::sqrt(2.0), 1e-12);
  EXPECT_DOUBLE_EQ(term(r, "S_avg * eps^-1").value, 6.0);
  EXPECT_NEAR(r.total, 22.0 + 18.0 * std::sqrt(2.0), 1e-12);
  ASSERT_TRUE(r.predicted_iterations.has_value());
  EXPECT_DOUBLE_EQ(*r.predicted_iterations, r.total);
  // The paper's step-size condition is unknown: never "applicable", never "not applicable".
  EXPECT_EQ(r.applicability, Applicability::unverified);
}

TEST(BoundedGradientBound, IsNotEvaluableWithoutQ) {
  BoundInputs in = worked_case();
  in.gradient_bound_Q.reset();
  const BoundResult r = dasgd_bounded_gradient_bound(in);
  EXPECT_EQ(r.applicability, Applicability::not_evaluable);
  EXPECT_TRUE(std::isnan(r.total));
  EXPECT_FALSE(r.predicted_iterations.has_value());
}

TEST(UnboundedGradientBound, TermsMatchHandComputedShapes) {
  const BoundResult r = dasgd_unbounded_gradient_bound(worked_case());
  // √(Ŝ_avg Ŝ_max) ε^-1 = √36 / 0.5 = 12; total = 16 + 12.
  EXPECT_DOUBLE_EQ(term(r, "sqrt(S^_avg * S^_max) * eps^-1").value, 12.0);
  EXPECT_DOUBLE_EQ(r.total, 28.0);
  EXPECT_EQ(r.label, BoundLabel::order_only);
  EXPECT_EQ(r.applicability, Applicability::unverified);
}

TEST(UnboundedGradientBound, NoStalenessLeavesOnlyTheNoiseTerm) {
  BoundInputs in = worked_case();
  in.s_hat_avg = 0;
  in.s_hat_max = 0;
  EXPECT_DOUBLE_EQ(dasgd_unbounded_gradient_bound(in).total, 16.0);
}

TEST(DescentEnvelope, MeasuredFormMatchesHandComputedTerms) {
  const BoundResult r = descent_envelope_measured(worked_case());
  EXPECT_EQ(r.label, BoundLabel::exact_constants);
  EXPECT_EQ(r.quantity, BoundQuantity::average_squared_gradient);
  // 2·10/(0.25·100) = 0.8; L η σ² = 2·0.25·4 = 2; L² η² mean B² = 4·0.0625·5 = 1.25.
  EXPECT_DOUBLE_EQ(term(r, "2 (f(x0) - f*) / (eta T)").value, 0.8);
  EXPECT_DOUBLE_EQ(term(r, "L eta sigma^2").value, 2.0);
  EXPECT_DOUBLE_EQ(term(r, "L^2 eta^2 mean(B^2)").value, 1.25);
  EXPECT_DOUBLE_EQ(r.total, 4.05);
  EXPECT_EQ(r.applicability, Applicability::applicable);
  // The floor 2 + 1.25 is above ε = 0.5: no T reaches ε.
  EXPECT_FALSE(r.predicted_iterations.has_value());
}

TEST(DescentEnvelope, PredictsIterationsWhenTheFloorIsBelowEpsilon) {
  BoundInputs in = worked_case();
  in.epsilon = 4;
  // T* = 2·10 / (0.25 · (4 − 3.25)) = 320/3.
  const BoundResult r = descent_envelope_measured(in);
  ASSERT_TRUE(r.predicted_iterations.has_value());
  EXPECT_NEAR(*r.predicted_iterations, 320.0 / 3.0, 1e-12);
}

TEST(DescentEnvelope, StalenessFormAddsNoiseToQUnlessQBoundsTheStochasticGradient) {
  BoundInputs in = worked_case();
  // Q bounds ‖∇f‖ only: L² η² (Q² + σ²) mean S² = 0.25 · 13 · 12 = 39.
  BoundResult r = descent_envelope_staleness(in);
  EXPECT_DOUBLE_EQ(term(r, "L^2 eta^2 (Q^2 + sigma^2) mean(S^2)").value, 39.0);
  EXPECT_DOUBLE_EQ(r.total, 41.8);
  // Q bounds ‖g‖ almost surely: L² η² Q² mean S² = 0.25 · 9 · 12 = 27.
  in.q_bounds_stochastic_gradient = true;
  r = descent_envelope_staleness(in);
  EXPECT_DOUBLE_EQ(term(r, "L^2 eta^2 Q^2 mean(S^2)").value, 27.0);
  EXPECT_DOUBLE_EQ(r.total, 29.8);
  EXPECT_EQ(r.applicability, Applicability::applicable);
}

TEST(DescentEnvelope, StepAboveInverseLIsNotApplicable) {
  BoundInputs in = worked_case();
  in.step_size = 0.6;  // 1/L = 0.5
  for (const BoundResult& r : {descent_envelope_measured(in), descent_envelope_staleness(in)}) {
    EXPECT_EQ(r.applicability, Applicability::not_applicable) << r.name;
    EXPECT_EQ(r.conditions.front().status, ConditionStatus::violated);
    EXPECT_FALSE(r.predicted_iterations.has_value());
    EXPECT_EQ(compare_average_gradient(1e9, r).verdict, Verdict::not_applicable);
  }
}

TEST(DescentEnvelope, StepExactlyInverseLIsApplicable) {
  BoundInputs in = worked_case();
  in.step_size = 0.5;
  EXPECT_EQ(descent_envelope_measured(in).applicability, Applicability::applicable);
}

TEST(DescentEnvelope, IsNotEvaluableWithoutInitialGapOrQ) {
  BoundInputs in = worked_case();
  in.initial_gap.reset();
  EXPECT_EQ(descent_envelope_measured(in).applicability, Applicability::not_evaluable);
  in = worked_case();
  in.gradient_bound_Q.reset();
  EXPECT_EQ(descent_envelope_staleness(in).applicability, Applicability::not_evaluable);
  EXPECT_EQ(descent_envelope_measured(in).applicability, Applicability::applicable);
}

// Runs x_{t+1} = x_t − η ∇f(x_{t−delay}) (x_{t−delay} clamped at x_0) in one dimension and returns
// the measured left side (1/T) Σ_{t<T} ∇f(x_t)² and mean B_t² = (x_t − v_t)²/η².
struct DelayedRun {
  double average_squared_gradient = 0;
  double mean_b_squared = 0;
};
DelayedRun delayed_gradient_descent(const std::function<double(double)>& gradient, double x0,
                                    double eta, int T, int delay) {
  std::vector<double> x{x0};
  DelayedRun run;
  for (int t = 0; t < T; ++t) {
    const double v = x[static_cast<std::size_t>(std::max(0, t - delay))];
    const double g = gradient(x.back());
    run.average_squared_gradient += g * g;
    run.mean_b_squared += (x.back() - v) * (x.back() - v) / (eta * eta);
    x.push_back(x.back() - eta * gradient(v));
  }
  run.average_squared_gradient /= T;
  run.mean_b_squared /= T;
  return run;
}

BoundInputs one_node_inputs(double L, double gap, double eta, int T) {
  BoundInputs in;
  in.smoothness_L = L;
  in.noise_variance_sigma2 = 0;
  in.initial_gap = gap;
  in.step_size = eta;
  in.iterations = T;
  in.epsilon = 1e-3;
  return in;
}

TEST(DescentEnvelope, GradientDescentOnQuadraticStaysUnderOptimisationTerm) {
  // f = ½ a x², a = L = 2, η = 1/4, x0 = 3: f(x0) − f* = 9, no noise, no staleness.
  // ∇f(x_t)² = 36 · (1/4)^t, so the average over T = 20 is 48 (1 − 4^-20) / 20 ≈ 2.4,
  // under 2 · 9 / (0.25 · 20) = 3.6 (and over half of it: a factor 1 in place of 2 would fail).
  const double a = 2.0;
  const DelayedRun run = delayed_gradient_descent([a](double x) { return a * x; }, 3.0, 0.25, 20, 0);
  EXPECT_NEAR(run.average_squared_gradient, 48.0 * (1.0 - std::pow(0.25, 20)) / 20.0, 1e-12);
  EXPECT_DOUBLE_EQ(run.mean_b_squared, 0.0);
  const BoundResult envelope = descent_envelope_measured(one_node_inputs(a, 9.0, 0.25, 20));
  EXPECT_DOUBLE_EQ(envelope.total, 3.6);
  const GradientComparison c = compare_average_gradient(run.average_squared_gradient, envelope);
  EXPECT_EQ(c.verdict, Verdict::under);
  EXPECT_GT(run.average_squared_gradient, envelope.total / 2.0);
}

TEST(DescentEnvelope, FormulaFailsBeyondItsConditionWhichIsWhyItIsNotApplicable) {
  // η = 0.9 > 1/L = 0.5: x_{t+1} = −0.8 x_t still converges, yet the average squared gradient
  // (≈ 36 / 0.36 / 20 = 5) exceeds the would-be envelope 2 · 9 / (0.9 · 20) = 1.
  const double a = 2.0;
  const DelayedRun run = delayed_gradient_descent([a](double x) { return a * x; }, 3.0, 0.9, 20, 0);
  const BoundResult envelope = descent_envelope_measured(one_node_inputs(a, 9.0, 0.9, 20));
  EXPECT_GT(run.average_squared_gradient, envelope.total);
  EXPECT_EQ(envelope.applicability, Applicability::not_applicable);
  EXPECT_EQ(compare_average_gradient(run.average_squared_gradient, envelope).verdict,
            Verdict::not_applicable);
}

TEST(DescentEnvelope, DelayedGradientDescentStaysUnderMeasuredForm) {
  // With σ = 0 the derivation holds path by path, so stale deterministic runs must stay under.
  // Cosine f = a (1 − cos x) (L = a, f* = 0), η = 0.2, delay 2: the optimisation term alone
  // (1.80) is below the measured average (2.72); the staleness term is needed.
  const double a = 3.0;
  const DelayedRun cosine =
      delayed_gradient_descent([a](double x) { return a * std::sin(x); }, 2.5, 0.2, 30, 2);
  BoundInputs in = one_node_inputs(a, a * (1.0 - std::cos(2.5)), 0.2, 30);
  in.mean_b_squared = cosine.mean_b_squared;
  BoundResult envelope = descent_envelope_measured(in);
  EXPECT_GT(cosine.average_squared_gradient, term(envelope, "2 (f(x0) - f*) / (eta T)").value);
  EXPECT_EQ(compare_average_gradient(cosine.average_squared_gradient, envelope).verdict,
            Verdict::under);

  // Quadratic a = 3, η = 0.2, delay 2: the run grows (≈ 16.8), the envelope (≈ 25.3) still holds,
  // and L η² in place of L² η² (a third of the staleness term) would not.
  const DelayedRun quadratic =
      delayed_gradient_descent([a](double x) { return a * x; }, 2.0, 0.2, 30, 2);
  in = one_node_inputs(a, 0.5 * a * 4.0, 0.2, 30);
  in.mean_b_squared = quadratic.mean_b_squared;
  envelope = descent_envelope_measured(in);
  EXPECT_EQ(compare_average_gradient(quadratic.average_squared_gradient, envelope).verdict,
            Verdict::under);
  const double staleness = term(envelope, "L^2 eta^2 mean(B^2)").value;
  EXPECT_GT(quadratic.average_squared_gradient, envelope.total - staleness + staleness / a);
}

TEST(DescentEnvelope, OneNodeSgdSeedMeanStaysUnderAndNeedsTheNoiseTerm) {
  // f = ½ x² (L = 1), g = x + ζ, ζ ~ N(0, 1), η = 1/2, x0 = 2, T = 50, mean over 4000 seeds.
  // E‖∇f‖² ≈ 4/(0.75 · 50) + 1/3 ≈ 0.44 (stationary η σ²/(2 − η) = 1/3); the envelope is
  // 2 · 2/(0.5 · 50) + 0.5 = 0.66, and without L η σ² it would be 0.16.
  constexpr int seeds = 4000;
  constexpr int T = 50;
  const double eta = 0.5;
  const RandomStreams streams(20240917);
  double average = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    Rng rng = streams.stream(Stream::gradient_noise, static_cast<std::uint64_t>(seed));
    double x = 2.0;
    for (int t = 0; t < T; ++t) {
      average += x * x;
      x -= eta * (x + rng.normal());
    }
  }
  average /= static_cast<double>(seeds) * T;
  BoundInputs in = one_node_inputs(1.0, 2.0, eta, T);
  in.noise_variance_sigma2 = 1.0;
  const BoundResult envelope = descent_envelope_measured(in);
  EXPECT_DOUBLE_EQ(envelope.total, 0.66);
  EXPECT_NEAR(average, 0.44, 0.03);
  EXPECT_EQ(compare_average_gradient(average, envelope).verdict, Verdict::under);
  EXPECT_GT(average, term(envelope, "2 (f(x0) - f*) / (eta T)").value);
}

TEST(Comparison, OrderOnlyBoundGivesRatioNeverVerdict) {
  const BoundResult r = dasgd_unbounded_gradient_bound(worked_case());  // predicts 28
  const IterationComparison c = compare_iterations(56.0, r);
  ASSERT_TRUE(c.ratio.has_value());
  EXPECT_DOUBLE_EQ(*c.ratio, 2.0);
  EXPECT_EQ(c.verdict, Verdict::not_comparable);
  EXPECT_NE(c.label.find("order only"), std::string::npos);
  EXPECT_EQ(compare_average_gradient(0.1, r).verdict, Verdict::not_comparable);
}

TEST(Comparison, EnvelopeIterationsUnderWhenReachedByPredictedT) {
  BoundInputs in = worked_case();
  in.epsilon = 4;  // T* = 320/3 ≈ 106.7, run length T = 100
  const BoundResult r = descent_envelope_measured(in);
  EXPECT_EQ(compare_iterations(50.0, r).verdict, Verdict::under);
  EXPECT_EQ(compare_iterations(107.0, r).verdict, Verdict::over);
  // Never reached, but the run stopped before T*: no verdict.
  EXPECT_EQ(compare_iterations(std::nullopt, r).verdict, Verdict::not_comparable);
  in.iterations = 200;
  EXPECT_EQ(compare_iterations(std::nullopt, descent_envelope_measured(in)).verdict,
            Verdict::over);
}

TEST(Comparison, AverageGradientOverTheEnvelopeIsReported) {
  const BoundResult r = descent_envelope_measured(worked_case());  // 4.05
  const GradientComparison c = compare_average_gradient(8.1, r);
  EXPECT_EQ(c.verdict, Verdict::over);
  EXPECT_DOUBLE_EQ(c.ratio, 2.0);
}

TEST(BoundInputs, RejectsOutOfRangeValuesNamingTheField) {
  const auto message_of = [](BoundInputs in) -> std::string {
    try {
      validate(in);
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return "";
  };
  BoundInputs in = worked_case();
  in.smoothness_L = 0;
  EXPECT_NE(message_of(in).find("smoothness_L"), std::string::npos);
  in = worked_case();
  in.step_size = -1;
  EXPECT_NE(message_of(in).find("step_size: expected a finite number > 0, got -1"),
            std::string::npos);
  in = worked_case();
  in.iterations = 0;
  EXPECT_NE(message_of(in).find("iterations"), std::string::npos);
  in = worked_case();
  in.s_avg = 8;  // above s_max = 7
  EXPECT_NE(message_of(in).find("s_avg"), std::string::npos);
  in = worked_case();
  in.epsilon = std::nan("");
  EXPECT_NE(message_of(in).find("epsilon"), std::string::npos);
  in = worked_case();
  in.gradient_bound_Q = -1;
  EXPECT_NE(message_of(in).find("gradient_bound_Q"), std::string::npos);
  EXPECT_THROW(dasgd_bounded_gradient_bound(in), std::invalid_argument);
  EXPECT_THROW(compare_average_gradient(-1.0, descent_envelope_measured(worked_case())),
               std::invalid_argument);
  EXPECT_EQ(message_of(worked_case()), "");
}

TEST(BoundLabels, PrintInTheFieldsWords) {
  EXPECT_EQ(to_string(BoundLabel::order_only), "order only");
  EXPECT_EQ(to_string(BoundLabel::exact_constants), "exact constants");
  EXPECT_EQ(to_string(Applicability::not_applicable), "not applicable");
  EXPECT_EQ(to_string(Verdict::under), "under");
}

}  // namespace
}  // namespace dasgd
