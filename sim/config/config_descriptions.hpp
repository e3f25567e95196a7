// What each config key means and its unit, for the generated reference (docs/CONFIG.md) and the
// schema's "description" fields (config stage). Types, ranges, defaults and which keys exist come
// from the readers themselves (config_schema.hpp); a key missing here is still documented, only
// without these words.
#pragma once

#include <string>

namespace dasgd {

// The words for a key or object by its JSON pointer with array indices as "*" ("/graph/nodes",
// "/compute/speeds"); "" when there are none.
std::string config_key_description(const std::string& pointer);

}  // namespace dasgd
