// `dasgd predict config.json [--set path=value]... [--json] [--all-nodes]`: the staleness the
// closed forms predict for this config (per node and overall, with validity labels) and the bounds
// evaluated on it, without running anything (docs/PREDICT.md). Exit 0, or 2 for a bad config.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

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
  ConfigPrediction predicted;
  const auto start = std::chrono::steady_clock::now();
  try {
    config = load_run_config(args.config_path, args.overrides);
    predicted = predict_config(config);
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    std::cout << predict_config_json(config, predicted).dump(2) << "\n";
  } else {
    std::cout << "dasgd predict " << config.name << " (closed forms, no run; docs/PREDICT.md)\n";
    print_prediction(std::cout, predicted.prediction, predicted.bounds,
                     args.all_nodes ? predicted.prediction.per_node.size() : 16);
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
