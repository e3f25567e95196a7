// Path-aware JSON config reading (config stage, first step of config → world → run → metrics →
// files): typed getters that validate and name the JSON pointer of every bad value, defaults written
// back into the document, unknown-key detection with did-you-mean, and command-line overrides.
#include "sim/config/json_reader.hpp"

#include "sim/config/schema_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>

namespace dasgd {

// RFC 6901 escaping of one reference token: '~' → "~0" first, then '/' → "~1".
std::string escape_token(const std::string& key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent + "/" + escape_token(key);
}

// The root's pointer is "", which would read badly as ": expected ..."; errors say "/" instead.
std::string shown_path(const std::string& path) { return path.empty() ? "/" : path; }

// The offending value as JSON text, shortened so that a whole sub-document never floods a message.
std::string describe_json_value(const nlohmann::json& value) {
  constexpr std::size_t limit = 80;
  std::string text = value.dump();
  if (text.size() > limit) {
    text.resize(limit);
    text += "...";
  }
  return text;
}

namespace {

using nlohmann::json;


std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out;
}

std::string suggestion_suffix(const std::string& key, const std::vector<std::string>& candidates) {
  const auto best = did_you_mean(key, candidates);
  return best ? " (did you mean \"" + *best + "\"?)" : std::string();
}

// Exactly integral doubles are accepted as integers ("nodes": 1e3); bounds are [lo, hi) in double
// arithmetic, where 2^63 and 2^64 are exactly representable.
bool integral_double(double d, double lo, double hi) {
  return std::isfinite(d) && d == std::trunc(d) && d >= lo && d < hi;
}

std::optional<std::int64_t> as_int64(const json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(u);
    }
    return std::nullopt;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (integral_double(d, -9223372036854775808.0, 9223372036854775808.0)) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> as_uint64(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i >= 0) return static_cast<std::uint64_t>(i);
    return std::nullopt;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (integral_double(d, 0.0, 18446744073709551616.0)) return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> as_finite(const json& v) {
  if (!v.is_number()) return std::nullopt;  // bools are not numbers in nlohmann::json
  const double d = v.get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

// Schema facts (schema_recorder.hpp): reported only while `dasgd schema` records.
KeyFact fact(const char* kind, const std::string& expected, std::optional<double> minimum = std::nullopt,
             std::optional<double> exclusive_minimum = std::nullopt, std::optional<double> maximum = std::nullopt,
             std::optional<double> exclusive_maximum = std::nullopt) {
  KeyFact f;
  f.kind = kind;
  f.expected = expected;
  f.minimum = minimum;
  f.exclusive_minimum = exclusive_minimum;
  f.maximum = maximum;
  f.exclusive_maximum = exclusive_maximum;
  return f;
}

std::string json_type_name(const json& value) {
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_object()) return "object";
  if (value.is_array()) return "array";
  return "";
}

}  // namespace

#define DASGD_NOTE(...)                                                  \
  do {                                                                   \
    if (SchemaRecorder* recorder = active_schema_recorder()) recorder->note(path_, key, __VA_ARGS__); \
  } while (false)

JsonReader::JsonReader(nlohmann::json& node, std::string path)
    : node_(&node), path_(std::move(path)) {}

bool JsonReader::has(const std::string& key) const {
  // A key asked about is a known key: a typo of it should be suggested even when it is absent.
  if (std::find(queried_keys_.begin(), queried_keys_.end(), key) == queried_keys_.end()) {
    queried_keys_.push_back(key);
  }
  const bool present = node_->is_object() && node_->find(key) != node_->end() && !node_->find(key)->is_null();
  if (SchemaRecorder* recorder = active_schema_recorder()) recorder->note_query(path_, key, present);
  return present;
}

// Set while a getter marks its own key as read: that key's rule is the getter's, not "any value".
static thread_local bool getter_accepting = false;

void JsonReader::accept(const std::string& key) {
  SchemaRecorder* recorder = getter_accepting ? nullptr : active_schema_recorder();
  if (recorder != nullptr) {
    KeyFact f = fact("value", "");
    if (node_->is_object() && node_->contains(key)) f.json_type = json_type_name((*node_)[key]);
    recorder->note(path_, key, f);
  }
  if (std::find(read_keys_.begin(), read_keys_.end(), key) == read_keys_.end()) {
    read_keys_.push_back(key);
  }
}

void JsonReader::fail(const std::string& key, const std::string& expected) const {
  const std::string at = child_path(path_, key);
  if (!node_->is_object()) {
    throw ConfigError(shown_path(path_), "expected an object, got " + describe_json_value(*node_));
  }
  const auto it = node_->find(key);
  if (it == node_->end()) throw ConfigError(at, "missing required key, expected " + expected);
  throw ConfigError(at, "expected " + expected + ", got " + describe_json_value(*it));
}

// The value at `key`, marked as read; a missing key (or null) is an error naming what was expected.
static const nlohmann::json& required_value(JsonReader& reader, const std::string& key,
                                            const std::string& expected) {
  getter_accepting = true;
  reader.accept(key);
  getter_accepting = false;
  nlohmann::json& node = reader.node();
  if (!node.is_object()) reader.fail(key, expected);
  const auto it = node.find(key);
  if (it == node.end() || it->is_null()) {
    if (SchemaRecorder* recorder = active_schema_recorder()) recorder->note_required(reader.path(), key);
    reader.fail(key, expected);
  }
  return *it;
}

// Writes `fallback` into the document when `key` is absent or null (the resolved config records
// every default that was used).
template <typename T>
static void write_default(JsonReader& reader, const std::string& key, const T& fallback) {
  nlohmann::json& node = reader.node();
  if (node.is_null()) node = nlohmann::json::object();
  if (!node.is_object()) reader.fail(key, "an object");
  const auto it = node.find(key);
  if (it == node.end() || it->is_null()) node[key] = fallback;
  if (SchemaRecorder* recorder = active_schema_recorder()) recorder->note_default(reader.path(), key, nlohmann::json(fallback));
}

double JsonReader::number(const std::string& key) {
  const std::string expected = "a number";
  DASGD_NOTE(fact("number", expected));
  const auto d = as_finite(required_value(*this, key, expected));
  if (!d) fail(key, expected);
  return *d;
}

double JsonReader::positive(const std::string& key) {
  const std::string expected = "a positive number";
  DASGD_NOTE(fact("number", expected, std::nullopt, 0.0));
  const auto d = as_finite(required_value(*this, key, expected));
  if (!d || !(*d > 0.0)) fail(key, expected);
  return *d;
}

double JsonReader::non_negative(const std::string& key) {
  const std::string expected = "a non-negative number";
  DASGD_NOTE(fact("number", expected, 0.0));
  const auto d = as_finite(required_value(*this, key, expected));
  if (!d || !(*d >= 0.0)) fail(key, expected);
  return *d;
}

double JsonReader::probability(const std::string& key) {
  const std::string expected = "a probability in [0, 1]";
  DASGD_NOTE(fact("number", expected, 0.0, std::nullopt, 1.0));
  const auto d = as_finite(required_value(*this, key, expected));
  if (!d || !(*d >= 0.0 && *d <= 1.0)) fail(key, expected);
  return *d;
}

double JsonReader::open_probability(const std::string& key) {
  const std::string expected = "a probability in (0, 1)";
  DASGD_NOTE(fact("number", expected, std::nullopt, 0.0, std::nullopt, 1.0));
  const auto d = as_finite(required_value(*this, key, expected));
  if (!d || !(*d > 0.0 && *d < 1.0)) fail(key, expected);
  return *d;
}

std::int64_t JsonReader::integer(const std::string& key) {
  const std::string expected = "an integer";
  DASGD_NOTE(fact("integer", expected));
  const auto i = as_int64(required_value(*this, key, expected));
  if (!i) fail(key, expected);
  return *i;
}

std::uint64_t JsonReader::count(const std::string& key) {
  const std::string expected = "a non-negative integer";
  DASGD_NOTE(fact("integer", expected, 0.0));
  const auto u = as_uint64(required_value(*this, key, expected));
  if (!u) fail(key, expected);
  return *u;
}

std::uint64_t JsonReader::positive_count(const std::string& key) {
  const std::string expected = "a positive integer";
  DASGD_NOTE(fact("integer", expected, 1.0));
  const auto u = as_uint64(required_value(*this, key, expected));
  if (!u || *u == 0) fail(key, expected);
  return *u;
}

bool JsonReader::boolean(const std::string& key) {
  const std::string expected = "true or false";
  DASGD_NOTE(fact("boolean", expected));
  const auto& v = required_value(*this, key, expected);
  if (!v.is_boolean()) fail(key, expected);
  return v.get<bool>();
}

std::string JsonReader::string(const std::string& key) {
  const std::string expected = "a string";
  DASGD_NOTE(fact("string", expected));
  const auto& v = required_value(*this, key, expected);
  if (!v.is_string()) fail(key, expected);
  return v.get<std::string>();
}

// choice() and choice_or() (after its default is written).
static std::string read_choice(JsonReader& reader, const std::string& key, const std::vector<std::string>& choices) {
  const std::string expected = "one of " + join(choices);
  const std::string& path = reader.path();
  nlohmann::json& node = reader.node();
  SchemaRecorder* recorder = active_schema_recorder();
  if (recorder != nullptr) {
    KeyFact f = fact("choice", expected);
    f.choices = choices;
    recorder->note(path, key, f);
  }
  const auto note_choice = [&](const nlohmann::json& value, bool valid) {
    if (recorder != nullptr) recorder->note_choice(path, key, choices, value, valid);
  };
  if (recorder != nullptr && (!node.is_object() || !node.contains(key) || node[key].is_null())) note_choice(nullptr, false);
  const auto& v = required_value(reader, key, expected);
  if (!v.is_string()) {
    note_choice(v, false);
    reader.fail(key, expected);
  }
  const auto text = v.get<std::string>();
  const bool valid = std::find(choices.begin(), choices.end(), text) != choices.end();
  note_choice(v, valid);
  if (valid) return text;
  throw ConfigError(child_path(path, key), "expected " + expected + ", got " + describe_json_value(v) +
                                               suggestion_suffix(text, choices));
}

std::string JsonReader::choice(const std::string& key, const std::vector<std::string>& choices) {
  return read_choice(*this, key, choices);
}

std::vector<double> JsonReader::number_list(const std::string& key) {
  const std::string expected = "a list of numbers";
  DASGD_NOTE(fact("number_list", expected));
  const auto& v = required_value(*this, key, expected);
  if (!v.is_array()) fail(key, expected);
  std::vector<double> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto d = as_finite(v[i]);
    if (!d) {
      throw ConfigError(child_path(path_, key) + "/" + std::to_string(i),
                        "expected a number, got " + describe_json_value(v[i]));
    }
    out.push_back(*d);
  }
  return out;
}

double JsonReader::number_or(const std::string& key, double fallback) {
  write_default(*this, key, fallback);
  return number(key);
}

double JsonReader::positive_or(const std::string& key, double fallback) {
  write_default(*this, key, fallback);
  return positive(key);
}

double JsonReader::non_negative_or(const std::string& key, double fallback) {
  write_default(*this, key, fallback);
  return non_negative(key);
}

double JsonReader::probability_or(const std::string& key, double fallback) {
  write_default(*this, key, fallback);
  return probability(key);
}

std::int64_t JsonReader::integer_or(const std::string& key, std::int64_t fallback) {
  write_default(*this, key, fallback);
  return integer(key);
}

std::uint64_t JsonReader::count_or(const std::string& key, std::uint64_t fallback) {
  write_default(*this, key, fallback);
  return count(key);
}

std::uint64_t JsonReader::positive_count_or(const std::string& key, std::uint64_t fallback) {
  write_default(*this, key, fallback);
  return positive_count(key);
}

bool JsonReader::boolean_or(const std::string& key, bool fallback) {
  write_default(*this, key, fallback);
  return boolean(key);
}

std::string JsonReader::string_or(const std::string& key, const std::string& fallback) {
  write_default(*this, key, fallback);
  return string(key);
}

std::string JsonReader::choice_or(const std::string& key, const std::vector<std::string>& choices,
                                  const std::string& fallback) {
  write_default(*this, key, fallback);
  return read_choice(*this, key, choices);
}

JsonReader JsonReader::object(const std::string& key) {
  const std::string expected = "an object";
  DASGD_NOTE(fact("object", expected));
  required_value(*this, key, expected);
  nlohmann::json& child = (*node_)[key];
  if (!child.is_object()) fail(key, expected);
  return JsonReader(child, child_path(path_, key));
}

JsonReader JsonReader::object_or_empty(const std::string& key) {
  write_default(*this, key, nlohmann::json::object());
  return object(key);
}

std::vector<JsonReader> JsonReader::object_list(const std::string& key) {
  const std::string expected = "a list of objects";
  DASGD_NOTE(fact("object_list", expected));
  required_value(*this, key, expected);
  nlohmann::json& list = (*node_)[key];
  if (!list.is_array()) fail(key, expected);
  std::vector<JsonReader> readers;
  readers.reserve(list.size());
  const std::string base = child_path(path_, key);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = base + "/" + std::to_string(i);
    if (!list[i].is_object()) throw ConfigError(at, "expected an object, got " + describe_json_value(list[i]));
    readers.emplace_back(list[i], at);
  }
  return readers;
}

void JsonReader::finish() const {
  if (!node_->is_object()) return;
  if (SchemaRecorder* recorder = active_schema_recorder()) recorder->note_finish(path_, *node_);
  std::vector<std::string> known = read_keys_;
  known.insert(known.end(), queried_keys_.begin(), queried_keys_.end());
  // nlohmann::json objects iterate in key order, so "the first unknown key" is deterministic.
  for (const auto& item : node_->items()) {
    if (std::find(read_keys_.begin(), read_keys_.end(), item.key()) != read_keys_.end()) continue;
    std::vector<std::string> others;  // a key asked about with has() but never read is no hint
    std::copy_if(known.begin(), known.end(), std::back_inserter(others),
                 [&](const std::string& k) { return k != item.key(); });
    throw ConfigError(child_path(path_, item.key()),
                      "unknown key" + suggestion_suffix(item.key(), others));
  }
}

// Levenshtein distance (insert, delete, substitute, each cost 1), one row of the DP table at a time.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> did_you_mean(const std::string& key,
                                        const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {  // ties: the first candidate wins
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

void check_registered_name(const std::string& what, const std::string& name) {
  const bool ok = !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!ok)
    throw std::invalid_argument("register_" + what + ": expected a name of a-z, 0-9 and _, got \"" + name + "\"");
}

}  // namespace dasgd
