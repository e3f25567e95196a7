// Merging point records into results.csv and timing.csv; see result_table.hpp.
#include "sim/sweep/result_table.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "sim/output/csv_writer.hpp"
#include "sim/result/run_status.hpp"
#include "sim/text/number_format.hpp"
#include "sim/sweep/point_record.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

const std::vector<std::string>& result_fields() {
  static const std::vector<std::string> fields = {
      "S_avg", "S_max", "S_hat_avg", "S_hat_max", "gradients_to_epsilon_virtual",
      "gradients_to_epsilon_node_average", "mean_grad_sq_virtual", "final_f", "final_grad_sq",
      "nodes", "end_time", "gradients", "events", "S_avg_steady_state", "S_avg_predicted", "predicted_validity",
      "S_avg_steady_over_predicted"};
  return fields;
}

const std::vector<std::string>& bound_fields() {
  static const std::vector<std::string> fields = {"total", "verdict", "ratio", "predicted_iterations",
                                                  "iterations_ratio", "iterations_verdict"};
  return fields;
}

// A JSON value as one CSV cell: numbers as numbers (round-trip text), strings bare, null (absent,
// not reached, not a number) empty.
CsvCell cell_text(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

void add_bound_keys(const json& record, std::vector<std::string>& bound_keys) {
  if (!record.contains("results") || record["results"].is_null()) return;
  for (const json& bound : record["results"]["bounds"]) {
    const std::string key = bound["key"].get<std::string>();
    if (std::find(bound_keys.begin(), bound_keys.end(), key) == bound_keys.end()) bound_keys.push_back(key);
  }
}

void result_row(const Sweep& sweep, std::size_t k, const json& record, const std::vector<std::string>& bound_keys,
                std::vector<CsvCell>& row) {
  const json& r = record["results"];
  row.clear();
  row.emplace_back(k);
  for (const PointOverride& o : sweep.point(k).overrides) row.push_back(cell_text(o.value));
  row.push_back(cell_text(record["seed"]));
  row.push_back(cell_text(record["status"]));
  row.push_back(cell_text(record["reason"]));
  for (const std::string& field : result_fields()) row.push_back(r.is_null() ? CsvCell("") : cell_text(r[field]));
  row.push_back(record.contains("bound_violations") ? cell_text(json(record["bound_violations"].size())) : CsvCell(""));
  for (const std::string& key : bound_keys) {
    const json* found = nullptr;
    if (!r.is_null()) {
      for (const json& bound : r["bounds"]) {
        if (bound["key"] == key) found = &bound;
      }
    }
    for (const std::string& field : bound_fields()) row.push_back(found ? cell_text((*found)[field]) : CsvCell(""));
  }
}

std::vector<CsvCell> timing_row(std::size_t k, const json& record) {
  return {CsvCell(k), cell_text(record["seed"]), cell_text(record["status"]), cell_text(record["wall_seconds"])};
}

const std::vector<std::string>& timing_header() {
  static const std::vector<std::string> header{"point", "seed", "status", "wall_seconds"};
  return header;
}

// Above this many points, records are read again for the rows instead of kept from the count
// (10^7 records would take gigabytes).
constexpr std::size_t kKeptRecords = 100000;

// Reads every record: the tally, the bound keys in order of first appearance, and the records
// themselves when `keep` and the sweep is small enough.
std::vector<json> read_all(const Sweep& sweep, SweepTally& tally, bool keep, std::vector<std::string>* bound_keys = nullptr) {
  const std::vector<bool> recorded = recorded_points(sweep);
  for (std::size_t k = 0; k < sweep.point_count; ++k) {
    if (recorded[k]) continue;
    tally.missing.push_back(k);
    if (const std::optional<json> retry = read_retry_record(sweep, k)) {
      ++tally.transient;
      tally.last_transient_reason = (*retry)["reason"].is_string() ? (*retry)["reason"].get<std::string>() : "";
    }
  }
  std::vector<json> records(keep && tally.missing.empty() && sweep.point_count <= kKeptRecords ? sweep.point_count : 0);
  for (std::size_t k = 0; k < sweep.point_count; ++k) {
    if (!recorded[k]) continue;
    std::optional<json> record = read_point_record(sweep, k);
    if (!record) {  // removed since the listing
      tally.missing.push_back(k);
      continue;
    }
    const RunStatus status = (*record)["status"].get<RunStatus>();
    if (status == RunStatus::completed) {
      ++tally.completed;
    } else if (status == RunStatus::diverged) {
      ++tally.diverged;
    } else {
      ++tally.failed;
    }
    if (bound_keys != nullptr) add_bound_keys(*record, *bound_keys);
    if (!records.empty()) records[k] = std::move(*record);
  }
  std::sort(tally.missing.begin(), tally.missing.end());
  return records;
}

}  // namespace

std::string task_array(const std::vector<std::size_t>& missing, std::size_t points_per_task, std::size_t offset,
                       std::size_t* below_offset) {
  const std::size_t per_task = std::max<std::size_t>(1, points_per_task);
  std::vector<std::size_t> tasks;
  std::size_t below = 0;
  for (std::size_t k : missing) {
    if (k < offset) {
      ++below;
      continue;
    }
    const std::size_t task = (k - offset) / per_task;
    if (tasks.empty() || tasks.back() != task) tasks.push_back(task);
  }
  if (below_offset != nullptr) *below_offset = below;
  std::string text;
  for (std::size_t i = 0; i < tasks.size();) {
    std::size_t j = i;
    while (j + 1 < tasks.size() && tasks[j + 1] == tasks[j] + 1) ++j;
    if (!text.empty()) text += ',';
    text += std::to_string(tasks[i]);
    if (j > i) {
      text += '-';  // not "-" + ...: GCC 12 warns falsely (-Wrestrict) about that concatenation
      text += std::to_string(tasks[j]);
    }
    i = j + 1;
  }
  return text;
}

SweepTally tally_points(const Sweep& sweep) {
  SweepTally tally;
  read_all(sweep, tally, false);
  return tally;
}

std::vector<std::string> results_header(const Sweep& sweep, const std::vector<std::string>& bound_keys) {
  std::vector<std::string> header{"point"};
  header.insert(header.end(), sweep.axis_paths.begin(), sweep.axis_paths.end());
  for (const char* name : {"seed", "status", "reason"}) header.emplace_back(name);
  header.insert(header.end(), result_fields().begin(), result_fields().end());
  header.emplace_back("bound_violations");
  for (const std::string& key : bound_keys) {
    for (const std::string& field : bound_fields()) header.push_back(key + "." + field);
  }
  return header;
}

SweepTally write_sweep_results(const Sweep& sweep) {
  // Whatever happens next, no results.csv of an earlier merge stays beside records it may no
  // longer match (a point deleted to rerun it, a merge that fails half-way).
  for (const char* name : {"results.csv", "timing.csv"}) {
    std::error_code ignored;
    std::filesystem::remove(sweep.directory / name, ignored);
  }
  remove_stale_record_temporaries(sweep);
  SweepTally tally;
  std::vector<std::string> bound_keys;
  const std::vector<json> kept = read_all(sweep, tally, true, &bound_keys);
  if (!tally.missing.empty()) return tally;

  CsvWriter results(sweep.directory / "results.csv", results_header(sweep, bound_keys));
  CsvWriter timing(sweep.directory / "timing.csv", timing_header());
  std::vector<CsvCell> row;
  json reread;
  for (std::size_t k = 0; k < sweep.point_count; ++k) {
    if (kept.empty()) {
      std::optional<json> record = read_point_record(sweep, k);
      if (!record) throw std::runtime_error((sweep.directory / "points").string() + ": the record of point " +
                                            std::to_string(k) + " went missing during the merge");
      reread = std::move(*record);
    }
    const json& record = kept.empty() ? reread : kept[k];
    result_row(sweep, k, record, bound_keys, row);
    results.row(row);
    timing.row(timing_row(k, record));
  }
  results.commit();
  timing.commit();
  return tally;
}

void build_sweep_tables(const Sweep& sweep, const std::vector<nlohmann::json>& records, const TableOpener& open) {
  std::vector<std::string> bound_keys;
  for (const json& record : records) add_bound_keys(record, bound_keys);
  const auto results = open("results.csv", results_header(sweep, bound_keys));
  const auto timing = open("timing.csv", timing_header());
  std::vector<CsvCell> row;
  for (std::size_t k = 0; k < records.size(); ++k) {
    result_row(sweep, k, records[k], bound_keys, row);
    results->row(row);
    timing->row(timing_row(k, records[k]));
  }
  results->commit();
  timing->commit();
}

}  // namespace dasgd
