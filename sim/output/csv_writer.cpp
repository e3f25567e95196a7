// Tidy CSV output (files stage): RFC 4180 quoting, locale-free numbers, atomic replacement of the
// target file.
#include "sim/output/csv_writer.hpp"

#include <stdexcept>
#include <type_traits>

#include "sim/text/number_format.hpp"

namespace dasgd {
namespace {

// Rows are handed to the file in pieces of about this many bytes (one stream call per piece, not
// per row); errors still surface at commit(), where the file is flushed and checked.
constexpr std::size_t flush_bytes = std::size_t{1} << 16;

bool needs_quotes(std::string_view field) noexcept {
  // A plain loop: find_first_of with a 4-character set calls memchr once per character of field.
  for (const char c : field) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void append_field(std::string& out, std::string_view field) {
  if (!needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_line(std::string& out, std::span<const CsvCell> cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    cells[i].append_text(out);
  }
  out += '\n';
}

}  // namespace

CsvCell::CsvCell(std::string_view text) : value_(std::string(text)) {}
CsvCell::CsvCell(double value) : value_(value) {}
CsvCell::CsvCell(std::int64_t value) : value_(value) {}
CsvCell::CsvCell(std::uint64_t value) : value_(value) {}

void CsvCell::append_text(std::string& out) const {
  if (const std::string* text = std::get_if<std::string>(&value_)) {
    append_field(out, *text);
  } else {
    std::visit([&out](const auto& number) {
      if constexpr (!std::is_same_v<std::decay_t<decltype(number)>, std::string>) append_number(out, number);
    }, value_);
  }
}

std::string CsvCell::text() const {
  std::string out;
  append_text(out);
  return out;
}

std::string csv_field(std::string_view field) {
  std::string out;
  append_field(out, field);
  return out;
}

std::string csv_line(const std::vector<CsvCell>& cells) {
  std::string out;
  append_line(out, cells);
  return out;
}

CsvWriter::CsvWriter(const std::filesystem::path& path, std::vector<std::string> header)
    : header_(std::move(header)) {
  if (header_.empty()) {
    throw std::invalid_argument("CSV file " + path.string() + ": expected at least one column");
  }
  file_ = std::make_unique<AtomicFileWriter>(path);
  std::vector<CsvCell> names(header_.begin(), header_.end());
  line_.clear();
  append_line(line_, names);
}

void CsvWriter::row(std::span<const CsvCell> cells) {
  if (cells.size() != header_.size()) {
    throw std::logic_error("CSV file " + file_->path().string() + ": row " +
                           std::to_string(rows_ + 1) + " has " + std::to_string(cells.size()) +
                           " cells, the header has " + std::to_string(header_.size()));
  }
  append_line(line_, cells);
  if (line_.size() >= flush_bytes) flush_rows();
  ++rows_;
}

void CsvWriter::flush_rows() {
  file_->stream().write(line_.data(), static_cast<std::streamsize>(line_.size()));
  line_.clear();
}

void CsvWriter::commit() {
  flush_rows();
  file_->commit();
}

}  // namespace dasgd
