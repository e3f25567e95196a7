// The `dasgd` command as a user meets it: byte-identical reruns, config errors that name the JSON
// path and write nothing (exit 2), --set overrides, and the graph and bound commands.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli_support.hpp"

namespace dasgd {
namespace {

using testing::fresh_directory;
using testing::read_file;
using testing::run_cli;

TEST(CliRun, SameSeedAndConfigGiveByteIdenticalFiles) {
  const auto a = fresh_directory("identical-a");
  const auto b = fresh_directory("identical-b");
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --out " + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --out " + b.string()).exit_code, 0);
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(a)) {
    const std::string name = entry.path().filename().string();
    if (name == "timing.json") continue;  // wall clock: the one file that is not reproducible
    EXPECT_EQ(read_file(entry.path()), read_file(b / name)) << name;
    ++compared;
  }
  EXPECT_GE(compared, 7);
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST(CliRun, DifferentSeedsGiveDifferentStaleness) {
  const auto a = fresh_directory("seed-a");
  const auto b = fresh_directory("seed-b");
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --out " + a.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --set seed=2 --out " + b.string()).exit_code, 0);
  EXPECT_NE(read_file(a / "staleness_hist.csv"), read_file(b / "staleness_hist.csv"));
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST(CliRun, WrongValueNamesJsonPathExitsTwoAndWritesNothing) {
  const auto dir = fresh_directory("bad-value");
  std::filesystem::remove_all(dir);
  const auto r = run_cli("run configs/quickstart.json --set link.latency.mean=-1 --out " + dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/link/latency/mean"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-1"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(CliRun, UnknownKeyIsRefusedWithDidYouMean) {
  const auto dir = fresh_directory("unknown-key");
  std::filesystem::remove_all(dir);
  const auto r = run_cli("run configs/quickstart.json --set graph.nodez=5 --out " + dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/graph/nodez"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"nodes\""), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(CliRun, UnknownAlgorithmIsRefusedWithChoices) {
  const auto r = run_cli("run configs/quickstart.json --set algorithm.name=dasdg --out /tmp/never");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/algorithm/name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dasgd"), std::string::npos) << r.err;
}

TEST(CliRun, MissingConfigFileIsAConfigError) {
  const auto r = run_cli("run configs/does_not_exist.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does_not_exist.json"), std::string::npos) << r.err;
}

TEST(CliMain, ATypoOfACommandIsRefusedWithTheCommandMeant) {
  const auto r = run_cli("rn configs/quickstart.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("dasgd: unknown command 'rn' (did you mean 'run'?)"), std::string::npos) << r.err;
  EXPECT_NE(run_cli("swep x.json").err.find("(did you mean 'sweep'?)"), std::string::npos);
}

TEST(CliMain, VersionNamesTheReleaseAndTheRevision) {
  const auto r = run_cli("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind(std::string("dasgd ") + DASGD_VERSION + " (", 0), 0u) << r.out;
  EXPECT_TRUE(r.out.find("(git ") != std::string::npos || r.out.find("not built from a git checkout") != std::string::npos) << r.out;
}

TEST(CliRun, DisconnectedGraphIsRefusedBeforeAnythingIsWritten) {
  const auto dir = fresh_directory("disconnected");
  std::filesystem::remove_all(dir);
  const auto r = run_cli("run configs/quickstart.json --set graph.kind=erdos_renyi --set graph.p=0.01 "
                         "--out " + dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("disconnected"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(CliRun, SetOverridesAnyFieldAndTheResolvedConfigRecordsIt) {
  const auto dir = fresh_directory("override");
  const auto r = run_cli("run configs/quickstart.json -q --set algorithm.eta=0.02 --set /graph/nodes=8 "
                         "--set stop.time=20 --out " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto config = nlohmann::json::parse(read_file(dir / "config.json"));
  EXPECT_EQ(config["algorithm"]["eta"], 0.02);
  EXPECT_EQ(config["graph"]["nodes"], 8);
  // Defaults are filled in.
  EXPECT_EQ(config["algorithm"]["batch"], 1);
  EXPECT_EQ(config["link"]["fifo"], false);
  const auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["run"]["nodes"], 8);
  EXPECT_EQ(summary["status"], "completed");
  std::filesystem::remove_all(dir);
}

TEST(CliRun, DivergedRunIsReportedWithExitThreeAndItsFiles) {
  const auto dir = fresh_directory("diverge");
  const auto r = run_cli("run configs/quickstart.json -q --set algorithm.eta=50 --set objective.noise.sigma2=0 "
                         "--set objective.kind=quadratic --out " + dir.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("diverged"), std::string::npos) << r.err;
  const auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["status"], "diverged");
  std::filesystem::remove_all(dir);
}

TEST(CliRun, GradNormStopEndsTheRunAtTheFirstRowBelowIt) {
  const auto dir = fresh_directory("gradstop");
  const auto r = run_cli("run configs/quickstart.json -q --set stop.grad_norm_sq=0.01 --out " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  EXPECT_EQ(summary["stop_reason"], "grad_norm_sq");
  EXPECT_LT(summary["run"]["end_time"].get<double>(), 200.0);
  EXPECT_LE(summary["convergence"]["final"]["grad_sq_average_model"].get<double>(), 0.01);
  std::filesystem::remove_all(dir);
}

// DASGD applies every gradient at every node exactly once: once the network drains, all models
// are equal (consensus distance 0 up to rounding), which a run stopped mid-flight is not.
TEST(CliRun, DrainDeliversEverythingInFlightSoDasgdModelsAgree) {
  const auto drained = fresh_directory("drained");
  const auto cut = fresh_directory("cut");
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --set stop.drain=true --out " + drained.string()).exit_code, 0);
  ASSERT_EQ(run_cli("run configs/quickstart.json -q --out " + cut.string()).exit_code, 0);
  const auto a = nlohmann::json::parse(read_file(drained / "summary.json"));
  const auto b = nlohmann::json::parse(read_file(cut / "summary.json"));
  EXPECT_LT(a["convergence"]["final"]["consensus_distance"].get<double>(), 1e-20);
  EXPECT_GT(b["convergence"]["final"]["consensus_distance"].get<double>(), 1e-9);
  EXPECT_GE(a["run"]["end_time"].get<double>(), 200.0);
  std::filesystem::remove_all(drained);
  std::filesystem::remove_all(cut);
}

TEST(CliGraph, PrintsSizeDiameterAndClosedFormSpectralGap) {
  const auto r = run_cli("graph --kind ring --nodes 12");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("12"), std::string::npos) << r.out;
  // Ring of 12, uniform W: gap = 1 - (1 + 2 cos(2 pi / 12)) / 3 = 0.0893164...
  EXPECT_NE(r.out.find("0.0893"), std::string::npos) << r.out;
}

TEST(CliGraph, ExportsDotAndRefusesBadKinds) {
  const auto dir = fresh_directory("dot");
  const auto r = run_cli("graph --kind torus --rows 3 --cols 3 --dot " + (dir / "t.dot").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dot = read_file(dir / "t.dot");
  EXPECT_NE(dot.find("graph"), std::string::npos);
  EXPECT_NE(dot.find("--"), std::string::npos);
  const auto bad = run_cli("graph --kind rnig --nodes 5");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean \"ring\""), std::string::npos) << bad.err;
  std::filesystem::remove_all(dir);
}

TEST(CliBound, EvaluatesEachBoundAndTheEnvelope) {
  const auto r = run_cli("bound --L 1 --sigma 0.5 --Q 2 --S-avg 10 --S-max 40 --eps 0.01 --eta 0.1 --gap 5 --T 1000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("order only"), std::string::npos);
  EXPECT_NE(r.out.find("exact constants"), std::string::npos);
  // Envelope, measured form with B2 = 0: 2*5/(0.1*1000) + 1*0.1*0.25 = 0.1 + 0.025 = 0.125.
  EXPECT_NE(r.out.find("0.125"), std::string::npos) << r.out;
  const auto bad = run_cli("bound --L -1 --sigma 0.5 --S-avg 1 --S-max 2 --eps 0.1");
  EXPECT_EQ(bad.exit_code, 2);
}

// record.deliveries "auto" reads the estimated out-of-order window W = n (1 + mean distance ×
// latency / compute time), not only n: on a 4x4 torus (mean distance 2) with latency 0.1, compute
// 1e-3 gives W = 3216 (tracked), 1e-4 gives W = 32016 > 16384 (off, and said so).
TEST(CliRun, AutoDeliveriesFollowTheEstimatedWindowAndSaySoWhenOff) {
  const std::string base =
      "run configs/quickstart.json -q --set graph={\\\"kind\\\":\\\"torus\\\",\\\"rows\\\":4,\\\"cols\\\":4} "
      "--set link.latency=0.1 --set stop={\\\"gradients\\\":3000} --set record.per_gradient=false ";
  const auto summary_of = [](const std::filesystem::path& dir) {
    return nlohmann::json::parse(read_file(dir / "summary.json"))["staleness"]["deliveries"];
  };
  const auto narrow = fresh_directory("auto-narrow");
  const auto a = run_cli(base + "--set compute.time=1e-3 --out " + narrow.string(), "auto-narrow");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(summary_of(narrow)["sets_tracked"].get<bool>());
  EXPECT_EQ(a.err.find("record.deliveries"), std::string::npos) << a.err;

  const auto wide = fresh_directory("auto-wide");
  const auto b = run_cli(base + "--set compute.time=1e-4 --out " + wide.string(), "auto-wide");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto deliveries = summary_of(wide);
  EXPECT_FALSE(deliveries["sets_tracked"].get<bool>());
  EXPECT_NE(deliveries["sets_note"].get<std::string>().find("window of 32016 gradients"), std::string::npos);
  EXPECT_NE(b.err.find("record.deliveries \"auto\""), std::string::npos) << b.err;

  const auto forced = fresh_directory("auto-forced");
  const auto c = run_cli(base + "--set compute.time=1e-4 --set record.deliveries=true --out " + forced.string(), "auto-forced");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(summary_of(forced)["sets_tracked"].get<bool>());
  for (const auto& dir : {narrow, wide, forced}) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dasgd
