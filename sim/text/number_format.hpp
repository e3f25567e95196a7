// Deterministic, locale-independent number text for every file and message the simulator writes:
// shortest round-trip doubles, plain integers, and non-finite values spelled so Python's float() and
// pandas read them back ("nan", "inf", "-inf"). A leaf at the bottom of the tree, so that any layer
// (the divergence rule's reasons in sim/metrics, the writers in sim/output) can use it.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>

namespace dasgd {

// The shortest text that reads back to the same double (std::to_chars, C++17 [charconv]): 0.1 →
// "0.1", 1e21 → "1e+21", -0.0 → "-0". Every NaN is "nan" (its sign and payload are dropped),
// infinities are "inf" and "-inf". Never depends on the C or C++ locale.
std::string format_number(double value);
std::string format_number(std::int64_t value);
std::string format_number(std::uint64_t value);

// Appending forms, for writers that build a line without a temporary string per number.
void append_number(std::string& out, double value);
void append_number(std::string& out, std::int64_t value);
void append_number(std::string& out, std::uint64_t value);

// Other integer types (int, long long, unsigned, std::size_t, ...) go through the 64-bit forms, so
// format_number(42) is not ambiguous. bool is refused: write it as a word explicitly.
template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> &&
           !std::same_as<T, std::uint64_t>)
std::string format_number(T value) {
  if constexpr (std::signed_integral<T>) {
    return format_number(static_cast<std::int64_t>(value));
  } else {
    return format_number(static_cast<std::uint64_t>(value));
  }
}
std::string format_number(bool) = delete;

}  // namespace dasgd
