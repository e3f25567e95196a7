// Config paths as a sweep axis names them ("graph.nodes", "/graph/nodes", "graph.speeds.2"), and
// setting or removing the value at one inside a run config document (config stage, before parsing).
// Same path syntax as `dasgd run --set` (apply_override in json_reader.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dasgd {

// "/a/b~1c" → {"a", "b/c"} (RFC 6901); "a.b.2" → {"a", "b", "2"}. Throws std::invalid_argument for
// an empty path, an empty key between dots, or a bad '~' escape.
std::vector<std::string> config_path_tokens(const std::string& path);

// Sets the value at `path`, creating intermediate objects; a token inside an array is an index (at
// most one past the end, which appends). A null `value` removes the key instead (absent, so the
// schema's default or its "unknown key" check applies). Throws std::invalid_argument naming the
// path when it runs through a value that is neither an object nor an array, or a bad index.
void set_config_path(nlohmann::json& document, const std::string& path, const nlohmann::json& value);

}  // namespace dasgd
