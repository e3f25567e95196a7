// Path-aware reading of a JSON config: every getter knows its JSON pointer, so a wrong value gets
// one clear error ("/link/latency/mean: expected a positive number, got -1"). Unknown keys are
// errors with a did-you-mean. Defaults that were used are written back, so the resolved config
// (defaults filled in) can be saved beside the run's results.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dasgd {

// A config or usage error: `path` is a JSON pointer ("/algorithm/eta"), `what()` the full message
// "<path>: <expected ...>, got <value>" (just the message when the path is empty: an error about
// the file as a whole). The CLI prefixes the file name and exits with code 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string path, const std::string& message)
      : std::runtime_error(path.empty() ? message : path + ": " + message), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// A view of one JSON object (or value) at a known path. Reading a key marks it as known; finish()
// then refuses any key that was never read. Getters with a default write the default into the
// underlying (mutable) JSON so that the resolved document records it.
class JsonReader {
 public:
  JsonReader(nlohmann::json& node, std::string path);

  const std::string& path() const noexcept { return path_; }
  nlohmann::json& node() noexcept { return *node_; }
  bool has(const std::string& key) const;

  // Required values.
  double number(const std::string& key);
  double positive(const std::string& key);       // > 0, finite
  double non_negative(const std::string& key);   // >= 0, finite
  double probability(const std::string& key);    // in [0, 1]
  double open_probability(const std::string& key);  // in (0, 1)
  std::int64_t integer(const std::string& key);
  std::uint64_t count(const std::string& key);   // integer >= 0
  std::uint64_t positive_count(const std::string& key);  // integer >= 1
  bool boolean(const std::string& key);
  std::string string(const std::string& key);
  // One of `choices`; otherwise "expected one of a, b, c, got \"x\"" (+ did-you-mean).
  std::string choice(const std::string& key, const std::vector<std::string>& choices);
  std::vector<double> number_list(const std::string& key);

  // With defaults (written back when absent).
  double number_or(const std::string& key, double fallback);
  double positive_or(const std::string& key, double fallback);
  double non_negative_or(const std::string& key, double fallback);
  double probability_or(const std::string& key, double fallback);
  std::int64_t integer_or(const std::string& key, std::int64_t fallback);
  std::uint64_t count_or(const std::string& key, std::uint64_t fallback);
  std::uint64_t positive_count_or(const std::string& key, std::uint64_t fallback);
  bool boolean_or(const std::string& key, bool fallback);
  std::string string_or(const std::string& key, const std::string& fallback);
  std::string choice_or(const std::string& key, const std::vector<std::string>& choices,
                        const std::string& fallback);

  // Sub-objects. object() requires the key; object_or_empty() creates {} when absent.
  JsonReader object(const std::string& key);
  JsonReader object_or_empty(const std::string& key);
  // Array of objects: one reader per element, paths "/key/0", "/key/1", ...
  std::vector<JsonReader> object_list(const std::string& key);

  // Marks a key as known without reading it (for keys handled elsewhere).
  void accept(const std::string& key);
  // Throws ConfigError for the first key never read or accepted:
  // "/graph/nodez: unknown key (did you mean \"nodes\"?)".
  void finish() const;

  // Throws ConfigError at path()/key with "expected <expected>, got <actual JSON>".
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

 private:
  nlohmann::json* node_;
  std::string path_;
  mutable std::vector<std::string> read_keys_;
  mutable std::vector<std::string> queried_keys_;  // asked about with has(): did-you-mean candidates
};

// JSON pointer helpers shared by the reader and the overrides: RFC 6901 escaping of one token,
// the pointer of a child, the root shown as "/", and a value as (shortened) JSON text for messages.
std::string escape_token(const std::string& key);
std::string child_path(const std::string& parent, const std::string& key);
std::string shown_path(const std::string& path);
std::string describe_json_value(const nlohmann::json& value);

// For registries (algorithms, objectives): throws std::invalid_argument unless `name` is non-empty
// and made of [a-z0-9_] only ("register_<what>: ..."), so a config can always spell it.
void check_registered_name(const std::string& what, const std::string& name);

// Edit distance, for did-you-mean suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within distance max(2, |key|/3), if any.
std::optional<std::string> did_you_mean(const std::string& key, const std::vector<std::string>& candidates);

// Applies a command-line override "path=value" to `document`: path is dotted ("algorithm.eta") or
// a JSON pointer ("/algorithm/eta"); array indices allowed ("graph.speeds.2"). The value is parsed
// as JSON when it parses, else taken as a string. Intermediate objects are created.
void apply_override(nlohmann::json& document, const std::string& assignment);

}  // namespace dasgd
