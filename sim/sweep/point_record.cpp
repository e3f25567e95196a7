// Running and recording one sweep point; see point_record.hpp.
#include "sim/sweep/point_record.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>
#include <system_error>
#include <sstream>
#include <stdexcept>

#include "sim/config/json_reader.hpp"
#include "sim/output/atomic_file.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/result/run_status.hpp"
#include "sim/run/experiment.hpp"
#include "sim/run/run_files.hpp"

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
               {"events", value_at(summary, "/run/events")},
               {"S_avg_steady_state", value_at(summary, "/steady_state/S_avg")},
               {"S_avg_predicted", value_at(summary, "/predicted/S_avg")},
               {"predicted_validity", value_at(summary, "/predicted/validity")},
               {"S_avg_steady_over_predicted", value_at(summary, "/predicted/ratio_S_avg_steady_state")}};
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

json record_header(const Sweep& sweep, std::size_t k) {
  const SweepPoint point = sweep.point(k);
  json seed = point.seed ? json(*point.seed) : json(nullptr);
  if (!point.seed) {
    // The base config's own seed (what parse_run_config defaults it to when absent).
    const json& base = sweep.spec.base;
    seed = base.contains("seed") && base["seed"].is_number_unsigned() ? base["seed"] : json(1);
  }
  return json{{"sweep_hash", sweep.hash}, {"point", k}, {"seed", seed}};
}

json failed(json record, const std::string& reason) {
  record["status"] = RunStatus::failed;
  record["reason"] = reason;
  record["results"] = nullptr;
  record["wall_seconds"] = 0.0;
  return record;
}

std::string host_name() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "host";
  std::string text(name);
  for (char& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  return text.empty() ? "host" : text;
}

// Temporary record files: points/.<name>.tmp.<host>.<pid>, so that a cleaner knows whose they are.
std::string temporary_suffix() {
  static const std::string suffix = ".tmp." + host_name() + "." + std::to_string(getpid());
  return suffix;
}

void fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot open to sync: " + std::strerror(errno));
  const int rc = fsync(fd);
  const int error = errno;
  close(fd);
  if (rc != 0) throw std::runtime_error(path.string() + ": fsync: " + std::strerror(error));
}

// tmp + rename; fsync of the file and the directory when durable.
void write_small_file(const std::filesystem::path& path, const std::string& contents, bool durable) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "." + a + b.
  std::string name(1, '.');
  name.append(path.filename().string());
  name.append(temporary_suffix());
  const std::filesystem::path temporary = path.parent_path() / name;
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error(temporary.string() + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      close(fd);
      unlink(temporary.c_str());
      throw std::runtime_error(path.string() + ": cannot write: " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  if (durable && fsync(fd) != 0) {
    const int error = errno;
    close(fd);
    unlink(temporary.c_str());
    throw std::runtime_error(path.string() + ": fsync: " + std::strerror(error));
  }
  if (close(fd) != 0 || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temporary.c_str());
    throw std::runtime_error(path.string() + ": cannot write: " + std::strerror(error));
  }
  if (durable) fsync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
}

// Whether an exception from running a point is transient: the machine, not the config.
bool is_transient(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) return true;
  if (const auto* system = dynamic_cast<const std::system_error*>(&error)) {
    const int code = system->code().value();
    return code == ENOSPC || code == EDQUOT || code == EIO || code == ENOMEM || code == EINTR || code == EAGAIN;
  }
  const std::string text = error.what();
  for (const char* marker : {"No space left on device", "Disk quota exceeded", "Input/output error",
                             "Cannot allocate memory", "Interrupted system call"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::optional<json> read_record_file(const Sweep& sweep, std::size_t k, const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    throw std::runtime_error(path.string() + ": cannot read the point record");
  }
  json record = json::parse(in, nullptr, false);
  if (!record.is_object() || !record.contains("sweep_hash") || !record.contains("point") || !record.contains("status")) {
    throw std::runtime_error(path.string() + ": expected a point record (JSON with sweep_hash, point, status)");
  }
  try {
    record["status"].get<RunStatus>();
  } catch (const std::exception& error) {
    throw std::runtime_error(path.string() + ": status: " + error.what());
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


// Whether process `pid` of this host still runs. A zombie does not: a worker of a sweep killed
// with -9 is reparented, and where the reaper is not an init that waits (a container's first
// process often is none), it stays a zombie for good, which kill(pid, 0) still finds.
bool process_runs(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;  // no /proc: trust kill
  const std::size_t close = line.rfind(')');   // "pid (comm) S ...": comm may hold spaces
  if (close == std::string::npos || close + 2 >= line.size()) return true;
  const char state = line[close + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

void remove_stale_record_temporaries(const Sweep& sweep) {
  const std::string mine = ".tmp." + host_name() + ".";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(sweep.directory / "points", error)) {
    const std::string name = entry.path().filename().string();
    const std::size_t at = name.rfind(mine);
    if (name.empty() || name[0] != '.' || at == std::string::npos) continue;
    const std::string pid_text = name.substr(at + mine.size());
    char* end = nullptr;
    const long pid = std::strtol(pid_text.c_str(), &end, 10);
    if (end == pid_text.c_str() || *end != '\0' || pid <= 0) continue;
    if (!process_runs(static_cast<pid_t>(pid))) std::filesystem::remove(entry.path(), error);
  }
}

std::filesystem::path point_record_path(const Sweep& sweep, std::size_t k) {
  return sweep.directory / "points" / (std::to_string(k) + ".json");
}

std::filesystem::path retry_record_path(const Sweep& sweep, std::size_t k) {
  return sweep.directory / "points" / (std::to_string(k) + ".retry.json");
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
    remove_stale_record_temporaries(sweep);
    return;
  }
  ensure_directory(sweep.directory / "points");
  json document{{"sweep_hash", sweep.hash},
                {"name", sweep.spec.name},
                {"sweep_file", sweep.spec.file.string()},
                {"base", sweep.spec.base_source},
                {"points", sweep.point_count},
                {"axes", sweep.axis_paths},
                {"note", "one record per finished point in points/<K>.json; results.csv is rebuilt from them"}};
  write_file_atomically(manifest, document.dump(2) + "\n");
}

namespace {

// runs/<K>/ with record.trace: claimed before the run, so that trace.json streams into its staging
// area during the run and is swapped in with the other files.
RunResult run_traced_into(const RunConfig& config, const std::filesystem::path& directory) {
  OutputClaimOptions options;
  options.names = run_file_names();
  OutputDirectory output(directory, options);
  std::unique_ptr<TraceWriter> trace;
  RunResult result = run_experiment(config, with_trace(RunOptions{}, config, output.staging(), trace));
  write_run_files(config, result, output.staging());
  if (trace != nullptr) commit_trace(*trace, result);
  output.commit(run_manifest(config, result));
  return result;
}

}  // namespace

PointOutcome run_point(const Sweep& sweep, std::size_t k) {
  PointOutcome outcome;
  json record = record_header(sweep, k);
  RunConfig config;
  try {
    config = point_config(sweep, k);
  } catch (const ConfigError& error) {
    // Outside the validation sample and invalid: a deterministic failure, never a run.
    outcome.record = failed(std::move(record), std::string("invalid config: ") + error.what());
    return outcome;
  }
  record["seed"] = config.seed;
  RunResult result;
  try {
    const std::filesystem::path directory = sweep.directory / "runs" / std::to_string(k);
    if (sweep.spec.run_directories && config.record.trace) {
      result = run_traced_into(config, directory);
    } else {
      result = run_experiment(config, RunOptions{});
      if (sweep.spec.run_directories) write_run_directory(config, result, directory);
    }
  } catch (const std::exception& error) {
    // The config parsed but its world cannot exist (a disconnected random graph, a bad trace file):
    // deterministic. The machine failed (disk full, out of memory): transient.
    outcome.transient = is_transient(error);
    outcome.record = failed(std::move(record), error.what());
    return outcome;
  }
  if (result.status == RunStatus::interrupted) {  // the run itself was stopped by a signal
    outcome.transient = true;
    outcome.record = failed(std::move(record), std::string(to_string(RunStopReason::interrupted)));
    return outcome;
  }
  const json summary = run_summary(config, result);
  record["status"] = result.status;
  record["reason"] = result.status == RunStatus::diverged ? result.divergence : std::string(to_string(result.stop_reason));
  record["results"] = point_results(summary);
  record["bound_violations"] = summary["bound_violations"];
  record["wall_seconds"] = result.wall_seconds;
  outcome.record = std::move(record);
  return outcome;
}

json failure_record(const Sweep& sweep, std::size_t k, const std::string& reason) {
  return failed(record_header(sweep, k), reason);
}

void write_point_record(const Sweep& sweep, const json& record, bool durable) {
  const std::size_t k = record.at("point").get<std::size_t>();
  write_small_file(point_record_path(sweep, k), record.dump(2) + "\n", durable);
}

bool record_outcome(const Sweep& sweep, std::size_t k, PointOutcome outcome, bool durable) {
  std::error_code ignored;
  const std::filesystem::path retry = retry_record_path(sweep, k);
  if (outcome.transient) {
    int attempts = 1;
    if (const auto previous = read_retry_record(sweep, k)) {
      if ((*previous).contains("attempts") && (*previous)["attempts"].is_number_integer()) {
        attempts = (*previous)["attempts"].get<int>() + 1;
      }
    }
    if (attempts < kMaxTransientAttempts) {
      outcome.record["attempts"] = attempts;
      outcome.record["failure"] = "transient";
      write_small_file(retry, outcome.record.dump(2) + "\n", durable);
      return false;
    }
    outcome.record["reason"] = outcome.record["reason"].get<std::string>() + " (transient failure " +
                               std::to_string(attempts) + " times in a row: recorded as failed)";
  }
  write_point_record(sweep, outcome.record, durable);
  if (outcome.transient || outcome.had_retry) std::filesystem::remove(retry, ignored);
  return true;
}

void sync_point_records(const Sweep& sweep, const std::vector<std::size_t>& points) {
  if (points.empty()) return;
#ifdef __linux__
  // One syncfs of the file system the records are on: a single flush, where an fsync per record
  // waits for a journal commit each (5000 records: ~25 s on a busy disk, against ~0.1 s).
  const std::filesystem::path directory = sweep.directory / "points";
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw std::runtime_error(directory.string() + ": cannot open to sync: " + std::strerror(errno));
  const int rc = syncfs(fd);
  const int error = errno;
  close(fd);
  if (rc != 0) throw std::runtime_error(directory.string() + ": syncfs: " + std::strerror(error));
#else
  for (std::size_t k : points) {
    const std::filesystem::path path = point_record_path(sweep, k);
    if (std::filesystem::exists(path)) fsync_path(path, O_RDONLY);
  }
  fsync_path(sweep.directory / "points", O_RDONLY | O_DIRECTORY);
#endif
}

std::optional<json> read_point_record(const Sweep& sweep, std::size_t k) {
  return read_record_file(sweep, k, point_record_path(sweep, k));
}

std::optional<json> read_retry_record(const Sweep& sweep, std::size_t k) {
  return read_record_file(sweep, k, retry_record_path(sweep, k));
}

namespace {

// Points K with a file points/<K><suffix>, from one directory listing.
std::vector<bool> listed_points(const Sweep& sweep, const std::string& suffix) {
  std::vector<bool> listed(sweep.point_count, false);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(sweep.directory / "points", error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    std::size_t k = 0;
    const char* first = name.data();
    const char* last = name.data() + name.size() - suffix.size();
    const auto [ptr, code] = std::from_chars(first, last, k);
    if (code != std::errc() || ptr != last || k >= sweep.point_count) continue;
    listed[k] = true;
  }
  return listed;
}

}  // namespace

std::vector<bool> recorded_points(const Sweep& sweep) { return listed_points(sweep, ".json"); }
std::vector<bool> retried_points(const Sweep& sweep) { return listed_points(sweep, ".retry.json"); }

}  // namespace dasgd
