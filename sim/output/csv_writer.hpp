// Tidy CSV output (files stage of config → world → run → metrics → files): one header row, then one
// row per observation, numbers in round-trip text (number_format), strings quoted per RFC 4180 when
// they hold a comma, quote or line break. Written through AtomicFileWriter: readers (plots/*.py)
// see either no file or the whole file.
#pragma once

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/output/atomic_file.hpp"

namespace dasgd {

// One cell: a string or a number, kept typed (so an in-memory table, sim/output/table.hpp, keeps
// numbers as numbers) and rendered as CSV text on demand. Built implicitly from strings and
// numbers, so a row reads writer.row({"ring", nodes, eta, loss}).
class CsvCell {
 public:
  CsvCell(std::string_view text);  // NOLINT(google-explicit-constructor): implicit on purpose
  CsvCell(const std::string& text) : CsvCell(std::string_view(text)) {}  // NOLINT
  CsvCell(const char* text) : CsvCell(std::string_view(text)) {}         // NOLINT
  CsvCell(double value);                                                 // NOLINT
  CsvCell(std::int64_t value);                                           // NOLINT
  CsvCell(std::uint64_t value);                                          // NOLINT
  // Every other integer type (int, unsigned, std::size_t, long long) through the 64-bit forms.
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> &&
             !std::same_as<T, std::uint64_t>)
  CsvCell(T value)  // NOLINT
      : CsvCell(std::signed_integral<T> ? CsvCell(static_cast<std::int64_t>(value))
                                        : CsvCell(static_cast<std::uint64_t>(value))) {}
  CsvCell(float value) : CsvCell(static_cast<double>(value)) {}  // NOLINT
  CsvCell(bool) = delete;  // say "true"/"false" or 1/0 explicitly

  using Value = std::variant<std::string, double, std::int64_t, std::uint64_t>;
  const Value& value() const noexcept { return value_; }
  // The CSV text: numbers per number_format, strings quoted per csv_field.
  std::string text() const;
  void append_text(std::string& out) const;

 private:
  Value value_;
};

// `field` as one CSV field: unchanged unless it holds ',', '"', '\n' or '\r', in which case it is
// wrapped in quotes with every quote doubled (RFC 4180, section 2, rules 6 and 7).
std::string csv_field(std::string_view field);
// Cells joined by commas, ending in '\n' (plain LF: what Python's csv and pandas expect on read).
std::string csv_line(const std::vector<CsvCell>& cells);

// Where the rows of one table go: a CSV file (CsvWriter) or memory (ColumnTable, table.hpp). The
// writers of the run files build their rows once, against this interface.
class TableSink {
 public:
  virtual ~TableSink() = default;
  // Throws std::logic_error when the cell count differs from the header's (a programming error).
  // A writer of many rows keeps its cells in one array and reassigns them (no allocation per row).
  virtual void row(std::span<const CsvCell> cells) = 0;
  void row(const std::vector<CsvCell>& cells) { row(std::span<const CsvCell>(cells)); }
  // The table is complete (a file becomes visible at its path; memory: nothing to do).
  virtual void commit() {}
};

class CsvWriter : public TableSink {
 public:
  // Opens the temporary file and writes the header row. Throws std::invalid_argument for an empty
  // header, std::runtime_error when the file cannot be opened.
  CsvWriter(const std::filesystem::path& path, std::vector<std::string> header);

  using TableSink::row;
  // Throws std::logic_error when the cell count differs from the header's (a programming error).
  void row(std::span<const CsvCell> cells) override;
  // Makes the file visible at its path; without commit() nothing is left behind.
  void commit() override;

  const std::vector<std::string>& header() const noexcept { return header_; }
  std::size_t rows_written() const noexcept { return rows_; }
  const std::filesystem::path& path() const noexcept { return file_->path(); }

 private:
  std::vector<std::string> header_;
  std::unique_ptr<AtomicFileWriter> file_;
  void flush_rows();
  std::string line_;  // rows not yet handed to the file (up to about 64 KiB), storage reused
  std::size_t rows_ = 0;
};

}  // namespace dasgd
