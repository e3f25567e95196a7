// The readers' facts about their keys; see schema_recorder.hpp.
#include "sim/config/schema_recorder.hpp"

#include <tuple>

namespace dasgd {

namespace {
thread_local SchemaRecorder* active_recorder = nullptr;
}  // namespace

bool KeyFact::operator<(const KeyFact& other) const {
  return std::tie(kind, expected, minimum, exclusive_minimum, maximum, exclusive_maximum, choices, json_type) <
         std::tie(other.kind, other.expected, other.minimum, other.exclusive_minimum, other.maximum,
                  other.exclusive_maximum, other.choices, other.json_type);
}

void SchemaRecorder::note(const std::string& object_path, const std::string& key, KeyFact fact) {
  run_[object_path].keys[key].insert(std::move(fact));
}

void SchemaRecorder::note_default(const std::string& object_path, const std::string& key, const nlohmann::json& value) {
  run_[object_path].defaults[key].insert(value.dump());
}

void SchemaRecorder::note_required(const std::string& object_path, const std::string& key) {
  run_[object_path].required.insert(key);
}

void SchemaRecorder::note_query(const std::string& object_path, const std::string& key, bool present) {
  if (!present) run_[object_path].queried_absent.insert(key);
}

void SchemaRecorder::note_choice(const std::string& object_path, const std::string& key,
                                 const std::vector<std::string>& choices, const nlohmann::json& value, bool valid) {
  ObjectFacts& facts = run_[object_path];
  facts.choices.push_back({key, choices});
  // Only the object's first key read discriminates (note() has recorded this one already).
  if (facts.discriminator || facts.keys.size() != 1 || facts.keys.count(key) == 0) return;
  facts.discriminator = key;
  facts.discriminator_value = value.is_string() ? value.get<std::string>() : value.dump();
  facts.discriminator_failed = !valid;
}

void SchemaRecorder::note_finish(const std::string& object_path, const nlohmann::json& node) {
  ObjectFacts& facts = run_[object_path];
  facts.finished = true;
  facts.present.clear();
  if (node.is_object())
    for (const auto& item : node.items())
      if (!item.value().is_null()) facts.present.push_back(item.key());
}

std::map<std::string, ObjectFacts> SchemaRecorder::take_run() {
  std::map<std::string, ObjectFacts> out;
  out.swap(run_);
  return out;
}

SchemaRecorder* active_schema_recorder() noexcept { return active_recorder; }

SchemaRecording::SchemaRecording(SchemaRecorder& recorder) : previous_(active_recorder) { active_recorder = &recorder; }

SchemaRecording::~SchemaRecording() { active_recorder = previous_; }

}  // namespace dasgd
