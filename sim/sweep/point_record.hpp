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

#include "sim/sweep/sweep_points.hpp"

namespace dasgd {

std::filesystem::path point_record_path(const Sweep& sweep, std::size_t k);

// Creates the sweep directory and writes its manifest (sweep.json), or checks that the manifest
// already there carries this sweep's hash. Throws ConfigError naming both hashes when the directory
// holds another sweep (a different sweep file, base config or expansion), so results of two sweeps
// are never mixed; std::runtime_error when the directory cannot be written.
void claim_sweep_directory(const Sweep& sweep);

// Runs point K in this process and returns its record: status "completed", "diverged" (the run
// reports it; never a crash) or "failed" (the world could not be built, e.g. a disconnected random
// graph: `reason` says why). Writes runs/<K>/ first when the sweep asks for run directories.
nlohmann::json run_point(const Sweep& sweep, std::size_t k);

// A "failed" record for a point whose worker died without recording (killed by a signal, crashed).
nlohmann::json failure_record(const Sweep& sweep, std::size_t k, const std::string& reason);

// Writes the record atomically to points/<K>.json (the point counts as done from then on).
void write_point_record(const Sweep& sweep, const nlohmann::json& record);

// The record of point K, or nullopt when it has none yet. Throws std::runtime_error when the file is
// unreadable, or belongs to another sweep (hash) or another point.
std::optional<nlohmann::json> read_point_record(const Sweep& sweep, std::size_t k);

}  // namespace dasgd
