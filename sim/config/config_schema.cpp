// Generating the run config's schema by exploring the readers; see config_schema.hpp.
#include "sim/config/config_schema.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config/config_descriptions.hpp"
#include "sim/config/run_config.hpp"
#include "sim/config/schema_recorder.hpp"

namespace dasgd {

namespace {

using json = nlohmann::json;

// The facts of every run merged, by object pointer with array indices as "*".
struct VariantFacts {
  std::map<std::string, std::set<KeyFact>> keys;
  std::map<std::string, std::set<std::string>> defaults;
  std::set<std::string> required_noted;
  std::optional<std::set<std::string>> always_present;  // over observations that finished
};

struct ObjectSchemaFacts {
  std::optional<std::string> discriminator;
  std::map<std::string, VariantFacts> variants;  // by discriminator value; "" without one
};

using Registry = std::map<std::string, ObjectSchemaFacts>;

std::vector<std::string> tokens_of(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t at = 1;
  while (at <= pointer.size() && !pointer.empty()) {
    const std::size_t slash = pointer.find('/', at);
    tokens.push_back(pointer.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  return tokens;
}

std::string normalized(const std::string& pointer) {
  std::string out;
  for (const std::string& token : tokens_of(pointer)) {
    const bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    out += "/" + (index ? std::string("*") : token);
  }
  return out;
}

void merge(Registry& registry, const std::map<std::string, ObjectFacts>& run) {
  for (const auto& [path, facts] : run) {
    if (facts.discriminator_failed) continue;  // a refused discriminator says nothing about its variant
    ObjectSchemaFacts& object = registry[normalized(path)];
    std::string variant;
    if (facts.discriminator) {
      if (!object.discriminator) object.discriminator = facts.discriminator;
      if (*object.discriminator == *facts.discriminator) variant = facts.discriminator_value;
    }
    VariantFacts& v = object.variants[variant];
    for (const auto& [key, set] : facts.keys) {
      // A key read by hand (accept) tells its type by the value it held, which counts only when
      // the object then parsed whole; a getter's rule holds whatever value it met.
      std::set<KeyFact> kept;
      for (const KeyFact& f : set)
        if (f.kind != "value" || (facts.finished && !f.json_type.empty())) kept.insert(f);
      if (!kept.empty() || v.keys.count(key) != 0) v.keys[key].insert(kept.begin(), kept.end());
    }
    for (const auto& [key, set] : facts.defaults) v.defaults[key].insert(set.begin(), set.end());
    v.required_noted.insert(facts.required.begin(), facts.required.end());
    if (facts.finished) {
      const std::set<std::string> present(facts.present.begin(), facts.present.end());
      if (!v.always_present) {
        v.always_present = present;
      } else {
        std::set<std::string> both;
        for (const std::string& key : *v.always_present)
          if (present.count(key) != 0) both.insert(key);
        v.always_present = both;
      }
    }
  }
}

// Values a getter with these facts may accept, the likeliest first.
std::vector<json> candidates(const std::set<KeyFact>* facts) {
  if (facts == nullptr || facts->empty()) return {1, 2, 3, true, "x", json::object(), json::array({1})};
  std::vector<json> out;
  const auto within = [](const KeyFact& f, double x) {
    return (!f.minimum || x >= *f.minimum) && (!f.exclusive_minimum || x > *f.exclusive_minimum) &&
           (!f.maximum || x <= *f.maximum) && (!f.exclusive_maximum || x < *f.exclusive_maximum);
  };
  for (const KeyFact& f : *facts) {
    if (f.kind == "choice") {
      for (const std::string& c : f.choices) out.emplace_back(c);
    } else if (f.kind == "number") {
      for (double x : {1.0, 2.0, 0.5, 10.0, 0.0, 0.25, 100.0, 1000.0})
        if (within(f, x)) out.emplace_back(x);
    } else if (f.kind == "integer") {
      for (int x : {1, 2, 3, 4, 8, 16, 0, 64, 100})
        if (within(f, x)) out.emplace_back(x);
    } else if (f.kind == "boolean") {
      out.insert(out.end(), {true, false});
    } else if (f.kind == "string") {
      out.insert(out.end(), {"x", "x.csv"});
    } else if (f.kind == "object") {
      out.emplace_back(json::object());
    } else if (f.kind == "number_list") {
      out.insert(out.end(), {json::array({1}), json::array({1, 1})});
    } else if (f.kind == "object_list") {
      out.push_back(json::array({json::object()}));
    } else if (f.json_type == "number") {
      out.insert(out.end(), {1, 0.5});
    } else if (f.json_type == "string") {
      out.emplace_back("x");
    } else if (f.json_type == "object") {
      out.emplace_back(json::object());
    } else {
      out.insert(out.end(), {1, json::object()});
    }
  }
  std::vector<json> unique;
  for (const json& v : out)
    if (std::find(unique.begin(), unique.end(), v) == unique.end()) unique.push_back(v);
  return unique;
}

// `doc` with the value at `pointer` replaced (intermediate objects created), or removed when
// `value` is discarded.
json with_value(json doc, const std::string& pointer, const json& value) {
  const json::json_pointer at(pointer);
  if (value.is_discarded()) {
    if (doc.contains(at) && doc.contains(at.parent_pointer()) && doc[at.parent_pointer()].is_object())
      doc[at.parent_pointer()].erase(at.back());
    return doc;
  }
  try {
    doc[at] = value;
  } catch (const json::exception&) {
    // A path through a number or a string: no such document to try.
  }
  return doc;
}

// The one small config exploration starts from (every section the readers require).
json seed_config() {
  return json::parse(R"({
    "$schema": "config.schema.json", "name": "schema", "seed": 1,
    "graph": {"kind": "ring", "nodes": 8},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": {"law": "constant", "value": 0.1}},
    "objective": {"kind": "separable_cosine", "dimension": 4},
    "algorithm": {"name": "dasgd", "eta": 0.01},
    "stop": {"time": 10},
    "epsilon": 0.05})");
}

struct Attempt {
  json doc;
  std::size_t parent = 0;      // the attempt it repairs (0: none)
  std::string repairs;         // the pointer it sets to repair its parent's refusal
  int depth = 0;
};

std::size_t last_runs = 0;

Registry explore() {
  constexpr std::size_t kBudget = 40000;
  constexpr int kMaxDepth = 24;
  Registry registry;
  SchemaRecorder recorder;
  const SchemaRecording recording(recorder);
  std::deque<std::pair<std::size_t, Attempt>> queue;
  std::set<std::string> seen;  // documents queued as repairs
  std::set<std::string> ran;   // documents parsed (a variant to try may equal a repair skipped)
  std::set<std::pair<std::size_t, std::string>> resolved;  // (parent, pointer) a repair fixed
  std::set<std::string> tried_choices, tried_optional, tried_drops;
  std::size_t next_id = 1, runs = 0;
  // Three seeds whose defaults computed from other keys differ (name and output directory from
  // the file name, record intervals from the stop rule), so those show as computed; the third has
  // a finite-sum objective with minibatch noise.
  json unnamed = seed_config();
  unnamed.erase("name");
  unnamed["stop"]["time"] = 20;
  json by_gradients = seed_config();
  by_gradients["stop"] = {{"gradients", 100}};
  // Minibatch noise exists only for finite sums: a seed of its own reaches its keys.
  by_gradients["objective"] = json::parse(R"({"kind": "nonconvex_logistic", "dimension": 4, "samples": 100,
                                             "noise": {"kind": "minibatch", "batch_size": 4}})");
  // Fault processes: keys that exist only once a process is on (a reliable transport's timeout and
  // retries, a renewal's laws) need a seed that switches them on.
  json with_faults = seed_config();
  with_faults["faults"] = json::parse(R"({
    "nodes": {"renewal": {"up": {"law": "exponential", "mean": 20.0}, "down": {"law": "exponential", "mean": 5.0},
                          "fraction": 0.1}, "messages": "drop", "recovery": "keep"},
    "links": {"loss": {"model": "bernoulli", "p": 0.05}},
    "transport": {"reliable": true, "timeout": 0.5, "max_retries": 5}})");
  // graph.dynamic: a schedule (its snapshots are an array of a graph and an edge list) and a
  // generated kind (its siblings are reached as choices of "kind").
  json with_schedule = seed_config();
  with_schedule["graph"]["dynamic"] = json::parse(R"({"kind": "schedule", "snapshots": [
    {"at": 1, "graph": {"kind": "complete", "nodes": 8}}, {"at": 2, "edges": [[0, 1], [2, 3]]}]})");
  json with_markov = seed_config();
  with_markov["graph"]["dynamic"] = json::parse(R"({"kind": "markov", "on_rate": 2, "off_rate": 1, "period": 0.5})");
  // record.models: "all" and projections (lists of d-vectors) are read by hand and valid only as
  // such, so a seed of their own reaches them.
  json with_models = seed_config();
  with_models["record"] = json::parse(R"({"models": {"nodes": "all", "project": [[1, 0, 0, 0]]}})");
  for (json seed : {seed_config(), unnamed, by_gradients, with_faults, with_schedule, with_markov, with_models}) {
    seen.insert(seed.dump());
    queue.push_back({next_id++, Attempt{std::move(seed), 0, "", 0}});
  }
  while (!queue.empty() && runs < kBudget) {
    const std::size_t id = queue.front().first;
    Attempt attempt = std::move(queue.front().second);
    queue.pop_front();
    if (attempt.parent != 0 && resolved.count({attempt.parent, attempt.repairs}) != 0) continue;
    if (!ran.insert(attempt.doc.dump()).second) continue;
    ++runs;
    std::optional<std::pair<std::string, std::string>> error;
    try {
      parse_run_config(attempt.doc, runs % 2 == 0 ? "schema.json" : "other.json");
    } catch (const ConfigError& e) {
      error = {e.path(), e.what()};
    } catch (const std::exception& e) {
      error = {"", e.what()};
    }
    const std::map<std::string, ObjectFacts> run = recorder.take_run();
    merge(registry, run);
    if (attempt.parent != 0 && (!error || error->first != attempt.repairs)) resolved.insert({attempt.parent, attempt.repairs});
    std::vector<Attempt> repairs;
    const auto make = [&](const std::string& pointer, const json& value, std::size_t parent) {
      Attempt next{with_value(attempt.doc, pointer, value), parent, pointer, attempt.depth + 1};
      return next;
    };
    if (error && !error->first.empty() && error->first[0] == '/' && attempt.depth < kMaxDepth) {
      const std::string& at = error->first;
      const auto slash = at.rfind('/');
      const std::string parent = at.substr(0, slash);
      std::string key = at.substr(slash + 1);
      const std::set<KeyFact>* facts = nullptr;
      if (const auto object = run.find(parent); object != run.end())
        if (const auto it = object->second.keys.find(key); it != object->second.keys.end()) facts = &it->second;
      const bool missing = error->second.find("missing required key") != std::string::npos;
      std::vector<json> values;
      if (!missing) values.push_back(json(json::value_t::discarded));
      for (const json& v : candidates(facts)) values.push_back(v);
      for (const json& v : values) repairs.push_back(make(at, v, id));
    }
    // Repairs first, depth first: the first value that moves the refusal elsewhere ends its siblings.
    for (auto it = repairs.rbegin(); it != repairs.rend(); ++it)
      if (seen.insert(it->doc.dump()).second) queue.push_front({next_id++, std::move(*it)});
    if (attempt.depth >= kMaxDepth) continue;
    for (const auto& [path, facts] : run) {
      for (const ObjectFacts::Choice& choice : facts.choices) {
        const std::string pointer = child_path(path, choice.key);
        for (const std::string& value : choice.choices) {
          if (!tried_choices.insert(normalized(pointer) + "=" + value).second) continue;
          Attempt next = make(pointer, value, 0);
          if (ran.count(next.doc.dump()) == 0) queue.push_back({next_id++, std::move(next)});
        }
      }
      // Each key left out once: a required getter then says it is required.
      if (facts.finished) {
        for (const std::string& key : facts.present) {
          const std::string pointer = child_path(path, key);
          if (!tried_drops.insert(normalized(pointer) + "@" + facts.discriminator_value).second) continue;
          Attempt next = make(pointer, json(json::value_t::discarded), 0);
          if (ran.count(next.doc.dump()) == 0) queue.push_back({next_id++, std::move(next)});
        }
      }
      for (const std::string& key : facts.queried_absent) {
        const std::string pointer = child_path(path, key);
        if (!tried_optional.insert(normalized(pointer) + "@" + facts.discriminator_value).second) continue;
        for (const json& value : {json(1), json(0.5), json(true), json("x"), json::object(), json::array({1}),
                                  json::array({json::object()})}) {
          Attempt next = make(pointer, value, 0);
          if (ran.count(next.doc.dump()) == 0) queue.push_back({next_id++, std::move(next)});
        }
      }
    }
  }
  last_runs = runs;
  return registry;
}

// Objects with the same discriminator and the same variants are read by the same reader (a law
// is a law at compute.time, link.latency and compute.speeds): each variant's facts are pooled over
// all of them, so what one place's exploration found (lognormal by mu and sigma) holds at all.
Registry pooled(Registry registry) {
  std::map<std::string, std::map<std::string, VariantFacts>> pools;
  const auto signature = [](const ObjectSchemaFacts& object) {
    std::string text = *object.discriminator + ":";
    // An object that is also read without its discriminator (initial_models: a law, or values, or
    // a file) is another reader than a law alone (objective.minimiser), so "" is part of the pool's name.
    for (const auto& [value, v] : object.variants) text += (value.empty() ? std::string("(none)") : value) + ",";
    return text;
  };
  for (const auto& [path, object] : registry) {
    if (!object.discriminator) continue;
    auto& pool = pools[signature(object)];
    for (const auto& [value, v] : object.variants) {
      VariantFacts& p = pool[value];
      for (const auto& [key, set] : v.keys) p.keys[key].insert(set.begin(), set.end());
      for (const auto& [key, set] : v.defaults) p.defaults[key].insert(set.begin(), set.end());
      p.required_noted.insert(v.required_noted.begin(), v.required_noted.end());
      if (v.always_present) {
        if (!p.always_present) {
          p.always_present = v.always_present;
        } else {
          std::set<std::string> both;
          for (const std::string& key : *p.always_present)
            if (v.always_present->count(key) != 0) both.insert(key);
          p.always_present = both;
        }
      }
    }
  }
  for (auto& [path, object] : registry)
    if (object.discriminator) object.variants = pools[signature(object)];
  return registry;
}

const Registry& registry() {
  static const Registry facts = pooled(explore());
  return facts;
}

// ---- the schema ------------------------------------------------------------------------------

std::optional<json> unique_default(const VariantFacts& v, const std::string& key) {
  const auto it = v.defaults.find(key);
  if (it == v.defaults.end() || it->second.size() != 1) return std::nullopt;
  return json::parse(*it->second.begin());
}

bool computed_default(const VariantFacts& v, const std::string& key) {
  const auto it = v.defaults.find(key);
  return it != v.defaults.end() && it->second.size() > 1;
}

json object_schema(const std::string& path);

json key_schema(const std::string& object_path, const std::string& key, const std::set<KeyFact>& facts) {
  const std::string child = object_path + "/" + escape_token(key);
  std::vector<json> alternatives;
  const auto add = [&](json s) {
    if (std::find(alternatives.begin(), alternatives.end(), s) == alternatives.end()) alternatives.push_back(std::move(s));
  };
  const auto child_or_object = [&] { return registry().count(child) != 0 ? object_schema(child) : json{{"type", "object"}}; };
  for (const KeyFact& f : facts) {
    json s;
    if (f.kind == "number" || f.kind == "integer") {
      s["type"] = f.kind;
      if (f.minimum) s["minimum"] = *f.minimum;
      if (f.exclusive_minimum) s["exclusiveMinimum"] = *f.exclusive_minimum;
      if (f.maximum) s["maximum"] = *f.maximum;
      if (f.exclusive_maximum) s["exclusiveMaximum"] = *f.exclusive_maximum;
    } else if (f.kind == "boolean" || f.kind == "string") {
      s["type"] = f.kind;
    } else if (f.kind == "choice") {
      s = {{"type", "string"}, {"enum", f.choices}};
    } else if (f.kind == "object") {
      s = child_or_object();
    } else if (f.kind == "number_list") {
      s = {{"type", "array"}, {"items", {{"type", "number"}}}};
    } else if (f.kind == "object_list") {
      s = {{"type", "array"}, {"items", registry().count(child + "/*") != 0 ? object_schema(child + "/*") : json{{"type", "object"}}}};
    } else if (f.json_type == "object") {
      s = child_or_object();
    } else if (!f.json_type.empty()) {
      s["type"] = f.json_type;
    } else {
      continue;  // accepted while absent: says nothing about its type
    }
    add(std::move(s));
  }
  // A getter of the same type but another range (speeds: a number list, or a law): keep both.
  json out = alternatives.empty() ? json::object() : alternatives.size() == 1 ? alternatives[0] : json{{"anyOf", alternatives}};
  const std::string description = config_key_description(normalized(child));
  if (!description.empty()) out["description"] = description;
  return out;
}

json properties_of(const std::string& path, const VariantFacts& v, const std::optional<std::string>& skip) {
  json properties = json::object();
  for (const auto& [key, facts] : v.keys) {
    if (skip && key == *skip) continue;
    json s = key_schema(path, key, facts);
    if (const auto d = unique_default(v, key); d && !d->is_object()) s["default"] = *d;
    properties[key] = s;
  }
  return properties;
}

std::vector<std::string> required_of(const VariantFacts& v, const std::optional<std::string>& skip) {
  std::vector<std::string> required;
  if (!v.always_present) return required;
  for (const std::string& key : v.required_noted)
    if (v.always_present->count(key) != 0 && !(skip && key == *skip)) required.push_back(key);
  return required;
}

json object_schema(const std::string& path) {
  const ObjectSchemaFacts& object = registry().at(path);
  json schema = {{"type", "object"}};
  const auto base = object.variants.find("");
  if (!object.discriminator) {
    VariantFacts all;
    for (const auto& [name, v] : object.variants) {
      for (const auto& [key, set] : v.keys) all.keys[key].insert(set.begin(), set.end());
      for (const auto& [key, set] : v.defaults) all.defaults[key].insert(set.begin(), set.end());
    }
    schema["properties"] = properties_of(path, all, std::nullopt);
    if (base != object.variants.end()) {
      const auto required = required_of(base->second, std::nullopt);
      if (!required.empty()) schema["required"] = required;
    }
    schema["additionalProperties"] = false;
    return schema;
  }
  const std::string& key = *object.discriminator;
  std::vector<std::string> values;
  std::set<KeyFact> key_facts;
  std::optional<json> key_default;
  json properties = base != object.variants.end() ? properties_of(path, base->second, key) : json::object();
  json branches = json::array();
  for (const auto& [value, v] : object.variants) {
    if (value.empty()) continue;
    values.push_back(value);
    if (const auto it = v.keys.find(key); it != v.keys.end()) key_facts.insert(it->second.begin(), it->second.end());
    if (const auto d = unique_default(v, key)) key_default = d;
    json when = {{"properties", {{key, {{"const", value}}}}}, {"required", {key}}};
    if (key_default && *key_default == value) when = {{"anyOf", {when, {{"not", {{"required", {key}}}}}}}};
    json then = {{"properties", properties_of(path, v, key)}};
    const auto required = required_of(v, key);
    if (!required.empty()) then["required"] = required;
    branches.push_back({{"if", when}, {"then", then}});
  }
  json discriminator_schema = key_schema(path, key, key_facts);
  discriminator_schema.erase("anyOf");
  discriminator_schema["type"] = "string";
  discriminator_schema["enum"] = values;
  if (key_default) discriminator_schema["default"] = *key_default;
  properties[key] = discriminator_schema;
  schema["properties"] = properties;
  if (!key_default) schema["required"] = {key};
  schema["allOf"] = branches;
  schema["unevaluatedProperties"] = false;
  return schema;
}

// ---- the reference ---------------------------------------------------------------------------

std::string cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.replace(at, 1, "\\|");
  return text;
}

std::string type_words(const std::string& object_path, const std::string& key, const std::set<KeyFact>& facts) {
  std::vector<std::string> words;
  const std::string child = normalized(object_path + "/" + escape_token(key));
  for (const KeyFact& f : facts) {
    std::string w;
    if (f.kind == "object" || f.json_type == "object") {
      w = registry().count(child) != 0 ? "an object (`" + child + "`)" : "an object";
    } else if (f.kind == "object_list") {
      w = "a list of objects (`" + child + "/*`)";
    } else if (f.kind == "value") {
      if (f.json_type.empty()) continue;
      w = "a " + f.json_type;
    } else {
      w = f.expected;
    }
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  }
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : ", or ") + words[i];
  return out;
}

void key_table(std::ostringstream& out, const std::string& path, const VariantFacts& v,
               const std::optional<std::string>& skip) {
  const std::vector<std::string> required = required_of(v, skip);
  out << "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& [key, facts] : v.keys) {
    if (skip && key == *skip) continue;
    std::string fallback;
    if (std::find(required.begin(), required.end(), key) != required.end()) {
      fallback = "required";
    } else if (const auto d = unique_default(v, key)) {
      fallback = d->is_object() && d->empty() ? "{}" : "`" + d->dump() + "`";
    } else if (computed_default(v, key)) {
      fallback = "from the config";
    }
    out << "| `" << key << "` | " << cell(type_words(path, key, facts)) << " | " << cell(fallback) << " | "
        << cell(config_key_description(normalized(path + "/" + escape_token(key)))) << " |\n";
  }
  out << "\n";
}

}  // namespace

json run_config_schema() {
  json schema = object_schema("");
  json out = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"title", "dasgd run config"},
              {"description", "Generated by `dasgd schema` from the config readers (sim/config/config_schema.hpp). "
                              "Rules between keys (e.g. degree below nodes) are checked by dasgd alone."}};
  out.update(schema);
  return out;
}

std::string run_config_reference() {
  std::ostringstream out;
  out << "# Config reference\n\n"
         "Every key of a run config, generated by `dasgd schema --markdown` from the config readers themselves\n"
         "(`sim/config/config_schema.hpp`); do not edit by hand: `tests/schema_test.cpp` checks that this file is up\n"
         "to date. `dasgd schema` prints the same as a JSON Schema (`docs/config.schema.json`, which the shipped\n"
         "configs name in `\"$schema\"` for editor completion). \"required\" means the key must be given; a default\n"
         "\"from the config\" is computed from other keys (the resolved `config.json` of a run shows it). Rules\n"
         "that tie keys together (a degree below the node count, at least one stop rule) are checked by `dasgd`\n"
         "and not listed here.\n\n";
  for (const auto& [path, object] : registry()) {
    out << "## `" << (path.empty() ? "/" : path) << "`\n\n";
    if (const std::string d = config_key_description(path); !d.empty()) out << d << "\n\n";
    if (!object.discriminator) {
      VariantFacts all;
      for (const auto& [name, v] : object.variants) {
        for (const auto& [key, set] : v.keys) all.keys[key].insert(set.begin(), set.end());
        for (const auto& [key, set] : v.defaults) all.defaults[key].insert(set.begin(), set.end());
        if (name.empty()) {
          all.required_noted = v.required_noted;
          all.always_present = v.always_present;
        }
      }
      key_table(out, path, all, std::nullopt);
      continue;
    }
    const std::string& key = *object.discriminator;
    std::vector<std::string> values;
    for (const auto& [value, v] : object.variants)
      if (!value.empty()) values.push_back("`" + value + "`");
    out << "`" << key << "` chooses the variant: ";
    for (std::size_t i = 0; i < values.size(); ++i) out << (i == 0 ? "" : ", ") << values[i];
    out << ".\n\n";
    if (const auto base = object.variants.find(""); base != object.variants.end() && !base->second.keys.empty()) {
      out << "Every variant:\n\n";
      key_table(out, path, base->second, key);
    }
    for (const auto& [value, v] : object.variants) {
      if (value.empty()) continue;
      out << "### `" << key << ": \"" << value << "\"`\n\n";
      if (v.keys.size() <= 1) {
        out << "No other keys.\n\n";
        continue;
      }
      key_table(out, path, v, key);
    }
  }
  return out.str();
}

std::size_t schema_exploration_runs() { return last_runs; }

}  // namespace dasgd
