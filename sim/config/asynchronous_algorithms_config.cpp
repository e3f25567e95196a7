// Registers the asynchronous baselines (parameter-server ASGD, AD-PSGD, push-gossip SGD) in the
// algorithm registry (config → world): reads each one's keys from the "algorithm" section.
#include "sim/algorithms/adpsgd.hpp"
#include "sim/algorithms/gossip_sgd.hpp"
#include "sim/algorithms/parameter_server.hpp"
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

void register_asynchronous_baselines(std::vector<AlgorithmEntry>& entries) {
  // {"name": "parameter_server", "eta": η >= 0 (0: no gradient steps), "step": "constant" | "delay_adaptive" (η n_w/max(n_w, τ)),
  //  "header_bytes": bytes added to every d·8-byte pull and push (default 32)}. Needs /graph/kind "star".
  entries.push_back(
      {"parameter_server",
       "parameter-server ASGD on a star: node 0 serves, workers pull, compute, push; delay tau per update",
       [](JsonReader& reader) {
         ParameterServerParams p;
         p.eta = reader.non_negative("eta");
         p.step = reader.choice_or("step", {"constant", "delay_adaptive"}, "constant") == "constant"
                      ? ServerStep::constant
                      : ServerStep::delay_adaptive;
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<ParameterServer>(p);
       }});
  // {"name": "adpsgd", "eta": η >= 0 (0: no gradient steps), "header_bytes": bytes added to each d·8-byte model message and
  //  the size of a lock request (default 32)}.
  entries.push_back(
      {"adpsgd", "AD-PSGD (Lian et al. 2018): compute, then atomically average with a random neighbour, then step",
       [](JsonReader& reader) {
         AdpsgdParams p;
         p.eta = reader.non_negative("eta");
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<Adpsgd>(p);
       }});
  // {"name": "gossip_sgd", "eta": η >= 0 (0: no gradient steps), "header_bytes": bytes added to each d·8-byte model (default 32)}.
  entries.push_back(
      {"gossip_sgd", "push-gossip SGD: local step, push the model to a random neighbour, which averages it in",
       [](JsonReader& reader) {
         GossipSgdParams p;
         p.eta = reader.non_negative("eta");
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<GossipSgd>(p);
       }});
}

}  // namespace dasgd
