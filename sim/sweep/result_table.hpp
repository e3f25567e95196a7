// The merged results of a sweep (files stage): results.csv, one tidy row per point in point order,
// rebuilt from the point records (point_record.hpp) whenever the sweep finishes or is merged. It is
// byte-identical for the same sweep whatever the -j, the scheduling or the machines; wall times,
// which are not, go to timing.csv beside it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/output/table.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace dasgd {

struct SweepTally {
  std::size_t completed = 0;
  std::size_t diverged = 0;
  std::size_t failed = 0;
  std::vector<std::size_t> missing;  // points without a record yet (K.json), in order
  std::size_t transient = 0;         // of which with a transient failure to retry (K.retry.json)
  std::string last_transient_reason;
};

// The Slurm array indices whose tasks cover the missing points, task t running points
// [offset + t·points_per_task, offset + (t+1)·points_per_task): "3,7-9,12" (empty when none).
// Points below the offset no task covers; their count goes to *below_offset.
std::string task_array(const std::vector<std::size_t>& missing, std::size_t points_per_task, std::size_t offset,
                       std::size_t* below_offset = nullptr);

// Counts the records present (reads every points/<K>.json). Throws std::runtime_error for a record
// of another sweep.
SweepTally tally_points(const Sweep& sweep);

// The results.csv header: point, one column per axis path, seed, status, reason, the staleness
// figures, gradients to ε, final f and ‖∇f‖² at x̄, nodes, end time, gradients, events,
// bound_violations, then six columns per bound ("<bound>.total", ".verdict", ".ratio",
// ".predicted_iterations", ".iterations_ratio", ".iterations_verdict") for every bound any point
// reports, in order of first appearance.
std::vector<std::string> results_header(const Sweep& sweep, const std::vector<std::string>& bound_keys);

// Writes results.csv and timing.csv atomically when every point has a record, and returns the tally.
// First removes any results.csv and timing.csv already there, so that with points missing (the
// tally lists them) or a failure half-way none is left that the records no longer match.
SweepTally write_sweep_results(const Sweep& sweep);

// The same two tables (results.csv, timing.csv) through `open`, from records held in memory, one
// per point in point order (PointOutcome::record of run_point): the Python module's sweep.
void build_sweep_tables(const Sweep& sweep, const std::vector<nlohmann::json>& records, const TableOpener& open);

}  // namespace dasgd
