// gradients.csv written while the run goes (files stage): each GradientLogRow becomes a CSV line
// in the run's staging directory as soon as the recorder makes it, so memory does not grow with
// the gradients. The B_t² values go to an unlinked scratch file (8 bytes a gradient on disk,
// gone on any exit, kill -9 included) from which the summary's exact nearest-rank p50/p90/p99 are
// selected at the end in four radix passes with a fixed 1.5 MB of counters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "sim/metrics/gradient_recorder.hpp"
#include "sim/output/csv_writer.hpp"

namespace dasgd {

class GradientLogStream {
 public:
  // Opens `path` (through CsvWriter: a temporary until commit()) and the scratch file beside it.
  // lost_split: two more columns, S_transit and S_lost (a link fault process is on); tau: the
  // parameter server's τ_t, last (empty for a gradient never applied).
  explicit GradientLogStream(const std::filesystem::path& path, bool lost_split = false, bool tau = false);
  ~GradientLogStream();
  GradientLogStream(const GradientLogStream&) = delete;
  GradientLogStream& operator=(const GradientLogStream&) = delete;

  void append(const GradientLogRow& row);
  // Makes gradients.csv visible at its path. Throws std::runtime_error on an I/O failure.
  void commit();
  std::uint64_t rows() const noexcept { return rows_; }
  // Exact nearest-rank p50, p90, p99 of B_t² over every row (empty when there are none): the same
  // numbers GradientRecorder::b_squared_quantiles() gives from a kept log.
  std::vector<double> b_squared_quantiles() const;

  static const std::vector<std::string>& header();
  static std::vector<CsvCell> cells(const GradientLogRow& row);
  // With the S_transit, S_lost columns (link faults), after the others.
  static std::vector<std::string> header(bool lost_split, bool tau = false);
  static std::vector<CsvCell> cells(const GradientLogRow& row, bool lost_split, bool tau = false);

 private:
  void flush_values();

  CsvWriter csv_;
  int scratch_fd_ = -1;
  std::vector<double> pending_;  // B_t² values not yet in the scratch file (bounded)
  std::uint64_t rows_ = 0;
  bool lost_split_ = false;
  bool tau_ = false;
};

// Nearest-rank quantiles (rank ceil(p N), at least 1) of `count` doubles read by `read(offset,
// buffer)` in chunks: four passes over the values, 16 bits of the IEEE total-order key each.
// Exposed for the tests, which compare it with sorting.
std::vector<double> radix_select_quantiles(std::uint64_t count, const std::vector<double>& probabilities,
                                           const std::function<std::size_t(std::uint64_t, std::vector<double>&)>& read);

}  // namespace dasgd
