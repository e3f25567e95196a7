// How a run ended (run → files): a closed set, written in its string form to summary.json, the
// run directory's manifest, comparison_summary.csv and a sweep's results.csv status column, and
// mapped to the CLI's exit code. Meanings and exit codes: docs/OUTCOMES.md.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace dasgd {

enum class RunStatus {
  completed,      // the stopping rule fired (time, gradients, gradients_per_node, grad_norm_sq or an empty queue)
  diverged,       // the divergence rule fired at a metrics row (docs/OUTCOMES.md); stopped early
  interrupted,    // SIGINT or SIGTERM; stopped at the next event, files describe the run so far
  failed,         // the run could not be carried out (a world an algorithm refuses, an I/O error)
  no_live_nodes,  // reserved for fault models: every node crashed, nothing can advance
};

std::string_view to_string(RunStatus status) noexcept;
// One sentence: what the status means for the files written.
std::string_view meaning(RunStatus status) noexcept;
// Throws std::invalid_argument for a string that names no status.
RunStatus parse_run_status(std::string_view text);

// The string form compares equal to the status: `result.status == "diverged"`.
inline bool operator==(RunStatus status, std::string_view text) noexcept { return to_string(status) == text; }

// nlohmann::json writes and reads the string form.
NLOHMANN_JSON_SERIALIZE_ENUM(RunStatus, {{RunStatus::completed, "completed"},
                                         {RunStatus::diverged, "diverged"},
                                         {RunStatus::interrupted, "interrupted"},
                                         {RunStatus::failed, "failed"},
                                         {RunStatus::no_live_nodes, "no_live_nodes"}})

// Exit codes of `dasgd run` / `dasgd compare` (docs/OUTCOMES.md).
namespace exit_codes {
inline constexpr int success = 0;        // completed
inline constexpr int failed = 1;         // the run failed, or its results could not be written
inline constexpr int usage = 2;          // usage, config or output-directory error: nothing written
inline constexpr int diverged = 3;       // diverged: files written, status "diverged"
inline constexpr int no_live_nodes = 4;  // reserved for fault models
// interrupted: 128 + the signal (130 for SIGINT, 143 for SIGTERM), files written
}  // namespace exit_codes

// The exit code for a run that ended with `status`; `signal` is the signal that interrupted it.
int exit_code_for(RunStatus status, int signal = 0) noexcept;

}  // namespace dasgd
