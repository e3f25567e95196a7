// How a run ended (run → files): its status and the rule that stopped it, two closed sets, written
// in their string forms only at the edge (summary.json, the run directory's manifest,
// comparison_summary.csv, a sweep's results.csv and point records, the CLI's line), and the status
// mapped to the CLI's exit code. Meanings and exit codes: docs/OUTCOMES.md.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <string_view>

namespace dasgd {

enum class RunStatus {
  completed,      // the stopping rule fired (time, gradients, gradients_per_node, grad_norm_sq or an empty queue)
  diverged,       // the divergence rule fired at a metrics row (docs/OUTCOMES.md); stopped early
  interrupted,    // SIGINT or SIGTERM; stopped at the next event, files describe the run so far
  failed,         // the run could not be carried out (a world an algorithm refuses, an I/O error)
  no_live_nodes,  // node faults: every node is down for good, nothing can advance
};

std::string_view to_string(RunStatus status) noexcept;
// One sentence: what the status means for the files written.
std::string_view meaning(RunStatus status) noexcept;
// Throws std::invalid_argument for a string that names no status.
RunStatus parse_run_status(std::string_view text);

inline constexpr std::array<RunStatus, 5> all_run_statuses{RunStatus::completed, RunStatus::diverged,
                                                            RunStatus::interrupted, RunStatus::failed,
                                                            RunStatus::no_live_nodes};

// Which rule stopped the run (summary.json "stop_reason"): the first five refine `completed`, the
// others name the status they go with.
enum class RunStopReason {
  time,           // stop.time reached
  gradients,      // stop.gradients reached
  gradients_per_node,  // every node that computes reached stop.gradients_per_node
  grad_norm_sq,   // ‖∇f(x̄)‖² at a metrics row at most stop.grad_norm_sq
  queue_empty,    // no event left to run
  diverged,       // RunStatus::diverged
  interrupted,    // RunStatus::interrupted
  no_live_nodes,  // RunStatus::no_live_nodes
};

std::string_view to_string(RunStopReason reason) noexcept;
// Throws std::invalid_argument for a string that names no stop reason.
RunStopReason parse_stop_reason(std::string_view text);

inline constexpr std::array<RunStopReason, 8> all_stop_reasons{
    RunStopReason::time,        RunStopReason::gradients, RunStopReason::gradients_per_node,
    RunStopReason::grad_norm_sq, RunStopReason::queue_empty, RunStopReason::diverged,
    RunStopReason::interrupted, RunStopReason::no_live_nodes};

// nlohmann::json writes and reads the string forms above (to_string, parse_*): a JSON value that
// names no status or stop reason throws std::invalid_argument rather than reading as another one.
inline void to_json(nlohmann::json& j, RunStatus status) { j = std::string(to_string(status)); }
inline void from_json(const nlohmann::json& j, RunStatus& status) { status = parse_run_status(j.get<std::string>()); }
inline void to_json(nlohmann::json& j, RunStopReason reason) { j = std::string(to_string(reason)); }
inline void from_json(const nlohmann::json& j, RunStopReason& reason) { reason = parse_stop_reason(j.get<std::string>()); }

// Exit codes of `dasgd run` / `dasgd compare` (docs/OUTCOMES.md).
namespace exit_codes {
inline constexpr int success = 0;        // completed
inline constexpr int failed = 1;         // the run failed, or its results could not be written
inline constexpr int usage = 2;          // usage, config or output-directory error: nothing written
inline constexpr int diverged = 3;       // diverged: files written, status "diverged"
inline constexpr int no_live_nodes = 4;  // no live nodes: files written, status "no_live_nodes"
// interrupted: 128 + the signal (130 for SIGINT, 143 for SIGTERM), files written
}  // namespace exit_codes

// The exit code for a run that ended with `status`; `signal` is the signal that interrupted it.
int exit_code_for(RunStatus status, int signal = 0) noexcept;

}  // namespace dasgd
