// `dasgd sweep sweep.json`: expand and validate every point (nothing is written when one fails:
// exit 2), run the missing points in worker processes (-j N), merge results.csv. `--list` prints
// the points, `--point K` runs one (a Slurm array task), `--merge` only merges (docs/SWEEPS.md).
#include <unistd.h>

#include <climits>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/cli/validators.hpp"
#include "sim/config/json_reader.hpp"
#include "sim/sweep/point_record.hpp"
#include "sim/sweep/point_scheduler.hpp"
#include "sim/sweep/result_table.hpp"
#include "sim/sweep/sweep_points.hpp"

namespace dasgd::cli {

namespace {

struct SweepArguments {
  std::string sweep_path;
  unsigned jobs = 0;  // 0: every core
  bool list = false;
  std::int64_t point = -1;
  bool merge = false;
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

int report_results(const Sweep& sweep, const SweepArguments& args) {
  const SweepTally tally = write_sweep_results(sweep);
  if (!tally.missing.empty()) {
    std::cerr << "dasgd: sweep " << sweep.spec.name << ": " << tally.missing.size() << " of " << sweep.points.size()
              << " points have no record yet (first: point " << tally.missing.front()
              << "); results.csv not written\n";
    return 1;
  }
  if (!args.quiet) {
    std::cout << "dasgd sweep " << sweep.spec.name << ": " << sweep.points.size() << " points: " << tally.completed
              << " completed, " << tally.diverged << " diverged, " << tally.failed << " failed\n"
              << "  results in " << (sweep.directory / "results.csv").string() << " (wall times in timing.csv)\n";
  }
  if (tally.failed + tally.diverged > 0) {
    std::cerr << "dasgd: sweep " << sweep.spec.name << ": " << tally.failed << " failed and " << tally.diverged
              << " diverged points recorded (see the status and reason columns)\n";
  }
  return 0;
}

int run_one_point(const Sweep& sweep, const SweepArguments& args) {
  const auto k = static_cast<std::size_t>(args.point);
  claim_sweep_directory(sweep);
  if (const auto existing = read_point_record(sweep, k)) {
    if (!args.quiet) std::cout << "point " << k << " already recorded: " << (*existing)["status"].get<std::string>() << "\n";
    return 0;
  }
  const nlohmann::json record = run_point(sweep, k);
  write_point_record(sweep, record);
  if (!args.quiet) {
    std::cout << "point " << k << " (" << describe_point(sweep.points[k]) << "): " << record["status"].get<std::string>()
              << " (" << record["reason"].get<std::string>() << ") -> " << point_record_path(sweep, k).string() << "\n";
  }
  return 0;
}

int sweep(const SweepArguments& args) {
  Sweep plan;
  try {
    plan = load_sweep(args.sweep_path, args.out);
    if (args.point < 0) {
      validate_points(plan);
    } else if (static_cast<std::size_t>(args.point) < plan.points.size()) {
      point_config(plan, static_cast<std::size_t>(args.point));
    }
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << args.sweep_path << ": " << error.what() << "\n";
    return 2;
  }
  if (args.list) {
    for (const SweepPoint& point : plan.points) std::cout << point.index << '\t' << describe_point(point) << '\n';
    return 0;
  }
  if (args.point >= 0 && static_cast<std::size_t>(args.point) >= plan.points.size()) {
    std::cerr << "dasgd: sweep --point: expected a point from 0 to " << plan.points.size() - 1 << ", got "
              << args.point << "\n";
    return 2;
  }
  try {
    if (args.point >= 0) return run_one_point(plan, args);
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
  command->add_option("-j,--jobs", args->jobs, "Points run at a time (default: every core)")->check(CLI::Range(1u, 4096u));
  auto* list = command->add_flag("--list", args->list, "Print the points (K and the overrides) and exit");
  auto* point = command->add_option("--point", args->point, "Run point K only (a Slurm array task), then exit")
                    ->check(count_at_least(0));
  auto* merge = command->add_flag("--merge", args->merge, "Only merge the recorded points into results.csv");
  list->excludes(point)->excludes(merge);
  point->excludes(merge);
  command->add_option("--out", args->out, "Output directory (default: the sweep's output.directory)");
  command->add_flag("--quiet,-q", args->quiet, "No progress line and no summary on stdout");
  command->callback([args] { set_exit_code(sweep(*args)); });
}

}  // namespace dasgd::cli
