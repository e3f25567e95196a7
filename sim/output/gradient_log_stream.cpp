// Streaming gradients.csv; see gradient_log_stream.hpp.
#include "sim/output/gradient_log_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace dasgd {

namespace {

constexpr std::size_t chunk_values = 1 << 15;  // 256 KiB of doubles per write or read

// Order-preserving key: IEEE 754 totalOrder as an unsigned integer (negatives flipped).
std::uint64_t order_key(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

}  // namespace

const std::vector<std::string>& GradientLogStream::header() {
  static const std::vector<std::string> names{"t",         "node",            "start",        "end",
                                              "S",         "S_hat",           "B_squared",    "grad_sq_virtual",
                                              "grad_sq_read", "gradient_norm"};
  return names;
}

std::vector<CsvCell> GradientLogStream::cells(const GradientLogRow& row) {
  return {row.t,         static_cast<std::uint64_t>(row.node), row.start,           row.end,
          row.s,         row.s_hat,                            row.b_squared,       row.grad_sq_virtual,
          row.grad_sq_read, row.gradient_norm};
}

std::vector<std::string> GradientLogStream::header(bool lost_split, bool tau) {
  std::vector<std::string> names = header();
  if (lost_split) names.insert(names.end(), {"S_transit", "S_lost"});
  if (tau) names.emplace_back("tau");
  return names;
}

std::vector<CsvCell> GradientLogStream::cells(const GradientLogRow& row, bool lost_split, bool tau) {
  std::vector<CsvCell> values = cells(row);
  if (lost_split) {
    values.emplace_back(row.s - row.s_lost);
    values.emplace_back(row.s_lost);
  }
  if (tau) values.emplace_back(row.tau ? CsvCell(*row.tau) : CsvCell(""));
  return values;
}

GradientLogStream::GradientLogStream(const std::filesystem::path& path, bool lost_split, bool tau)
    : csv_(path, header(lost_split, tau)), lost_split_(lost_split), tau_(tau) {
  std::string scratch = (path.parent_path() / ".b_squared.XXXXXX").string();
  scratch_fd_ = ::mkstemp(scratch.data());
  if (scratch_fd_ < 0)
    throw std::runtime_error("cannot write " + scratch + ": " + std::strerror(errno));
  ::unlink(scratch.c_str());  // nameless from here on: the kernel frees it on any exit
  pending_.reserve(chunk_values);
}

GradientLogStream::~GradientLogStream() {
  if (scratch_fd_ >= 0) ::close(scratch_fd_);
}

void GradientLogStream::append(const GradientLogRow& row) {
  csv_.row(cells(row, lost_split_, tau_));
  pending_.push_back(row.b_squared);
  if (pending_.size() == chunk_values) flush_values();
  ++rows_;
}

void GradientLogStream::flush_values() {
  const char* data = reinterpret_cast<const char*>(pending_.data());
  std::size_t left = pending_.size() * sizeof(double);
  while (left > 0) {
    const ssize_t written = ::write(scratch_fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot write the B_squared scratch file: ") + std::strerror(errno));
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  pending_.clear();
}

void GradientLogStream::commit() {
  flush_values();
  csv_.commit();
}

std::vector<double> GradientLogStream::b_squared_quantiles() const {
  if (rows_ == 0) return {};
  const std::uint64_t on_disk = rows_ - pending_.size();
  auto read = [&](std::uint64_t offset, std::vector<double>& buffer) -> std::size_t {
    buffer.resize(chunk_values);
    if (offset >= on_disk) {  // the tail still in memory
      const std::uint64_t from = offset - on_disk;
      if (from >= pending_.size()) return 0;
      const std::size_t n = std::min<std::size_t>(chunk_values, pending_.size() - from);
      std::copy_n(pending_.begin() + static_cast<std::ptrdiff_t>(from), n, buffer.begin());
      return n;
    }
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_values, on_disk - offset));
    std::size_t got = 0;
    char* out = reinterpret_cast<char*>(buffer.data());
    while (got < want * sizeof(double)) {
      const ssize_t n = ::pread(scratch_fd_, out + got, want * sizeof(double) - got,
                                static_cast<off_t>(offset * sizeof(double) + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("cannot read the B_squared scratch file back");
      got += static_cast<std::size_t>(n);
    }
    return want;
  };
  return radix_select_quantiles(rows_, {0.5, 0.9, 0.99}, read);
}

std::vector<double> radix_select_quantiles(std::uint64_t count, const std::vector<double>& probabilities,
                                           const std::function<std::size_t(std::uint64_t, std::vector<double>&)>& read) {
  if (count == 0) return {};
  const std::size_t q = probabilities.size();
  std::vector<std::uint64_t> rank(q);  // 0-based rank still to find within the matching keys
  for (std::size_t k = 0; k < q; ++k) {
    const auto r = static_cast<std::uint64_t>(std::ceil(probabilities[k] * static_cast<double>(count)));
    rank[k] = std::max<std::uint64_t>(r, 1) - 1;
  }
  std::vector<std::uint64_t> prefix(q, 0);  // key bits fixed so far
  std::vector<std::array<std::uint64_t, 65536>> histogram(q);
  std::vector<double> buffer;
  for (int pass = 0; pass < 4; ++pass) {
    const int shift = 48 - 16 * pass;
    for (auto& h : histogram) h.fill(0);
    for (std::uint64_t offset = 0; offset < count;) {
      const std::size_t n = read(offset, buffer);
      if (n == 0) throw std::runtime_error("radix_select_quantiles: fewer values than counted");
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t key = order_key(buffer[i]);
        const std::uint64_t high = pass == 0 ? 0 : key >> (shift + 16);
        const auto digit = static_cast<std::size_t>((key >> shift) & 0xFFFF);
        for (std::size_t k = 0; k < q; ++k)
          if (high == prefix[k]) ++histogram[k][digit];
      }
      offset += n;
    }
    for (std::size_t k = 0; k < q; ++k) {
      std::size_t digit = 0;
      while (rank[k] >= histogram[k][digit]) rank[k] -= histogram[k][digit++];
      prefix[k] = (prefix[k] << 16) | digit;
    }
  }
  std::vector<double> out(q);
  for (std::size_t k = 0; k < q; ++k) {
    const std::uint64_t key = prefix[k];
    const std::uint64_t bits = (key >> 63) != 0 ? key & ~(std::uint64_t{1} << 63) : ~key;
    out[k] = std::bit_cast<double>(bits);
  }
  return out;
}

}  // namespace dasgd
