// Runs the points of a sweep that have no record yet (run stage, many runs): up to `jobs` worker
// processes at a time, each the dasgd binary itself running `sweep FILE --point K --quiet`, so a
// crash takes down one point, never the sweep. Each point's results depend only on its own config
// and seed: the worker count and the completion order change nothing but the wall time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "sim/sweep/sweep_points.hpp"

namespace dasgd {

struct SchedulerOptions {
  // The dasgd binary workers run (the CLI passes /proc/self/exe). Empty: points run one after
  // another inside this process (no crash isolation; for platforms without /proc).
  std::filesystem::path executable;
  std::filesystem::path sweep_file;  // as the workers must read it
  unsigned jobs = 1;                 // worker processes at a time (>= 1)
  bool quiet = false;                // no progress line (it is drawn only on a terminal anyway)
};

struct SchedulerOutcome {
  std::size_t total = 0;         // points in the sweep
  std::size_t already_done = 0;  // records found before starting (a resumed sweep)
  std::size_t ran = 0;           // points recorded by this call
  std::size_t failed = 0;        // of which failed or diverged
  int interrupted_by = 0;        // SIGINT or SIGTERM when the sweep was stopped, else 0
};

// Runs every point of `sweep` that lacks points/<K>.json, in point order, `jobs` at a time, and
// records each (a worker that dies without a record gets a "failed" record naming its exit code or
// signal and its last line on stderr). On SIGINT or SIGTERM no new point starts, the workers in
// flight are stopped (they leave no record) and the call returns with interrupted_by set; a kill -9
// of this process takes its workers down too (Linux: PR_SET_PDEATHSIG). The sweep directory must
// have been claimed (claim_sweep_directory). Throws std::runtime_error when workers cannot be
// started (fork or exec fails).
SchedulerOutcome run_missing_points(const Sweep& sweep, const SchedulerOptions& options);

}  // namespace dasgd
