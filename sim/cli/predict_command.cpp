// `dasgd predict config.json [--set path=value]... [--json] [--all-nodes]`: the staleness the
// closed forms predict for this config (per node and overall, with validity labels) and the bounds
// evaluated on it, without running anything (docs/PREDICT.md). Exit 0, or 2 for a bad config.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "objectives/objective_factory.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/run_config.hpp"
#include "sim/predict/prediction_report.hpp"
#include "sim/predict/staleness_prediction.hpp"

namespace dasgd::cli {

namespace {

struct PredictArguments {
  std::string config_path;
  std::vector<std::string> overrides;
  bool json = false;
  bool all_nodes = false;
};

int predict(const PredictArguments& args) {
  RunConfig config;
  StalenessPrediction prediction;
  std::vector<BoundResult> bounds;
  const auto start = std::chrono::steady_clock::now();
  try {
    config = load_run_config(args.config_path, args.overrides);
    prediction = predict_staleness(config);
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
      bounds = predicted_bounds(prediction, objective->constants(), objective->value(start_point),
                                config.algorithm.eta, config.epsilon);
    }
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    nlohmann::json out = prediction_json(prediction, bounds);
    out["name"] = config.name;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "dasgd predict " << config.name << " (closed forms, no run; docs/PREDICT.md)\n";
    print_prediction(std::cout, prediction, bounds, args.all_nodes ? prediction.per_node.size() : 16);
    std::cerr << "dasgd: predicted in " << seconds << " s\n";
  }
  return 0;
}

}  // namespace

void register_predict(CLI::App& app) {
  auto a = std::make_shared<PredictArguments>();
  CLI::App* c = app.add_subcommand("predict", "Predict staleness from the config alone (closed forms, no run)");
  c->add_option("config", a->config_path, "Run config (JSON)")->required();
  c->add_option("--set", a->overrides, "Override a config value: path=value (JSON value), repeatable");
  c->add_flag("--json", a->json, "Print the prediction as JSON (every node)");
  c->add_flag("--all-nodes", a->all_nodes, "Print every node's row (default: the first 16)");
  c->callback([a] { set_exit_code(predict(*a)); });
}

}  // namespace dasgd::cli
