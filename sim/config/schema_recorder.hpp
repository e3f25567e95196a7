// What the config readers say about their keys while they run (config stage): every JsonReader
// getter reports the key it reads, the kind and range it enforces and the default it fills in to
// the SchemaRecorder active on its thread, if any (none outside `dasgd schema`: one pointer test
// per getter). config_schema.hpp runs the readers over every variant and turns these facts into
// the JSON Schema, so the schema is the readers' own rules and cannot drift from them.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dasgd {

// One getter's rule for a key.
struct KeyFact {
  // number, integer, boolean, string, choice, object, number_list, object_list, or value (a key
  // accepted and read by hand: json_type says what it held).
  std::string kind;
  std::string expected;  // the getter's words, as its error says them ("a positive number")
  std::optional<double> minimum, exclusive_minimum, maximum, exclusive_maximum;
  std::vector<std::string> choices;  // choice
  std::string json_type;             // value: "number", "string", "boolean", "object", "array"
  bool operator<(const KeyFact& other) const;
};

// Everything one reader object said in one parse, keyed by its JSON pointer.
struct ObjectFacts {
  std::map<std::string, std::set<KeyFact>> keys;
  std::map<std::string, std::set<std::string>> defaults;  // key → default values written, as JSON text
  std::set<std::string> required;       // keys a required getter found missing
  std::set<std::string> queried_absent;  // keys asked about with has() and absent
  // A choice read before any other key of its object (graph kind, law, algorithm name): its key ...
  std::optional<std::string> discriminator;
  std::string discriminator_value;           // ... and the value it had
  bool discriminator_failed = false;         // that choice refused its value
  bool finished = false;                     // finish() ran: the object parsed whole
  std::vector<std::string> present;          // keys present when finish() ran
  struct Choice {
    std::string key;
    std::vector<std::string> choices;
  };
  std::vector<Choice> choices;  // every choice read (for the explorer to try the others)
};

class SchemaRecorder {
 public:
  // Called by JsonReader (json_reader.cpp) while this recorder is active.
  void note(const std::string& object_path, const std::string& key, KeyFact fact);
  void note_default(const std::string& object_path, const std::string& key, const nlohmann::json& value);
  void note_required(const std::string& object_path, const std::string& key);
  void note_query(const std::string& object_path, const std::string& key, bool present);
  void note_choice(const std::string& object_path, const std::string& key, const std::vector<std::string>& choices,
                   const nlohmann::json& value, bool valid);
  void note_finish(const std::string& object_path, const nlohmann::json& node);

  // The facts of the parse since the last take_run(), by the concrete JSON pointer of each object.
  std::map<std::string, ObjectFacts> take_run();

 private:
  std::map<std::string, ObjectFacts> run_;
};

// The recorder JsonReaders on this thread report to (null: none).
SchemaRecorder* active_schema_recorder() noexcept;

// Makes `recorder` the active one for its lifetime (restoring the previous one after).
class SchemaRecording {
 public:
  explicit SchemaRecording(SchemaRecorder& recorder);
  ~SchemaRecording();
  SchemaRecording(const SchemaRecording&) = delete;
  SchemaRecording& operator=(const SchemaRecording&) = delete;

 private:
  SchemaRecorder* previous_;
};

}  // namespace dasgd
