// The DASGD convergence theorems as plain functions of a run's measured quantities (staleness,
// B_t², step size, constants of the objective). Sits after metrics in config → world → run →
// metrics → files: it reads the numbers metrics produced and never touches a run.
//
// Sources and what could be checked against them: docs/PAPER_CHECK.md. In short: the DASGD paper
// (Tosi & Theobald, arXiv 2309.03754) could be read only as far as its abstract, so its two bounds
// are evaluated as shapes with unit constants ("order only"); the descent-lemma envelope is derived
// here with exact constants (see bounds.cpp) and is a test any correct run must pass.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dasgd {

// What a run measured and what the objective guarantees. Staleness follows the spec's gradient-set
// definitions (../shared/spec/dasgd.md, "Staleness"): S_t = |M_t| missing gradients, Ŝ_t = t − min M_t.
struct BoundInputs {
  double smoothness_L = 0;                  // L > 0
  double noise_variance_sigma2 = 0;         // σ² ≥ 0, E‖g − ∇f‖² ≤ σ²
  std::optional<double> gradient_bound_Q;   // Q ≥ 0 with ‖∇f‖ ≤ Q; nullopt: unbounded gradients
  // The objective contract (objectives/objective.hpp) bounds ‖∇f‖, not ‖g‖. Set true only when Q
  // bounds every stochastic gradient ‖g‖ almost surely (the spec's "‖g‖ ≤ Q").
  bool q_bounds_stochastic_gradient = false;
  std::optional<double> initial_gap;        // f(x_0) − f* ≥ 0; nullopt: f* unknown
  double step_size = 0;                     // η > 0, fixed
  std::int64_t iterations = 0;              // T ≥ 1: gradients t = 0..T−1 of the virtual sequence
  double epsilon = 0;                       // ε > 0: target E‖∇f‖² ≤ ε
  double s_avg = 0, s_max = 0;              // mean and max of S_t over t < T
  double s_hat_avg = 0, s_hat_max = 0;      // mean and max of Ŝ_t over t < T
  double mean_s_squared = 0;                // (1/T) Σ_{t<T} S_t²   (RMS of S, squared)
  double mean_b_squared = 0;                // (1/T) Σ_{t<T} B_t², B_t² = ‖x_t − v_t‖²/η²
  std::int64_t nodes = 1;                   // n ≥ 1 (reported; the abstract's shapes carry no n)
};

// "order only": the theorem's shape with unit constants (its constants were not reachable).
// "exact constants": every constant derived and checked; a correct run must satisfy it.
enum class BoundLabel { order_only, exact_constants };

// What the bound's total is a number of.
enum class BoundQuantity {
  iterations_to_epsilon,     // gradients until E‖∇f‖² ≤ ε
  average_squared_gradient,  // upper bound on (1/T) Σ_{t<T} E‖∇f(x_t)‖²
};

enum class ConditionStatus { holds, violated, unknown };

// applicable: every condition holds. not_applicable: one is violated (e.g. η > 1/L): the bound says
// nothing about this run, which is not a violation. unverified: none violated but at least one could
// not be checked (the paper's step-size conditions were not reachable). not_evaluable: an input the
// bound needs is missing (Q for bounded gradients, f(x_0) − f* for the envelope); total is NaN.
enum class Applicability { applicable, not_applicable, unverified, not_evaluable };

struct BoundTerm {
  std::string name;      // e.g. "sigma^2 * eps^-2"
  double value = 0;
  bool in_total = true;  // false for a term reported beside the total as an alternative reading
};

struct BoundCondition {
  std::string name;      // e.g. "eta <= 1/L"
  ConditionStatus status = ConditionStatus::unknown;
  std::string detail;    // the numbers, or why it could not be checked
};

struct BoundResult {
  std::string name;      // which theorem and which form
  BoundLabel label = BoundLabel::order_only;
  BoundQuantity quantity = BoundQuantity::iterations_to_epsilon;
  std::vector<BoundTerm> terms;
  double total = 0;      // Σ of terms with in_total (NaN when not evaluable)
  // Iterations the bound predicts to reach ε: the total for order-only bounds; for the envelope,
  // the smallest T with envelope ≤ ε, staleness term held at its measured value (nullopt when the
  // noise and staleness floor alone reach ε, or when not applicable).
  std::optional<double> predicted_iterations;
  std::int64_t run_iterations = 0;  // T of the inputs, to judge a run that never reached ε
  std::vector<BoundCondition> conditions;
  Applicability applicability = Applicability::unverified;
  std::string note;      // what is inferred, what the total counts
};

// Throws std::invalid_argument naming the field, the expectation and the value when an input is out
// of range (non-finite, negative, L ≤ 0, η ≤ 0, T < 1, ε ≤ 0, avg > max, n < 1).
void validate(const BoundInputs& in);

// Bounded gradients (Tosi & Theobald, abstract): O(σ ε^-2) + O(Q S_avg ε^-3/2) + O(S_avg ε^-1).
// Order only. The total counts σ² ε^-2 (see the note it carries); σ ε^-2 as printed is reported
// beside it. Not evaluable without Q.
BoundResult dasgd_bounded_gradient_bound(const BoundInputs& in);

// Unbounded gradients (Tosi & Theobald, abstract; the shape of Koloskova, Stich, Jaggi 2022,
// arXiv 2206.08307, with delays replaced by Ŝ): O(σ ε^-2) + O(√(Ŝ_avg Ŝ_max) ε^-1). Order only.
BoundResult dasgd_unbounded_gradient_bound(const BoundInputs& in);

// Descent-lemma envelope on the virtual sequence, exact constants, needs η ≤ 1/L (derivation in
// bounds.cpp): (1/T) Σ E‖∇f(x_t)‖² ≤ 2 (f(x_0) − f*)/(η T) + L η σ² + L² η² · mean B².
BoundResult descent_envelope_measured(const BoundInputs& in);

// The same envelope with the staleness term bounded through S_t: mean B² ≤ c² · mean S², where
// c² = Q² when Q bounds ‖g‖ almost surely, else Q² + σ² (Q bounding ‖∇f‖ only). Needs Q.
BoundResult descent_envelope_staleness(const BoundInputs& in);

// under: the measured value is at most the bound; over: it exceeds it; not_applicable: the bound's
// conditions fail or it lacks an input; not_comparable: the bound is about another quantity, or is
// order only (its ratio is reported, never a pass/fail).
enum class Verdict { under, over, not_applicable, not_comparable };

struct GradientComparison {
  double measured = 0;   // (1/T) Σ_{t<T} ‖∇f(x_t)‖² on the virtual sequence (seed mean if asked)
  double bound = 0;
  double ratio = 0;      // measured / bound (NaN when not comparable)
  Verdict verdict = Verdict::not_comparable;
  std::string label;
};

// Compares the measured left side with an envelope. An envelope is an expectation: one seed can
// exceed it by chance when the margin is thin; the label says so.
GradientComparison compare_average_gradient(double measured_average_squared_gradient,
                                            const BoundResult& bound);

struct IterationComparison {
  std::optional<double> measured;   // gradients until ‖∇f‖² < ε first held; nullopt: never in the run
  std::optional<double> predicted;  // the bound's predicted_iterations
  std::optional<double> ratio;      // measured / predicted when both exist
  Verdict verdict = Verdict::not_comparable;
  std::string label;
};

// Measured gradients-to-ε against a bound's prediction. Order-only bounds give a ratio labelled
// "order only" and verdict not_comparable; the envelope gives under/over (under: reached by T*).
IterationComparison compare_iterations(std::optional<double> measured_iterations_to_epsilon,
                                       const BoundResult& bound);

std::string to_string(BoundLabel label);          // "order only" / "exact constants"
std::string to_string(BoundQuantity quantity);
std::string to_string(ConditionStatus status);
std::string to_string(Applicability applicability);
std::string to_string(Verdict verdict);

}  // namespace dasgd
