// Staleness predicted from the config; see staleness_prediction.hpp and docs/PREDICT.md.
#include "sim/predict/staleness_prediction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "sim/delay/compute_model.hpp"
#include "sim/predict/delivery_delays.hpp"
#include "sim/random/rng.hpp"

namespace dasgd {

std::string to_string(Validity validity) {
  switch (validity) {
    case Validity::exact: return "exact";
    case Validity::exact_in_mean: return "exact in the mean";
    case Validity::approximate: return "approximate";
    case Validity::no_closed_form: return "no closed form";
  }
  return "?";
}

namespace {

// The seed run_experiment keys the compute and link draws with (experiment.cpp, delay_seed): the
// speeds a law draws and the stragglers chosen depend on it. Kept equal by
// PredictTest.NodeComputeTimesMatchTheRunsNodesFile.
std::uint64_t delay_seed(const RunConfig& config) {
  if (config.common_random_numbers) return config.seed;
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : config.algorithm.name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return mix_key(config.seed, Stream::compute_delay, h);
}

Validity worse(Validity a, Validity b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

bool averaging(const std::string& name) {
  return name == "dpsgd" || name == "adpsgd" || name == "gossip_sgd" || name == "local_sgd" ||
         name == "local_async_sgd";
}

std::size_t spec_node_count(const TopologySpec& spec) {
  return has_distance_formula(spec) ? formula_nodes(spec) : 0;
}

// Per-node E[c] and sd(c): the base law scaled by the node's factor (speed, straggler), times the
// random slow-down with probability p and factor F: E[c] = E[B] s (1 + p (F − 1)),
// E[c²] = E[B²] s² (1 − p + p F²).
struct ComputeMoments {
  std::vector<double> mean, sd;
};

ComputeMoments compute_moments(const RunConfig& config, std::size_t n) {
  const ComputeModel model(config.compute, n, delay_seed(config));
  ComputeMoments out;
  out.mean.resize(n);
  out.sd.resize(n);
  if (config.compute.trace) {
    const ComputeTrace trace = ComputeTrace::read(config.compute.trace->path, n);
    for (NodeId i = 0; i < n; ++i) {
      const auto d = trace.durations(i);
      double m = 0, s2 = 0;
      for (double x : d) m += x;
      m /= static_cast<double>(d.size());
      for (double x : d) s2 += (x - m) * (x - m);
      out.mean[i] = model.mean_duration(i);
      out.sd[i] = std::sqrt(s2 / static_cast<double>(d.size()));
    }
    return out;
  }
  const RandomSlowdowns& slow = config.compute.slowdowns;
  const double base_mean = mean(config.compute.base);
  const double base_second = variance(config.compute.base) + base_mean * base_mean;
  const double slow_mean = 1 + slow.probability * (slow.factor - 1);
  const double slow_second = 1 - slow.probability + slow.probability * slow.factor * slow.factor;
  for (NodeId i = 0; i < n; ++i) {
    out.mean[i] = model.mean_duration(i);
    const double scale = base_mean > 0 ? out.mean[i] / (base_mean * slow_mean) : 0;
    const double second = base_second * scale * scale * slow_second;
    out.sd[i] = std::sqrt(std::max(0.0, second - out.mean[i] * out.mean[i]));
  }
  return out;
}

double resolved_number(const RunConfig& config, const char* key, double fallback) {
  const nlohmann::json& a = config.resolved.contains("algorithm") ? config.resolved["algorithm"] : nlohmann::json();
  return a.is_object() && a.contains(key) && a[key].is_number() ? a[key].get<double>() : fallback;
}
std::string resolved_string(const RunConfig& config, const char* key, const std::string& fallback) {
  const nlohmann::json& a = config.resolved.contains("algorithm") ? config.resolved["algorithm"] : nlohmann::json();
  return a.is_object() && a.contains(key) && a[key].is_string() ? a[key].get<std::string>() : fallback;
}

// The message a gradient travels in, in bytes (what a bandwidth turns into time).
double message_bytes(const RunConfig& config, StalenessPrediction& p) {
  const double d = static_cast<double>(config.objective.dimension);
  const double header = resolved_number(config, "header_bytes", 32);
  if (config.algorithm.name != "sparsified_asgd") return 8 * d + header;
  double k = resolved_number(config, "k", 0);
  if (k <= 0) k = std::max(1.0, std::round(resolved_number(config, "gamma", 0.1) * d));
  if (config.link.bandwidth) p.reasons.push_back("sparsified message taken as 12 k + header bytes, k = " + std::to_string(k));
  return 12 * k + header;
}

// Tail mass left out of a tabulated law: small against one gradient in the run.
double tail_target(double gradients) { return std::min(1e-9, 1e-3 / std::max(1.0, gradients)); }

void expected_run(const RunConfig& config, StalenessPrediction& p) {
  if (config.stop.time) {
    p.expected_run_time = *config.stop.time;
    p.expected_gradients = p.total_rate * *config.stop.time;
  }
  if (config.stop.gradients) {
    const double g = static_cast<double>(*config.stop.gradients);
    if (!config.stop.time || g < p.expected_gradients) {
      p.expected_gradients = g;
      p.expected_run_time = p.total_rate > 0 ? g / p.total_rate : 0;
    }
  }
  // stop.gradients_per_node B: every computing node (rate μ_i > 0: the parameter server's workers)
  // computes B gradients, the slowest last, at about B / min μ_i; first to fire of the rules wins.
  if (config.stop.gradients_per_node && !p.per_node.empty()) {
    const double b = static_cast<double>(*config.stop.gradients_per_node);
    double slowest = 0, computing = 0;
    for (const NodePrediction& node : p.per_node) {
      if (!(node.rate > 0)) continue;
      slowest = std::max(slowest, 1 / node.rate);
      computing += 1;
    }
    const double g = b * computing;
    if ((!config.stop.time && !config.stop.gradients) || g < p.expected_gradients) {
      p.expected_gradients = g;
      p.expected_run_time = b * slowest;
    }
  }
}

void finish_distribution(StalenessPrediction& p) {
  if (p.distribution.pmf.empty()) {
    if (p.distribution.tail > 0)
      p.distribution_note = "law not tabulated: it spans more entries than the limit (mean only)";
    return;
  }
  if (p.distribution.merged) {
    p.distribution_validity = worse(p.distribution_validity, Validity::exact_in_mean);
    p.distribution_note = "the nodes' laws are too many and too wide to tabulate one by one: their mixture is "
                          "fitted by one Poisson+geometric law with the same mean and variance";
  }
  if (p.distribution.tail > 1e-6) {
    p.distribution_note += (p.distribution_note.empty() ? "" : "; ") +
                           std::string("law tabulated up to ") + std::to_string(p.distribution.pmf.size()) +
                           " (mass beyond: " + std::to_string(p.distribution.tail) + ")";
  }
  p.p50 = p.distribution.quantile(0.5);
  p.p90 = p.distribution.quantile(0.9);
  p.p99 = p.distribution.quantile(0.99);
  p.mean_s_squared = p.distribution.mean_square();
  p.expected_s_max = p.distribution.expected_maximum(p.expected_gradients);
}

// DASGD and sparsified ASGD: E[S_i] = Σ_{j≠i} μ_j (E[c_i] + λ_ji) (+ (b − 1)(n − 1)/2 with batches).
void predict_broadcast(const RunConfig& config, const PredictOptions& options, std::size_t n,
                       const ComputeMoments& c, StalenessPrediction& p) {
  const bool sparsified = config.algorithm.name == "sparsified_asgd";
  const std::string delivery = sparsified ? "routed" : resolved_string(config, "delivery", "routed");
  const double batch = sparsified ? 1 : resolved_number(config, "batch", 1);
  const bool complete = config.graph.kind == "complete";
  if (delivery == "neighbours" && !complete && n > 2) {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back("delivery \"neighbours\" on a graph that is not complete: gradients never reach "
                        "non-neighbours, so S_t grows without bound");
    return;
  }
  const LinkModelSpec& link = config.link;
  const double bytes = message_bytes(config, p);
  const bool random_latency = !is_deterministic(link.latency) && mean(link.latency) > 0;
  auto hop_of = [&](const EdgeAttributes& e) {
    const double latency = e.latency ? *e.latency : mean(link.latency);
    const double bandwidth = effective_bandwidth(link, e);
    return latency + (std::isfinite(bandwidth) ? bytes / bandwidth : 0.0);
  };
  Validity mean_validity = Validity::exact_in_mean;
  Validity law_validity = Validity::exact;
  if (delivery == "flooding" && random_latency) {
    mean_validity = worse(mean_validity, Validity::approximate);
    p.reasons.push_back("flooding with random link latencies: the first arrival is the minimum over paths, "
                        "taken here as the path of least mean time (an upper bound on the mean delay)");
  }
  if (link.fifo && random_latency) {
    mean_validity = worse(mean_validity, Validity::approximate);
    p.reasons.push_back("fifo links with random latencies: a message waits for the ones before it (queueing), "
                        "not in the closed form");
  }
  if (random_latency) law_validity = Validity::exact_in_mean;

  std::vector<double> rates(n);
  for (std::size_t i = 0; i < n; ++i) rates[i] = c.mean[i] > 0 ? 1 / c.mean[i] : 0;
  DeliveryDelays delays;
  const bool equal_rates = std::all_of(rates.begin(), rates.end(), [&](double r) { return r == rates[0]; });
  const std::string& kind = config.graph.kind;
  const bool linear_time = kind == "complete" || kind == "star" || kind == "hypercube" ||
                           (equal_rates && (kind == "ring" || kind == "torus")) ||
                           formula_nodes(config.graph) <= options.max_nodes_for_pair_sums;
  if (has_distance_formula(config.graph) && !linear_time && n > options.max_nodes_for_pair_sums) {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back("not evaluated: unequal rates on " + std::to_string(n) + " nodes need O(n^2) distance sums "
                        "(limit " + std::to_string(options.max_nodes_for_pair_sums) + " here; dasgd predict has none)");
    return;
  }
  if (has_distance_formula(config.graph)) {
    delays = formula_delivery_delays(config.graph, rates, hop_of(EdgeAttributes{}));
  } else {
    if (n > options.max_nodes_for_pair_sums) {
      p.validity = p.distribution_validity = Validity::no_closed_form;
      p.reasons.push_back("not evaluated: " + std::to_string(n) + " nodes on a graph without a distance formula "
                          "need one BFS per source (limit " + std::to_string(options.max_nodes_for_pair_sums) +
                          " here; dasgd predict has none)");
      return;
    }
    const Topology topology = build_topology(config.graph, config.seed);
    if (!topology.has_edge_attributes()) {
      delays = uniform_hop_delivery_delays(topology, rates, hop_of(EdgeAttributes{}));
    } else {
      const PathRule rule = delivery == "flooding" ? PathRule::earliest : PathRule::fewest_hops;
      delays = graph_delivery_delays(
          topology, rates, [&](EdgeId e) { return hop_of(topology.edge_attributes(e)); }, rule);
    }
  }
  p.delay_method = delays.method;
  p.max_delivery_delay = delays.max_delay;
  const double batch_wait = (batch - 1) / 2;  // gradients wait in the batch: (b − 1)/2 computations on average
  if (batch > 1) {
    law_validity = worse(law_validity, Validity::exact_in_mean);
    p.reasons.push_back("batch b > 1: a gradient waits (b - 1)/2 of its node's computations on average before "
                        "it is sent (adds (b - 1)(n - 1)/2 to the mean; the law is approximate)");
  }
  const double total = std::accumulate(rates.begin(), rates.end(), 0.0);
  p.total_rate = total;
  std::vector<PoissonGeometric> laws(n);
  std::vector<double> weights(n);
  double weighted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double others = total - rates[i];
    NodePrediction node;
    node.node = static_cast<NodeId>(i);
    node.mean_compute_time = c.mean[i];
    node.rate = rates[i];
    node.in_flight = delays.weighted_in_flight[i] + batch_wait * static_cast<double>(n - 1);
    node.s_mean = others * c.mean[i] + node.in_flight;
    PoissonGeometric law = count_during(others, c.mean[i], c.sd[i]);
    law.poisson_mean += node.in_flight;
    laws[i] = law;
    weights[i] = total > 0 ? rates[i] / total : 0;
    weighted += rates[i] * node.s_mean;
    p.per_node.push_back(node);
  }
  p.s_avg = total > 0 ? weighted / total : 0;
  p.validity = worse(p.validity, mean_validity);
  p.distribution_validity =
      worse(p.distribution_validity, mean_validity == Validity::approximate ? Validity::approximate : law_validity);
  expected_run(config, p);
  p.distribution = tabulate_mixture(laws, weights, tail_target(p.expected_gradients), options.max_pmf_size);
}

// Parameter server: worker w's cycle R_w = ℓ_down + c_w + ℓ_up; the server applies w's pushes at
// μ'_w = 1/E[R_w]. τ_w = updates during R_w: E[τ_w] = E[R_w] Σ_{j≠w} μ'_j (so τ_avg = W − 1).
// S_w counts the others' gradients completed after the pull was sent or still on their way up:
// E[S_w] = (E[ℓ_down,w] + E[c_w]) Σ_{j≠w} μ'_j + Σ_{j≠w} μ'_j E[ℓ_up,j].
void predict_parameter_server(const RunConfig& config, std::size_t n, const ComputeMoments& c,
                              const PredictOptions& options, StalenessPrediction& p) {
  const LinkModelSpec& link = config.link;
  const double bytes = message_bytes(config, p);
  const double bandwidth = effective_bandwidth(link, EdgeAttributes{});
  const double hop = mean(link.latency) + (std::isfinite(bandwidth) ? bytes / bandwidth : 0.0);
  p.delay_method = "star: one hop each way between the server (node 0) and a worker";
  p.max_delivery_delay = hop;
  std::vector<double> rates(n, 0.0);
  for (std::size_t w = 1; w < n; ++w) rates[w] = 1 / (2 * hop + c.mean[w]);
  const double total = std::accumulate(rates.begin(), rates.end(), 0.0);
  p.total_rate = total;
  std::vector<PoissonGeometric> laws(n);
  std::vector<double> weights(n, 0.0);
  double weighted_s = 0, weighted_tau = 0;
  for (std::size_t w = 0; w < n; ++w) {
    NodePrediction node;
    node.node = static_cast<NodeId>(w);
    node.mean_compute_time = c.mean[w];
    node.rate = rates[w];
    if (w > 0) {
      const double others = total - rates[w];
      node.in_flight = others * hop;  // Σ_{j≠w} μ'_j E[ℓ_up,j], equal hops
      node.s_mean = (hop + c.mean[w]) * others + node.in_flight;
      node.tau_mean = (2 * hop + c.mean[w]) * others;
      PoissonGeometric law = count_during(others, c.mean[w], c.sd[w]);
      law.poisson_mean += others * hop + node.in_flight;
      laws[w] = law;
      weights[w] = rates[w] / total;
      weighted_s += rates[w] * node.s_mean;
      weighted_tau += rates[w] * *node.tau_mean;
    }
    p.per_node.push_back(node);
  }
  p.s_avg = weighted_s / total;
  p.tau_avg = weighted_tau / total;
  p.validity = worse(p.validity, Validity::exact_in_mean);
  const bool zero_latency = hop == 0;
  const bool poisson = std::holds_alternative<law::Exponential>(config.compute.base) && !config.compute.trace &&
                       (config.compute.slowdowns.probability == 0 || config.compute.slowdowns.factor == 1);
  Validity law_validity = zero_latency && poisson ? Validity::exact : Validity::exact_in_mean;
  if (!zero_latency)
    p.reasons.push_back("parameter server with latency: the other workers' pushes are not Poisson (their cycle "
                        "adds constant hops), the law is approximate");
  p.distribution_validity =
      worse(p.distribution_validity, p.validity == Validity::approximate ? Validity::approximate : law_validity);
  expected_run(config, p);
  p.distribution = tabulate_mixture(laws, weights, tail_target(p.expected_gradients), options.max_pmf_size);
}

}  // namespace

StalenessPrediction predict_staleness(const RunConfig& config, const PredictOptions& options) {
  StalenessPrediction p;
  p.algorithm = config.algorithm.name;
  p.validity = Validity::exact_in_mean;
  p.distribution_validity = Validity::exact;
  if (averaging(p.algorithm)) {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back(p.algorithm + " averages models: gradient sets merge through the mixing dynamics "
                        "(which node averages with which, and when), for which no closed form of S_t is derived");
    return p;
  }
  std::size_t n = spec_node_count(config.graph);
  if (n == 0 && options.known_nodes && *options.known_nodes > options.max_nodes_for_pair_sums) {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back("not evaluated: " + std::to_string(*options.known_nodes) + " nodes on a graph without a "
                        "distance formula need one BFS per source (limit " +
                        std::to_string(options.max_nodes_for_pair_sums) + " here; dasgd predict has none)");
    return p;
  }
  if (n == 0) n = build_topology(config.graph, config.seed).num_nodes();
  p.nodes = n;
  const ComputeMoments c = compute_moments(config, n);

  if (p.algorithm == "minibatch_sgd") {
    // A round's n gradients all start on the averaged model: gradient t misses exactly the earlier
    // completions of its own round, its rank r in 0..n−1, whatever the compute laws.
    p.validity = p.distribution_validity = Validity::exact;
    p.reasons.push_back("minibatch SGD: S_t is the rank of gradient t within its synchronous round (uniform on "
                        "0..n-1), exact over complete rounds");
    p.s_avg = (static_cast<double>(n) - 1) / 2;
    for (std::size_t i = 0; i < n; ++i) {
      NodePrediction node;
      node.node = static_cast<NodeId>(i);
      node.mean_compute_time = c.mean[i];
      node.s_mean = p.s_avg;
      p.per_node.push_back(node);
    }
    p.distribution = uniform_rank(n);
    if (config.stop.gradients) p.expected_gradients = static_cast<double>(*config.stop.gradients);
    if (config.stop.gradients_per_node)  // B rounds of n gradients (first rule to fire)
      p.expected_gradients = std::min(config.stop.gradients ? p.expected_gradients : HUGE_VAL,
                                      static_cast<double>(*config.stop.gradients_per_node) * static_cast<double>(n));
    finish_distribution(p);
    p.expected_s_max = static_cast<double>(n) - 1;
    return p;
  }
  if (p.algorithm != "dasgd" && p.algorithm != "sparsified_asgd" && p.algorithm != "parameter_server") {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back(p.algorithm + ": no closed form derived");
    return p;
  }
  const bool zero_compute = std::any_of(c.mean.begin(), c.mean.end(), [](double m) { return !(m > 0); });
  if (zero_compute) {
    p.validity = p.distribution_validity = Validity::no_closed_form;
    p.reasons.push_back("a node's mean compute time is 0: the completion rate is infinite");
    return p;
  }
  // Compute laws: the mean needs stationary, independent renewal processes; the law needs Poisson ones.
  if (config.compute.trace) {
    p.validity = worse(p.validity, Validity::approximate);
    p.reasons.push_back("compute trace: a fixed replayed sequence, not a stationary renewal process");
  } else if (is_deterministic(config.compute.base) &&
             (config.compute.slowdowns.probability == 0 || config.compute.slowdowns.factor == 1)) {
    p.validity = worse(p.validity, Validity::approximate);
    p.reasons.push_back("deterministic compute times: the nodes' phases are not random (they start together and "
                        "stay locked), ties at equal instants decide S_t; the mean assumes random phases");
  }
  const bool poisson = std::holds_alternative<law::Exponential>(config.compute.base) && !config.compute.trace &&
                       (config.compute.slowdowns.probability == 0 || config.compute.slowdowns.factor == 1);
  if (!poisson) {
    p.distribution_validity = worse(p.distribution_validity, Validity::exact_in_mean);
    p.reasons.push_back("compute times not exponential: the others' completions are not Poisson, the law is a "
                        "two-moment approximation");
  }
  if (p.algorithm == "parameter_server") predict_parameter_server(config, n, c, options, p);
  else predict_broadcast(config, options, n, c, p);
  if (p.validity == Validity::no_closed_form) {
    p.per_node.clear();
    p.distribution = {};
    return p;
  }
  finish_distribution(p);
  // An exact law has an exact mean: one label says both.
  if (p.distribution_validity == Validity::exact) p.validity = Validity::exact;
  if (p.expected_s_max)
    p.distribution_note += (p.distribution_note.empty() ? "" : "; ") +
                           std::string("expected S_max treats the run's gradients as independent draws (approximate)");
  return p;
}

std::vector<BoundResult> predicted_bounds(const StalenessPrediction& prediction, const ObjectiveConstants& constants,
                                          double initial_f, double eta, double epsilon) {
  std::vector<BoundResult> out;
  if (prediction.validity == Validity::no_closed_form || !prediction.expected_s_max) return out;
  BoundInputs in;
  in.smoothness_L = constants.smoothness_L;
  in.noise_variance_sigma2 = constants.noise_variance_sigma2;
  in.gradient_bound_Q = constants.gradient_bound_Q;
  if (constants.f_star) in.initial_gap = std::max(0.0, initial_f - *constants.f_star);
  in.step_size = eta;
  in.iterations = static_cast<std::int64_t>(std::max(1.0, std::round(prediction.expected_gradients)));
  in.epsilon = epsilon;
  in.s_avg = prediction.s_avg;
  in.s_max = std::max(prediction.s_avg, *prediction.expected_s_max);
  in.s_hat_avg = in.s_avg;
  in.s_hat_max = in.s_max;
  in.mean_s_squared = prediction.mean_s_squared.value_or(prediction.s_avg * prediction.s_avg);
  in.nodes = static_cast<std::int64_t>(std::max<std::size_t>(1, prediction.nodes));
  try {
    validate(in);
  } catch (const std::invalid_argument&) {
    return out;
  }
  out.push_back(dasgd_bounded_gradient_bound(in));
  out.push_back(dasgd_unbounded_gradient_bound(in));
  out.push_back(descent_envelope_staleness(in));
  for (BoundResult& b : out)
    b.note += (b.note.empty() ? "" : "; ") +
              std::string("evaluated ahead of the run on the predicted staleness (S_hat taken as S, S_max as the "
                          "expected maximum, mean S^2 from the predicted law)");
  return out;
}

}  // namespace dasgd
