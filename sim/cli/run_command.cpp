// `dasgd run config.json`: validate the config and claim the output directory (nothing is written
// when either fails: exit 2), run, write the run directory, print a short summary. Exit codes by
// status (docs/OUTCOMES.md): 0 completed, 3 diverged, 128 + signal interrupted, 1 failed.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/config/run_config.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/run/experiment.hpp"
#include "sim/run/interrupt.hpp"
#include "sim/run/run_files.hpp"

namespace dasgd::cli {

namespace {

struct RunArguments {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out;
  std::string max_memory;
  bool quiet = false;
  bool force = false;
};

// A figure as a person reads it: four significant digits, integers whole, "n/a" for null.
std::string shown(const nlohmann::json& value) {
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value.get<double>());
    return text;
  }
  if (value.is_null()) return "n/a";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

void print_summary(const RunConfig& config, const RunResult& result, const std::string& directory) {
  const nlohmann::json summary = run_summary(config, result);
  const auto& st = summary["staleness"];
  std::cout << "dasgd run " << config.name << ": " << to_string(result.status) << " (" << to_string(result.stop_reason)
            << ") at t = " << result.end_time << " s, " << result.gradients << " gradients, "
            << result.events << " events, " << shown(result.wall_seconds) << " s wall\n";
  std::cout << "  staleness (exact, definitions in summary.json): S_avg = " << shown(st["S_avg"])
            << ", S_max = " << shown(st["S_max"]) << ", S_hat_avg = " << shown(st["S_hat_avg"])
            << ", S_hat_max = " << shown(st["S_hat_max"]) << ", S p50/p90/p99 = " << shown(st["S"]["p50"]) << "/"
            << shown(st["S"]["p90"]) << "/" << shown(st["S"]["p99"]) << "\n";
  const auto& conv = summary["convergence"];
  std::cout << "  final f(x_avg) = " << shown(conv["final"]["f_average_model"])
            << ", ||grad f(x_avg)||^2 = " << shown(conv["final"]["grad_sq_average_model"])
            << ", gradients to eps = " << shown(conv["epsilon"]) << ": ";
  if (result.status == RunStatus::diverged)
    std::cout << "not evaluated (diverged)\n";
  else
    std::cout << shown(conv["gradients_to_epsilon"]["virtual_sequence"]) << " (virtual sequence)\n";
  for (const auto& bound : summary["bounds"]) {
    std::cout << "  bound: " << bound["name"].get<std::string>() << " [" << bound["label"].get<std::string>()
              << "] total = " << shown(bound["total"]);
    if (bound.contains("comparison"))
      std::cout << ", measured = " << shown(bound["comparison"]["measured_average_grad_sq_virtual"]) << " -> "
                << bound["comparison"]["verdict"].get<std::string>();
    else
      std::cout << ", measured/predicted iterations = " << shown(bound["iterations"]["ratio"]);
    std::cout << " (" << bound["applicability"].get<std::string>() << ")\n";
  }
  std::cout << "  results in " << directory << "/\n";
}

// The output directory, claimed before the run; null (and the line printed) when it cannot be used.
std::unique_ptr<OutputDirectory> claim_run_directory(const std::string& directory, bool force) {
  try {
    return std::make_unique<OutputDirectory>(directory, claim_options(run_file_names(), force));
  } catch (const OutputDirectoryError& error) {
    std::cerr << "dasgd: output directory " << directory << ": " << error.what() << "\n";
    return nullptr;
  }
}

// Writes the run files into the staging area and swaps them in; the exit code when that fails.
std::optional<int> commit_run(const RunConfig& config, const RunResult& result, OutputDirectory& output,
                              GradientLogStream* stream, TraceWriter* trace, const std::string& directory) {
  return write_and_commit(output, directory, [&] {
    write_run_files(config, result, output.staging(), stream);
    if (trace != nullptr) commit_trace(*trace, result);
    return run_manifest(config, result);
  });
}

void report_outcome(const RunResult& result, const std::string& directory) {
  for (const std::string& violation : bound_violations(result))
    std::cerr << "dasgd: BOUND VIOLATED: " << violation
              << "\n  (a correct run stays under this envelope in expectation: suspect a bug, or an "
                 "assumption the run broke, e.g. eta > 1/L or noise that is not as declared)\n";
  if (result.status == RunStatus::diverged)
    std::cerr << "dasgd: run diverged: " << result.divergence << " (results written to " << directory << ")\n";
  if (result.status == RunStatus::interrupted)
    std::cerr << "dasgd: interrupted by " << result.interrupted_by << " at t = " << result.end_time << " s after "
              << result.gradients << " gradients (results written to " << directory << ", status interrupted)\n";
}

int run(const RunArguments& args) {
  RunConfig config;
  CostEstimate cost;
  try {
    config = load_run_config(args.config_path, args.overrides);
    // Sized before it is built: a world that cannot fit is refused here, a large one announced.
    std::string limit_source;
    const double limit = memory_limit(args.max_memory, limit_source);
    cost = estimate_cost(config);
    refuse_if_too_costly(cost, limit, limit_source);
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  }
  const std::string directory = args.out.empty() ? config.output_directory : args.out;
  const InterruptGuard interrupts;
  const std::unique_ptr<OutputDirectory> output = claim_run_directory(directory, args.force);
  if (!output) return exit_codes::usage;
  // Told only once the run is sure to start, so that a refusal stays the one line printed.
  if (worth_telling(cost)) std::cerr << "dasgd: " << config.name << ": " << describe_cost(cost) << "\n";
  if (cost.trace_disk_bytes >= 1e8)
    std::cerr << "dasgd: note: " << config.name << ": trace.json will take about " << human_bytes(cost.trace_disk_bytes)
              << " on disk (record.trace takes nodes, from and until to trace less)\n";
  RunResult result;
  std::unique_ptr<GradientLogStream> stream;
  std::unique_ptr<TraceWriter> trace;
  try {
    stream = open_gradient_log(config, output->staging());
    RunOptions options;
    options.progress = !args.quiet;
    options = with_trace(with_gradient_log(options, stream.get()), config, output->staging(), trace);
    result = run_experiment(config, options);
    finish_gradient_log(result, stream.get());
  } catch (const std::invalid_argument& error) {
    // The world could not be built from a config that parsed (a bad graph or trace file, ...).
    std::cerr << "dasgd: " << args.config_path << ": " << error.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "dasgd: run failed: out of memory (the estimate before the run was too low, or "
                 "--max-memory above what the machine has; nothing written)\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "dasgd: run failed: " << error.what() << "\n";
    return 1;
  }
  if (const std::optional<int> failed = commit_run(config, result, *output, stream.get(), trace.get(), directory)) return *failed;
  if (!args.quiet) print_summary(config, result, directory);
  report_outcome(result, directory);
  return exit_code_for(result.status, interrupt_signal());
}

}  // namespace

void register_run(CLI::App& app) {
  auto args = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "Run one simulation from a JSON config");
  command->add_option("config", args->config_path, "Config file (JSON)")->required();
  command->add_option("--set", args->overrides,
                      "Override a config field: path=value (dotted or JSON pointer); repeatable");
  command->add_option("--out", args->out, "Output directory (default: the config's output.directory)");
  command->add_option("--max-memory", args->max_memory,
                      "Refuse worlds estimated above SIZE (e.g. 4G; default: the memory available now)");
  command->add_flag("--quiet,-q", args->quiet, "No progress bar and no summary on stdout");
  command->add_flag("--force", args->force,
                    "Replace files with dasgd's names in the output directory that no dasgd manifest lists");
  command->callback([args] { set_exit_code(run(*args)); });
}

}  // namespace dasgd::cli
