// The Python module's calls in C++; see calls.hpp.
#include "python/src/calls.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "sim/config/json_file.hpp"
#include "sim/config/topology_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/predict/prediction_report.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/interrupt.hpp"
#include "sim/run/run_files.hpp"
#include "sim/sweep/point_record.hpp"
#include "sim/sweep/result_table.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace dasgd::python {

namespace {

// The CLI's signal handling for the length of a call made from Python's main thread, and a clean
// count afterwards (the next call, from any thread, must not see this one's signal).
class Signals {
 public:
  explicit Signals(bool install) {
    if (install) guard_.emplace();
  }
  ~Signals() {
    if (guard_) {
      guard_.reset();
      clear_interrupts();
    }
  }
  int signal() const { return guard_ && interrupt_requested() ? interrupt_signal() : 0; }

 private:
  std::optional<InterruptGuard> guard_;
};

// The cost check `dasgd run` makes before it builds the world (ConfigError when too costly).
void check_cost(const RunConfig& config, const CallOptions& options, const std::string& label) {
  std::string limit_source;
  const double limit = memory_limit(options.max_memory, limit_source);
  const CostEstimate cost = estimate_cost(config);
  refuse_if_too_costly(cost, limit, limit_source);
  if (worth_telling(cost)) std::cerr << "dasgd: " << label << ": " << describe_cost(cost) << "\n";
}

// A world that cannot be built from a config that parsed is a config error, as in the CLI.
RunResult run_checked(const RunConfig& config, const RunOptions& options) {
  try {
    return run_experiment(config, options);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("", error.what());
  }
}

RunOptions run_options(const CallOptions& options) {
  RunOptions run;
  run.progress = options.progress;
  return run;
}

}  // namespace

std::string ConfigInput::source_path() const {
  if (!path.empty()) return path;
  return (std::filesystem::current_path() / "config.json").string();
}

nlohmann::json load_document(const ConfigInput& input) {
  nlohmann::json document = input.path.empty() ? parse_json_text(input.text) : read_json_file(input.path);
  for (const std::string& assignment : input.overrides) apply_override(document, assignment);
  return document;
}

RunOutcome run_call(const ConfigInput& input, const CallOptions& options) {
  RunOutcome out;
  out.config = parse_run_config(load_document(input), input.source_path());
  check_cost(out.config, options, out.config.name);
  // record.trace streams trace.json into the output's staging area, as `dasgd run` does; without an
  // output directory there is nowhere to put it (refused before anything is claimed or run).
  if (out.config.record.trace && options.output.empty())
    throw ConfigError("/record/trace", "a trace is a file (trace.json): pass output=\"dir\" to write it");
  const Signals signals(options.handle_signals);
  std::unique_ptr<OutputDirectory> output;
  if (!options.output.empty()) {
    output = std::make_unique<OutputDirectory>(options.output, claim_options(run_file_names(), options.force));
    out.directory = options.output;
  }
  std::unique_ptr<TraceWriter> trace;
  RunOptions run = run_options(options);
  if (output) run = with_trace(run, out.config, output->staging(), trace);
  out.result = run_checked(out.config, run);
  out.signal = signals.signal();
  out.summary = run_summary(out.config, out.result);
  build_run_tables(out.config, out.result, out.tables.opener(), true);
  if (output) {
    write_run_files(out.config, out.result, output->staging());
    if (trace) commit_trace(*trace, out.result);
    output->commit(run_manifest(out.config, out.result));
  }
  return out;
}

CompareOutcome compare_call(const ConfigInput& input, const CallOptions& options, bool common_random_numbers) {
  CompareOutcome out;
  out.entries = parse_comparison(load_document(input), input.source_path());
  for (const ComparisonEntry& entry : out.entries) {
    check_cost(entry.config, options, entry.label);
    if (entry.config.record.trace && options.output.empty())  // as in run_call
      throw ConfigError("/record/trace", entry.label + ": a trace is a file (trace.json): pass output=\"dir\" to write it");
  }
  const Signals signals(options.handle_signals);
  std::unique_ptr<OutputDirectory> output;
  if (!options.output.empty()) {
    output = std::make_unique<OutputDirectory>(
        options.output, claim_options(comparison_file_names(out.entries), options.force));
    out.directory = options.output;
  }
  out.outcomes.reserve(out.entries.size());
  for (ComparisonEntry& entry : out.entries) {
    if (!common_random_numbers) {
      entry.config.common_random_numbers = false;
      entry.config.resolved["common_random_numbers"] = false;
    }
    ComparisonOutcome& o = out.outcomes.emplace_back();
    o.label = entry.label;
    o.config = &entry.config;
    TableSet& tables = out.run_tables.emplace_back();
    nlohmann::json& summary = out.summaries.emplace_back(nullptr);
    if (interrupt_requested() && options.handle_signals) {
      o.status = RunStatus::interrupted;
      o.reason = "not run: interrupted before it started";
      continue;
    }
    std::unique_ptr<TraceWriter> trace;  // record.trace: one trace.json in the entry's directory
    try {  // an algorithm that refuses the world is a failed entry; the others still run
      RunOptions run = run_options(options);
      if (output) run = with_trace(run, entry.config, output->staging() / entry.label, trace);
      o.result = run_experiment(entry.config, run);
      o.status = o.result.status;
      if (o.status == RunStatus::diverged) o.reason = o.result.divergence;
    } catch (const std::exception& error) {
      o.status = RunStatus::failed;
      o.reason = error.what();
      continue;
    }
    summary = run_summary(entry.config, o.result);
    build_run_tables(entry.config, o.result, tables.opener(), true);
    if (output) write_run_files(entry.config, o.result, output->staging() / entry.label);
    if (trace) commit_trace(*trace, o.result);
  }
  out.signal = signals.signal();
  build_comparison_tables(out.outcomes, out.tables.opener());
  if (output) {
    write_comparison(out.outcomes, output->staging());
    nlohmann::json statuses = nlohmann::json::object();
    for (const ComparisonOutcome& o : out.outcomes) statuses[o.label] = o.status;
    output->commit({{"kind", "compare"}, {"dasgd_sim_version", DASGD_VERSION}, {"statuses", statuses}});
  }
  return out;
}

SweepOutcome sweep_call(const ConfigInput& input, const CallOptions& options, unsigned jobs) {
  SweepOutcome out;
  const std::filesystem::path file = input.path.empty() ? input.source_path() : input.path;
  SweepSpec spec = parse_sweep_spec(load_document(input), file);
  if (input.path.empty()) spec.file.clear();
  if (options.output.empty()) spec.run_directories = false;  // nothing is written
  const Sweep sweep = make_sweep(std::move(spec), options.output);
  validate_points(sweep);
  out.points = sweep.point_count;
  const bool files = !options.output.empty();
  if (files) {
    claim_sweep_directory(sweep);
    out.directory = sweep.directory.string();
  }
  const Signals signals(options.handle_signals);
  std::vector<nlohmann::json> records(sweep.point_count);
  std::vector<bool> have = files ? recorded_points(sweep) : std::vector<bool>(sweep.point_count, false);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed_write{false};
  std::string write_error;
  auto work = [&] {
    while (!interrupt_requested() && !failed_write) {
      const std::size_t k = next.fetch_add(1);
      if (k >= sweep.point_count) return;
      if (have[k]) continue;
      PointOutcome outcome = run_point(sweep, k);
      if (interrupt_requested()) return;  // the point in flight leaves no record
      if (files) {
        try {
          record_outcome(sweep, k, std::move(outcome));
        } catch (const std::exception& error) {
          if (!failed_write.exchange(true)) write_error = error.what();
        }
      } else if (!outcome.transient) {
        records[k] = std::move(outcome.record);
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(sweep.point_count)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failed_write) throw std::runtime_error(write_error);
  out.signal = signals.signal();
  if (files) {
    const SweepTally tally = write_sweep_results(sweep);
    out.missing = tally.missing.size();
    if (out.missing == 0) {
      for (std::size_t k = 0; k < sweep.point_count; ++k) records[k] = *read_point_record(sweep, k);
    }
  } else {
    for (const nlohmann::json& record : records) out.missing += record.is_null();
  }
  if (out.missing == 0) build_sweep_tables(sweep, records, out.tables.opener());
  return out;
}

nlohmann::json predict_call(const ConfigInput& input) {
  const RunConfig config = parse_run_config(load_document(input), input.source_path());
  try {
    return predict_config_json(config, predict_config(config));
  } catch (const std::invalid_argument& error) {
    throw ConfigError("", error.what());  // (the message starts with its path, as the CLI prints it)
  }
}

GraphOutcome graph_call(const ConfigInput& input, std::optional<std::uint64_t> seed_given) {
  nlohmann::json document = load_document(input);
  if (!document.is_object()) throw ConfigError("", "expected a JSON object (a run config or its graph section)");
  // A run config (it has "graph") or the graph section itself (it has "kind").
  const bool whole = document.contains("graph");
  nlohmann::json graph = whole ? document["graph"] : document;
  std::uint64_t seed = 1;
  if (seed_given) seed = *seed_given;
  else if (whole && document.contains("seed") && document["seed"].is_number_unsigned())
    seed = document["seed"].get<std::uint64_t>();
  JsonReader reader(graph, "/graph");
  const TopologySpec spec = parse_topology(reader);
  std::string limit_source;
  refuse_graph_if_too_large(spec, memory_limit("", limit_source), limit_source);
  const std::filesystem::path base = std::filesystem::path(input.source_path()).parent_path();
  GraphOutcome out;
  try {
    const Topology topology = build_topology(spec, seed, base);
    out.summary = summarize_topology(topology);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("", error.what());
  }
  out.text = describe_topology(out.summary);
  return out;
}

}  // namespace dasgd::python
