// The one way a JSON document enters the tool (config stage): configs, compare files, sweep specs
// and their base files all go through read_json_file, so every one gets the same guards: the path
// must be a readable regular file of sane size, nesting is limited, numbers must fit a double, and
// every refusal is a ConfigError naming the line and column (and the JSON pointer where known).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "sim/config/json_reader.hpp"

namespace dasgd {

// Limits every JSON input is held to (docs/ROBUSTNESS.md).
inline constexpr std::size_t max_json_depth = 64;                       // nested arrays/objects
inline constexpr std::size_t max_json_file_bytes = std::size_t{64} << 20;  // 64 MiB

// Throws ConfigError "line L, column C: expected JSON nested at most 64 levels deep" when a
// bracket outside strings and comments opens level 65 (for text parsed elsewhere: --set values).
void check_json_nesting(std::string_view text);

// Parses `text` (comments allowed). Throws ConfigError: path "line L, column C" for syntax errors
// and too-deep nesting, the value's JSON pointer for numbers out of range ("/stop/time: expected a
// number within ±1.8e308, got 1e999 (line 3, column 21)").
nlohmann::json parse_json_text(std::string_view text);

// Reads and parses the file at `path`. Besides parse_json_text's errors: a missing, unreadable,
// non-regular (directory, FIFO, device) or oversized file is a ConfigError with an empty path
// whose message says what the file is and what was expected.
nlohmann::json read_json_file(const std::string& path);

}  // namespace dasgd
