// `dasgd sweep sweep.json`: count the points and validate them (all of a small sweep, a sample of a
// big one: nothing is written when one fails, exit 2), run the missing points in worker processes
// (-j N), merge results.csv. `--list` prints the points, `--count` their number, `--points A:B`
// runs a range in this process (a Slurm array task), `--point K` one, `--merge` only merges and
// prints the `--array=` list of what is missing (docs/SWEEPS.md).
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/cli/validators.hpp"
#include "sim/config/json_reader.hpp"
#include "sim/sweep/point_record.hpp"
#include "sim/sweep/point_scheduler.hpp"
#include "sim/sweep/predicted_table.hpp"
#include "sim/sweep/result_table.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace dasgd::cli {

namespace {

struct SweepArguments {
  std::string sweep_path;
  unsigned jobs = 0;  // 0: every core
  bool list = false;
  bool predict_only = false;
  std::int64_t point = -1;
  std::string points;  // "A:B", half-open; "A:" to the end
  bool count = false;
  bool merge = false;
  std::size_t points_per_task = 1;
  std::size_t offset = 0;
  std::string out;
  bool quiet = false;
};

// The running binary, so that workers are the same build (Linux /proc; empty elsewhere, and the
// points then run in this process).
std::filesystem::path own_executable() {
  char buffer[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (length <= 0) return {};
  return std::string(buffer, static_cast<std::size_t>(length));
}

// "A:B" (half-open), "A:" (to the end) or "K" (one point).
bool parse_range(const std::string& text, std::size_t count, std::size_t& from, std::size_t& to, std::string& error) {
  const auto number = [](const std::string& part, std::size_t& value) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 18) return false;
    value = std::stoull(part);
    return true;
  };
  const std::size_t colon = text.find(':');
  bool ok = false;
  if (colon == std::string::npos) {
    ok = number(text, from);
    to = from + 1;
  } else {
    ok = number(text.substr(0, colon), from);
    to = count;
    if (ok && colon + 1 < text.size()) ok = number(text.substr(colon + 1), to);
  }
  if (!ok || to < from) {
    error = "expected A:B (points A to B-1), A: or K, with 0 <= A <= B, got \"" + text + "\"";
    return false;
  }
  return true;
}

int report_missing(const Sweep& sweep, const SweepArguments& args, const SweepTally& tally) {
  std::cerr << "dasgd: sweep " << sweep.spec.name << ": " << tally.missing.size() << " of " << sweep.point_count
            << " points have no record yet (first: point " << tally.missing.front() << ")";
  if (tally.transient > 0) {
    std::cerr << ", " << tally.transient << " of them after a transient failure (last: " << tally.last_transient_reason
              << "), retried when they run again";
  }
  std::cerr << "; results.csv not written\n";
  if (!args.merge) {
    std::cerr << "dasgd: sweep: run the same command again to run them\n";
    return 1;
  }
  std::size_t below = 0;
  const std::string array = task_array(tally.missing, args.points_per_task, args.offset, &below);
  if (!array.empty()) {
    std::cerr << "dasgd: sweep: resubmit the tasks with the missing points (" << args.points_per_task
              << " points per task, offset " << args.offset << "):\n";
    std::cout << "--array=" << array << "\n";
  }
  if (below > 0) {
    std::cerr << "dasgd: sweep: " << below << " missing points lie below the offset " << args.offset
              << ": no task of this array runs them\n";
  }
  return 1;
}

int report_results(const Sweep& sweep, const SweepArguments& args) {
  const SweepTally tally = write_sweep_results(sweep);
  if (!tally.missing.empty()) return report_missing(sweep, args, tally);
  if (!args.quiet) {
    std::cout << "dasgd sweep " << sweep.spec.name << ": " << sweep.point_count << " points: " << tally.completed
              << " completed, " << tally.diverged << " diverged, " << tally.failed << " failed\n"
              << "  results in " << (sweep.directory / "results.csv").string() << " (wall times in timing.csv)\n";
  }
  if (tally.failed + tally.diverged > 0) {
    std::cerr << "dasgd: sweep " << sweep.spec.name << ": " << tally.failed << " failed and " << tally.diverged
              << " diverged points recorded (see the status and reason columns)\n";
  }
  return 0;
}

int run_range(const Sweep& sweep, const SweepArguments& args, std::size_t from, std::size_t to) {
  claim_sweep_directory(sweep);
  // Threads: -j, else the cores Slurm gave the task, else one.
  unsigned threads = args.jobs;
  if (threads == 0) {
    const char* slurm = std::getenv("SLURM_CPUS_PER_TASK");
    threads = slurm != nullptr ? static_cast<unsigned>(std::max(1L, std::strtol(slurm, nullptr, 10))) : 1u;
  }
  const SchedulerOutcome outcome = run_point_range(sweep, from, to, args.quiet, threads);
  if (!args.quiet) {
    std::cout << "points " << from << ".." << (to > from ? to - 1 : from) << " of " << sweep.point_count << ": "
              << outcome.ran << " ran (" << outcome.failed << " failed or diverged), " << outcome.already_done
              << " already recorded";
    if (outcome.transient > 0) std::cout << ", " << outcome.transient << " failed transiently (run again to retry)";
    std::cout << " -> " << (sweep.directory / "points").string() << "\n";
  }
  if (outcome.transient > 0) {
    std::cerr << "dasgd: sweep: " << outcome.transient << " points failed transiently; they run again on resume\n";
    return 1;
  }
  return 0;
}

int sweep(const SweepArguments& args) {
  Sweep plan;
  std::size_t from = 0, to = 0;
  const bool ranged = args.point >= 0 || !args.points.empty();
  try {
    plan = load_sweep(args.sweep_path, args.out);
    // A range task checks only its own points, as they run (an invalid one becomes a failed row):
    // validating the sweep in every task would cost O(tasks × sample).
    if (!ranged && !args.merge) validate_points(plan);
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.sweep_path << ": " << error.what() << "\n";
    return 2;
  }
  if (args.count) {
    std::cout << plan.point_count << "\n";
    return 0;
  }
  if (args.predict_only) {
    try {
      const std::size_t rows = write_predicted_table(plan);
      if (!args.quiet)
        std::cout << "dasgd sweep " << plan.spec.name << ": " << rows << " points predicted (closed forms, no run) -> "
                  << (plan.directory / "predicted.csv").string() << "\n";
      return 0;
    } catch (const std::exception& error) {
      std::cerr << "dasgd: sweep --predict-only failed: " << error.what() << "\n";
      return 1;
    }
  }
  if (args.list) {
    for (std::size_t k = 0; k < plan.point_count; ++k) std::cout << k << '\t' << describe_point(plan.point(k)) << '\n';
    return 0;
  }
  if (args.point >= 0) {
    if (static_cast<std::size_t>(args.point) >= plan.point_count) {
      std::cerr << "dasgd: sweep --point: expected a point from 0 to " << plan.point_count - 1 << ", got " << args.point
                << "\n";
      return 2;
    }
    from = static_cast<std::size_t>(args.point);
    to = from + 1;
  } else if (!args.points.empty()) {
    std::string error;
    if (!parse_range(args.points, plan.point_count, from, to, error)) {
      std::cerr << "dasgd: sweep --points: " << error << "\n";
      return 2;
    }
  }
  try {
    if (ranged) return run_range(plan, args, from, to);
    if (args.merge) {
      if (!std::filesystem::exists(plan.directory / "sweep.json")) {
        std::cerr << "dasgd: sweep --merge: no sweep results in " << plan.directory.string() << "\n";
        return 1;
      }
      claim_sweep_directory(plan);  // checks the hash
      return report_results(plan, args);
    }
    claim_sweep_directory(plan);
    SchedulerOptions options;
    options.executable = own_executable();
    options.sweep_file = args.sweep_path;
    options.jobs = args.jobs > 0 ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
    options.quiet = args.quiet;
    const SchedulerOutcome outcome = run_missing_points(plan, options);
    if (outcome.interrupted_by != 0) {
      std::cerr << "dasgd: sweep interrupted: " << outcome.already_done + outcome.ran << " of " << outcome.total
                << " points recorded in " << plan.directory.string()
                << "; run the same command again to finish the rest\n";
      return 1;
    }
    return report_results(plan, args);
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "dasgd: sweep failed: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

void register_sweep(CLI::App& app) {
  auto args = std::make_shared<SweepArguments>();
  CLI::App* command = app.add_subcommand("sweep", "Run a parameter sweep (points in parallel, resumable)");
  command->add_option("sweep", args->sweep_path, "Sweep file (JSON): a base config and axes")->required();
  command->add_option("-j,--jobs", args->jobs, "Points run at a time: worker processes, or with --points threads (default: every core; with --points "
                      "$SLURM_CPUS_PER_TASK or 1)")->check(CLI::Range(1u, 4096u));
  auto* list = command->add_flag("--list", args->list, "Print the points (K and the overrides) and exit");
  auto* predict_only = command->add_flag("--predict-only", args->predict_only,
                                         "Write predicted.csv from the closed forms (dasgd predict per point), run nothing");
  auto* point = command->add_option("--point", args->point, "Run point K only (a Slurm array task), then exit")
                    ->check(count_at_least(0));
  auto* points = command->add_option("--points", args->points,
                                     "Run points A to B-1 in this process (A:B, A: to the end), then exit");
  auto* count = command->add_flag("--count", args->count, "Print the number of points (after validation) and exit");
  auto* merge = command->add_flag("--merge", args->merge,
                                  "Only merge the recorded points into results.csv; when some are missing, print the "
                                  "--array= list of the tasks to resubmit");
  command->add_option("--points-per-task", args->points_per_task, "With --merge: points per array task (default 1)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  command->add_option("--offset", args->offset, "With --merge: the first point of array task 0 (default 0)");
  list->excludes(point)->excludes(merge)->excludes(points)->excludes(count);
  predict_only->excludes(list)->excludes(point)->excludes(merge)->excludes(points)->excludes(count);
  point->excludes(merge)->excludes(points)->excludes(count);
  points->excludes(merge)->excludes(count);
  count->excludes(merge);
  command->add_option("--out", args->out, "Output directory (default: the sweep's output.directory)");
  command->add_flag("--quiet,-q", args->quiet, "No progress line and no summary on stdout");
  command->callback([args] { set_exit_code(sweep(*args)); });
}

}  // namespace dasgd::cli
