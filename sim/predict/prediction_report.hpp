// A StalenessPrediction as JSON (dasgd predict --json, summary.json "predicted", sweep rows) and as
// the text dasgd predict prints. Output edge of the prediction stage: formats, computes nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <vector>

#include "sim/bounds/bounds.hpp"
#include "sim/config/run_config.hpp"
#include "sim/predict/staleness_prediction.hpp"

namespace dasgd {

struct PredictionReportOptions {
  bool per_node = true;             // the per-node array
  std::size_t max_pmf_entries = 4096;  // the pmf is written when it has at most this many entries
};

nlohmann::json prediction_json(const StalenessPrediction& prediction, const std::vector<BoundResult>& bounds,
                               const PredictionReportOptions& options = {});

// What `dasgd predict` computes for a config: the prediction and, where it has a closed form, the
// bounds evaluated ahead of the run (the objective is built for its constants and f(x̄_0); nothing
// runs). Throws ConfigError / std::invalid_argument like run_experiment for a world it cannot build.
struct ConfigPrediction {
  StalenessPrediction prediction;
  std::vector<BoundResult> bounds;
};
ConfigPrediction predict_config(const RunConfig& config);

// `dasgd predict --json` (and dasgd.predict in Python): prediction_json of a config's prediction,
// with the config's name.
nlohmann::json predict_config_json(const RunConfig& config, const ConfigPrediction& predicted);

// Overall figures, the labels and reasons, the bounds, then up to max_rows per-node rows.
void print_prediction(std::ostream& out, const StalenessPrediction& prediction,
                      const std::vector<BoundResult>& bounds, std::size_t max_rows);

}  // namespace dasgd
