// `dasgd bound --L .. --sigma .. --Q .. --S-avg .. --S-max .. --eps ..`: evaluates the DASGD bounds
// and the descent envelope alone, without a run.
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include "sim/bounds/bounds.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/validators.hpp"

namespace dasgd::cli {

namespace {

struct BoundArguments {
  double L = 0, sigma = 0, eps = 0, eta = 0;
  std::optional<double> Q, gap, s_hat_avg, s_hat_max, s_rms, b2;
  double s_avg = 0, s_max = 0;
  std::int64_t T = 0, nodes = 1;
};

void print(const BoundResult& bound) {
  std::cout << bound.name << " [" << to_string(bound.label) << "; " << to_string(bound.quantity)
            << "; " << to_string(bound.applicability) << "]\n";
  for (const BoundTerm& term : bound.terms)
    std::cout << "  " << term.name << " = " << term.value << (term.in_total ? "" : "  (not in total)") << "\n";
  std::cout << "  total = " << bound.total << "\n";
  if (bound.predicted_iterations) std::cout << "  predicted iterations to eps = " << *bound.predicted_iterations << "\n";
  for (const BoundCondition& c : bound.conditions)
    std::cout << "  condition " << c.name << ": " << to_string(c.status) << " (" << c.detail << ")\n";
  if (!bound.note.empty()) std::cout << "  note: " << bound.note << "\n";
}

int evaluate(const BoundArguments& a) {
  BoundInputs in;
  in.smoothness_L = a.L;
  in.noise_variance_sigma2 = a.sigma * a.sigma;
  in.gradient_bound_Q = a.Q;
  in.initial_gap = a.gap;
  in.epsilon = a.eps;
  in.s_avg = a.s_avg;
  in.s_max = a.s_max;
  in.s_hat_avg = a.s_hat_avg.value_or(a.s_avg);
  in.s_hat_max = a.s_hat_max.value_or(a.s_max);
  in.mean_s_squared = a.s_rms ? *a.s_rms * *a.s_rms : a.s_avg * a.s_avg;
  in.mean_b_squared = a.b2.value_or(0);
  in.step_size = a.eta > 0 ? a.eta : (a.L > 0 ? 1.0 / a.L : 0);
  in.iterations = a.T > 0 ? a.T : 1;
  in.nodes = a.nodes;
  try {
    validate(in);
  } catch (const std::invalid_argument& error) {
    std::cerr << "dasgd bound: " << error.what() << "\n";
    return 2;
  }
  print(dasgd_bounded_gradient_bound(in));
  print(dasgd_unbounded_gradient_bound(in));
  print(descent_envelope_measured(in));
  print(descent_envelope_staleness(in));
  return 0;
}

}  // namespace

void register_bound(CLI::App& app) {
  auto a = std::make_shared<BoundArguments>();
  CLI::App* c = app.add_subcommand("bound", "Evaluate the DASGD bounds and the descent envelope");
  c->add_option("--L", a->L, "Smoothness constant L")->required()->check(finite_number(true));
  c->add_option("--sigma", a->sigma, "Noise standard deviation sigma (sigma^2 = E||g - grad f||^2)")->required()->check(finite_number(false));
  c->add_option("--Q", a->Q, "Gradient-norm bound Q (omit: unbounded)")->check(finite_number(true));
  c->add_option("--S-avg", a->s_avg, "S_avg")->required()->check(finite_number(false));
  c->add_option("--S-max", a->s_max, "S_max")->required()->check(finite_number(false));
  c->add_option("--S-hat-avg", a->s_hat_avg, "S_hat_avg (default: S_avg)")->check(finite_number(false));
  c->add_option("--S-hat-max", a->s_hat_max, "S_hat_max (default: S_max)")->check(finite_number(false));
  c->add_option("--S-rms", a->s_rms, "RMS of S_t (default: S_avg)")->check(finite_number(false));
  c->add_option("--B2", a->b2, "mean B_t^2 = ||x_t - v_t||^2/eta^2 (default 0)")->check(finite_number(false));
  c->add_option("--eps", a->eps, "Target accuracy epsilon for E||grad f||^2")->required()->check(finite_number(true));
  c->add_option("--eta", a->eta, "Step size (default 1/L)")->check(finite_number(true));
  c->add_option("--gap", a->gap, "f(x_0) - f* (the envelope needs it)")->check(finite_number(false));
  c->add_option("--T", a->T, "Iterations T for the envelope (default 1)")->check(count_at_least(1));
  c->add_option("--nodes", a->nodes, "Number of nodes n")->check(count_at_least(1));
  c->callback([a] { set_exit_code(evaluate(*a)); });
}

}  // namespace dasgd::cli
