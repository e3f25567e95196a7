// Parses the config's "algorithm" section into the chosen algorithm's parameters
// (config → world). One entry per algorithm; unknown names get a did-you-mean.
#pragma once

#include <string>
#include <vector>

#include "sim/algorithms/dasgd.hpp"
#include "sim/config/json_reader.hpp"

namespace dasgd {

struct AlgorithmSpec {
  std::string name = "dasgd";
  DasgdParams dasgd;
};

const std::vector<std::string>& algorithm_names();
AlgorithmSpec parse_algorithm(JsonReader& reader);

}  // namespace dasgd
