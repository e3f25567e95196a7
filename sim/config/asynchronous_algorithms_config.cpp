// Registers the asynchronous baselines (parameter-server ASGD, AD-PSGD, push-gossip SGD).
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

void register_asynchronous_baselines(std::vector<AlgorithmEntry>& /*entries*/) {}

}  // namespace dasgd
