// Runs the points of a sweep that have no record yet (run stage, many runs): up to `jobs` worker
// processes at a time, each the dasgd binary itself running a range of points in one process
// (`sweep FILE --points A:B --quiet`, the same thing a Slurm array task runs), so a crash takes down
// one point, never the sweep, and process start and sweep loading are paid once per range, not once
// per point. Each point's results depend only on its own config and seed: the worker count, the
// ranges and the completion order change nothing but the wall time.
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
  std::size_t total = 0;         // points in the sweep (or in the range)
  std::size_t already_done = 0;  // records found before starting (a resumed sweep)
  std::size_t ran = 0;           // points recorded by this call
  std::size_t failed = 0;        // of which failed or diverged
  std::size_t transient = 0;     // points that failed transiently: still missing, retried on resume
  int interrupted_by = 0;        // SIGINT or SIGTERM when the sweep was stopped, else 0
};

// Runs the points K in [from, to) that lack K.json, in order, inside this process (the sweep loaded
// once): `dasgd sweep FILE --points A:B`, a Slurm array task. Records are written atomically but
// fsynced once, as a batch, at the end. SIGINT or SIGTERM ends the process at once, as the default
// action would (the point in flight has no record and runs again on resume), except while a record
// is being written, which is finished first. `threads` points run at a time (threads of this
// process; results do not depend on it). The sweep directory must have been claimed. Throws
// std::runtime_error when a record cannot be written (the records already written stay).
SchedulerOutcome run_point_range(const Sweep& sweep, std::size_t from, std::size_t to, bool quiet,
                                 unsigned threads = 1);

// Runs every point of `sweep` that lacks points/<K>.json, in point order, in ranges of up to 256
// points (about a quarter of each worker's share), `jobs` at a time, and records each (when a
// worker dies without recording, the first point of its range without a record gets a failure
// naming the exit code or signal and its last line on stderr, transient for SIGKILL, SIGTERM,
// SIGINT, SIGHUP, SIGXCPU and error exits, deterministic for crashes such as SIGSEGV or SIGABRT,
// and the rest of the range goes back into the queue). On SIGINT or SIGTERM no new point starts, the workers in
// flight are stopped (they leave no record) and the call returns with interrupted_by set; a kill -9
// of this process takes its workers down too (Linux: PR_SET_PDEATHSIG). The sweep directory must
// have been claimed (claim_sweep_directory). Throws std::runtime_error when workers cannot be
// started (fork or exec fails).
SchedulerOutcome run_missing_points(const Sweep& sweep, const SchedulerOptions& options);

}  // namespace dasgd
