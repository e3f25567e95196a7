// Tables in memory (files stage, without the files): the rows the run, comparison and sweep
// writers build for their CSV files, kept as typed cells per column instead. The CSV writers and
// the Python module (python/) call the same row-building code with a different TableOpener, so a
// table in memory holds exactly the numbers its CSV file would.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/output/csv_writer.hpp"

namespace dasgd {

// Opens the table that would be the file `name` ("metrics.csv") with `header`.
using TableOpener =
    std::function<std::unique_ptr<TableSink>(const std::string& name, const std::vector<std::string>& header)>;

// CSV files in `directory` (CsvWriter: each becomes visible at commit()).
TableOpener csv_opener(const std::filesystem::path& directory);

// One table: the header and one vector of cells per column.
class ColumnTable {
 public:
  ColumnTable() = default;
  explicit ColumnTable(std::vector<std::string> header);
  // Throws std::logic_error when the cell count differs from the header's.
  void row(std::span<const CsvCell> cells);
  const std::vector<std::string>& header() const noexcept { return header_; }
  const std::vector<std::vector<CsvCell>>& columns() const noexcept { return columns_; }
  std::size_t rows() const noexcept { return rows_; }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<CsvCell>> columns_;
  std::size_t rows_ = 0;
};

// Tables by file name, filled through opener().
class TableSet {
 public:
  // Each table it opens replaces any earlier one of that name. The set must outlive the sinks.
  TableOpener opener();
  const std::map<std::string, ColumnTable>& tables() const noexcept { return tables_; }
  // The table of that name, or nullptr.
  const ColumnTable* find(const std::string& name) const;

 private:
  std::map<std::string, ColumnTable> tables_;
};

}  // namespace dasgd
