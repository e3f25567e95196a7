// record.models; see model_record_config.hpp.
#include "sim/config/model_record_config.hpp"

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

namespace dasgd {

namespace {

const std::string kModels = "/record/models";

// Each entry of a list of integers in [0, limit) (limit 0: unknown, no upper check), distinct.
std::vector<std::uint64_t> index_list(JsonReader& reader, const std::string& key, const std::string& what,
                                      std::uint64_t limit) {
  const std::vector<double> values = reader.number_list(key);
  if (values.empty()) reader.fail(key, "a non-empty list of " + what + "s");
  std::vector<std::uint64_t> out;
  std::set<std::uint64_t> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    const std::string at = reader.path() + "/" + key + "/" + std::to_string(i);
    if (!(v >= 0 && v < 4294967295.0 && v == std::trunc(v)))
      throw ConfigError(at, "expected a " + what + " (an integer >= 0), got " +
                                describe_json_value(reader.node()[key][i]));
    const auto k = static_cast<std::uint64_t>(v);
    if (limit > 0 && k >= limit)
      throw ConfigError(at, "expected a " + what + " below " + std::to_string(limit) + ", got " + std::to_string(k));
    if (!seen.insert(k).second) throw ConfigError(at, "expected each " + what + " once, got " + std::to_string(k) + " again");
    out.push_back(k);
  }
  return out;
}

std::string too_many_nodes(std::uint64_t nodes) {
  return "a list of node ids: \"all\" is for graphs of at most " + std::to_string(models_all_max_nodes) +
         " nodes, this one has " + std::to_string(nodes);
}

std::string too_many_coordinates(std::uint64_t dimension) {
  return "coordinates or project beside nodes: every coordinate is logged up to dimension " +
         std::to_string(models_all_max_coordinates) + ", this model has " + std::to_string(dimension);
}

}  // namespace

std::optional<ModelRecordSpec> parse_model_record(JsonReader& record, std::uint64_t nodes, std::uint64_t dimension) {
  if (!record.has("models")) return std::nullopt;
  if (!record.node()["models"].is_object())
    record.fail("models", "an object {nodes, coordinates, project}");
  JsonReader models = record.object("models");
  ModelRecordSpec spec;
  if (models.has("nodes") && models.node()["nodes"].is_string()) {
    // Read by hand, as record.deliveries is: a choice here would make "nodes" the object's
    // discriminator in the schema, which then forgets the list form.
    models.accept("nodes");
    if (models.node()["nodes"].get<std::string>() != "all") models.fail("nodes", "\"all\" or a list of node ids");
    spec.all_nodes = true;
    if (nodes > models_all_max_nodes) models.fail("nodes", too_many_nodes(nodes));
  } else {
    spec.nodes = index_list(models, "nodes", "node id", nodes);
  }
  if (models.has("coordinates")) spec.coordinates = index_list(models, "coordinates", "coordinate index", dimension);
  if (models.has("project")) {
    // Read by hand (a list of lists): each vector must have d entries.
    models.accept("project");
    const nlohmann::json& list = models.node()["project"];
    const std::string at = models.path() + "/project";
    if (!list.is_array() || list.empty())
      throw ConfigError(at, "expected a non-empty list of vectors (lists of numbers), got " + describe_json_value(list));
    for (std::size_t k = 0; k < list.size(); ++k) {
      const nlohmann::json& v = list[k];
      const std::string vector_at = at + "/" + std::to_string(k);
      if (!v.is_array())
        throw ConfigError(vector_at, "expected a vector (a list of numbers), got " + describe_json_value(v));
      if (dimension > 0 && v.size() != dimension)
        throw ConfigError(vector_at, "expected a vector of length " + std::to_string(dimension) +
                                         " (the model dimension), got " + std::to_string(v.size()) + " entries");
      std::vector<double> values;
      values.reserve(v.size());
      for (std::size_t j = 0; j < v.size(); ++j) {
        if (!v[j].is_number() || !std::isfinite(v[j].get<double>()))
          throw ConfigError(vector_at + "/" + std::to_string(j), "expected a number, got " + describe_json_value(v[j]));
        values.push_back(v[j].get<double>());
      }
      spec.projections.push_back(std::move(values));
    }
  }
  if (spec.every_coordinate() && dimension > models_all_max_coordinates)
    throw ConfigError(models.path(), "expected " + too_many_coordinates(dimension));
  models.finish();
  return spec;
}

void check_model_record(const ModelRecordSpec& spec, std::uint64_t nodes, std::uint64_t dimension) {
  if (spec.all_nodes && nodes > models_all_max_nodes)
    throw std::invalid_argument(kModels + "/nodes: expected " + too_many_nodes(nodes));
  for (std::size_t i = 0; i < spec.nodes.size(); ++i)
    if (spec.nodes[i] >= nodes)
      throw std::invalid_argument(kModels + "/nodes/" + std::to_string(i) + ": expected a node id below " +
                                  std::to_string(nodes) + ", got " + std::to_string(spec.nodes[i]));
  for (std::size_t i = 0; i < spec.coordinates.size(); ++i)
    if (spec.coordinates[i] >= dimension)
      throw std::invalid_argument(kModels + "/coordinates/" + std::to_string(i) + ": expected a coordinate index below " +
                                  std::to_string(dimension) + ", got " + std::to_string(spec.coordinates[i]));
  for (std::size_t k = 0; k < spec.projections.size(); ++k)
    if (spec.projections[k].size() != dimension)
      throw std::invalid_argument(kModels + "/project/" + std::to_string(k) + ": expected a vector of length " +
                                  std::to_string(dimension) + " (the model dimension), got " +
                                  std::to_string(spec.projections[k].size()) + " entries");
  if (spec.every_coordinate() && dimension > models_all_max_coordinates)
    throw std::invalid_argument(kModels + ": expected " + too_many_coordinates(dimension));
}

}  // namespace dasgd
