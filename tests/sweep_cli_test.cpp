// `dasgd sweep` end to end through the real binary (DASGD_CLI_PATH): an invalid axis stops the sweep
// before anything is written, -j 1 and -j 2 give byte-identical results.csv, a kill -9 midway then
// a rerun gives the uninterrupted CSV, failing points are recorded while the sweep goes on, and
// --list / --point / --merge reproduce the single-machine result.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/point_record.hpp"
#include "sim/sweep/point_scheduler.hpp"
#include "sim/sweep/result_table.hpp"
#include "sim/sweep/sweep_points.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh directory per test under the system temp directory.
class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("dasgd_sweep_cli_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  // Starts `dasgd args...` with stdout and stderr to files in root_; returns the pid.
  pid_t start(const std::vector<std::string>& args) {
    std::vector<std::string> all{DASGD_CLI_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = (root_ / "stdout.txt").string();
    const std::string err = (root_ / "stderr.txt").string();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot spawn " << DASGD_CLI_PATH;
    return pid;
  }
  static int wait_for(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  int run(const std::vector<std::string>& args) { return wait_for(start(args)); }

  std::string read(const fs::path& path) const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string err() const { return read(root_ / "stderr.txt"); }
  std::string out() const { return read(root_ / "stdout.txt"); }

  // A sweep file over a small base config; `stop_time` sets how long each point runs.
  fs::path write_sweep(const std::string& name, const json& axes, const json& seeds, double stop_time,
                       const std::string& output) {
    json base = json::parse(R"({
      "graph": {"kind": "ring", "nodes": 8},
      "compute": {"time": {"law": "exponential", "mean": 1.0}},
      "link": {"latency": {"law": "shifted_exponential", "shift": 0.05, "mean": 0.05}},
      "objective": {"kind": "separable_cosine", "dimension": 4, "noise": {"kind": "gaussian", "sigma2": 0.1}},
      "algorithm": {"name": "dasgd", "eta": 0.01, "delivery": "routed"},
      "record": {"per_gradient": false},
      "epsilon": 0.05})");
    base["stop"] = {{"time", stop_time}};
    json sweep{{"base", base}, {"axes", axes}, {"output", {{"directory", (root_ / output).string()}}}};
    if (!seeds.is_null()) sweep["seeds"] = seeds;
    const fs::path file = root_ / name;
    std::ofstream(file) << sweep.dump(2);
    return file;
  }

  static json two_axes() {
    return json::parse(R"([{"path": "graph.nodes", "values": [6, 10]},
                           {"path": "link.latency.mean", "log_range": {"from": 0.01, "to": 1, "steps": 3}}])");
  }

  fs::path root_;
};

std::size_t count_records(const fs::path& points) {
  std::size_t n = 0;
  if (!fs::exists(points)) return 0;
  for (const auto& entry : fs::directory_iterator(points)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") ++n;
  }
  return n;
}

TEST_F(SweepCli, InvalidAxisIsCaughtBeforeAnythingRuns) {
  const fs::path file = write_sweep("bad.json", json::parse(R"([{"path": "graph.nodes", "values": [8, 2]}])"), 2, 5,
                                    "bad_out");
  EXPECT_EQ(run({"sweep", file.string(), "-j", "2"}), 2);
  EXPECT_NE(err().find("point 2 (graph.nodes=2 seed=1)"), std::string::npos) << err();
  EXPECT_NE(err().find("/graph/nodes"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(root_ / "bad_out"));

  const fs::path typo = write_sweep("typo.json", json::parse(R"([{"path": "algorithm.etaa", "values": [0.1]}])"),
                                    nullptr, 5, "typo_out");
  EXPECT_EQ(run({"sweep", typo.string()}), 2);
  EXPECT_NE(err().find("point 0"), std::string::npos) << err();
  EXPECT_NE(err().find("/algorithm/etaa: unknown key"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(root_ / "typo_out"));
}

// record.trace in a sweep: refused before anything runs unless the points have run directories;
// with them, each point's directory holds its own trace.json (one compute span per gradient).
TEST_F(SweepCli, RecordTraceGoesIntoEachPointsRunDirectoryOrIsRefused) {
  const fs::path refused = write_sweep("trace_refused.json", json::parse(R"([{"path": "graph.nodes", "values": [6, 8]}])"),
                                       nullptr, 5, "trace_refused_out");
  json sweep = json::parse(read(refused));
  sweep["base"]["record"]["trace"] = true;
  std::ofstream(refused) << sweep.dump(2);
  EXPECT_EQ(run({"sweep", refused.string()}), 2);
  EXPECT_NE(err().find("point 0 (graph.nodes=6): /record/trace: a sweep writes trace.json only into its points' run "
                       "directories"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(root_ / "trace_refused_out"));

  sweep["output"]["directory"] = (root_ / "trace_out").string();
  sweep["output"]["run_directories"] = true;
  const fs::path traced = root_ / "trace.json";
  std::ofstream(traced) << sweep.dump(2);
  ASSERT_EQ(run({"sweep", traced.string(), "-j", "2"}), 0) << err();
  for (const char* k : {"0", "1"}) {
    const fs::path dir = root_ / "trace_out" / "runs" / k;
    const json trace = json::parse(read(dir / "trace.json"));
    const auto spans = std::count_if(trace["traceEvents"].begin(), trace["traceEvents"].end(), [](const json& e) {
      return e["ph"] == "X" && e.value("cat", "") == "compute";
    });
    EXPECT_GT(spans, 0) << k;
    EXPECT_EQ(static_cast<std::uint64_t>(spans), json::parse(read(dir / "summary.json"))["run"]["gradients"].get<std::uint64_t>()) << k;
    EXPECT_NE(read(dir / ".dasgd-manifest.json").find("trace.json"), std::string::npos) << k;
  }
}

TEST_F(SweepCli, OneAndTwoJobsGiveByteIdenticalResults) {
  const fs::path one = write_sweep("one.json", two_axes(), 2, 20, "one");
  const fs::path two = write_sweep("two.json", two_axes(), 2, 20, "two");
  ASSERT_EQ(run({"sweep", one.string(), "-j", "1", "--quiet"}), 0) << err();
  ASSERT_EQ(run({"sweep", two.string(), "-j", "2", "--quiet"}), 0) << err();
  const std::string a = read(root_ / "one" / "results.csv");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, read(root_ / "two" / "results.csv"));
  // 12 rows in point order, after the header.
  std::istringstream lines(a);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[0].rfind("point,graph.nodes,link.latency.mean,seed,status,reason,S_avg,S_max,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("0,6,0.01,1,completed,time,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[12].rfind("11,10,1,2,completed,time,", 0), 0u) << rows[12];
  EXPECT_TRUE(fs::exists(root_ / "one" / "timing.csv"));
}

TEST_F(SweepCli, InProcessPointsMatchWorkerProcesses) {
  const fs::path file = write_sweep("both.json", two_axes(), nullptr, 20, "workers");
  ASSERT_EQ(run({"sweep", file.string(), "-j", "2", "--quiet"}), 0) << err();
  const dasgd::Sweep sweep = dasgd::load_sweep(file, (root_ / "in_process").string());
  dasgd::claim_sweep_directory(sweep);
  dasgd::SchedulerOptions options;  // no executable: the points run inside this process
  options.quiet = true;
  const dasgd::SchedulerOutcome outcome = dasgd::run_missing_points(sweep, options);
  EXPECT_EQ(outcome.ran, 6u);
  EXPECT_EQ(outcome.interrupted_by, 0);
  EXPECT_TRUE(dasgd::write_sweep_results(sweep).missing.empty());
  EXPECT_EQ(read(root_ / "in_process" / "results.csv"), read(root_ / "workers" / "results.csv"));
}

TEST_F(SweepCli, KilledMidwayThenRerunGivesTheUninterruptedCsv) {
  const json axes = json::parse(R"([{"path": "graph.nodes", "values": [6, 8, 10, 12]}])");
  const fs::path reference = write_sweep("ref.json", axes, 2, 6000, "ref");
  ASSERT_EQ(run({"sweep", reference.string(), "-j", "2", "--quiet"}), 0) << err();

  const fs::path killed = write_sweep("killed.json", axes, 2, 6000, "killed");
  const pid_t pid = start({"sweep", killed.string(), "-j", "1", "--quiet"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (count_records(root_ / "killed" / "points") < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_for(pid), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the worker dies with its parent
  const std::size_t recorded = count_records(root_ / "killed" / "points");
  EXPECT_GE(recorded, 2u);
  EXPECT_LT(recorded, 8u) << "the sweep finished before the kill: make the points longer";
  EXPECT_FALSE(fs::exists(root_ / "killed" / "results.csv"));

  ASSERT_EQ(run({"sweep", killed.string(), "-j", "2"}), 0) << err();
  EXPECT_NE(out().find("8 points: 8 completed"), std::string::npos) << out();
  EXPECT_EQ(read(root_ / "killed" / "results.csv"), read(root_ / "ref" / "results.csv"));
}

TEST_F(SweepCli, FailingPointsAreRecordedAndTheSweepGoesOn) {
  // Point 1: G(8, 0) is disconnected (the world cannot be built); point 2: eta = 1e6 on a quadratic
  // diverges (the cosine's bounded gradients would not).
  const json axes = json::parse(R"([{"zip": [
      {"path": "graph.kind", "values": ["ring", "erdos_renyi", "ring"]},
      {"path": "graph.p", "values": [null, 0.0, null]},
      {"path": "objective.kind", "values": ["separable_cosine", "separable_cosine", "quadratic"]},
      {"path": "algorithm.eta", "values": [0.01, 0.01, 1e6]}]}])");
  const fs::path file = write_sweep("fail.json", axes, nullptr, 20, "fail");
  ASSERT_EQ(run({"sweep", file.string(), "-j", "2"}), 0) << err();
  EXPECT_NE(out().find("3 points: 1 completed, 1 diverged, 1 failed"), std::string::npos) << out();
  std::istringstream lines(read(root_ / "fail" / "results.csv"));
  std::string header, row0, row1, row2;
  std::getline(lines, header);
  std::getline(lines, row0);
  std::getline(lines, row1);
  std::getline(lines, row2);
  EXPECT_EQ(row0.rfind("0,ring,,separable_cosine,0.01,1,completed,time,", 0), 0u) << row0;
  EXPECT_EQ(row1.rfind("1,erdos_renyi,0,separable_cosine,0.01,1,failed,", 0), 0u) << row1;
  EXPECT_NE(row1.find("disconnected"), std::string::npos) << row1;
  EXPECT_EQ(row2.rfind("2,ring,,quadratic,1e+06,1,diverged,", 0), 0u) << row2;
}

TEST_F(SweepCli, ListPointMergeRoundTripMatchesOneMachine) {
  const fs::path whole = write_sweep("whole.json", two_axes(), json{3, 5}, 20, "whole");
  const fs::path spread = write_sweep("spread.json", two_axes(), json{3, 5}, 20, "spread");
  ASSERT_EQ(run({"sweep", whole.string(), "-j", "2", "--quiet"}), 0) << err();

  ASSERT_EQ(run({"sweep", spread.string(), "--list"}), 0) << err();
  std::istringstream listing(out());
  std::string line;
  std::vector<std::string> points;
  while (std::getline(listing, line)) points.push_back(line);
  ASSERT_EQ(points.size(), 12u);
  EXPECT_EQ(points[0], "0\tgraph.nodes=6 link.latency.mean=0.01 seed=3");
  EXPECT_EQ(points[11], "11\tgraph.nodes=10 link.latency.mean=1.0 seed=5");

  // Merging before every point is recorded refuses and writes nothing.
  for (std::size_t k = 0; k < 6; ++k) ASSERT_EQ(run({"sweep", spread.string(), "--point", std::to_string(k)}), 0) << err();
  EXPECT_EQ(run({"sweep", spread.string(), "--merge"}), 1);
  EXPECT_NE(err().find("6 of 12 points have no record"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(root_ / "spread" / "results.csv"));
  for (std::size_t k = 11; k >= 6; --k) ASSERT_EQ(run({"sweep", spread.string(), "--point", std::to_string(k), "-q"}), 0);
  EXPECT_EQ(run({"sweep", spread.string(), "--point", "12"}), 2);
  ASSERT_EQ(run({"sweep", spread.string(), "--merge", "--quiet"}), 0) << err();
  EXPECT_EQ(read(root_ / "spread" / "results.csv"), read(root_ / "whole" / "results.csv"));
}

TEST_F(SweepCli, RangesInOneProcessMatchTheWholeSweep) {
  const fs::path whole = write_sweep("whole.json", two_axes(), json{3, 5}, 20, "whole");
  const fs::path ranged = write_sweep("ranged.json", two_axes(), json{3, 5}, 20, "ranged");
  ASSERT_EQ(run({"sweep", whole.string(), "-j", "2", "--quiet"}), 0) << err();
  ASSERT_EQ(run({"sweep", ranged.string(), "--count"}), 0) << err();
  EXPECT_EQ(out(), "12\n");
  ASSERT_EQ(run({"sweep", ranged.string(), "--points", "0:5"}), 0) << err();
  EXPECT_NE(out().find("points 0..4 of 12: 5 ran (0 failed or diverged), 0 already recorded"), std::string::npos) << out();
  ASSERT_EQ(run({"sweep", ranged.string(), "--points", "3:"}), 0) << err();  // 3 and 4 are skipped
  EXPECT_NE(out().find("7 ran (0 failed or diverged), 2 already recorded"), std::string::npos) << out();
  ASSERT_EQ(run({"sweep", ranged.string(), "--points", "40:50", "-q"}), 0) << err();  // past the end: nothing
  EXPECT_EQ(run({"sweep", ranged.string(), "--points", "5:2"}), 2);
  EXPECT_NE(err().find("--points: expected A:B"), std::string::npos) << err();
  ASSERT_EQ(run({"sweep", ranged.string(), "--merge", "-q"}), 0) << err();
  EXPECT_EQ(read(root_ / "ranged" / "results.csv"), read(root_ / "whole" / "results.csv"));
}

TEST_F(SweepCli, MergePrintsTheTasksToResubmitAndLeavesNoStaleResults) {
  const fs::path file = write_sweep("m.json", two_axes(), json{3, 5}, 20, "m");
  ASSERT_EQ(run({"sweep", file.string(), "-j", "2", "--quiet"}), 0) << err();
  ASSERT_TRUE(fs::exists(root_ / "m" / "results.csv"));
  fs::remove(root_ / "m" / "points" / "4.json");
  fs::remove(root_ / "m" / "points" / "10.json");
  fs::remove(root_ / "m" / "points" / "11.json");
  EXPECT_EQ(run({"sweep", file.string(), "--merge", "--points-per-task", "3"}), 1);
  EXPECT_EQ(out(), "--array=1,3\n");  // tasks 1 (points 3-5) and 3 (points 9-11)
  EXPECT_NE(err().find("3 of 12 points have no record yet (first: point 4)"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(root_ / "m" / "results.csv"));  // the old one no longer matches the records
  EXPECT_FALSE(fs::exists(root_ / "m" / "timing.csv"));
  EXPECT_EQ(run({"sweep", file.string(), "--merge", "--points-per-task", "2", "--offset", "6"}), 1);
  EXPECT_EQ(out(), "--array=2\n");
  EXPECT_NE(err().find("1 missing points lie below the offset 6"), std::string::npos) << err();
}

TEST_F(SweepCli, APointWhoseWorkerIsKilledRunsAgainOnResume) {
  // SIGKILL of a worker (as the OOM killer or a time limit would) is transient: the point stays
  // missing, the sweep goes on, and the next run of the same command completes it.
  const json axes = json::parse(R"([{"path": "graph.nodes", "values": [6, 8, 10, 12]}])");
  const fs::path reference = write_sweep("ref.json", axes, nullptr, 3000, "ref");
  ASSERT_EQ(run({"sweep", reference.string(), "-j", "2", "--quiet"}), 0) << err();
  const fs::path file = write_sweep("k.json", axes, nullptr, 3000, "k");
  const pid_t pid = start({"sweep", file.string(), "-j", "1", "--quiet"});
  pid_t worker = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (worker == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    children >> worker;
    if (worker == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_GT(worker, 0);
  kill(worker, SIGKILL);
  EXPECT_EQ(wait_for(pid), 1);  // every other point ran; one is left to retry
  EXPECT_NE(err().find("after a transient failure (last: worker killed by signal 9"), std::string::npos) << err();
  EXPECT_EQ(count_records(root_ / "k" / "points"), 3u + 1u);  // 3 records and 0.retry.json
  EXPECT_TRUE(fs::exists(root_ / "k" / "points" / "0.retry.json"));
  EXPECT_FALSE(fs::exists(root_ / "k" / "results.csv"));
  ASSERT_EQ(run({"sweep", file.string(), "-j", "2", "--quiet"}), 0) << err();
  EXPECT_FALSE(fs::exists(root_ / "k" / "points" / "0.retry.json"));
  EXPECT_EQ(read(root_ / "k" / "results.csv"), read(root_ / "ref" / "results.csv"));
}

TEST_F(SweepCli, KillsAndInterruptsAtRandomMomentsResumeByteIdentically) {
  const json axes = json::parse(R"([{"path": "graph.nodes", "values": [6, 8, 10, 12, 14, 16]}])");
  const fs::path reference = write_sweep("ref.json", axes, 2, 1000, "ref");
  ASSERT_EQ(run({"sweep", reference.string(), "-j", "2", "--quiet"}), 0) << err();
  const std::string expected = read(root_ / "ref" / "results.csv");
  ASSERT_FALSE(expected.empty());
  std::mt19937 random(static_cast<unsigned>(getpid()));
  for (int trial = 0; trial < 3; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string name = "t" + std::to_string(trial);
    const fs::path file = write_sweep(name + ".json", axes, 2, 1000, name);
    // Interrupt it at random moments (kill -9, SIGINT, SIGTERM by turns), up to twice, each
    // time resuming with the same command, then let it finish.
    for (int stop = 0; stop < 2; ++stop) {
      const pid_t pid = start({"sweep", file.string(), "-j", "2", "--quiet"});
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 400)(random)));
      const int signal_number = std::array<int, 3>{SIGKILL, SIGINT, SIGTERM}[(trial + stop) % 3];
      kill(pid, signal_number);
      const int code = wait_for(pid);
      if (code == 0) break;  // finished before the signal
      // 128 + the signal: it came before the sweep had installed its handlers (a loaded machine
      // can take longer than the delay to start), so the default action ended it; the records
      // are written atomically, so the resume below must still give the same bytes.
      EXPECT_TRUE(code == 128 + SIGKILL || code == 1 || code == 128 + signal_number) << code << " " << err();
      if (signal_number != SIGKILL && code == 1) {
        EXPECT_NE(err().find("sweep interrupted"), std::string::npos) << err();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workers die with their parent
      EXPECT_FALSE(fs::exists(root_ / name / "results.csv"));
    }
    ASSERT_EQ(run({"sweep", file.string(), "-j", "2", "--quiet"}), 0) << err();
    EXPECT_EQ(read(root_ / name / "results.csv"), expected);
    for (const auto& entry : fs::directory_iterator(root_ / name / "points")) {
      const std::string leaf = entry.path().filename().string();
      EXPECT_EQ(leaf.find(".tmp."), std::string::npos) << leaf;  // no temporary left behind
      EXPECT_EQ(leaf.find(".retry."), std::string::npos) << leaf;  // interrupted points are not failures
    }
  }
}

TEST_F(SweepCli, ADifferentSweepIsNeverResumedIntoTheSameDirectory) {
  const fs::path first = write_sweep("first.json", json::parse(R"([{"path": "graph.nodes", "values": [6]}])"),
                                     nullptr, 5, "shared");
  ASSERT_EQ(run({"sweep", first.string(), "--quiet"}), 0) << err();
  const fs::path second = write_sweep("second.json", json::parse(R"([{"path": "graph.nodes", "values": [7]}])"),
                                      nullptr, 5, "shared");
  EXPECT_EQ(run({"sweep", second.string(), "--quiet"}), 2);
  EXPECT_NE(err().find("holds results of another sweep"), std::string::npos) << err();
}

// A kill -9'd sweep's workers are reparented; where nothing reaps them (a container's first process
// often does not wait), they stay zombies, which kill(pid, 0) still finds. Their temporary record
// files must still count as stale: a resumed sweep removes them.
TEST_F(SweepCli, TemporaryRecordsOfZombieWorkersAreRemovedWhenTheSweepResumes) {
  const json axes = json::parse(R"([{"path": "graph.nodes", "values": [6, 8]}])");
  const fs::path file = write_sweep("z.json", axes, nullptr, 5, "z");
  ASSERT_EQ(run({"sweep", file.string(), "--quiet"}), 0) << err();
  const pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  ASSERT_GT(zombie, 0);
  for (int i = 0; i < 200; ++i) {  // until the child has exited (and, unreaped, is a zombie)
    std::ifstream stat("/proc/" + std::to_string(zombie) + "/stat");
    std::string line;
    std::getline(stat, line);
    if (line.find(") Z") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  char host[256] = {0};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  std::string name(host);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  const fs::path stale = root_ / "z" / "points" / (".0.json.tmp." + name + "." + std::to_string(zombie));
  const fs::path live = root_ / "z" / "points" / (".1.json.tmp." + name + "." + std::to_string(getpid()));
  std::ofstream(stale) << "{";
  std::ofstream(live) << "{";
  EXPECT_EQ(kill(zombie, 0), 0);  // the zombie is still found by kill
  ASSERT_EQ(run({"sweep", file.string(), "--quiet"}), 0) << err();
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));  // this test process runs: its temporary is not stale
  waitpid(zombie, nullptr, 0);
}

}  // namespace
