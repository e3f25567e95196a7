// Running and recording one sweep point; see point_record.hpp.
#include "sim/sweep/point_record.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/config/json_reader.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

// A column-friendly key for a bound: its name in lower case, parenthesised remarks dropped, every
// other run of non-alphanumerics one '_' ("DASGD, bounded gradients (Tosi ...)" →
// "dasgd_bounded_gradients").
std::string bound_key(const std::string& name) {
  std::string key;
  int depth = 0;
  for (char c : name) {
    if (c == '(') ++depth;
    if (c == ')') {
      depth = depth > 0 ? depth - 1 : 0;
      continue;
    }
    if (depth > 0) continue;
    if (std::isalnum(static_cast<unsigned char>(c))) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!key.empty() && key.back() != '_') {
      key += '_';
    }
  }
  while (!key.empty() && key.back() == '_') key.pop_back();
  return key.empty() ? "bound" : key;
}

json value_at(const json& document, const char* pointer) {
  const json::json_pointer at(pointer);
  return document.contains(at) ? document.at(at) : json(nullptr);
}

// The figures results.csv keeps, taken from the run's own summary (NaN already null there).
json point_results(const json& summary) {
  json results{{"S_avg", value_at(summary, "/staleness/S_avg")},
               {"S_max", value_at(summary, "/staleness/S_max")},
               {"S_hat_avg", value_at(summary, "/staleness/S_hat_avg")},
               {"S_hat_max", value_at(summary, "/staleness/S_hat_max")},
               {"gradients_to_epsilon_virtual", value_at(summary, "/convergence/gradients_to_epsilon/virtual_sequence")},
               {"gradients_to_epsilon_node_average", value_at(summary, "/convergence/gradients_to_epsilon/node_average")},
               {"mean_grad_sq_virtual", value_at(summary, "/convergence/mean_grad_sq_virtual")},
               {"final_f", value_at(summary, "/convergence/final/f_average_model")},
               {"final_grad_sq", value_at(summary, "/convergence/final/grad_sq_average_model")},
               {"nodes", value_at(summary, "/run/nodes")},
               {"end_time", value_at(summary, "/run/end_time")},
               {"gradients", value_at(summary, "/run/gradients")},
               {"events", value_at(summary, "/run/events")}};
  json bounds = json::array();
  std::vector<std::string> keys;
  for (const json& bound : summary["bounds"]) {
    std::string key = bound_key(bound["name"].get<std::string>());
    for (int copy = 2; std::find(keys.begin(), keys.end(), key) != keys.end(); ++copy) {
      key = bound_key(bound["name"].get<std::string>()) + "_" + std::to_string(copy);
    }
    keys.push_back(key);
    // The headline comparison: measured mean ‖∇f‖² against an envelope, else measured gradients
    // to ε against the predicted count (order-only bounds: a ratio, never a verdict).
    const json& main = bound.contains("comparison") ? bound["comparison"] : bound["iterations"];
    bounds.push_back({{"key", key},
                      {"name", bound["name"]},
                      {"label", bound["label"]},
                      {"applicability", bound["applicability"]},
                      {"total", bound["total"]},
                      {"verdict", main["verdict"]},
                      {"ratio", main["ratio"]},
                      {"predicted_iterations", bound["predicted_iterations"]},
                      {"iterations_ratio", bound["iterations"]["ratio"]},
                      {"iterations_verdict", bound["iterations"]["verdict"]}});
  }
  results["bounds"] = bounds;
  return results;
}

json record_header(const Sweep& sweep, std::size_t k, std::uint64_t seed) {
  return json{{"sweep_hash", sweep.hash}, {"point", k}, {"seed", seed}};
}

}  // namespace

std::filesystem::path point_record_path(const Sweep& sweep, std::size_t k) {
  return sweep.directory / "points" / (std::to_string(k) + ".json");
}

void claim_sweep_directory(const Sweep& sweep) {
  const std::filesystem::path manifest = sweep.directory / "sweep.json";
  if (std::filesystem::exists(manifest)) {
    std::ifstream in(manifest);
    const json existing = json::parse(in, nullptr, false);
    const std::string found = existing.is_object() && existing.contains("sweep_hash") && existing["sweep_hash"].is_string()
                                  ? existing["sweep_hash"].get<std::string>()
                                  : std::string("unreadable");
    if (found != sweep.hash) {
      throw ConfigError(sweep.directory.string(),
                        "holds results of another sweep (hash " + found + ", this sweep " + sweep.hash +
                            "): the sweep file, its base config or its expansion changed; remove the "
                            "directory or choose another output.directory / --out");
    }
    ensure_directory(sweep.directory / "points");
    return;
  }
  ensure_directory(sweep.directory / "points");
  json document{{"sweep_hash", sweep.hash},
                {"name", sweep.spec.name},
                {"sweep_file", sweep.spec.file.string()},
                {"base", sweep.spec.base_source},
                {"points", sweep.points.size()},
                {"axes", sweep.axis_paths},
                {"note", "one record per finished point in points/<K>.json; results.csv is rebuilt from them"}};
  write_file_atomically(manifest, document.dump(2) + "\n");
}

json run_point(const Sweep& sweep, std::size_t k) {
  const RunConfig config = point_config(sweep, k);
  json record = record_header(sweep, k, config.seed);
  RunResult result;
  try {
    result = run_experiment(config, RunOptions{});
  } catch (const std::exception& error) {
    // The config parsed but its world cannot exist (a disconnected random graph, a bad trace file):
    // the point is recorded as failed and the sweep goes on.
    record["status"] = "failed";
    record["reason"] = error.what();
    record["results"] = nullptr;
    record["wall_seconds"] = 0.0;
    return record;
  }
  if (sweep.spec.run_directories) {
    write_run_directory(config, result, sweep.directory / "runs" / std::to_string(k));
  }
  const json summary = run_summary(config, result);
  record["status"] = result.status;
  record["reason"] = result.status == "diverged" ? result.divergence : result.stop_reason;
  record["results"] = point_results(summary);
  record["bound_violations"] = summary["bound_violations"];
  record["wall_seconds"] = result.wall_seconds;
  return record;
}

json failure_record(const Sweep& sweep, std::size_t k, const std::string& reason) {
  json record = record_header(sweep, k, point_config(sweep, k).seed);
  record["status"] = "failed";
  record["reason"] = reason;
  record["results"] = nullptr;
  record["wall_seconds"] = 0.0;
  return record;
}

void write_point_record(const Sweep& sweep, const json& record) {
  const std::size_t k = record.at("point").get<std::size_t>();
  write_file_atomically(point_record_path(sweep, k), record.dump(2) + "\n");
}

std::optional<json> read_point_record(const Sweep& sweep, std::size_t k) {
  const std::filesystem::path path = point_record_path(sweep, k);
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    throw std::runtime_error(path.string() + ": cannot read the point record");
  }
  json record = json::parse(in, nullptr, false);
  if (!record.is_object() || !record.contains("sweep_hash") || !record.contains("point") || !record.contains("status")) {
    throw std::runtime_error(path.string() + ": expected a point record (JSON with sweep_hash, point, status)");
  }
  if (record["sweep_hash"] != sweep.hash) {
    throw std::runtime_error(path.string() + ": belongs to another sweep (hash " + record["sweep_hash"].dump() +
                             ", this sweep \"" + sweep.hash + "\")");
  }
  if (record["point"] != k) {
    throw std::runtime_error(path.string() + ": expected the record of point " + std::to_string(k) + ", got point " +
                             record["point"].dump());
  }
  return record;
}

}  // namespace dasgd
