// The cost estimator (cost_estimate.hpp). Every size is a closed form in the config's numbers,
// computed in double so that nothing overflows however large the config claims the world is; only
// graph files are looked at (one streaming pass counting lines and the largest id, no allocation
// that grows with the file), and compute traces (their mean durations, and whether a node's are
// all zero).
#include "sim/run/cost_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "sim/delay/distribution.hpp"
#include "sim/metrics/staleness_tracker.hpp"
#include "topologies/readers.hpp"

namespace dasgd {

namespace {

constexpr double kBytesPerGeneratedEdge = 8 + 8 + 2 * 4 + 2 * 4 + 2 * 12;  // list, ends, CSR, arc ids, link state
constexpr double kBytesPerFileEdge = 56 + 8 + 16 + kBytesPerGeneratedEdge;   // Edge with attributes, line, duplicate key
constexpr double kBytesPerNode = 8 * 4;                                      // CSR rows, degrees, per-node state
constexpr double kSecondsPerEvent = 2e-6;         // queue operation and handler, measured order (docs/BENCHMARKS.md)
constexpr double kSecondsPerCoordinate = 2e-9;    // one multiply-add over a model coordinate, with memory traffic
// A finite-sum sample costs more than a multiply-add per coordinate (exp, log1p, tanh per sample).
constexpr double kSampleCostFactor = 4;
constexpr double kBytesPerLogRow = 64;            // one gradients.csv row held until written
constexpr double kBytesPerMetricsRow = 96;

struct GraphSize {
  double nodes = 0, edges = 0, mean_distance = 1, extra_bytes = 0;
  double bytes_per_edge = kBytesPerGeneratedEdge;
};

double log2_at_least_1(double x) { return std::max(1.0, std::log2(std::max(2.0, x))); }

// Counts the data lines and the largest node id of an edge list, line by line.
void scan_edge_list(const std::string& path, GraphSize& size) {
  std::ifstream in(path);
  std::string line;
  bool header = true;
  double max_id = 0, lines = 0;
  while (std::getline(in, line)) {
    const auto hash = line.find_first_of("#%");
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // A CSV header has a comma; a whitespace list (SNAP) has none and starts with an edge.
    if (header && line.find(',') == std::string::npos && line.find_first_of("0123456789") == line.find_first_not_of(" \t")) header = false;
    if (header) {
      header = false;
      continue;
    }
    lines += 1;
    // The first two fields are u and v in the usual layout; any column order only shifts which
    // numbers are seen, and the bound n <= 2m below holds regardless.
    for (std::size_t at = 0, field = 0; at < line.size() && field < 2; ++field) {
      char* end = nullptr;
      max_id = std::max(max_id, std::strtod(line.c_str() + at, &end));
      const auto comma = line.find(',', at);
      at = comma != std::string::npos ? comma + 1 : static_cast<std::size_t>(end - line.c_str());
    }
  }
  size.edges = lines;
  size.nodes = std::min(max_id + 1, 2 * lines);  // the reader refuses a node in no edge
}

// GraphML and DOT: occurrences of "<node" / "<edge" (GraphML) or "--" (DOT), by streaming.
double count_occurrences(const std::string& path, const std::string& needle) {
  std::ifstream in(path, std::ios::binary);
  double count = 0;
  std::string carry, chunk(1 << 16, '\0');
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    std::string text = carry + chunk.substr(0, static_cast<std::size_t>(in.gcount()));
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) count += 1;
    carry = text.size() >= needle.size() ? text.substr(text.size() - (needle.size() - 1)) : text;
  }
  return count;
}

GraphSize graph_size(const TopologySpec& spec) {
  GraphSize g;
  const std::string& kind = spec.kind;
  const double n = static_cast<double>(spec.nodes);
  if (kind == "ring") {
    g = {n, n, n / 4};
  } else if (kind == "torus" || kind == "grid") {
    const double r = static_cast<double>(spec.rows), c = static_cast<double>(spec.cols);
    const bool wrap = kind == "torus";
    const double row_edges = c - 1 + ((wrap && c >= 3) ? 1 : 0), col_edges = r - 1 + ((wrap && r >= 3) ? 1 : 0);
    g = {r * c, r * row_edges + c * col_edges, (r + c) / (wrap ? 4 : 3)};
  } else if (kind == "complete") {
    g = {n, n * (n - 1) / 2, 1};
  } else if (kind == "star") {
    g = {n, n - 1, 2};
  } else if (kind == "hypercube") {
    const double d = static_cast<double>(spec.dimension);
    g = {std::ldexp(1.0, static_cast<int>(spec.dimension)), d * std::ldexp(1.0, static_cast<int>(spec.dimension) - 1), d / 2};
  } else if (kind == "balanced_tree") {
    const double r = static_cast<double>(spec.branching), h = static_cast<double>(spec.height);
    const double nodes = r == 1 ? h + 1 : (std::pow(r, h + 1) - 1) / (r - 1);
    g = {nodes, nodes - 1, std::max(1.0, 2 * h - 1)};
  } else if (kind == "exponential") {
    g = {n, n * log2_at_least_1(n), log2_at_least_1(n) / 2};
    g.extra_bytes = g.edges * 8;  // the sorted pair keys
  } else if (kind == "erdos_renyi" || kind == "random_regular" || kind == "watts_strogatz" || kind == "barabasi_albert") {
    double m = 0;
    if (kind == "erdos_renyi") m = spec.p * n * (n - 1) / 2 * 1.01;
    if (kind == "random_regular") m = n * static_cast<double>(spec.degree) / 2;
    if (kind == "watts_strogatz") m = n * static_cast<double>(spec.k) / 2;
    if (kind == "barabasi_albert") m = static_cast<double>(spec.m) * (n - static_cast<double>(spec.m));
    g = {n, m, 1};
    if (kind == "random_regular") g.extra_bytes = 3 * m * 8;     // adjacency slots and stubs
    if (kind == "watts_strogatz") g.extra_bytes = 2 * m * 48;    // the hash set of present pairs
    if (kind == "barabasi_albert") g.extra_bytes = 2 * m * 4;    // the degree-weighted end list
  } else if (kind == "file") {
    g.bytes_per_edge = kBytesPerFileEdge;
    if (!input_file_problem(spec.path)) {  // else the reader refuses the file, naming it
      const GraphFileFormat format = spec.format.value_or(GraphFileFormat::edge_list);
      if (format == GraphFileFormat::edge_list || format == GraphFileFormat::matrix_market) {
        scan_edge_list(spec.path, g);  // Matrix Market: its size line counts as the header
      } else if (format == GraphFileFormat::graphml) {
        g.edges = count_occurrences(spec.path, "<edge");
        g.nodes = count_occurrences(spec.path, "<node");
      } else {
        g.edges = count_occurrences(spec.path, "--");
        g.nodes = g.edges + 1;  // a connected graph has at most m + 1 nodes
      }
      std::error_code error;
      const bool parsed_in_place = format == GraphFileFormat::edge_list || format == GraphFileFormat::matrix_market;
      g.extra_bytes = static_cast<double>(std::filesystem::file_size(spec.path, error)) * (parsed_in_place ? 0 : 2);
    }
  }
  if (g.mean_distance == 1 && kind != "complete" && g.nodes > 1) {
    const double mean_degree = std::max(2.0, 2 * g.edges / g.nodes);
    g.mean_distance = std::max(1.0, std::log(g.nodes) / std::log(mean_degree));
  }
  return g;
}

// Mean of the per-node mean durations of a trace, and the first node whose durations are all 0.
struct TraceFacts {
  double mean = 1;
  std::optional<std::uint64_t> all_zero_node;
};

TraceFacts trace_facts(const std::string& path) {
  TraceFacts facts;
  if (input_file_problem(path)) return facts;  // the trace reader refuses it, naming the file
  std::ifstream in(path);
  std::string line;
  std::map<std::uint64_t, double> node_total;
  double sum = 0, count = 0;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (header) {
      header = false;
      continue;
    }
    char* end = nullptr;
    const auto node = std::strtoull(line.c_str(), &end, 10);
    if (end == line.c_str() || *end != ',') continue;  // the trace reader names bad rows
    const double duration = std::strtod(end + 1, nullptr);
    if (!std::isfinite(duration) || duration < 0) continue;
    node_total[node] += duration;
    sum += duration;
    count += 1;
  }
  if (count > 0) facts.mean = sum / count;
  for (const auto& [node, total] : node_total) {
    if (total == 0) {
      facts.all_zero_node = node;
      break;
    }
  }
  return facts;
}

// Mean seconds per gradient at a node, speeds and slow-downs included (base mean / mean speed).
double mean_compute_seconds(const ComputeModelSpec& compute, double trace_mean) {
  if (compute.trace) return trace_mean;
  double seconds = mean(compute.base);
  if (const auto* list = std::get_if<std::vector<double>>(&compute.speeds); list && !list->empty()) {
    double total = 0;
    for (const double s : *list) total += 1 / s;
    seconds *= total / static_cast<double>(list->size());
  } else if (const auto* law = std::get_if<Distribution>(&compute.speeds)) {
    seconds /= mean(*law);
  }
  seconds *= 1 + compute.stragglers.fraction * (compute.stragglers.slowdown - 1);
  seconds *= 1 + compute.slowdowns.probability * (compute.slowdowns.factor - 1);
  return seconds;
}

// Model-sized vectors per node (sim/algorithms/*.hpp: the models matrix, the gradient in progress,
// the algorithm's own buffers, one payload in flight).
double model_copies(const RunConfig& config) {
  const std::string& name = config.algorithm.name;
  const nlohmann::json& section = config.resolved.value("algorithm", nlohmann::json::object());
  if (name == "dasgd") return 4;                 // models, batch sums, gradient, payload
  if (name == "minibatch_sgd") return 1.5;        // gradients; one global model and sum
  if (name == "local_sgd") return 2;
  if (name == "local_async_sgd") {
    const double workers = section.contains("workers") && section["workers"].is_number()
                               ? section["workers"].get<double>() : 1.0;
    return 2 + workers;                           // model, snapshot, one gradient per worker
  }
  return 3;                                       // models, gradient, a second buffer or payload
}

}  // namespace

bool averaging_algorithm(const std::string& name) {
  if (name == "gossip_sgd" || name == "adpsgd" || name == "dpsgd" || name == "local_sgd" ||
      name == "local_async_sgd")
    return true;
  const AlgorithmEntry* entry = find_algorithm(name);  // a registered extension says itself
  return entry != nullptr && entry->averaging;
}

namespace {

double events_per_gradient(const RunConfig& config, const GraphSize& g) {
  const double mean_degree = g.nodes > 0 ? 2 * g.edges / g.nodes : 0;
  if (config.algorithm.name == "dasgd") {
    const nlohmann::json& section = config.resolved.value("algorithm", nlohmann::json::object());
    const std::string delivery = section.value("delivery", std::string("routed"));
    if (delivery == "routed") {
      // Per-hop walk (one transmission per hop per destination) on FIFO or bandwidth-limited links;
      // else one tree expansion per destination (docs/ROUTED_DELIVERY.md).
      const bool per_hop = config.link.fifo || config.link.bandwidth.has_value();
      return 1 + g.nodes * (per_hop ? g.mean_distance : 1);
    }
    if (delivery == "flooding") return 1 + 2 * g.edges;
    return 1 + mean_degree;
  }
  return 2 + mean_degree;
}

// Two significant digits as a person writes them: 0.42, 3.8, 240, 1.7e12 (never "2.4e+02").
std::string two_digits(double x) {
  char text[32];
  std::snprintf(text, sizeof text, x < 1000 ? "%.3g" : "%.2g", x < 1000 && x >= 100 ? std::round(x) : x);
  std::string shown = text;
  if (const auto e = shown.find('e'); e != std::string::npos) {
    std::size_t digits = e + 1;
    if (digits < shown.size() && shown[digits] == '+') shown.erase(digits, 1);
    if (digits < shown.size() && shown[digits] == '-') ++digits;
    while (digits + 1 < shown.size() && shown[digits] == '0') shown.erase(digits, 1);
  }
  return shown;
}

}  // namespace

CostEstimate estimate_cost(const RunConfig& config) {
  CostEstimate c;
  const GraphSize g = graph_size(config.graph);
  c.nodes = g.nodes;
  c.edges = g.edges;
  c.arcs = 2 * g.edges;
  c.dimension = static_cast<double>(config.objective.dimension);
  c.model_copies = model_copies(config);

  // Virtual time.
  TraceFacts trace;
  if (config.compute.trace) trace = trace_facts(config.compute.trace->path);
  if (trace.all_zero_node && !config.stop.gradients && !config.stop.gradients_per_node && config.compute.trace->when_exhausted == TraceExhausted::cycle) {
    throw ConfigError("/compute/trace", config.compute.trace->path + ": every duration of node " +
                                            std::to_string(*trace.all_zero_node) +
                                            " is 0: cycled with a time stop only, its clock never advances "
                                            "(add stop.gradients or trace_exhausted \"error\")");
  }
  const double per_gradient_seconds = std::max(mean_compute_seconds(config.compute, trace.mean), 1e-300);
  double concurrency = c.nodes;
  if (config.algorithm.name == "local_async_sgd") concurrency *= c.model_copies - 2;
  const double rate = concurrency / per_gradient_seconds;  // gradients per virtual second
  const double by_gradients = config.stop.gradients ? static_cast<double>(*config.stop.gradients)
                                                     : std::numeric_limits<double>::infinity();
  const double by_time = config.stop.time ? *config.stop.time * rate : std::numeric_limits<double>::infinity();
  // stop.gradients_per_node: B per node (the parameter server's hub computes none: an upper estimate).
  const double by_budget = config.stop.gradients_per_node
                               ? static_cast<double>(*config.stop.gradients_per_node) * c.nodes
                               : std::numeric_limits<double>::infinity();
  c.gradients = std::min({by_gradients, by_time, by_budget});
  c.end_time = config.stop.time ? std::min(*config.stop.time, c.gradients / rate) : c.gradients / rate;
  if (!config.stop.time && config.record.interval > 0 && config.record.interval < std::ldexp(c.end_time, -40)) {
    std::ostringstream message;
    message << "expected an interval of at least " << std::ldexp(c.end_time, -40)
            << " s: the run ends near t = " << c.end_time
            << " s, where a smaller step no longer moves the virtual clock";
    throw ConfigError("/record/interval", message.str());
  }
  c.events = c.gradients * events_per_gradient(config, g);

  // A heterogeneous minibatch draws from the node's own block of samples.
  if (config.objective.noise.kind == NoiseKind::minibatch && config.objective.heterogeneous && c.nodes > 0) {
    const double share = std::floor(static_cast<double>(config.objective.samples) / c.nodes);
    if (share >= 1 && static_cast<double>(config.objective.noise.batch_size) > share) {
      throw ConfigError("/objective/noise/batch_size",
                        "expected a batch of at most " + two_digits(share) + " (each of the " + two_digits(c.nodes) +
                            " nodes owns samples / nodes of the heterogeneous data), got " +
                            std::to_string(config.objective.noise.batch_size));
    }
  }

  // Memory.
  c.graph_bytes = g.edges * g.bytes_per_edge + g.nodes * kBytesPerNode + g.extra_bytes;
  const double model = c.dimension * 8;
  const bool shifts = config.objective.heterogeneous && !is_finite_sum(config.objective.kind);
  c.model_bytes = g.nodes * model * (c.model_copies + (shifts ? 1 : 0)) + 8 * model;
  if (is_finite_sum(config.objective.kind))
    c.data_bytes = static_cast<double>(config.objective.samples) * (model + 8) * (config.objective.heterogeneous ? 2 : 1);
  {
    // Gradients in flight (rate × delivery delay): each holds a 40-byte record until applied
    // everywhere; with per-delivery sets, also a snapshot of its node's window (W/8 bytes), whose
    // total the tracker caps at its snapshot budget (sim/metrics/staleness_tracker.hpp).
    const double latency = mean(config.link.latency);
    const double window = g.nodes * (1 + g.mean_distance * latency / per_gradient_seconds);
    c.window_gradients = window;
    const bool deliveries = config.record.deliveries.value_or(
        g.nodes <= static_cast<double>(auto_deliveries_max_nodes) && window <= auto_deliveries_max_window);
    // record.staleness false attaches no observer: nothing is tracked.
    c.tracking_bytes = config.record.staleness ? 40 * window : 0.0;
    // Vector clocks keep each origin's gradient indices: 8 bytes per gradient for the whole run.
    if (config.record.staleness && averaging_algorithm(config.algorithm.name)) c.tracking_bytes += 8 * c.gradients;
    if (deliveries && config.record.staleness)
      c.tracking_bytes += 2 * g.nodes * window / 8 +
                          std::min(window * window / 8, static_cast<double>(default_snapshot_budget_bytes));
  }
  const double interval_rows = config.record.interval > 0 ? c.end_time / config.record.interval : 0;
  const double gradient_rows = config.record.every_gradients > 0
                                   ? c.gradients / static_cast<double>(config.record.every_gradients) : 0;
  c.metrics_rows = interval_rows + gradient_rows + 2;
  c.metrics_bytes = c.metrics_rows * (kBytesPerMetricsRow + (config.record.node_stats ? 16 * g.nodes : 0));
  if (config.record.per_gradient) c.log_disk_bytes = c.gradients * kBytesPerLogRow;
  // trace.json: about three trace events per simulator event (a span, or an arrow's two ends and
  // the slice it starts from), for the traced share of the nodes and of the run's time.
  if (config.record.trace) {
    const TraceSpec& trace_spec = *config.record.trace;
    const double node_share = trace_spec.nodes.empty() || !(g.nodes > 0)
                                  ? 1.0 : std::min(1.0, static_cast<double>(trace_spec.nodes.size()) / g.nodes);
    const double end = c.end_time > 0 ? c.end_time : 1.0;
    const double time_share = std::clamp((std::min(trace_spec.until, end) - trace_spec.from) / end, 0.0, 1.0);
    c.trace_disk_bytes = 3 * c.events * trace_bytes_per_event * node_share * time_share;
  }

  // Wall time: events, each gradient's own arithmetic (applied at every node by DASGD), metric rows.
  const double applications = config.algorithm.name == "dasgd" ? g.nodes : 2;
  // A finite-sum objective evaluates every sample at each row (for the average model, and for each
  // node with node_stats); a minibatch gradient costs its batch.
  const bool finite_sum = is_finite_sum(config.objective.kind);
  const double samples = finite_sum ? static_cast<double>(config.objective.samples) : 1;
  const double batch = config.objective.noise.kind == NoiseKind::minibatch
                           ? static_cast<double>(config.objective.noise.batch_size) : (finite_sum ? samples : 1);
  const double sample_cost = finite_sum ? kSampleCostFactor : 1;
  const double row_evaluations = (config.record.node_stats ? g.nodes + 1 : 1) * samples * sample_cost + g.nodes;
  c.wall_seconds = c.events * kSecondsPerEvent +
                   c.gradients * c.dimension * (applications + batch * sample_cost) * kSecondsPerCoordinate +
                   c.metrics_rows * row_evaluations * c.dimension * 3 * kSecondsPerCoordinate;

  const std::pair<double, std::pair<const char*, const char*>> parts[] = {
      {c.graph_bytes, {"the graph", "/graph"}},
      {c.model_bytes, {"the models", "/objective/dimension"}},
      {c.data_bytes, {"the data set", "/objective/samples"}},
      {c.tracking_bytes, {"staleness tracking", averaging_algorithm(config.algorithm.name) ? "/record/staleness" : "/record/deliveries"}},
      {c.metrics_bytes, {"the metrics rows", "/record/interval"}}};
  double largest = -1;
  for (const auto& [bytes, names] : parts) {
    if (bytes > largest) {
      largest = bytes;
      c.largest_component = names.first;
      c.largest_component_path = names.second;
    }
  }
  return c;
}

double estimate_graph_bytes(const TopologySpec& spec) {
  const GraphSize g = graph_size(spec);
  return g.edges * g.bytes_per_edge + g.nodes * kBytesPerNode + g.extra_bytes;
}

void refuse_graph_if_too_large(const TopologySpec& spec, double limit_bytes, const std::string& limit_source) {
  const GraphSize g = graph_size(spec);
  const double bytes = estimate_graph_bytes(spec);
  if (bytes > limit_bytes) {
    throw ConfigError("/graph", "the graph would need about " + human_bytes(bytes) + " (" + two_digits(g.nodes) +
                                    " nodes, " + two_digits(g.edges) + " edges), more than the " +
                                    human_bytes(limit_bytes) + " limit (" + limit_source + ")");
  }
}

std::optional<double> parse_memory_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(value) || value <= 0) return std::nullopt;
  std::string unit(end);
  for (char& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (unit.size() == 2 && unit[1] == 'I') unit.pop_back();  // GiB, MiB, ...
  int shift = 0;
  if (unit.empty()) shift = 0;
  else if (unit == "K") shift = 10;
  else if (unit == "M") shift = 20;
  else if (unit == "G") shift = 30;
  else if (unit == "T") shift = 40;
  else return std::nullopt;
  return std::ldexp(value, shift);
}

std::optional<double> available_memory_bytes() {
  std::optional<double> available;
  {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kilobytes = 0;
    std::string unit;
    while (meminfo >> key >> kilobytes >> unit) {
      if (key == "MemAvailable:") {
        available = kilobytes * 1024;
        break;
      }
    }
  }
  // Inside a container the cgroup's limit may be the tighter one.
  std::ifstream max_file("/sys/fs/cgroup/memory.max"), current_file("/sys/fs/cgroup/memory.current");
  std::string max_text;
  double current = 0;
  if (max_file >> max_text && max_text != "max" && current_file >> current) {
    const double headroom = std::strtod(max_text.c_str(), nullptr) - current;
    if (headroom > 0 && (!available || headroom < *available)) available = headroom;
  }
  return available;
}

std::string human_bytes(double bytes) {
  if (bytes >= 1e12) return two_digits(bytes / 1e12) + " TB";
  if (bytes >= 1e9) return two_digits(bytes / 1e9) + " GB";
  if (bytes >= 1e6) return two_digits(bytes / 1e6) + " MB";
  return two_digits(bytes / 1e3) + " kB";
}

std::string human_duration(double seconds) {
  if (seconds >= 365.25 * 86400) return two_digits(seconds / (365.25 * 86400)) + " years";
  if (seconds >= 86400) return two_digits(seconds / 86400) + " days";
  if (seconds >= 3600) return two_digits(seconds / 3600) + " h";
  if (seconds >= 60) return two_digits(seconds / 60) + " min";
  return two_digits(seconds) + " s";
}

std::string describe_cost(const CostEstimate& c) {
  std::string text = "about " + two_digits(c.events) + " events, " + human_duration(c.wall_seconds) + " wall, " +
                     human_bytes(c.total_bytes()) + " memory (";
  const std::pair<double, const char*> parts[] = {{c.graph_bytes, "graph"},         {c.model_bytes, "models"},
                                                  {c.data_bytes, "data"},           {c.tracking_bytes, "tracking"},
                                                  {c.metrics_bytes, "metrics rows"}};
  bool first = true;
  for (const auto& [bytes, name] : parts) {
    if (bytes < 0.05 * c.total_bytes()) continue;
    text += (first ? "" : ", ") + std::string(name) + " " + human_bytes(bytes);
    first = false;
  }
  if (c.log_disk_bytes >= 1e9) text += std::string(first ? "" : ", ") + "gradients.csv " + human_bytes(c.log_disk_bytes) + " on disk";
  if (c.trace_disk_bytes >= 1e9) text += std::string(first ? "" : ", ") + "trace.json " + human_bytes(c.trace_disk_bytes) + " on disk";
  return text + "; " + two_digits(c.nodes) + " nodes, " + two_digits(c.edges) + " edges, d = " + two_digits(c.dimension) + ")";
}

bool worth_telling(const CostEstimate& c) { return c.wall_seconds > 10 || c.total_bytes() > 1e9; }

void refuse_if_too_costly(const CostEstimate& c, double limit_bytes, const std::string& limit_source) {
  if (c.total_bytes() > limit_bytes) {
    throw ConfigError(c.largest_component_path,
                      "the run would need " + describe_cost(c) + ", more than the " + human_bytes(limit_bytes) +
                          " limit (" + limit_source + "); most of it for " + c.largest_component);
  }
  if (c.wall_seconds > max_wall_seconds) {
    throw ConfigError("/stop", "the run would take " + describe_cost(c) + ", longer than the " +
                                   human_duration(max_wall_seconds) + " a run may take; lower stop.time or stop.gradients");
  }
}

double memory_limit(const std::string& max_memory_flag, std::string& source) {
  if (!max_memory_flag.empty()) {
    const auto parsed = parse_memory_size(max_memory_flag);
    if (!parsed) {
      throw ConfigError("--max-memory", "expected a size such as 4G, 512M or 1000000 (bytes), got \"" +
                                            max_memory_flag + "\"");
    }
    source = "--max-memory " + max_memory_flag;
    return *parsed;
  }
  if (const auto available = available_memory_bytes()) {
    source = "the memory available now, from /proc/meminfo; set --max-memory to change it";
    return *available;
  }
  source = "no limit known";
  return std::numeric_limits<double>::infinity();
}

}  // namespace dasgd
