// `dasgd compare compare.json`: run a list of algorithms on identical worlds (same seed, same
// compute and link delay draws unless --no-common-random-numbers) and write one CSV set plus each
// algorithm's own run directory. An algorithm that refuses the world (e.g. the parameter server
// off a star) is recorded as failed with its reason; the others still run.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/comparison.hpp"
#include "sim/run/cost_estimate.hpp"

namespace dasgd::cli {

namespace {

struct CompareArguments {
  std::string path;
  std::vector<std::string> overrides;
  std::string out;
  std::string max_memory;
  bool no_crn = false;
  bool quiet = false;
};

int compare(const CompareArguments& args) {
  std::vector<ComparisonEntry> entries;
  try {
    entries = load_comparison(args.path, args.overrides);
    std::string limit_source;
    const double limit = memory_limit(args.max_memory, limit_source);
    for (const ComparisonEntry& entry : entries) {  // the entries run one after another
      const CostEstimate cost = estimate_cost(entry.config);
      refuse_if_too_costly(cost, limit, limit_source);
      if (worth_telling(cost)) std::cerr << "dasgd: " << entry.label << ": " << describe_cost(cost) << "\n";
    }
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.path << ": " << error.what() << "\n";
    return 2;
  }
  const std::string directory =
      args.out.empty() ? "runs/compare-" + entries.front().config.name : args.out;
  std::vector<ComparisonOutcome> outcomes;
  outcomes.reserve(entries.size());
  int failures = 0;
  for (ComparisonEntry& entry : entries) {
    if (args.no_crn) {
      entry.config.common_random_numbers = false;
      entry.config.resolved["common_random_numbers"] = false;
    }
    ComparisonOutcome outcome;
    outcome.label = entry.label;
    outcome.config = &entry.config;
    try {
      RunOptions options;
      options.progress = !args.quiet;
      outcome.result = run_experiment(entry.config, options);
      outcome.status = outcome.result.status;
      write_run_directory(entry.config, outcome.result, std::filesystem::path(directory) / entry.label);
    } catch (const std::exception& error) {
      outcome.status = "failed";
      outcome.reason = error.what();
      ++failures;
    }
    if (!args.quiet) {
      std::cout << entry.label << ": " << outcome.status;
      if (outcome.status == "failed") {
        std::cout << " (" << outcome.reason << ")";
      } else {
        const StalenessStatistics& st = outcome.result.recorder->statistics();
        std::cout << ", " << outcome.result.gradients << " gradients by t = " << outcome.result.end_time
                  << ", S_avg = " << st.s().mean() << ", S_max = " << st.s().max()
                  << ", final ||grad f(x_avg)||^2 = " << outcome.result.samples.back().grad_sq_average;
      }
      std::cout << "\n";
    }
    outcomes.push_back(std::move(outcome));
  }
  try {
    write_comparison(outcomes, directory);
  } catch (const std::exception& error) {
    std::cerr << "dasgd: cannot write results: " << error.what() << "\n";
    return 1;
  }
  if (!args.quiet) std::cout << "comparison in " << directory << "/ (plot: plots/plot_compare.py " << directory << ")\n";
  return failures == static_cast<int>(outcomes.size()) ? 1 : 0;
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
  c->callback([args] { set_exit_code(compare(*args)); });
}

}  // namespace dasgd::cli
