// The "algorithm" section; see algorithm_config.hpp.
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names{"dasgd"};
  return names;
}

AlgorithmSpec parse_algorithm(JsonReader& reader) {
  AlgorithmSpec spec;
  spec.name = reader.choice_or("name", algorithm_names(), "dasgd");
  if (spec.name == "dasgd") {
    DasgdParams& p = spec.dasgd;
    p.eta = reader.positive("eta");
    p.batch = reader.positive_count_or("batch", 1);
    const std::string delivery =
        reader.choice_or("delivery", {"routed", "flooding", "neighbours"}, "routed");
    p.delivery = delivery == "routed"     ? Delivery::routed
                 : delivery == "flooding" ? Delivery::flooding
                                          : Delivery::neighbours;
    p.header_bytes = reader.non_negative_or("header_bytes", 32);
  }
  reader.finish();
  return spec;
}

}  // namespace dasgd
