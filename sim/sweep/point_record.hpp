// One sweep point, run and recorded (run → metrics → files for a single point): each finished point
// leaves <dir>/points/<K>.json, written atomically, so a killed sweep loses at most the points in
// flight and a rerun (or another machine, `--point K`) finishes only what is missing.
// Layout: <dir>/sweep.json (manifest with the sweep hash), points/<K>.json, runs/<K>/ (optional),
// results.csv and timing.csv (result_table.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/sweep/sweep_points.hpp"

namespace dasgd {

std::filesystem::path point_record_path(const Sweep& sweep, std::size_t k);
// points/<K>.retry.json: the last transient failure of point K (no K.json yet), with its attempt count.
std::filesystem::path retry_record_path(const Sweep& sweep, std::size_t k);

// Creates the sweep directory and writes its manifest (sweep.json), or checks that the manifest
// already there carries this sweep's hash. Throws ConfigError naming both hashes when the directory
// holds another sweep (a different sweep file, base config or expansion), so results of two sweeps
// are never mixed; std::runtime_error when the directory cannot be written. Removes the temporary
// record files that processes of this host which no longer run left behind (a kill -9).
void claim_sweep_directory(const Sweep& sweep);

// Removes points/.<K>.json.tmp.<host>.<pid> files of this host whose process no longer runs. Called
// when the directory is claimed and again before a merge: a worker of a sweep killed with -9 dies
// (PR_SET_PDEATHSIG) a moment after its parent, possibly after the resumed sweep's claim looked.
void remove_stale_record_temporaries(const Sweep& sweep);

// Failures come in two kinds. Deterministic ones are results: the config is invalid (a point
// outside the validation sample), the world cannot exist (a disconnected random graph), the worker
// crashed (SIGSEGV, SIGABRT): rerunning gives the same, so they are recorded in K.json and stay.
// Transient ones are not: the disk was full, memory ran out, the task was killed (SIGKILL, the
// OOM killer, a Slurm time limit) or interrupted. They go to K.retry.json, K stays missing and runs
// again on resume; after kMaxTransientAttempts of them in a row the point is recorded as failed.
inline constexpr int kMaxTransientAttempts = 3;

// The outcome of running one point: a record for K.json, or a transient failure.
struct PointOutcome {
  nlohmann::json record;       // status "completed", "diverged" or "failed", with reason
  bool transient = false;      // the failure is transient: record is for K.retry.json
  bool had_retry = true;       // a K.retry.json may exist and must go once K.json is written
};

// Runs point K in this process: parses its config (an invalid one is a deterministic failure with
// the validation error as reason), runs it, writes runs/<K>/ when the sweep asks for run
// directories. Never throws for what a point can do wrong.
PointOutcome run_point(const Sweep& sweep, std::size_t k);

// A "failed" record for a point whose worker died without recording (killed by a signal, crashed).
nlohmann::json failure_record(const Sweep& sweep, std::size_t k, const std::string& reason);

// Records an outcome: K.json (removing any K.retry.json), or for a transient failure K.retry.json
// with the attempt count, turned into a failed K.json at kMaxTransientAttempts. Atomic (temporary
// file and rename); `durable` also fsyncs it (else call sync_point_records for a batch). Returns
// true when the point now has a K.json.
bool record_outcome(const Sweep& sweep, std::size_t k, PointOutcome outcome, bool durable = true);
void write_point_record(const Sweep& sweep, const nlohmann::json& record, bool durable = true);

// fsyncs the given points' records and the points directory: one batch at the end of a range.
void sync_point_records(const Sweep& sweep, const std::vector<std::size_t>& points);

// The record of point K, or nullopt when it has none yet. Throws std::runtime_error when the file is
// unreadable, or belongs to another sweep (hash) or another point.
std::optional<nlohmann::json> read_point_record(const Sweep& sweep, std::size_t k);
// The last transient failure of point K, or nullopt.
std::optional<nlohmann::json> read_retry_record(const Sweep& sweep, std::size_t k);

// Which points have a K.json, from one listing of points/ (no file opened): O(files), not a stat
// per point.
std::vector<bool> recorded_points(const Sweep& sweep);
// Which points have a K.retry.json (a transient failure to retry), likewise.
std::vector<bool> retried_points(const Sweep& sweep);

}  // namespace dasgd
