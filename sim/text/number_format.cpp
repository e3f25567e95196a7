// Number text for output files (files stage): std::to_chars gives shortest round-trip output that
// ignores the locale, unlike printf("%g") or iostreams, so files are byte-identical across machines.
#include "sim/text/number_format.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace dasgd {
namespace {

// 24 characters hold any shortest double ("-2.2250738585072014e-308" is 24) and any 64-bit integer.
using Buffer = std::array<char, 32>;

template <typename T>
void append_chars(std::string& out, T value) {
  Buffer buffer;
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

}  // namespace

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";
  } else if (std::isinf(value)) {
    out += value > 0 ? "inf" : "-inf";
  } else {
    append_chars(out, value);
  }
}

void append_number(std::string& out, std::int64_t value) { append_chars(out, value); }
void append_number(std::string& out, std::uint64_t value) { append_chars(out, value); }

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string format_number(std::int64_t value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string format_number(std::uint64_t value) {
  std::string out;
  append_number(out, value);
  return out;
}

}  // namespace dasgd
