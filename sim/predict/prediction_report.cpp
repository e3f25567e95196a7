// Prediction output; see prediction_report.hpp.
#include "sim/predict/prediction_report.hpp"

#include <cmath>
#include <memory>
#include <ostream>

#include "objectives/objective_factory.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
template <typename T>
json optional(const std::optional<T>& value) {
  if (!value) return json(nullptr);
  if constexpr (std::is_floating_point_v<T>) return number(*value);
  else return json(*value);
}

}  // namespace

json prediction_json(const StalenessPrediction& p, const std::vector<BoundResult>& bounds,
                     const PredictionReportOptions& options) {
  json out{{"algorithm", p.algorithm},
           {"validity", to_string(p.validity)},
           {"distribution_validity", to_string(p.distribution_validity)},
           {"reasons", p.reasons},
           {"nodes", p.nodes}};
  if (p.validity == Validity::no_closed_form) return out;
  out["S_avg"] = number(p.s_avg);
  out["tau_avg"] = optional(p.tau_avg);
  out["gradients_per_second"] = number(p.total_rate);
  out["max_delivery_delay"] = number(p.max_delivery_delay);
  out["delay_method"] = p.delay_method;
  out["expected_gradients"] = number(p.expected_gradients);
  out["expected_run_time"] = number(p.expected_run_time);
  json law{{"p50", optional(p.p50)},
           {"p90", optional(p.p90)},
           {"p99", optional(p.p99)},
           {"mean_square", optional(p.mean_s_squared)},
           {"expected_max", optional(p.expected_s_max)},
           {"validity", to_string(p.distribution_validity)},
           {"note", p.distribution_note}};
  if (!p.distribution.pmf.empty() && p.distribution.pmf.size() <= options.max_pmf_entries)
    law["pmf"] = p.distribution.pmf;
  out["S"] = law;
  json b = json::array();
  for (const BoundResult& bound : bounds)
    b.push_back({{"name", bound.name},
                 {"label", to_string(bound.label)},
                 {"quantity", to_string(bound.quantity)},
                 {"total", number(bound.total)},
                 {"predicted_iterations", bound.predicted_iterations ? number(*bound.predicted_iterations) : json(nullptr)},
                 {"applicability", to_string(bound.applicability)},
                 {"note", bound.note}});
  out["bounds"] = b;
  if (options.per_node) {
    json nodes = json::array();
    for (const NodePrediction& n : p.per_node)
      nodes.push_back({{"node", n.node},
                       {"mean_compute_time", number(n.mean_compute_time)},
                       {"rate", number(n.rate)},
                       {"S_mean", number(n.s_mean)},
                       {"in_flight", number(n.in_flight)},
                       {"tau_mean", optional(n.tau_mean)}});
    out["per_node"] = nodes;
  }
  return out;
}

void print_prediction(std::ostream& out, const StalenessPrediction& p, const std::vector<BoundResult>& bounds,
                      std::size_t max_rows) {
  out << "algorithm " << p.algorithm << ", " << p.nodes << " nodes\n";
  out << "S_avg: " << (p.validity == Validity::no_closed_form ? std::string("-") : std::to_string(p.s_avg)) << "  ["
      << to_string(p.validity) << "]\n";
  for (const std::string& reason : p.reasons) out << "  because: " << reason << "\n";
  if (p.validity == Validity::no_closed_form) return;
  if (p.tau_avg) out << "tau_avg (server delay): " << *p.tau_avg << "\n";
  out << "gradients per second: " << p.total_rate << "; expected gradients " << p.expected_gradients
      << " in " << p.expected_run_time << " s\n";
  out << "max delivery delay: " << p.max_delivery_delay << " s (" << p.delay_method << ")\n";
  out << "law of S_t [" << to_string(p.distribution_validity) << "]:";
  if (p.p50) out << " p50 " << *p.p50 << ", p90 " << *p.p90 << ", p99 " << *p.p99;
  if (p.expected_s_max) out << ", expected S_max " << *p.expected_s_max;
  out << "\n";
  if (!p.distribution_note.empty()) out << "  note: " << p.distribution_note << "\n";
  for (const BoundResult& b : bounds) {
    out << "bound " << b.name << " [" << to_string(b.label) << "; " << to_string(b.applicability)
        << "]: total " << b.total;
    if (b.predicted_iterations) out << ", predicted gradients to eps " << *b.predicted_iterations;
    out << "\n";
  }
  out << "node  mean_compute_time  rate  S_mean  in_flight" << (p.tau_avg ? "  tau_mean" : "") << "\n";
  for (std::size_t k = 0; k < p.per_node.size() && k < max_rows; ++k) {
    const NodePrediction& n = p.per_node[k];
    out << n.node << "  " << n.mean_compute_time << "  " << n.rate << "  " << n.s_mean << "  " << n.in_flight;
    if (n.tau_mean) out << "  " << *n.tau_mean;
    out << "\n";
  }
  if (p.per_node.size() > max_rows)
    out << "(" << p.per_node.size() - max_rows << " more nodes: --all-nodes, or --json)\n";
}

ConfigPrediction predict_config(const RunConfig& config) {
  ConfigPrediction out;
  out.prediction = predict_staleness(config);
  const StalenessPrediction& prediction = out.prediction;
  if (prediction.validity != Validity::no_closed_form) {
    // The bounds need the objective's constants and f(x_0): the objective is built (no run).
    const std::unique_ptr<Objective> objective = make_objective(config.objective, prediction.nodes, config.seed);
    // f(x̄_0): the mean of the per-node initial models when the config gives them, as a run does.
    const Vector start_point =
        config.initial_models ? Vector(build_initial_models(*config.initial_models, prediction.nodes,
                                                            objective->dimension(), config.seed)
                                           .rowwise()
                                           .mean())
                              : objective->initial_point();
    out.bounds = predicted_bounds(prediction, objective->constants(), objective->value(start_point),
                                  config.algorithm.eta, config.epsilon);
  }
  return out;
}

nlohmann::json predict_config_json(const RunConfig& config, const ConfigPrediction& predicted) {
  json out = prediction_json(predicted.prediction, predicted.bounds);
  out["name"] = config.name;
  return out;
}

}  // namespace dasgd
