// Tables in memory and the CSV opener; see table.hpp.
#include "sim/output/table.hpp"

#include <stdexcept>

namespace dasgd {

namespace {

class ColumnSink : public TableSink {
 public:
  explicit ColumnSink(ColumnTable& table) : table_(table) {}
  using TableSink::row;
  void row(std::span<const CsvCell> cells) override { table_.row(cells); }

 private:
  ColumnTable& table_;
};

}  // namespace

TableOpener csv_opener(const std::filesystem::path& directory) {
  return [directory](const std::string& name, const std::vector<std::string>& header) -> std::unique_ptr<TableSink> {
    return std::make_unique<CsvWriter>(directory / name, header);
  };
}

ColumnTable::ColumnTable(std::vector<std::string> header) : header_(std::move(header)), columns_(header_.size()) {}

void ColumnTable::row(std::span<const CsvCell> cells) {
  if (cells.size() != header_.size())
    throw std::logic_error("table: row " + std::to_string(rows_ + 1) + " has " + std::to_string(cells.size()) +
                           " cells, the header has " + std::to_string(header_.size()));
  for (std::size_t i = 0; i < cells.size(); ++i) columns_[i].push_back(cells[i]);
  ++rows_;
}

TableOpener TableSet::opener() {
  return [this](const std::string& name, const std::vector<std::string>& header) -> std::unique_ptr<TableSink> {
    ColumnTable& table = tables_[name] = ColumnTable(header);
    return std::make_unique<ColumnSink>(table);
  };
}

const ColumnTable* TableSet::find(const std::string& name) const {
  const auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

}  // namespace dasgd
