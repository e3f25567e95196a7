// Registers the seed papers' algorithms (config → world): sparsified asynchronous SGD (seed 001,
// sim/algorithms/sparsified_asgd.hpp) and local SGD meets asynchrony (seed 002,
// sim/algorithms/local_async_sgd.hpp). Each parse reads the algorithm's keys and refuses the rest.
#include "sim/algorithms/local_async_sgd.hpp"
#include "sim/algorithms/sparsified_asgd.hpp"
#include "sim/config/algorithm_config.hpp"

namespace dasgd {

namespace {

// "algorithm": {"name": "sparsified_asgd", ...}
//   eta               step size η (required, > 0)
//   sparsifier        "top_k" (default) | "random_k"
//   k                 coordinates sent per update, 1..d (exactly one of k and gamma; default gamma 0.1)
//   gamma             k/d in (0, 1]; k = max(1, round(gamma d))
//   rescale           Random-k values × d/k, unbiased (default false; random_k only)
//   error_feedback    memory e per node: p = e + η g, Δ = C(p), e ← p − Δ (default false)
//   virtual_gradient  "full" (default: x_{t+1} = x_t − η g_t, the paper's sequence) | "sent"
//                     (x_{t+1} = x_t − Δ_t: delay-only B_t)
//   header_bytes      per message, added to 12 k (default 32)
AlgorithmSpec parse_sparsified_asgd(JsonReader& reader) {
  SparsifiedAsgdParams p;
  p.eta = reader.positive("eta");
  p.sparsifier = reader.choice_or("sparsifier", {"top_k", "random_k"}, "top_k") == "top_k"
                     ? SparsifierKind::top_k
                     : SparsifierKind::random_k;
  if (reader.has("k") && reader.has("gamma")) reader.fail("gamma", "either k or gamma, not both (k is given)");
  if (reader.has("k")) {
    p.k = static_cast<Eigen::Index>(reader.positive_count("k"));
  } else {
    p.gamma = reader.positive_or("gamma", 0.1);
    if (p.gamma > 1) reader.fail("gamma", "a number in (0, 1]");
  }
  p.rescale = reader.boolean_or("rescale", false);
  if (p.rescale && p.sparsifier != SparsifierKind::random_k)
    reader.fail("rescale", "false with sparsifier top_k (rescaling by d/k applies to random_k only)");
  p.error_feedback = reader.boolean_or("error_feedback", false);
  p.virtual_gradient =
      reader.choice_or("virtual_gradient", {"full", "sent"}, "full") == "full" ? VirtualGradient::full : VirtualGradient::sent;
  p.header_bytes = reader.non_negative_or("header_bytes", 32);
  reader.finish();
  return algorithm_spec<SparsifiedAsgd>(p);
}

// "algorithm": {"name": "local_async_sgd", ...}
//   eta           step size η (required, > 0)
//   workers       U, Hogwild workers per node on one shared model (default 1)
//   local_steps   H, node-level minibatches between averages; 0 = never average (default 4)
//   partitioned   LPP-SGD: worker r updates only its coordinate block (default false)
//   blocking      post-local SGD baseline: nodes wait for each average; needs workers = 1 (default false)
//   header_bytes  per all-reduce chunk, added to ceil(d/n)·8 (default 32)
AlgorithmSpec parse_local_async_sgd(JsonReader& reader) {
  LocalAsyncSgdParams p;
  p.eta = reader.non_negative("eta");
  const std::uint64_t workers = reader.positive_count_or("workers", 1);
  if (workers > 4096) reader.fail("workers", "at most 4096 workers per node");
  p.workers = static_cast<std::uint32_t>(workers);
  p.local_steps = reader.count_or("local_steps", 4);
  p.partitioned = reader.boolean_or("partitioned", false);
  p.blocking = reader.boolean_or("blocking", false);
  if (p.blocking && p.workers != 1)
    reader.fail("workers", "1 when blocking is true (post-local SGD runs one worker per node)");
  p.header_bytes = reader.non_negative_or("header_bytes", 32);
  reader.finish();
  return algorithm_spec<LocalAsyncSgd>(p);
}

}  // namespace

void register_seed_algorithms(std::vector<AlgorithmEntry>& entries) {
  entries.push_back({"sparsified_asgd",
                     "sparsified asynchronous SGD (Nadiradze et al. 2021): DASGD-style broadcast of Top-k / Random-k "
                     "updates, optional error feedback",
                     parse_sparsified_asgd});
  entries.push_back({"local_async_sgd",
                     "local SGD meets asynchrony (Chatterjee et al.): Hogwild workers per node, non-blocking "
                     "all-reduce averages every H minibatches",
                     parse_local_async_sgd});
}

}  // namespace dasgd
