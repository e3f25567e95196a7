// `dasgd compare compare.json`: run a list of algorithms on identical worlds (same seed, same
// compute and link delay draws unless --no-common-random-numbers) and write one CSV set plus each
// algorithm's own run directory. An algorithm that refuses the world (e.g. the parameter server
// off a star) is recorded as failed with its reason; the others still run. The output directory
// is claimed before the first run and swapped in whole at the end (docs/OUTCOMES.md); Ctrl-C
// stops the running algorithm, marks the ones not yet run as interrupted and still writes.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/comparison.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/interrupt.hpp"
#include "sim/run/run_files.hpp"

namespace dasgd::cli {

namespace {

struct CompareArguments {
  std::string path;
  std::vector<std::string> overrides;
  std::string out;
  std::string max_memory;
  bool no_crn = false;
  bool quiet = false;
  bool force = false;
};

// One algorithm's run, written into its label's directory in the staging area (with record.trace,
// its trace.json too).
ComparisonOutcome run_entry(ComparisonEntry& entry, const std::filesystem::path& staging, bool quiet) {
  ComparisonOutcome outcome;
  outcome.label = entry.label;
  outcome.config = &entry.config;
  if (interrupt_requested()) {
    outcome.status = RunStatus::interrupted;
    outcome.reason = "not run: interrupted before it started";
    return outcome;
  }
  const std::filesystem::path directory = staging / entry.label;
  try {
    std::unique_ptr<GradientLogStream> stream = open_gradient_log(entry.config, directory);
    std::unique_ptr<TraceWriter> trace;
    RunOptions options;
    options.progress = !quiet;
    options = with_trace(with_gradient_log(options, stream.get()), entry.config, directory, trace);
    outcome.result = run_experiment(entry.config, options);
    finish_gradient_log(outcome.result, stream.get());
    outcome.status = outcome.result.status;
    if (outcome.status == RunStatus::diverged) outcome.reason = outcome.result.divergence;
    write_run_files(entry.config, outcome.result, directory, stream.get());
    if (trace != nullptr) commit_trace(*trace, outcome.result);
  } catch (const std::exception& error) {
    outcome.status = RunStatus::failed;
    outcome.reason = error.what();
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }
  return outcome;
}

void print_outcome(const ComparisonOutcome& outcome) {
  std::cout << outcome.label << ": " << to_string(outcome.status);
  if (!outcome.result.recorder) {
    std::cout << " (" << outcome.reason << ")";
  } else {
    const StalenessStatistics& st = outcome.result.recorder->statistics();
    std::cout << ", " << outcome.result.gradients << " gradients by t = " << outcome.result.end_time
              << ", S_avg = " << st.s().mean() << ", S_max = " << st.s().max()
              << ", final ||grad f(x_avg)||^2 = " << outcome.result.samples.back().grad_sq_average;
  }
  std::cout << "\n";
}

// 128 + signal when an algorithm was interrupted (a signal that came only while writing leaves
// the statuses, and the exit code, as the runs ended); 1 when every algorithm failed; 3 when none completed and one
// diverged; else 0 (each algorithm's status is in comparison_summary.csv).
int comparison_exit_code(const std::vector<ComparisonOutcome>& outcomes) {
  std::size_t failed = 0, diverged = 0;
  for (const ComparisonOutcome& o : outcomes) {
    if (o.status == RunStatus::interrupted) return exit_code_for(RunStatus::interrupted, interrupt_signal());
    failed += o.status == RunStatus::failed;
    diverged += o.status == RunStatus::diverged;
  }
  if (failed == outcomes.size()) return exit_codes::failed;
  if (failed + diverged == outcomes.size()) return exit_codes::diverged;
  return exit_codes::success;
}

nlohmann::json comparison_manifest(const std::vector<ComparisonOutcome>& outcomes) {
  nlohmann::json statuses = nlohmann::json::object();
  for (const ComparisonOutcome& o : outcomes) statuses[o.label] = o.status;
  return {{"kind", "compare"}, {"dasgd_sim_version", DASGD_VERSION}, {"statuses", statuses}};
}

int compare(const CompareArguments& args) {
  std::vector<ComparisonEntry> entries;
  std::vector<std::string> estimates;  // told once the output directory is claimed
  try {
    entries = load_comparison(args.path, args.overrides);
    std::string limit_source;
    const double limit = memory_limit(args.max_memory, limit_source);
    for (const ComparisonEntry& entry : entries) {  // the entries run one after another
      const CostEstimate cost = estimate_cost(entry.config);
      refuse_if_too_costly(cost, limit, limit_source);
      if (worth_telling(cost)) estimates.push_back("dasgd: " + entry.label + ": " + describe_cost(cost));
      if (cost.trace_disk_bytes >= 1e8)
        estimates.push_back("dasgd: note: " + entry.label + ": trace.json will take about " +
                            human_bytes(cost.trace_disk_bytes) +
                            " on disk (record.trace takes nodes, from and until to trace less)");
    }
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.path << ": " << error.what() << "\n";
    return 2;
  }
  const std::string directory =
      args.out.empty() ? "runs/compare-" + entries.front().config.name : args.out;
  const InterruptGuard interrupts;
  std::unique_ptr<OutputDirectory> output;
  try {
    output = std::make_unique<OutputDirectory>(directory, claim_options(comparison_file_names(entries), args.force));
  } catch (const OutputDirectoryError& error) {
    std::cerr << "dasgd: output directory " << directory << ": " << error.what() << "\n";
    return exit_codes::usage;
  }
  for (const std::string& line : estimates) std::cerr << line << "\n";
  std::vector<ComparisonOutcome> outcomes;
  outcomes.reserve(entries.size());
  for (ComparisonEntry& entry : entries) {
    if (args.no_crn) {
      entry.config.common_random_numbers = false;
      entry.config.resolved["common_random_numbers"] = false;
    }
    outcomes.push_back(run_entry(entry, output->staging(), args.quiet));
    if (!args.quiet) print_outcome(outcomes.back());
  }
  if (const std::optional<int> failed = write_and_commit(*output, directory, [&] {
        write_comparison(outcomes, output->staging());
        return comparison_manifest(outcomes);
      }))
    return *failed;
  if (comparison_exit_code(outcomes) > 128)
    std::cerr << "dasgd: interrupted by " << interrupt_signal_name() << ": results so far written to " << directory
              << " (see the status column of comparison_summary.csv)\n";
  if (!args.quiet) std::cout << "comparison in " << directory << "/ (plot: plots/plot_compare.py " << directory << ")\n";
  return comparison_exit_code(outcomes);
}

}  // namespace

void register_compare(CLI::App& app) {
  auto args = std::make_shared<CompareArguments>();
  CLI::App* c = app.add_subcommand("compare", "Run several algorithms on identical worlds and compare them");
  c->add_option("config", args->path, "Compare file: a run config with an \"algorithms\" list")->required();
  c->add_option("--set", args->overrides, "Override a field: path=value (e.g. algorithms.1.eta=0.02); repeatable");
  c->add_option("--out", args->out, "Output directory (default: runs/compare-<name>)");
  c->add_flag("--no-common-random-numbers", args->no_crn,
              "Give each algorithm its own delay draws instead of the same world");
  c->add_option("--max-memory", args->max_memory,
                "Refuse worlds estimated above SIZE (e.g. 4G; default: the memory available now)");
  c->add_flag("--quiet,-q", args->quiet, "No progress bar and no summary on stdout");
  c->add_flag("--force", args->force,
              "Replace files with dasgd's names in the output directory that no dasgd manifest lists");
  c->callback([args] { set_exit_code(compare(*args)); });
}

}  // namespace dasgd::cli
