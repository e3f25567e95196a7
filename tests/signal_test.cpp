// Ctrl-C, SIGTERM and kill -9 at random moments during a run (docs/OUTCOMES.md, "Signals"): the
// CLI is spawned on a run far too long to finish, signalled after a random short sleep, and the
// output directory is checked. SIGINT/SIGTERM: exit 130/143, status "interrupted", a manifest that
// lists exactly the files present, metrics that end where the summary says. kill -9 during a
// rerun: either run whole (the manifest matches the files) or the commit marker present, never an
// unmarked mix; and the next run cleans every leftover. A second SIGINT: whole files or none.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <thread>

#include "tests/cli_support.hpp"
#include "tests/run_directory_support.hpp"

namespace dasgd {
namespace {

using nlohmann::json;
using testing::ChildExit;
using testing::expect_consistent_run_directory;
using testing::fresh_directory;
using testing::read_json;
using testing::run_cli;
using testing::spawn_cli;
using testing::wait_child;

// A run that takes minutes unless stopped: many gradients per simulated second, per-gradient log on.
std::vector<std::string> long_run(const std::filesystem::path& out) {
  return {"run", "-q", "configs/quickstart.json", "--set", "stop.time=1e7", "--set", "graph.nodes=8",
          "--set", "objective.dimension=8", "--out", out.string()};
}

std::string last_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The run's handlers are installed once the config is read: wait for the staging directory.
bool wait_for_run_start(const std::filesystem::path& out, int timeout_ms = 5000) {
  for (int waited = 0; waited < timeout_ms; waited += 2) {
    if (std::filesystem::exists(out))
      for (const auto& e : std::filesystem::directory_iterator(out))
        if (e.path().filename().string().rfind(".dasgd-staging.", 0) == 0) return true;
    sleep_ms(2);
  }
  return false;
}

void expect_interrupted_run(const std::filesystem::path& out, const ChildExit& e, int signal) {
  EXPECT_EQ(e.signal, 0);
  EXPECT_EQ(e.code, 128 + signal);
  const json manifest = expect_consistent_run_directory(out);
  EXPECT_EQ(manifest["status"], "interrupted");
  const json summary = read_json(out / "summary.json");
  ASSERT_TRUE(summary.is_object());
  EXPECT_EQ(summary["status"], "interrupted");
  EXPECT_EQ(summary["interrupted"]["signal"], signal == SIGINT ? "SIGINT" : "SIGTERM");
  EXPECT_LT(summary["run"]["end_time"].get<double>(), 1e7);
  // metrics.csv ends with the final row at the end of the run; gradients.csv has every gradient.
  const std::string last = last_line(out / "metrics.csv");
  const double end_time = std::stod(last.substr(0, last.find(',')));
  EXPECT_EQ(end_time, summary["run"]["end_time"].get<double>());
  const std::string last_gradient = last_line(out / "gradients.csv");
  const auto gradients = summary["run"]["gradients"].get<std::uint64_t>();
  if (gradients == 0) {
    EXPECT_EQ(last_gradient.rfind("t,node,", 0), 0u);  // stopped before the first gradient: the header only
  } else {
    EXPECT_EQ(std::stoull(last_gradient.substr(0, last_gradient.find(','))) + 1, gradients);
  }
}

TEST(Signals, SigintAtRandomMomentsWritesACompleteInterruptedRun) {
  std::mt19937 rng(11);
  const auto root = fresh_directory("sigint");
  for (int trial = 0; trial < 4; ++trial) {
    SCOPED_TRACE(trial);
    const auto out = root / std::to_string(trial);
    const pid_t pid = spawn_cli(long_run(out), root);
    ASSERT_TRUE(wait_for_run_start(out));
    sleep_ms(std::uniform_int_distribution<int>(0, 150)(rng));
    ::kill(pid, SIGINT);
    expect_interrupted_run(out, wait_child(pid), SIGINT);
  }
  std::filesystem::remove_all(root);
}

TEST(Signals, SigtermWritesACompleteInterruptedRunWithExit143) {
  const auto root = fresh_directory("sigterm");
  const auto out = root / "run";
  const pid_t pid = spawn_cli(long_run(out), root);
  ASSERT_TRUE(wait_for_run_start(out));
  sleep_ms(30);
  ::kill(pid, SIGTERM);
  expect_interrupted_run(out, wait_child(pid), SIGTERM);
  std::filesystem::remove_all(root);
}

TEST(Signals, SecondSigintLeavesWholeFilesOrTheOldRun) {
  std::mt19937 rng(12);
  const auto root = fresh_directory("sigint2");
  for (int trial = 0; trial < 4; ++trial) {
    SCOPED_TRACE(trial);
    const auto out = root / std::to_string(trial);
    ASSERT_EQ(run_cli("run -q configs/quickstart.json --set stop.time=5 --out " + out.string()).exit_code, 0);
    const json before = read_json(out / ".dasgd-manifest.json");
    const pid_t pid = spawn_cli(long_run(out), root);
    ASSERT_TRUE(wait_for_run_start(out));
    sleep_ms(std::uniform_int_distribution<int>(0, 100)(rng));
    ::kill(pid, SIGINT);
    sleep_ms(std::uniform_int_distribution<int>(0, 3)(rng));
    ::kill(pid, SIGINT);
    const ChildExit e = wait_child(pid);
    EXPECT_EQ(e.code, 130);
    const json manifest = expect_consistent_run_directory(out);
    // Either the interrupted run was written whole, or it was dropped and the old run is intact.
    if (manifest["status"] == "completed") {
      EXPECT_EQ(manifest, before);
    } else {
      EXPECT_EQ(manifest["status"], "interrupted");
    }
  }
  std::filesystem::remove_all(root);
}

TEST(Signals, KillNineDuringARerunNeverLeavesAnUnmarkedMix) {
  std::mt19937 rng(13);
  const auto root = fresh_directory("kill9");
  const std::vector<std::string> rerun_arguments = {"run", "-q", "configs/quickstart.json", "--set", "stop.time=40",
                                                     "--set", "seed=9", "--out"};
  // How long a whole rerun takes here (most of it is fsync): the kills land anywhere in it, in
  // the run, while writing the staging files, or in the commit.
  const auto timed = root / "timed";
  ASSERT_EQ(run_cli("run -q configs/quickstart.json --set stop.time=5 --out " + timed.string()).exit_code, 0);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> timed_arguments = rerun_arguments;
  timed_arguments.push_back(timed.string());
  EXPECT_EQ(wait_child(spawn_cli(timed_arguments, root)).code, 0);
  const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  for (int trial = 0; trial < 4; ++trial) {
    SCOPED_TRACE(trial);
    const auto out = root / std::to_string(trial);
    ASSERT_EQ(run_cli("run -q configs/quickstart.json --set stop.time=5 --out " + out.string()).exit_code, 0);
    std::vector<std::string> arguments = rerun_arguments;
    arguments.push_back(out.string());
    const pid_t pid = spawn_cli(arguments, root);
    sleep_ms(std::uniform_int_distribution<int>(0, static_cast<int>(duration_ms * 11 / 10))(rng));
    ::kill(pid, SIGKILL);
    wait_child(pid);
    if (std::filesystem::exists(out / ".dasgd-commit.json")) {
      // Marked as cut short: every visible file is one the marker names (of the old run or the new).
      const json marker = read_json(out / ".dasgd-commit.json");
      std::set<std::string> named;
      for (const char* list : {"old_files", "new_files"})
        for (const auto& f : marker[list]) named.insert(f.get<std::string>());
      for (const std::string& f : testing::all_files(out))
        if (f[0] != '.') {
          EXPECT_TRUE(named.count(f)) << f;
        }
    } else {
      // Whole: the manifest describes exactly the visible files (staging and temporaries are hidden).
      const json manifest = read_json(out / ".dasgd-manifest.json");
      ASSERT_TRUE(manifest.is_object());
      for (const auto& f : manifest["files"])
        if (!f["bytes"].is_null()) {
          EXPECT_EQ(std::filesystem::file_size(out / f["path"].get<std::string>()), f["bytes"].get<std::uintmax_t>());
        }
      EXPECT_EQ(read_json(out / "config.json")["seed"], manifest["seed"]);
      std::set<std::string> visible, listed;
      for (const std::string& f : testing::all_files(out))
        if (f[0] != '.') visible.insert(f);
      for (const auto& f : manifest["files"]) listed.insert(f["path"].get<std::string>());
      EXPECT_EQ(visible, listed);
    }
    // The next run cleans every leftover without --force.
    ASSERT_EQ(run_cli("run -q configs/quickstart.json --set stop.time=5 --set seed=4 --out " + out.string()).exit_code, 0);
    expect_consistent_run_directory(out);
  }
  std::filesystem::remove_all(root);
}

// A comparison interrupted mid-way: the running algorithm is written as interrupted, the ones not
// yet run are rows with status interrupted and no run directory, one manifest covers it all.
TEST(Signals, SigintDuringACompareWritesTheComparisonSoFar) {
  const auto root = fresh_directory("sigint-compare");
  const auto out = root / "cmp";
  const pid_t pid = spawn_cli({"compare", "-q", "configs/compare/family_ring.json", "--set", "stop.time=1e7", "--out",
                               out.string()},
                              root);
  ASSERT_TRUE(wait_for_run_start(out));
  sleep_ms(40);
  ::kill(pid, SIGINT);
  const ChildExit e = wait_child(pid);
  EXPECT_EQ(e.code, 130);
  const json manifest = expect_consistent_run_directory(out);
  ASSERT_TRUE(manifest.contains("statuses"));
  EXPECT_EQ(manifest["statuses"]["dasgd"], "interrupted");
  EXPECT_EQ(manifest["statuses"]["parameter_server"], "interrupted");
  EXPECT_EQ(read_json(out / "dasgd" / "summary.json")["status"], "interrupted");
  EXPECT_FALSE(std::filesystem::exists(out / "parameter_server"));  // never started
  std::ifstream summary(out / "comparison_summary.csv");
  std::string line;
  std::getline(summary, line);
  int rows = 0;
  while (std::getline(summary, line)) {
    ++rows;
    EXPECT_NE(line.find(",interrupted,"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 9);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace dasgd
