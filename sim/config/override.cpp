// Command-line overrides of a config document (config stage): `--set path=value` with a dotted
// path or a JSON pointer; the value is parsed as JSON when it parses, else taken as a string.
// `path=null` removes the key (or array element), so that its default applies again.
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/json_file.hpp"
#include "sim/config/json_reader.hpp"

namespace dasgd {

namespace {

using json = nlohmann::json;

[[noreturn]] void override_error(const std::string& assignment, const std::string& problem) {
  const std::string shown = assignment.size() > 80 ? assignment.substr(0, 80) + "..." : assignment;
  throw ConfigError("--set", "\"" + shown + "\": " + problem);
}

// "/a/b~1c" → {"a", "b/c"} (RFC 6901); "a.b.2" → {"a", "b", "2"}.
std::vector<std::string> override_tokens(const std::string& assignment, const std::string& path) {
  std::vector<std::string> tokens;
  if (path.front() == '/') {
    std::size_t start = 1;
    while (true) {
      const std::size_t end = path.find('/', start);
      const std::string raw = path.substr(start, end == std::string::npos ? end : end - start);
      std::string token;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          token += raw[i];
        } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          override_error(assignment, "expected ~0 or ~1 after '~' in the JSON pointer");
        }
      }
      tokens.push_back(token);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  } else {
    std::size_t start = 0;
    while (true) {
      const std::size_t end = path.find('.', start);
      tokens.push_back(path.substr(start, end == std::string::npos ? end : end - start));
      if (tokens.back().empty()) override_error(assignment, "expected a key between the dots");
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return tokens;
}

std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;  // RFC 6901: no leading zeros
  std::size_t index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

// `path=null`: removes the key or element the tokens name. Nothing to remove (an absent key, or an
// index past the end) is no error, as for a sweep axis's null (sim/sweep/config_path.hpp).
void remove_at(json& document, const std::string& assignment, const std::vector<std::string>& tokens) {
  json* at = &document;
  std::string where;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    const std::string next = child_path(where, token);
    if (at->is_object()) {
      const auto it = at->find(token);
      if (it == at->end()) return;
      if (last) {
        at->erase(it);
        return;
      }
      at = &*it;
    } else if (at->is_array()) {
      const auto index = array_index(token);
      if (!index) override_error(assignment, "expected an array index at " + shown_path(where) + ", got \"" + token + "\"");
      if (*index >= at->size()) return;
      if (last) {
        at->erase(*index);
        return;
      }
      at = &(*at)[*index];
    } else if (at->is_null()) {
      return;
    } else {
      override_error(assignment, "cannot remove a key inside " + shown_path(where) + ", which is " +
                                     describe_json_value(*at));
    }
    where = next;
  }
}

}  // namespace

void apply_override(nlohmann::json& document, const std::string& assignment) {
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos) override_error(assignment, "expected path=value");
  const std::string path = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  if (path.empty() || path == "/") override_error(assignment, "expected a non-empty path before '='");

  try {
    check_json_nesting(text);
  } catch (const ConfigError& error) {
    override_error(assignment, std::string("value: ") + error.what());
  }
  // JSON when it parses ("64", "true", "{\"kind\":\"gaussian\"}"), else the text as a string.
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;

  const std::vector<std::string> tokens = override_tokens(assignment, path);
  if (value.is_null()) {
    remove_at(document, assignment, tokens);
    return;
  }
  json* at = &document;
  std::string where;
  for (const auto& token : tokens) {
    if (at->is_null()) *at = json::object();  // intermediate objects are created
    if (at->is_object()) {
      at = &(*at)[token];
    } else if (at->is_array()) {
      const auto index = token == "-" ? std::optional<std::size_t>(at->size()) : array_index(token);
      if (!index) {
        override_error(assignment, "expected an array index at " + shown_path(where) + ", got \"" +
                                       token + "\"");
      }
      if (*index > at->size()) {
        override_error(assignment, "array index " + token + " out of range at " +
                                       shown_path(where) + " (size " +
                                       std::to_string(at->size()) + ")");
      }
      if (*index == at->size()) at->push_back(nullptr);  // one past the end appends
      at = &(*at)[*index];
    } else {
      override_error(assignment, "cannot set a key inside " + shown_path(where) + ", which is " +
                                     describe_json_value(*at));
    }
    where = child_path(where, token);
  }
  *at = std::move(value);
}

}  // namespace dasgd
