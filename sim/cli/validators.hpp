// Command-line value checks that say the expected range in words ("--L: expected a finite number
// > 0, got -1") instead of CLI11's std::to_string bounds, and that refuse "-1" for a count (CLI11
// converts it to 2^64 - 1). Shared by the subcommands in sim/cli/.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace dasgd::cli {

// A finite double, > 0 (strictly_positive) or >= 0.
inline CLI::Validator finite_number(bool strictly_positive) {
  const std::string expected = strictly_positive ? "a finite number > 0" : "a finite number >= 0";
  return CLI::Validator(
      [strictly_positive, expected](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        const bool ok = !text.empty() && end == text.c_str() + text.size() && std::isfinite(value) &&
                        (strictly_positive ? value > 0 : value >= 0);
        return ok ? std::string() : "expected " + expected + ", got " + text;
      },
      strictly_positive ? "NUMBER > 0" : "NUMBER >= 0");
}

// A decimal integer >= minimum (at most 19 digits: it must fit 64 bits).
inline CLI::Validator count_at_least(unsigned long long minimum) {
  return CLI::Validator(
      [minimum](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
        const bool ok = digits && std::strtoull(text.c_str(), nullptr, 10) >= minimum;
        return ok ? std::string() : "expected an integer >= " + std::to_string(minimum) + ", got " + text;
      },
      "INTEGER >= " + std::to_string(minimum));
}

}  // namespace dasgd::cli
