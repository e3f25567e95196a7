// A run owns its output directory (docs/OUTCOMES.md): a rerun replaces the previous run's files
// and nothing else, files the tool did not write are refused without --force, dangerous roots are
// refused, every refusal is one line with exit 2 before the simulation, and leftovers of killed
// runs (staging directories, temporaries, a cut-short commit) are cleaned by the next run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "sim/output/gradient_log_stream.hpp"
#include "sim/output/run_directory.hpp"
#include "tests/cli_support.hpp"
#include "tests/run_directory_support.hpp"

namespace dasgd {
namespace {

using nlohmann::json;
using testing::all_files;
using testing::expect_consistent_run_directory;
using testing::fresh_directory;
using testing::read_file;
using testing::read_json;
using testing::run_cli;

const std::string quick = "run -q configs/quickstart.json --set stop.time=20 ";
// A run that would take minutes: a refusal that comes back at once was decided before the simulation.
const std::string endless = "run -q configs/quickstart.json --set stop.time=1e9 ";

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(OutputDirectory, RerunWithOtherSettingsLeavesNoStaleFile) {
  const auto dir = fresh_directory("rerun");
  ASSERT_EQ(run_cli(quick + "--set seed=1 --out " + dir.string()).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "gradients.csv"));
  const auto r = run_cli(quick + "--set seed=7 --set record.per_gradient=false --out " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "gradients.csv"));  // the seed-1 run's file is gone
  EXPECT_EQ(read_json(dir / "config.json")["seed"], 7);
  const json manifest = expect_consistent_run_directory(dir);
  EXPECT_EQ(manifest["seed"], 7);
  EXPECT_EQ(manifest["status"], "completed");
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, FilesOfTheUserBesideARunAreNeverTouched) {
  const auto dir = fresh_directory("user-files");
  std::ofstream(dir / "notes.txt") << "mine";
  std::filesystem::create_directories(dir / "plots");
  std::ofstream(dir / "plots" / "f.png") << "png";
  ASSERT_EQ(run_cli(quick + "--out " + dir.string()).exit_code, 0);
  ASSERT_EQ(run_cli(quick + "--set seed=2 --out " + dir.string()).exit_code, 0);
  EXPECT_EQ(read_file(dir / "notes.txt"), "mine");
  EXPECT_EQ(read_file(dir / "plots" / "f.png"), "png");
  expect_consistent_run_directory(dir, {"notes.txt", "plots/f.png"});
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, FileWithOurNameThatNoManifestListsIsRefusedWithoutForce) {
  const auto dir = fresh_directory("foreign");
  std::ofstream(dir / "summary.json") << "the user's own summary";
  const auto r = run_cli(endless + "--out " + dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("dasgd: output directory " + dir.string() + ": holds summary.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "summary.json"), "the user's own summary");
  EXPECT_EQ(all_files(dir), std::set<std::string>{"summary.json"});  // nothing else written

  const auto forced = run_cli(quick + "--force --out " + dir.string());
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(read_json(dir / "summary.json")["status"], "completed");
  expect_consistent_run_directory(dir);
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, RootHomeAndCurrentDirectoryAreRefusedBeforeTheRun) {
  const auto home = fresh_directory("home");
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  ::setenv("HOME", home.string().c_str(), 1);
  // run_cli runs from the source directory: "." and "../.." (or further up) resolve to it or above.
  for (const std::string& out : {std::string("/"), std::string("."), std::string("./"), std::string(".."),
                                 std::string("../.."), std::string("configs/.."), home.string(), home.string() + "/.",
                                 home.parent_path().string()}) {
    SCOPED_TRACE(out);
    const auto r = run_cli(endless + "--out '" + out + "'");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("refusing"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(std::filesystem::is_empty(home));
  if (old_home) ::setenv("HOME", saved.c_str(), 1);
  std::filesystem::remove_all(home);
}

TEST(OutputDirectory, APathThatIsAFileIsRefusedWithExitTwoAndOneLine) {
  const auto dir = fresh_directory("is-a-file");
  std::ofstream(dir / "taken") << "x";
  const auto r = run_cli(endless + "--out " + (dir / "taken").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("exists and is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "taken"), "x");
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, WorldErrorAfterTheClaimLeavesNothingBehind) {
  const auto dir = fresh_directory("world-error");
  std::filesystem::remove_all(dir);
  const auto r = run_cli("run -q configs/quickstart.json --set graph.kind=erdos_renyi --set graph.p=0.01 --out " +
                         dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(OutputDirectory, LeftoversOfAKilledRunAreCleanedByTheNext) {
  const auto dir = fresh_directory("leftovers");
  ASSERT_EQ(run_cli(quick + "--out " + dir.string()).exit_code, 0);
  std::filesystem::create_directories(dir / ".dasgd-staging.99999");
  std::ofstream(dir / ".dasgd-staging.99999" / "gradients.csv") << "t,node\n1,";
  std::ofstream(dir / "gradients.csv.tmp.12345") << "half a file";
  std::ofstream(dir / "summary.json.tmp.777") << "{";
  ASSERT_EQ(run_cli(quick + "--set seed=3 --out " + dir.string()).exit_code, 0);
  expect_consistent_run_directory(dir);
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, ACutShortCommitIsMarkedAndTheNextRunReplacesBothRuns) {
  // What kill -9 in the middle of a commit leaves: the marker, no manifest, files of both runs.
  const auto dir = fresh_directory("cut-commit");
  std::ofstream(dir / "summary.json") << "{\"old\": true}";
  std::ofstream(dir / "gradients.csv") << "t\n0\n";
  std::ofstream(dir / "metrics.csv") << "new";
  std::ofstream(dir / ".dasgd-commit.json")
      << json{{"old_files", {"summary.json", "gradients.csv"}}, {"new_files", {"metrics.csv"}}}.dump();
  const auto r = run_cli(quick + "--set record.per_gradient=false --out " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;  // no --force needed: the marker says whose files they are
  EXPECT_FALSE(std::filesystem::exists(dir / "gradients.csv"));
  EXPECT_EQ(read_json(dir / "summary.json")["status"], "completed");
  expect_consistent_run_directory(dir);
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, ASecondClaimOfTheSameDirectoryIsRefused) {
  const auto dir = fresh_directory("locked");
  OutputClaimOptions options;
  options.names = {"summary.json"};
  OutputDirectory first(dir, options);
  try {
    OutputDirectory second(dir, options);
    ADD_FAILURE() << "second claim accepted";
  } catch (const OutputDirectoryError& error) {
    EXPECT_NE(std::string(error.what()).find("another dasgd process"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(first.staging()));  // the refusal left the first claim alone
  std::filesystem::remove_all(dir);
}

TEST(OutputDirectory, UncommittedClaimRemovesItsStagingAndTheDirectoryItCreated) {
  const auto parent = fresh_directory("uncommitted");
  const auto dir = parent / "a" / "b";
  {
    OutputDirectory claim(dir, {});
    std::ofstream(claim.staging() / "summary.json") << "{}";
  }
  EXPECT_FALSE(std::filesystem::exists(parent / "a"));  // the parents it made go too
  EXPECT_TRUE(std::filesystem::exists(parent));         // not those it found
  std::filesystem::remove_all(parent);
}

TEST(OutputDirectory, ManifestCannotMakeUsTouchFilesOutsideTheDirectory) {
  const auto parent = fresh_directory("escape");
  const auto dir = parent / "run";
  std::filesystem::create_directories(dir);
  std::ofstream(parent / "precious.txt") << "keep";
  std::ofstream(dir / ".dasgd-manifest.json")
      << json{{"dasgd_manifest", 1}, {"files", {{{"path", "../precious.txt"}}, {{"path", "/etc/hostname"}}}}}.dump();
  ASSERT_EQ(run_cli(quick + "--out " + dir.string()).exit_code, 0);
  EXPECT_EQ(read_file(parent / "precious.txt"), "keep");
  expect_consistent_run_directory(dir);
  std::filesystem::remove_all(parent);
}

TEST(GradientLogStream, RadixSelectMatchesSortingNearestRank) {
  std::mt19937_64 rng(5);
  for (const std::size_t n : {1u, 2u, 7u, 100u, 4097u, 70000u}) {
    std::vector<double> values(n);
    std::uniform_real_distribution<double> u(0, 1);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = u(rng);
      values[i] = i % 5 == 0 ? 0.0 : i % 7 == 0 ? values[i / 2] : x < 0.01 ? INFINITY : std::pow(10.0, 40 * x - 20);
    }
    auto read = [&](std::uint64_t offset, std::vector<double>& buffer) -> std::size_t {
      const std::size_t count = std::min<std::size_t>(1000, n - static_cast<std::size_t>(offset));
      buffer.assign(values.begin() + static_cast<std::ptrdiff_t>(offset),
                    values.begin() + static_cast<std::ptrdiff_t>(offset + count));
      return count;
    };
    const std::vector<double> got = radix_select_quantiles(n, {0.5, 0.9, 0.99}, read);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> want;
    for (const double p : {0.5, 0.9, 0.99}) {
      const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
      want.push_back(sorted[std::max<std::size_t>(rank, 1) - 1]);
    }
    EXPECT_EQ(got, want) << n;
  }
}

}  // namespace
}  // namespace dasgd
