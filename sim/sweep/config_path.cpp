// Config path tokens and setting a value at a path; see config_path.hpp.
#include "sim/sweep/config_path.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

namespace dasgd {

namespace {

std::optional<std::size_t> array_index(const std::string& token) {
  std::size_t index = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, error] = std::from_chars(token.data(), end, index);
  if (error != std::errc() || ptr != end || token.empty() || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  return index;
}

}  // namespace

std::vector<std::string> config_path_tokens(const std::string& path) {
  if (path.empty() || path == "/") throw std::invalid_argument("empty path");
  std::vector<std::string> tokens;
  const bool pointer = path.front() == '/';
  const char separator = pointer ? '/' : '.';
  std::size_t start = pointer ? 1 : 0;
  while (true) {
    const std::size_t end = path.find(separator, start);
    const std::string raw = path.substr(start, end == std::string::npos ? end : end - start);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (!pointer || raw[i] != '~') {
        token += raw[i];
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        throw std::invalid_argument("expected ~0 or ~1 after '~' in the JSON pointer");
      }
    }
    if (!pointer && token.empty()) throw std::invalid_argument("empty key between dots");
    tokens.push_back(token);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tokens;
}

void set_config_path(nlohmann::json& document, const std::string& path, const nlohmann::json& value) {
  const std::vector<std::string> tokens = config_path_tokens(path);
  nlohmann::json* at = &document;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    if (at->is_null()) {
      if (value.is_null()) return;  // removing below an absent key: nothing to do
      *at = nlohmann::json::object();
    }
    if (at->is_object()) {
      if (last && value.is_null()) {
        at->erase(token);
        return;
      }
      if (value.is_null() && !at->contains(token)) return;
      at = &(*at)[token];
    } else if (at->is_array()) {
      const std::optional<std::size_t> index = array_index(token);
      if (!index || *index > at->size() || (value.is_null() && *index >= at->size())) {
        throw std::invalid_argument(path + ": expected an array index up to " + std::to_string(at->size()) +
                                    " at \"" + token + "\"");
      }
      if (last && value.is_null()) {
        at->erase(*index);
        return;
      }
      if (*index == at->size()) at->push_back(nullptr);
      at = &(*at)[*index];
    } else {
      throw std::invalid_argument(path + ": cannot set a key inside " + at->dump() +
                                  " (neither an object nor an array)");
    }
  }
  *at = value;
}

}  // namespace dasgd
