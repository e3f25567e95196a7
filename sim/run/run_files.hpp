// The glue between a run and its output directory (run → files), shared by `dasgd run` and
// `dasgd compare`: claim the directory before the run, stream gradients.csv into its staging area
// during the run, and hand the summary's B² quantiles over from the stream afterwards.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sim/config/run_config.hpp"
#include "sim/output/gradient_log_stream.hpp"
#include "sim/output/run_directory.hpp"
#include "sim/output/trace_writer.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {

// Claim options: the given names, --force, and abandon on a second SIGINT/SIGTERM.
OutputClaimOptions claim_options(std::vector<std::string> names, bool force);

// A gradients.csv stream in `directory` (created) when the config records per-gradient rows, else null.
std::unique_ptr<GradientLogStream> open_gradient_log(const RunConfig& config, const std::filesystem::path& directory);

// `options` with the stream attached as the recorder's sink.
RunOptions with_gradient_log(RunOptions options, GradientLogStream* stream);

// record.trace: `options` with an observer hook that opens trace.json in `directory` once the run
// knows its node count; the writer is kept in `trace` (commit it with the other files).
RunOptions with_trace(RunOptions options, const RunConfig& config, const std::filesystem::path& directory,
                      std::unique_ptr<TraceWriter>& trace);

// With the other files: the run's fault timeline (complete only once the run has ended: link
// outages are reported then) joins trace.json, which is then made visible.
void commit_trace(TraceWriter& trace, const RunResult& result);

// After the run: the summary's B² quantiles come from the stream.
void finish_gradient_log(RunResult& result, const GradientLogStream* stream);

// Calls `write` (which writes every file into output.staging() and returns the manifest), then
// swaps the files in. On failure prints the one line and returns the exit code: interrupted again
// while writing (the previous run stays whole), or 1 when the files could not be written.
std::optional<int> write_and_commit(OutputDirectory& output, const std::string& directory,
                                    const std::function<nlohmann::json()>& write);

}  // namespace dasgd
