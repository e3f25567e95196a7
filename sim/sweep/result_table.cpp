// Merging point records into results.csv and timing.csv; see result_table.hpp.
#include "sim/sweep/result_table.hpp"

#include <algorithm>
#include <optional>

#include "sim/output/csv_writer.hpp"
#include "sim/output/number_format.hpp"
#include "sim/sweep/point_record.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

const std::vector<std::string>& result_fields() {
  static const std::vector<std::string> fields = {
      "S_avg", "S_max", "S_hat_avg", "S_hat_max", "gradients_to_epsilon_virtual",
      "gradients_to_epsilon_node_average", "mean_grad_sq_virtual", "final_f", "final_grad_sq",
      "nodes", "end_time", "gradients", "events"};
  return fields;
}

const std::vector<std::string>& bound_fields() {
  static const std::vector<std::string> fields = {"total", "verdict", "ratio", "predicted_iterations",
                                                  "iterations_ratio", "iterations_verdict"};
  return fields;
}

// A JSON value as one CSV cell: numbers in round-trip text, strings bare, null (absent, not
// reached, not a number) empty.
std::string cell_text(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return format_number(value.get<std::uint64_t>());
  if (value.is_number_integer()) return format_number(value.get<std::int64_t>());
  if (value.is_number_float()) return format_number(value.get<double>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

std::vector<json> read_all(const Sweep& sweep, SweepTally& tally) {
  std::vector<json> records(sweep.points.size());
  for (std::size_t k = 0; k < sweep.points.size(); ++k) {
    std::optional<json> record = read_point_record(sweep, k);
    if (!record) {
      tally.missing.push_back(k);
      continue;
    }
    const std::string status = (*record)["status"].get<std::string>();
    if (status == "completed") {
      ++tally.completed;
    } else if (status == "diverged") {
      ++tally.diverged;
    } else {
      ++tally.failed;
    }
    records[k] = std::move(*record);
  }
  return records;
}

}  // namespace

SweepTally tally_points(const Sweep& sweep) {
  SweepTally tally;
  read_all(sweep, tally);
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
  SweepTally tally;
  const std::vector<json> records = read_all(sweep, tally);
  if (!tally.missing.empty()) return tally;

  std::vector<std::string> bound_keys;
  for (const json& record : records) {
    if (record["results"].is_null()) continue;
    for (const json& bound : record["results"]["bounds"]) {
      const std::string key = bound["key"].get<std::string>();
      if (std::find(bound_keys.begin(), bound_keys.end(), key) == bound_keys.end()) bound_keys.push_back(key);
    }
  }
  CsvWriter results(sweep.directory / "results.csv", results_header(sweep, bound_keys));
  CsvWriter timing(sweep.directory / "timing.csv", {"point", "seed", "status", "wall_seconds"});
  std::vector<CsvCell> row;
  for (std::size_t k = 0; k < records.size(); ++k) {
    const json& record = records[k];
    const json& r = record["results"];
    row.clear();
    row.emplace_back(k);
    for (const PointOverride& o : sweep.points[k].overrides) row.emplace_back(cell_text(o.value));
    row.emplace_back(cell_text(record["seed"]));
    row.emplace_back(cell_text(record["status"]));
    row.emplace_back(cell_text(record["reason"]));
    for (const std::string& field : result_fields()) row.emplace_back(r.is_null() ? "" : cell_text(r[field]));
    row.emplace_back(record.contains("bound_violations") ? cell_text(json(record["bound_violations"].size())) : "");
    for (const std::string& key : bound_keys) {
      const json* found = nullptr;
      if (!r.is_null()) {
        for (const json& bound : r["bounds"]) {
          if (bound["key"] == key) found = &bound;
        }
      }
      for (const std::string& field : bound_fields()) row.emplace_back(found ? cell_text((*found)[field]) : "");
    }
    results.row(row);
    timing.row({CsvCell(k), CsvCell(cell_text(record["seed"])), CsvCell(cell_text(record["status"])),
                CsvCell(cell_text(record["wall_seconds"]))});
  }
  results.commit();
  timing.commit();
  return tally;
}

}  // namespace dasgd
