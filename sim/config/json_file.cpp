// Guarded JSON reading (json_file.hpp): a file check, a nesting pre-scan that stops at the first
// bracket past the limit (the DOM, its copies and dump() recurse, so 10^5 nested lists would
// overflow the stack), and a SAX pass that tracks the JSON pointer so that a number overflowing a
// double is reported where it is instead of escaping as nlohmann's out_of_range.
#include "sim/config/json_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "topologies/readers.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

std::string line_column(std::size_t line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

// Refuses nesting deeper than max_json_depth before anything is built. Strings and comments (the
// reader accepts // and /* */) are skipped so that brackets inside them do not count.
void check_json_nesting(std::string_view text) {
  std::size_t depth = 0, line = 1, column = 0;
  enum class State { plain, string, escape, line_comment, block_comment };
  State state = State::plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
    switch (state) {
      case State::string:
        if (c == '\\') state = State::escape;
        else if (c == '"') state = State::plain;
        break;
      case State::escape: state = State::string; break;
      case State::line_comment:
        if (c == '\n') state = State::plain;
        break;
      case State::block_comment:
        if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') state = State::plain;
        break;
      case State::plain:
        if (c == '"') {
          state = State::string;
        } else if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*')) {
          state = text[i + 1] == '/' ? State::line_comment : State::block_comment;
          ++i;
          ++column;
        } else if (c == '[' || c == '{') {
          if (++depth > max_json_depth) {
            throw ConfigError(line_column(line, column),
                              "expected JSON nested at most " + std::to_string(max_json_depth) +
                                  " levels deep, got deeper");
          }
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        break;
    }
  }
}

namespace {

// nlohmann's DOM builder, plus the JSON pointer of the value being read, and the first error kept
// (with its position) instead of thrown.
class GuardedSax {
 public:
  explicit GuardedSax(json& root) : builder_(root, /*allow_exceptions=*/false) {}

  bool null() { return scalar() && builder_.null(); }
  bool boolean(bool value) { return scalar() && builder_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return scalar() && builder_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return scalar() && builder_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const std::string& text) {
    return scalar() && builder_.number_float(value, text);
  }
  bool string(std::string& value) { return scalar() && builder_.string(value); }
  bool binary(json::binary_t& value) { return scalar() && builder_.binary(value); }
  bool start_object(std::size_t size) {
    enter(false);
    return builder_.start_object(size);
  }
  bool key(std::string& value) {
    frames_.back().key = value;
    return builder_.key(value);
  }
  bool end_object() {
    frames_.pop_back();
    return builder_.end_object();
  }
  bool start_array(std::size_t size) {
    enter(true);
    return builder_.start_array(size);
  }
  bool end_array() {
    frames_.pop_back();
    return builder_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& error) {
    if (!failed_) {
      failed_ = true;
      position_ = position;
      error_id_ = error.id;
      token_ = token;
      message_ = error.what();
    }
    return false;
  }

  bool failed() const { return failed_; }
  std::size_t position() const { return position_; }
  int error_id() const { return error_id_; }
  const std::string& token() const { return token_; }
  const std::string& message() const { return message_; }
  // The pointer of the value being read when the parser stopped.
  // An enclosing array counts the container being read among its started values; the innermost
  // one has not counted the scalar the parser stopped at (no event was sent for it).
  std::string pointer() const {
    std::string out;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      const bool innermost = i + 1 == frames_.size();
      if (frame.array) out += "/" + std::to_string(innermost ? frame.index : frame.index - 1);
      else out = child_path(out, frame.key);
    }
    return shown_path(out);
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;  // arrays: values started so far
    std::string key;        // objects: the key being read
  };
  // A value (scalar or container) is about to be read inside the innermost container.
  void advance() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  bool scalar() {
    advance();
    return true;
  }
  void enter(bool array) {
    advance();
    frames_.push_back(Frame{array, 0, {}});
  }

  nlohmann::detail::json_sax_dom_parser<json> builder_;
  std::vector<Frame> frames_;
  bool failed_ = false;
  std::size_t position_ = 0;
  int error_id_ = 0;
  std::string token_, message_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 7: "; the position is given by us, the tag means nothing to a user.
std::string plain_message(const std::string& what) {
  std::string text = what;
  if (const auto tag = text.find("] "); text.rfind("[json.exception.", 0) == 0 && tag != std::string::npos)
    text = text.substr(tag + 2);
  if (const auto at = text.find(": "); text.rfind("parse error at line ", 0) == 0 && at != std::string::npos)
    text = text.substr(at + 2);
  return text;
}

// Line and column of byte offset `end` (the parser's position is one past the bad token).
std::string position_of(std::string_view text, std::size_t end) {
  std::size_t line = 1, column = 0;
  for (std::size_t i = 0; i < end && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
  }
  return line_column(line, column);
}

}  // namespace

json parse_json_text(std::string_view text) {
  check_json_nesting(text);
  json document;
  GuardedSax positioned(document);
  json::sax_parse(text.begin(), text.end(), &positioned, nlohmann::detail::input_format_t::json,
                  /*strict=*/true, /*ignore_comments=*/true);
  if (positioned.failed()) {
    const std::string where = position_of(text, positioned.position());
    if (positioned.error_id() == 406) {  // number overflow: a syntactically fine number too large
      std::string token = positioned.token();
      if (token.size() > 40) token = token.substr(0, 40) + "...";
      throw ConfigError(positioned.pointer(), "expected a number within +-1.8e308 (a double), got " + token +
                                                  " (" + where + ")");
    }
    throw ConfigError(where, "expected valid JSON: " + plain_message(positioned.message()));
  }
  return document;
}

json read_json_file(const std::string& path) {
  if (const auto problem = input_file_problem(path)) throw ConfigError("", *problem);
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  if (!error && bytes > max_json_file_bytes) {
    throw ConfigError("", "is " + std::to_string(bytes >> 20) + " MiB, expected a JSON file of at most " +
                              std::to_string(max_json_file_bytes >> 20) + " MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("", "cannot be opened for reading");
  std::string text;
  {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw ConfigError("", "read error");
    text = std::move(buffer).str();
  }
  // /proc-style files report size 0 and may still be long: the limit also holds after reading.
  if (text.size() > max_json_file_bytes)
    throw ConfigError("", "expected a JSON file of at most " + std::to_string(max_json_file_bytes >> 20) + " MiB");
  return parse_json_text(text);
}

}  // namespace dasgd
