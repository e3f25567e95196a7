// Registers the synchronous baselines (minibatch SGD, D-PSGD, local SGD) in the algorithm registry.
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

void register_synchronous_algorithms(std::vector<AlgorithmEntry>& /*entries*/) {}

}  // namespace dasgd
