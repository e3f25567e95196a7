// The divergence rule; see divergence.hpp.
#include "sim/metrics/divergence.hpp"

#include <cmath>

#include "sim/text/number_format.hpp"

namespace dasgd {

DivergenceRule make_divergence_rule(double factor, std::optional<double> f_star, double initial_f) {
  DivergenceRule rule;
  rule.factor = factor;
  rule.f_star_known = f_star.has_value();
  rule.f_star = f_star.value_or(0.0);
  const double gap = initial_f - rule.f_star;
  rule.initial_gap = std::isfinite(gap) && gap > 0 ? gap : 1.0;
  return rule;
}

std::string DivergenceRule::describe() const {
  return std::string("diverged when f(x_avg), ||grad f(x_avg)||^2 or the consensus distance is NaN or "
                     "infinite, or f(x_avg) - f* > ") +
         format_number(factor) + " x " + format_number(initial_gap) + " = " + format_number(threshold()) +
         (f_star_known ? " (f* = " + format_number(f_star) + ", the objective's optimum)"
                       : std::string(" (f* unknown: f itself is the gap)"));
}

std::optional<DivergenceEvent> check_divergence(const DivergenceRule& rule, const ConvergenceSample& sample) {
  DivergenceEvent event;
  event.time = sample.time;
  event.gradients = sample.gradients;
  event.f_average = sample.f_average;
  event.grad_sq_average = sample.grad_sq_average;
  if (!sample.finite()) {
    event.reason = "not finite at the node average: f = " + format_number(sample.f_average) +
                   ", ||grad f||^2 = " + format_number(sample.grad_sq_average) +
                   ", consensus distance = " + format_number(sample.consensus);
    return event;
  }
  const double gap = sample.f_average - rule.f_star;
  if (gap > rule.threshold()) {
    event.reason = "f(x_avg) - f* = " + format_number(gap) + " > " + format_number(rule.factor) + " x " +
                   format_number(rule.initial_gap) + " (its start value)";
    return event;
  }
  return std::nullopt;
}

}  // namespace dasgd
