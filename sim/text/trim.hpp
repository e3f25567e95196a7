// Text helpers shared by the file readers (trace files, schedules, edge lists, compute traces).
#pragma once

#include <string>
#include <string_view>

namespace dasgd {

// `text` without leading and trailing spaces, tabs and carriage returns (a CRLF file's '\r'); a
// view into `text`, so it lives as long as the string it views.
inline std::string_view trim(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// The same, as a string of its own.
inline std::string trimmed(std::string_view text) { return std::string(trim(text)); }

}  // namespace dasgd
