// Run statuses and stop reasons; see run_status.hpp.
#include "sim/result/run_status.hpp"

#include <csignal>
#include <stdexcept>

namespace dasgd {

std::string_view to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::completed: return "completed";
    case RunStatus::diverged: return "diverged";
    case RunStatus::interrupted: return "interrupted";
    case RunStatus::failed: return "failed";
    case RunStatus::no_live_nodes: return "no_live_nodes";
  }
  return "failed";
}

std::string_view meaning(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::completed:
      return "the stopping rule fired; every figure and bound verdict describes the whole run";
    case RunStatus::diverged:
      return "the divergence rule fired at a metrics row and the run stopped there; gradients-to-epsilon "
             "figures and bound verdicts are not evaluated (null)";
    case RunStatus::interrupted:
      return "stopped by SIGINT or SIGTERM at the next event; the files describe the run up to then";
    case RunStatus::failed:
      return "the run could not be carried out (see reason); no figures";
    case RunStatus::no_live_nodes:
      return "every node had crashed, so simulated time could not advance (fault models)";
  }
  return "";
}

RunStatus parse_run_status(std::string_view text) {
  for (RunStatus s : all_run_statuses)
    if (to_string(s) == text) return s;
  throw std::invalid_argument("expected a run status (completed, diverged, interrupted, failed, no_live_nodes), got \"" +
                              std::string(text) + "\"");
}

std::string_view to_string(RunStopReason reason) noexcept {
  switch (reason) {
    case RunStopReason::time: return "time";
    case RunStopReason::gradients: return "gradients";
    case RunStopReason::gradients_per_node: return "gradients_per_node";
    case RunStopReason::grad_norm_sq: return "grad_norm_sq";
    case RunStopReason::queue_empty: return "queue_empty";
    case RunStopReason::diverged: return "diverged";
    case RunStopReason::interrupted: return "interrupted";
    case RunStopReason::no_live_nodes: return "no_live_nodes";
  }
  return "time";
}

RunStopReason parse_stop_reason(std::string_view text) {
  for (RunStopReason r : all_stop_reasons)
    if (to_string(r) == text) return r;
  throw std::invalid_argument(
      "expected a stop reason (time, gradients, gradients_per_node, grad_norm_sq, queue_empty, diverged, interrupted, no_live_nodes), "
      "got \"" + std::string(text) + "\"");
}

int exit_code_for(RunStatus status, int signal) noexcept {
  switch (status) {
    case RunStatus::completed: return exit_codes::success;
    case RunStatus::diverged: return exit_codes::diverged;
    case RunStatus::interrupted: return 128 + (signal > 0 ? signal : SIGINT);
    case RunStatus::failed: return exit_codes::failed;
    case RunStatus::no_live_nodes: return exit_codes::no_live_nodes;
  }
  return exit_codes::failed;
}

}  // namespace dasgd
