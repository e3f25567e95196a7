// Writes a run directory (run → metrics → files): config.json (resolved), summary.json,
// metrics.csv, staleness_hist.csv, staleness_windows.csv, nodes.csv, gradients.csv and timing.json,
// plus the manifest .dasgd-manifest.json (run_directory.hpp). Every file is written into the
// claimed directory's staging area and swapped in at commit. All but timing.json (wall clock) are
// byte-identical for the same config and seed.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "sim/config/run_config.hpp"
#include "sim/output/gradient_log_stream.hpp"
#include "sim/output/run_directory.hpp"
#include "sim/output/table.hpp"
#include "sim/result/run_result.hpp"

namespace dasgd {

// The summary document (also printed in short by the CLI).
nlohmann::json run_summary(const RunConfig& config, const RunResult& result);

// Bounds an applicable exact-constant bound says the run broke (empty when none): each line names
// the bound and the measured and bounded numbers.
std::vector<std::string> bound_violations(const RunResult& result);

// The top-level names a run directory may hold (the claim's foreign-file check). A new output
// file must be added here.
const std::vector<std::string>& run_file_names();

// Writes every run file into `directory` (a staging directory, or a subdirectory of one, which is
// created). `streamed`: gradients.csv was written during the run by this stream; it is committed
// instead of written from the recorder's log.
void write_run_files(const RunConfig& config, const RunResult& result, const std::filesystem::path& directory,
                     GradientLogStream* streamed = nullptr);

// The run's CSV tables through `open`: metrics.csv, staleness_hist.csv, staleness_windows.csv,
// nodes.csv, and gradients.csv from the recorder's log when `gradients` and record.per_gradient.
// write_run_files opens CSV files; the Python module opens tables in memory.
void build_run_tables(const RunConfig& config, const RunResult& result, const TableOpener& open, bool gradients);

// The manifest's description of a run (name, seed, algorithm, status and its meaning).
nlohmann::json run_manifest(const RunConfig& config, const RunResult& result);

// Claims `directory` (no --force), writes the run files into its staging area and commits: for
// callers that did not claim before the run (sweep points). Throws OutputDirectoryError or
// std::runtime_error.
void write_run_directory(const RunConfig& config, const RunResult& result,
                         const std::filesystem::path& directory);

}  // namespace dasgd
