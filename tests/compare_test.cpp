// `dasgd compare`: algorithms on identical worlds. With common random numbers, sparsified ASGD with
// k = d (no sparsification) must reproduce DASGD exactly; with them off the draws differ.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "tests/cli_support.hpp"
#include "tests/run_directory_support.hpp"

namespace dasgd {
namespace {

using testing::fresh_directory;
using testing::read_file;
using testing::run_cli;

std::filesystem::path write_compare_file(const std::filesystem::path& dir) {
  const auto path = dir / "compare.json";
  std::ofstream(path) << R"({
    "name": "crn", "seed": 4,
    "graph": {"kind": "torus", "rows": 3, "cols": 3},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "exponential", "mean": 0.2}},
    "objective": {"kind": "separable_cosine", "dimension": 8, "noise": {"kind": "gaussian", "sigma2": 0.1}},
    "algorithms": [
      {"name": "dasgd", "eta": 0.02},
      {"name": "sparsified_asgd", "label": "top_d", "eta": 0.02, "sparsifier": "top_k", "k": 8},
      {"name": "parameter_server", "eta": 0.02}
    ],
    "stop": {"time": 30}, "epsilon": 0.05
  })";
  return path;
}

// Columns 5.. of comparison_summary.csv hold the results (gradients, staleness, final f, ...).
std::vector<std::string> summary_rows(const std::filesystem::path& dir) {
  std::vector<std::string> rows;
  std::istringstream in(read_file(dir / "comparison_summary.csv"));
  std::string line;
  while (std::getline(in, line)) rows.push_back(line);
  return rows;
}

std::string results_part(const std::string& row) {
  std::size_t pos = 0;
  for (int comma = 0; comma < 5; ++comma) pos = row.find(',', pos) + 1;
  return row.substr(pos);
}

TEST(Compare, SameWorldMakesUnsparsifiedUpdatesReproduceDasgdExactly) {
  const auto dir = fresh_directory("compare-crn");
  const auto file = write_compare_file(dir);
  const auto r = run_cli("compare " + file.string() + " -q --out " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = summary_rows(dir / "out");
  ASSERT_EQ(rows.size(), 4u);  // header + 3 algorithms
  EXPECT_EQ(rows[1].substr(0, 6), "dasgd,");
  EXPECT_EQ(rows[2].substr(0, 6), "top_d,");
  // Everything but the byte counts (sparse messages carry indices) is identical.
  const std::string dasgd = results_part(rows[1]);
  const std::string top_d = results_part(rows[2]);
  EXPECT_EQ(dasgd.substr(0, dasgd.rfind(',', dasgd.rfind(',') - 1)),
            top_d.substr(0, top_d.rfind(',', top_d.rfind(',') - 1)));
  // The parameter server refuses a torus: recorded as failed with its reason, the others still ran.
  EXPECT_NE(rows[3].find("parameter_server,failed"), std::string::npos) << rows[3];
  EXPECT_NE(rows[3].find("/graph/kind"), std::string::npos) << rows[3];
  for (const char* file_name : {"comparison.csv", "comparison_staleness.csv", "comparison_figures.csv",
                                "dasgd/summary.json", "top_d/metrics.csv"})
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / file_name)) << file_name;
  std::filesystem::remove_all(dir);
}

TEST(Compare, WithoutCommonRandomNumbersTheDrawsDiffer) {
  const auto dir = fresh_directory("compare-nocrn");
  const auto file = write_compare_file(dir);
  const auto r = run_cli("compare " + file.string() + " -q --no-common-random-numbers --out " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = summary_rows(dir / "out");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NE(results_part(rows[1]), results_part(rows[2]));
  std::filesystem::remove_all(dir);
}

TEST(Compare, ErrorsInsideTheListNameTheEntry) {
  const auto dir = fresh_directory("compare-bad");
  const auto file = write_compare_file(dir);
  const auto r = run_cli("compare " + file.string() + " --set algorithms.1.k=-3 --out " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/algorithms/1/k"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  std::filesystem::remove_all(dir);
}

// The comparison directory is one run: a rerun with fewer algorithms removes the dropped one's
// directory, one manifest lists every file, and the statuses are those of the runs.
TEST(Compare, RerunWithFewerAlgorithmsReplacesTheWholeComparison) {
  const auto dir = fresh_directory("compare-rerun");
  const auto file = write_compare_file(dir);
  const auto out = dir / "out";
  ASSERT_EQ(run_cli("compare -q " + file.string() + " --out " + out.string()).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(out / "top_d" / "gradients.csv"));
  std::ofstream(out / "my_notes.txt") << "keep";
  const auto manifest = testing::expect_consistent_run_directory(out, {"my_notes.txt"});
  EXPECT_EQ(manifest["kind"], "compare");
  EXPECT_EQ(manifest["statuses"]["dasgd"], "completed");
  EXPECT_EQ(manifest["statuses"]["parameter_server"], "failed");  // torus, not a star

  // Drop the middle algorithm: its directory must go, the user's file must stay.
  std::ofstream(dir / "two.json") << R"({
    "name": "crn", "seed": 4,
    "graph": {"kind": "torus", "rows": 3, "cols": 3},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "exponential", "mean": 0.2}},
    "objective": {"kind": "separable_cosine", "dimension": 8, "noise": {"kind": "gaussian", "sigma2": 0.1}},
    "algorithms": [{"name": "dasgd", "eta": 0.02}, {"name": "dasgd", "label": "fast", "eta": 0.05}],
    "stop": {"time": 10}, "epsilon": 0.05
  })";
  ASSERT_EQ(run_cli("compare -q " + (dir / "two.json").string() + " --out " + out.string()).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out / "top_d"));
  EXPECT_FALSE(std::filesystem::exists(out / "parameter_server"));
  EXPECT_TRUE(std::filesystem::exists(out / "fast" / "summary.json"));
  EXPECT_EQ(read_file(out / "my_notes.txt"), "keep");
  testing::expect_consistent_run_directory(out, {"my_notes.txt"});
  std::filesystem::remove_all(dir);
}

// record.trace in a compare file: each algorithm that ran has its own trace.json beside its other
// files, one compute span per gradient its summary counts; the failed one has no directory.
TEST(Compare, RecordTraceWritesEachAlgorithmsTraceIntoItsOwnDirectory) {
  const auto dir = fresh_directory("compare-trace");
  const auto file = write_compare_file(dir);
  const auto out = dir / "out";
  const auto r = run_cli("compare -q " + file.string() + " --set record.trace=true --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* label : {"dasgd", "top_d"}) {
    const auto trace = nlohmann::json::parse(read_file(out / label / "trace.json"));
    const auto spans = std::count_if(trace["traceEvents"].begin(), trace["traceEvents"].end(), [](const auto& e) {
      return e["ph"] == "X" && e.value("cat", "") == "compute";
    });
    const auto summary = nlohmann::json::parse(read_file(out / label / "summary.json"));
    EXPECT_GT(spans, 0) << label;
    EXPECT_EQ(static_cast<std::uint64_t>(spans), summary["run"]["gradients"].get<std::uint64_t>()) << label;
  }
  EXPECT_FALSE(std::filesystem::exists(out / "parameter_server"));  // torus, not a star: failed
  testing::expect_consistent_run_directory(out);
  std::filesystem::remove_all(dir);
}

TEST(Compare, ALabelThatIsNotADirectoryNameIsAConfigError) {
  const auto dir = fresh_directory("compare-label");
  const auto file = write_compare_file(dir);
  for (const std::string& label : {std::string("../escape"), std::string(".hidden"), std::string("a/b")}) {
    const auto r = run_cli("compare -q " + file.string() + " --set 'algorithms.0.label=" + label + "' --out " +
                           (dir / "out").string());
    EXPECT_EQ(r.exit_code, 2) << label;
    EXPECT_NE(r.err.find("/algorithms/0/label: expected a name usable as a directory"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "out"));
    EXPECT_FALSE(std::filesystem::exists(dir / "escape"));
  }
  std::filesystem::remove_all(dir);
}

TEST(Compare, OutputDirectoryWithForeignFilesIsRefusedBeforeAnyRun) {
  const auto dir = fresh_directory("compare-foreign");
  const auto file = write_compare_file(dir);
  std::filesystem::create_directories(dir / "out" / "dasgd");
  std::ofstream(dir / "out" / "dasgd" / "data.bin") << "user data";
  const auto r = run_cli("compare -q " + file.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds dasgd"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "out" / "dasgd" / "data.bin"), "user data");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dasgd
