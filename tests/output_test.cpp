// Tests for the output layer (sim/output): round-trip number text, atomic file replacement, RFC 4180
// CSV quoting and the row-width check, and the progress line's text and redraw rate.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

#include "sim/output/atomic_file.hpp"
#include "sim/output/csv_writer.hpp"
#include "sim/text/number_format.hpp"
#include "sim/output/progress_bar.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {
namespace {

namespace fs = std::filesystem;

// A fresh, empty directory per test, removed afterwards.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::path(::testing::TempDir()) /
            ("dasgd_output_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path_), {}));
  }

 private:
  fs::path path_;
};

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(NumberFormat, ShortestRoundTripSpellings) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(100.0), "100");
  EXPECT_EQ(format_number(1e21), "1e+21");
  EXPECT_EQ(format_number(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(format_number(-0.0), "-0");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(NumberFormat, IntegersArePlain) {
  EXPECT_EQ(format_number(42), "42");
  EXPECT_EQ(format_number(std::size_t{7}), "7");
  EXPECT_EQ(format_number(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(format_number(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(NumberFormat, RandomDoublesRoundTripBitIdentical) {
  Rng rng(20240611);
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns cover every exponent, subnormals included; half are "ordinary" values.
    const double value = i % 2 == 0 ? std::bit_cast<double>(rng())
                                     : (rng.uniform() - 0.5) * std::pow(10.0, static_cast<double>(rng.below(40)) - 20.0);
    if (!std::isfinite(value)) continue;
    const std::string text = format_number(value);
    const double back = std::strtod(text.c_str(), nullptr);
    ASSERT_EQ(std::bit_cast<std::uint64_t>(back), std::bit_cast<std::uint64_t>(value)) << text;
  }
}

TEST(NumberFormat, NonFiniteSpellingsParseBack) {
  EXPECT_TRUE(std::isnan(std::strtod(format_number(std::nan("")).c_str(), nullptr)));
  EXPECT_EQ(std::strtod(format_number(-HUGE_VAL).c_str(), nullptr), -HUGE_VAL);
  EXPECT_EQ(std::strtod(format_number(HUGE_VAL).c_str(), nullptr), HUGE_VAL);
}

TEST(AtomicFile, WritesWholeFileAndLeavesNoTemporary) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "summary.json";
  write_file_atomically(target, "first");
  write_file_atomically(target, "second, longer contents");
  EXPECT_EQ(read_all(target), "second, longer contents");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, UncommittedWriterLeavesTargetUntouched) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "metrics.csv";
  write_file_atomically(target, "old");
  {
    AtomicFileWriter writer(target);
    writer.stream() << "new contents that must never appear";
    writer.stream().flush();
    EXPECT_TRUE(fs::exists(writer.temporary_path()));
    EXPECT_EQ(writer.temporary_path().string(),
              target.string() + ".tmp." + std::to_string(::getpid()));
    EXPECT_EQ(read_all(target), "old");
  }
  EXPECT_EQ(read_all(target), "old");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, StreamedWriterCommitsLargeContents) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "big.txt";
  std::string expected;
  {
    AtomicFileWriter writer(target);
    for (int i = 0; i < 100000; ++i) {  // well past the 64 KiB buffer
      const std::string line = std::to_string(i) + "\n";
      writer.stream() << line;
      expected += line;
    }
    EXPECT_FALSE(fs::exists(target));
    writer.commit();
    EXPECT_TRUE(writer.committed());
    EXPECT_THROW(writer.commit(), std::logic_error);
  }
  EXPECT_EQ(read_all(target), expected);
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, ErrorsNamePathAndReason) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "missing" / "x.csv";
  try {
    write_file_atomically(target, "x");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + target.string() + ": No such file or directory");
  }
  // Renaming over a directory fails after the temporary was written: the temporary is removed.
  fs::create_directory(dir.path() / "occupied");
  EXPECT_THROW(write_file_atomically(dir.path() / "occupied", "x"), std::runtime_error);
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, EnsureDirectoryCreatesParentsAndRefusesFiles) {
  ScratchDirectory dir;
  const fs::path nested = dir.path() / "a" / "b" / "c";
  ensure_directory(nested);
  EXPECT_TRUE(fs::is_directory(nested));
  ensure_directory(nested);  // existing directory: fine
  write_file_atomically(dir.path() / "file", "x");
  try {
    ensure_directory(dir.path() / "file");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot create directory " + (dir.path() / "file").string() +
                                         ": it exists and is not a directory");
  }
}

TEST(Csv, QuotesOnlyFieldsThatNeedIt) {
  EXPECT_EQ(csv_field("ring"), "ring");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field("it's fine; ok"), "it's fine; ok");
}

TEST(Csv, LineRendersEveryCellKind) {
  const std::size_t nodes = 16;
  const std::string kind = "ring,2";
  EXPECT_EQ(csv_line({kind, nodes, -3, std::uint64_t{7}, 0.25, std::nan(""), "x"}),
            "\"ring,2\",16,-3,7,0.25,nan,x\n");
}

TEST(Csv, WriterProducesHeaderAndRowsAtomically) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "runs.csv";
  CsvWriter writer(target, {"topology", "nodes", "loss", "note"});
  writer.row({"ring", 8, 0.5, "plain"});
  writer.row({"torus", 64, 1e-9, "has \"quotes\", comma"});
  EXPECT_EQ(writer.rows_written(), 2u);
  EXPECT_FALSE(fs::exists(target));
  writer.commit();
  EXPECT_EQ(read_all(target),
            "topology,nodes,loss,note\n"
            "ring,8,0.5,plain\n"
            "torus,64,1e-09,\"has \"\"quotes\"\", comma\"\n");
}

TEST(Csv, RowWidthMustMatchHeader) {
  ScratchDirectory dir;
  const fs::path target = dir.path() / "bad.csv";
  {
    CsvWriter writer(target, {"a", "b"});
    try {
      writer.row({1, 2, 3});
      FAIL() << "expected std::logic_error";
    } catch (const std::logic_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "CSV file " + target.string() + ": row 1 has 3 cells, the header has 2");
    }
    EXPECT_THROW(writer.row({1}), std::logic_error);
    EXPECT_EQ(writer.rows_written(), 0u);
  }
  EXPECT_FALSE(fs::exists(target));  // never committed: nothing left behind
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_THROW(CsvWriter(target, {}), std::invalid_argument);
}

TEST(ProgressLine, ShowsFractionBarRateAndEta) {
  EXPECT_EQ(render_progress("run", 500, 1000, 20.0),
            "run [############------------]  50.0%  500/1000  25.0/s  ETA 0:20");
  EXPECT_EQ(render_progress("sweep", 0, 10, 0.0),
            "sweep [------------------------]   0.0%  0/10  0.0/s");
  EXPECT_EQ(render_progress("run", 1000, 1000, 3723.0),
            "run [########################] 100.0%  1000/1000  0.3/s  in 1:02:03");
  EXPECT_EQ(render_progress("events", 2500000, 0, 2.0), "events  2500000  1.2M/s");
}

TEST(ProgressBar, QuietBarIsInactive) {
  ProgressBar bar(100, "run", /*quiet=*/true);
  EXPECT_FALSE(bar.active());
  bar.update(50);
  bar.finish();
  EXPECT_EQ(bar.redraws(), 0u);
}

TEST(ProgressBar, RedrawsAtMostTenTimesASecondAndEndsTheLine) {
  std::ostringstream out;
  const auto start = std::chrono::steady_clock::now();
  {
    ProgressBar bar(3000000, "run", out);
    EXPECT_TRUE(bar.active());
    for (std::uint64_t i = 1; i <= 3000000; ++i) bar.update(i);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // One draw per 100 ms, plus the first one.
    EXPECT_LE(bar.redraws(), static_cast<std::uint64_t>(seconds * 10.0) + 1);
    bar.finish();
    bar.update(1);  // after finish: nothing more is written
  }
  const std::string text = out.str();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("3000000/3000000"), std::string::npos);
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(ProgressBar, SlowLoopStillRedraws) {
  std::ostringstream out;
  ProgressBar bar(5, "sweep", out);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    bar.update(i);
  }
  EXPECT_GE(bar.redraws(), 2u);
}

}  // namespace
}  // namespace dasgd

// gradients.csv streamed during the run is byte-identical to the one written from a kept log, the
// recorder keeps no rows while streaming (memory does not grow with the gradients), and the
// summary's B² quantiles from the stream's scratch file equal those of the kept log.
#include "sim/config/run_config.hpp"
#include "sim/output/gradient_log_stream.hpp"
#include "sim/output/run_writer.hpp"
#include "sim/run/experiment.hpp"

namespace dasgd {
namespace {

TEST(GradientLogStream, StreamedFileAndQuantilesEqualTheKeptLogs) {
  const RunConfig config =
      load_run_config(std::string(DASGD_SOURCE_DIR) + "/configs/quickstart.json", {"stop.time=30"});
  const auto dir = std::filesystem::temp_directory_path() / ("dasgd-stream-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "kept");
  std::filesystem::create_directories(dir / "streamed");

  RunResult kept = run_experiment(config);
  write_run_files(config, kept, dir / "kept");

  GradientLogStream stream(dir / "streamed" / "gradients.csv");
  RunOptions options;
  options.gradient_log = [&](const GradientLogRow& row) { stream.append(row); };
  RunResult streamed = run_experiment(config, options);
  EXPECT_TRUE(streamed.recorder->log().empty());
  EXPECT_EQ(stream.rows(), kept.recorder->log().size());
  EXPECT_GT(stream.rows(), 100u);
  streamed.b_squared_quantiles = stream.b_squared_quantiles();
  EXPECT_EQ(*streamed.b_squared_quantiles, kept.recorder->b_squared_quantiles());
  write_run_files(config, streamed, dir / "streamed", &stream);

  for (const char* name : {"gradients.csv", "summary.json", "metrics.csv", "nodes.csv"})
    EXPECT_EQ(read_all(dir / "kept" / name), read_all(dir / "streamed" / name)) << name;
  // The B² scratch file has no name: nothing but the run's files is in the directory.
  for (const auto& entry : std::filesystem::directory_iterator(dir / "streamed"))
    EXPECT_EQ(entry.path().filename().string().find(".b_squared"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dasgd
