// The JSON Schema of a run config and its Markdown reference (config stage, `dasgd schema`).
// Both are made by running the config readers themselves (parse_run_config) over every variant
// they know, with a SchemaRecorder listening (schema_recorder.hpp): starting from three small configs,
// each choice a reader reads is tried with each of its values (every graph kind, law, algorithm,
// objective, ...), each optional key a reader asks about is tried with values of every JSON type,
// and each refusal is answered with values the refusing getter accepts, until nothing new turns
// up. A key a reader gains is therefore in the schema without anyone writing it down; only the
// descriptions (units) come from a table (config_descriptions.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace dasgd {

// A JSON Schema (draft 2020-12) every config the readers accept validates against; it refuses
// unknown keys, wrong types, values out of a getter's range and unknown choices. Rules that tie
// keys together (degree below nodes, at least one stop rule) stay the readers' alone.
nlohmann::json run_config_schema();

// docs/CONFIG.md: every key with its type, default, whether it is required, and its meaning/unit.
std::string run_config_reference();

// How many configs the last generation parsed (for the test that keeps it fast).
std::size_t schema_exploration_runs();

}  // namespace dasgd
