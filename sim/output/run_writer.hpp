// Writes a run directory (run → metrics → files): config.json (resolved), summary.json,
// metrics.csv, staleness_hist.csv, staleness_windows.csv, nodes.csv, gradients.csv and timing.json.
// Every file is written atomically (temporary name, then rename). All but timing.json (wall clock)
// are byte-identical for the same config and seed.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "sim/config/run_config.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {

// The summary document (also printed in short by the CLI).
nlohmann::json run_summary(const RunConfig& config, const RunResult& result);

// Bounds an applicable exact-constant bound says the run broke (empty when none): each line names
// the bound and the measured and bounded numbers.
std::vector<std::string> bound_violations(const RunResult& result);

void write_run_directory(const RunConfig& config, const RunResult& result,
                         const std::filesystem::path& directory);

}  // namespace dasgd
