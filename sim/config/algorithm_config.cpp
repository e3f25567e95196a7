// The "algorithm" section and the registry of algorithms; see algorithm_config.hpp.
#include "sim/config/algorithm_config.hpp"

#include <stdexcept>

#include "sim/algorithms/dasgd.hpp"

namespace dasgd {

namespace {

std::vector<AlgorithmEntry>& registry() {
  static std::vector<AlgorithmEntry> entries = [] {
    std::vector<AlgorithmEntry> all;
    register_dasgd(all);
    register_synchronous_algorithms(all);
    register_asynchronous_baselines(all);
    register_seed_algorithms(all);
    return all;
  }();
  return entries;
}

}  // namespace

const std::vector<AlgorithmEntry>& algorithm_registry() { return registry(); }

const AlgorithmEntry* find_algorithm(const std::string& name) {
  for (const AlgorithmEntry& entry : registry())
    if (entry.name == name) return &entry;
  return nullptr;
}

void register_algorithm(AlgorithmEntry entry) {
  check_registered_name("algorithm", entry.name);
  if (find_algorithm(entry.name) != nullptr)
    throw std::invalid_argument("register_algorithm: an algorithm named \"" + entry.name + "\" is already registered");
  if (!entry.parse) throw std::invalid_argument("register_algorithm: \"" + entry.name + "\" has no parse function");
  registry().push_back(std::move(entry));
}

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names;
  for (const AlgorithmEntry& entry : algorithm_registry()) names.push_back(entry.name);
  return names;
}

AlgorithmSpec parse_algorithm(JsonReader& reader) {
  const std::string name = reader.choice_or("name", algorithm_names(), "dasgd");
  const AlgorithmEntry* entry = find_algorithm(name);
  if (entry == nullptr) reader.fail("name", "a registered algorithm");  // unreachable: choice_or refused it
  AlgorithmSpec spec = entry->parse(reader);
  spec.name = name;
  if (!spec.build) throw std::logic_error("algorithm \"" + name + "\": its parse returned no build function");
  return spec;
}

void register_dasgd(std::vector<AlgorithmEntry>& entries) {
  entries.push_back(
      {"dasgd", "DASGD (Tosi & Theobald 2023): wait-free local steps, gradients broadcast and applied on arrival",
       [](JsonReader& reader) {
         DasgdParams p;
         p.eta = reader.non_negative("eta");
         p.batch = reader.positive_count_or("batch", 1);
         const std::string delivery =
             reader.choice_or("delivery", {"routed", "flooding", "neighbours"}, "routed");
         p.delivery = delivery == "routed"     ? Delivery::routed
                      : delivery == "flooding" ? Delivery::flooding
                                               : Delivery::neighbours;
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<Dasgd>(p);
       }});
}

}  // namespace dasgd
