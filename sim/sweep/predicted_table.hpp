// `dasgd sweep ... --predict-only` (files stage): predicted.csv, one row per point in point order
// with the closed forms' staleness (sim/predict) and no simulation, so a design space of thousands
// of points is scanned in seconds and only the interesting points need a run.
#pragma once

#include <cstddef>

#include "sim/sweep/sweep_points.hpp"

namespace dasgd {

// predicted.csv header: point, the axis paths, seed, validity, S_avg_predicted, tau_avg_predicted,
// S_p50, S_p90, S_p99, S_max_expected, gradients_per_second, expected_gradients, reason.
std::vector<std::string> predicted_header(const Sweep& sweep);

// Writes <sweep dir>/predicted.csv atomically (creating the directory). A point whose config is
// invalid gets validity "invalid" and the error as reason. Returns the number of rows.
std::size_t write_predicted_table(const Sweep& sweep);

}  // namespace dasgd
