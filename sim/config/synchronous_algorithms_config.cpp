// Registers the synchronous baselines (minibatch SGD, D-PSGD, local SGD) in the algorithm registry
// (config → world): each entry reads its keys from the "algorithm" section and builds the algorithm
// once the world exists.
#include <memory>

#include "sim/algorithms/dpsgd.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/minibatch_sgd.hpp"
#include "sim/config/algorithm_config.hpp"

namespace dasgd {


void register_synchronous_algorithms(std::vector<AlgorithmEntry>& entries) {
  // Keys: "eta" (required, >= 0; 0: no gradient steps): step size; "header_bytes" (>= 0, default 32): all-reduce message
  // size is d*8 + header_bytes.
  entries.push_back(
      {"minibatch_sgd",
       "synchronous minibatch SGD: x <- x - eta (1/n) sum_i g_i(x), tree all-reduce and a barrier each round",
       [](JsonReader& reader) {
         MinibatchSgdParams p;
         p.eta = reader.non_negative("eta");
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<MinibatchSgd>(p);
       }});

  // Keys: "eta" (required, >= 0; 0: no gradient steps); "mixing": "metropolis_hastings" (default) | "uniform" (regular graphs
  // only); "variant": "combine_then_adapt" (default, Lian et al. 2017) | "adapt_then_combine";
  // "overlap" (bool, default true for combine_then_adapt, must be false for adapt_then_combine): send
  // the model at the round start, concurrently with the gradient; "header_bytes" (>= 0, default 32).
  entries.push_back(
      {"dpsgd",
       "D-PSGD (Lian et al. 2017): synchronous rounds, x_i <- sum_j W_ij x_j - eta g_i(x_i) with neighbours",
       [](JsonReader& reader) {
         DpsgdParams p;
         p.eta = reader.non_negative("eta");
         p.mixing = reader.choice_or("mixing", {"metropolis_hastings", "uniform"}, "metropolis_hastings") ==
                            "uniform"
                        ? MixingRule::uniform
                        : MixingRule::metropolis_hastings;
         p.variant = reader.choice_or("variant", {"combine_then_adapt", "adapt_then_combine"},
                                      "combine_then_adapt") == "combine_then_adapt"
                         ? DpsgdVariant::combine_then_adapt
                         : DpsgdVariant::adapt_then_combine;
         const bool cta = p.variant == DpsgdVariant::combine_then_adapt;
         p.overlap = reader.boolean_or("overlap", cta);
         if (p.overlap && !cta)
           reader.fail("overlap", "false for adapt_then_combine (it sends x_i - eta g_i, so it waits for the gradient)");
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<Dpsgd>(p);
       }});

  // Keys: "eta" (required, >= 0; 0: no gradient steps); "local_steps" (required, integer >= 1): H local steps between
  // averages (Stich 2019); "header_bytes" (>= 0, default 32).
  entries.push_back(
      {"local_sgd", "local SGD (Stich 2019): H local steps per node, then a global average by tree all-reduce",
       [](JsonReader& reader) {
         LocalSgdParams p;
         p.eta = reader.non_negative("eta");
         p.local_steps = reader.positive_count("local_steps");
         p.header_bytes = reader.non_negative_or("header_bytes", 32);
         reader.finish();
         return algorithm_spec<LocalSgd>(p);
       }});
}

}  // namespace dasgd
