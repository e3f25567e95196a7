// A StalenessPrediction as JSON (dasgd predict --json, summary.json "predicted", sweep rows) and as
// the text dasgd predict prints. Output edge of the prediction stage: formats, computes nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <vector>

#include "sim/bounds/bounds.hpp"
#include "sim/predict/staleness_prediction.hpp"

namespace dasgd {

struct PredictionReportOptions {
  bool per_node = true;             // the per-node array
  std::size_t max_pmf_entries = 4096;  // the pmf is written when it has at most this many entries
};

nlohmann::json prediction_json(const StalenessPrediction& prediction, const std::vector<BoundResult>& bounds,
                               const PredictionReportOptions& options = {});

// Overall figures, the labels and reasons, the bounds, then up to max_rows per-node rows.
void print_prediction(std::ostream& out, const StalenessPrediction& prediction,
                      const std::vector<BoundResult>& bounds, std::size_t max_rows);

}  // namespace dasgd
