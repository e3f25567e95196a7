// The meaning and unit of config keys; see config_descriptions.hpp. Laws (compute.time,
// link.latency, compute.speeds) share their keys' words through the "law" entries.
#include "sim/config/config_descriptions.hpp"

#include <map>

namespace dasgd {

namespace {

const std::map<std::string, std::string>& descriptions() {
  static const std::map<std::string, std::string> table = {
      {"", "A run config: one JSON file (comments allowed); see README.md, Configuration."},
      {"/$schema", "the JSON Schema an editor completes against; dasgd ignores it"},
      {"/name", "the run's name (default: the config file's name without .json)"},
      {"/seed", "master seed: every random stream is split from it"},
      {"/common_random_numbers", "every algorithm sees the same compute and link delay draws"},
      {"/epsilon", "accuracy at which gradients-to-epsilon and the bounds are evaluated (||grad f||^2; default stop.grad_norm_sq, else 0.01)"},
      {"/graph", "the network graph (topologies/)"},
      {"/graph/kind", "the graph's family, or file"},
      {"/graph/nodes", "number of nodes"},
      {"/graph/rows", "rows of the grid or torus"},
      {"/graph/cols", "columns of the grid or torus"},
      {"/graph/dimension", "hypercube dimension: 2^dimension nodes"},
      {"/graph/branching", "children per inner node"},
      {"/graph/height", "levels below the root"},
      {"/graph/p", "probability of each edge"},
      {"/graph/degree", "degree of every node"},
      {"/graph/k", "lattice degree before rewiring (even)"},
      {"/graph/beta", "rewiring probability"},
      {"/graph/m", "edges each new node brings"},
      {"/graph/path", "graph file: CSV or whitespace edge list (SNAP, networkx), Matrix Market .mtx, GraphML, DOT; relative to the config's directory"},
      {"/graph/format", "graph file format (default: from the extension)"},
      {"/compute", "how long each gradient computation takes (simulated seconds)"},
      {"/compute/time", "compute time law, seconds (a bare number is a constant)"},
      {"/compute/speeds", "per-node speed factors: a list with one per node, or a law; durations are divided by them"},
      {"/compute/stragglers", "a fraction of nodes slowed down for the whole run"},
      {"/compute/stragglers/fraction", "share of nodes that straggle"},
      {"/compute/stragglers/slowdown", "factor by which a straggler's durations grow"},
      {"/compute/slowdowns", "random per-computation slow-downs"},
      {"/compute/slowdowns/probability", "probability that one computation is slowed"},
      {"/compute/slowdowns/factor", "factor by which it is slowed"},
      {"/compute/trace", "CSV of measured durations (columns node,duration; seconds); relative to the config's directory"},
      {"/compute/trace_exhausted", "when a node's trace runs out: start again, or fail"},
      {"/link", "message delays on links"},
      {"/link/latency", "latency law, seconds (a bare number is a constant)"},
      {"/link/bandwidth", "bytes per second; transfer time = latency + bytes / bandwidth"},
      {"/link/fifo", "messages on a link arrive in the order sent"},
      {"/objective", "the function the nodes minimise (objectives/)"},
      {"/objective/kind", "the objective"},
      {"/objective/dimension", "model dimension d"},
      {"/objective/heterogeneous", "each node gets its own f_i (the average stays f)"},
      {"/objective/noise", "stochastic-gradient noise"},
      {"/objective/noise/kind", "additive Gaussian noise, or minibatches of a finite sum"},
      {"/objective/noise/sigma2", "variance of the gradient noise (sum over coordinates)"},
      {"/objective/noise/batch_size", "samples per minibatch"},
      {"/algorithm", "the algorithm and its own keys (README.md, Algorithms)"},
      {"/algorithm/name", "the algorithm"},
      {"/algorithm/eta", "step size"},
      {"/algorithm/delivery", "how gradients reach the other nodes: along shortest paths, by flooding, or to neighbours only"},
      {"/algorithm/batch", "gradients per message"},
      {"/algorithm/header_bytes", "bytes of each message's header"},
      {"/algorithm/local_steps", "local steps between averaging rounds"},
      {"/algorithm/mixing", "mixing weights of the graph"},
      {"/algorithm/variant", "order of the local step and the averaging"},
      {"/algorithm/step", "parameter server: constant eta, or the delay-adaptive eta n_w / max(n_w, tau)"},
      {"/algorithm/sparsifier", "which coordinates an update sends: the largest (Top-k) or random ones (Random-k)"},
      {"/algorithm/k", "coordinates sent per update, 1..d (exactly one of k and gamma)"},
      {"/algorithm/gamma", "share of coordinates sent per update, k/d in (0, 1]"},
      {"/algorithm/rescale", "Random-k values multiplied by d/k (unbiased; random_k only)"},
      {"/algorithm/error_feedback", "each node keeps what it did not send and adds it to its next update"},
      {"/algorithm/virtual_gradient", "the virtual sequence steps with the full gradient or with what was sent"},
      {"/objective/samples", "samples of the finite sum"},
      {"/objective/heterogeneity", "how far apart the nodes' own f_i are (with heterogeneous)"},
      {"/objective/minimiser", "quadratic: x* itself, a number (every coordinate), d numbers, or a law (normal, uniform, constant); replaces minimiser_scale"},
      {"/initial_models", "per-node starting models (default: the objective's x_0 for every node); exactly one of law, values, file (docs/EXPERIMENTS.md)"},
      {"/initial_models/law", "coordinates drawn per (node, coordinate): normal (mean, std), uniform (low, high) or constant (value)"},
      {"/initial_models/values", "d numbers (one model for every node), or n*d numbers: node 0's model, then node 1's, ..."},
      {"/initial_models/file", "CSV of d numbers a line, one line per node or one for all (relative to the config)"},
      {"/stop", "when the run stops (at least one of time, gradients, gradients_per_node, grad_norm_sq; the first to fire wins)"},
      {"/stop/time", "simulated seconds"},
      {"/stop/gradients", "gradients completed (all nodes together)"},
      {"/stop/gradients_per_node", "per-node budget: a node starts no computation once it has completed this many gradients; stops when every computing node has (docs/EXPERIMENTS.md)"},
      {"/stop/grad_norm_sq", "stop once ||grad f(x_avg)||^2 is at most this, checked at each metrics row"},
      {"/stop/drain", "after stopping, deliver every message in flight"},
      {"/stop/divergence_factor", "diverged once f(x_avg) - f* exceeds this many times its start value (default 1e6)"},
      {"/record", "what the run writes"},
      {"/record/interval", "simulated seconds between metrics rows (0: none by time; default stop.time / 200)"},
      {"/record/every_gradients", "gradients between metrics rows (0: none by count)"},
      {"/record/per_gradient", "write gradients.csv, one row per gradient"},
      {"/record/node_stats", "per-node f and ||grad f||^2 in every metrics row"},
      {"/record/deliveries", "per-delivery set staleness: true, false or \"auto\" (by the estimated window)"},
      {"/record/staleness", "false: no staleness observer at all (speed runs; no gradients.csv, no bounds)"},
      {"/record/staleness_window", "width of the staleness-over-time windows, simulated seconds (default stop.time / 50)"},
      {"/record/models", "models.csv: chosen node models at every metrics row, as coordinates and/or projections (docs/OUTPUTS.md)"},
      {"/record/models/nodes", "node ids (each once, in the order rows are written), or \"all\" (graphs of at most 1024 nodes)"},
      {"/record/models/coordinates", "coordinate indices logged as columns x<k> (neither this nor project: every coordinate, d <= 1024)"},
      {"/record/models/project", "vectors v_j of length d (lists of numbers): columns p<j> = <x_i, v_j>"},
      {"/record/trace", "trace.json, the run's timeline for ui.perfetto.dev: true, or {nodes, from, until}"},
      {"/record/trace/nodes", "node ids whose tracks are written (default: every node)"},
      {"/record/trace/from", "simulated seconds: nothing earlier is written"},
      {"/record/trace/until", "simulated seconds: nothing later is written"},
      {"/output", "where the run writes"},
      {"/output/directory", "output directory (default runs/<name>)"},
  };
  return table;
}

// Keys every law object has, wherever it sits (compute.time, link.latency, compute.speeds).
const std::map<std::string, std::string>& law_keys() {
  static const std::map<std::string, std::string> table = {
      {"law", "the distribution"},
      {"value", "the constant value"},
      {"mean", "mean"},
      {"shift", "smallest value (the exponential part is added to it)"},
      {"low", "smallest value"},
      {"high", "largest value"},
      {"mu", "mean of the logarithm"},
      {"sigma", "standard deviation of the logarithm"},
      {"cv", "coefficient of variation (standard deviation / mean)"},
      {"shape", "shape parameter"},
      {"scale", "scale parameter (pareto: the smallest value)"},
  };
  return table;
}

}  // namespace

std::string config_key_description(const std::string& pointer) {
  if (const auto it = descriptions().find(pointer); it != descriptions().end()) return it->second;
  for (const char* law_object : {"/compute/time", "/link/latency", "/compute/speeds"}) {
    const std::string prefix = std::string(law_object) + "/";
    if (pointer.rfind(prefix, 0) != 0) continue;
    if (const auto it = law_keys().find(pointer.substr(prefix.size())); it != law_keys().end()) return it->second;
  }
  return "";
}

}  // namespace dasgd
