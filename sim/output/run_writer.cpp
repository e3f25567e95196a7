// Run directory writer; see run_writer.hpp.
#include "sim/output/run_writer.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "sim/output/atomic_file.hpp"
#include "sim/output/csv_writer.hpp"
#include "sim/metrics/steady_state.hpp"
#include "sim/predict/prediction_report.hpp"
#include "sim/predict/staleness_prediction.hpp"
#include "sim/output/table.hpp"

namespace dasgd {

namespace {

using nlohmann::json;

// JSON has no NaN or infinity: write null for them.
json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json quantity(const CountingHistogram& histogram) {
  const QuantitySummary s = summarize(histogram);
  return json{{"count", s.count}, {"mean", number(s.mean)}, {"rms", number(s.rms)},
              {"min", s.min},     {"max", s.max},           {"p50", s.p50},
              {"p90", s.p90},     {"p99", s.p99}};
}

json staleness_definitions() {
  return json{
      {"source", "../shared/spec/dasgd.md, 'Staleness - gradient sets'; docs/PAPER_CHECK.md"},
      {"status", "inferred: the DASGD paper's body could not be read, only its abstract"},
      {"t", "gradients are numbered 0,1,2,... in the order their computations complete"},
      {"G_t", "the gradients applied at the computing node when gradient t's computation started"},
      {"M_t", "{0..t-1} minus G_t: gradients that existed but were missing from the model read"},
      {"S_t", "|M_t|"},
      {"S_hat_t", "t - min M_t (0 when M_t is empty); S_t <= S_hat_t"},
      {"receiver_only", "per delivery of gradient k at node j holding set A: |A \\ G_k|"},
      {"symmetric_difference", "per delivery: |A symmetric-difference G_k|"},
      {"version_difference", "per delivery: |A| - |G_k| (what a version counter in the header shows)"},
      {"delay", "per delivery: application time - completion time of k (simulated seconds)"},
      {"B_squared", "||x_t - v_t||^2 / c^2 on the virtual sequence x_{t+1} = x_t - c g_t, c = run.virtual_step "
                    "(eta for DASGD and the parameter server, eta/n for averaging algorithms)"},
      {"quantiles", "nearest rank, exact (integer histograms)"},
      {"deliveries", "applications at nodes other than the computing node; own applications excluded"}};
}

// A comparison of a measured figure that is not finite means nothing: say so instead.
GradientComparison compare_measured(double measured, const BoundResult& bound) {
  if (std::isfinite(measured)) return compare_average_gradient(measured, bound);
  GradientComparison c;
  c.measured = measured;
  c.bound = bound.total;
  c.ratio = std::nan("");
  c.verdict = Verdict::not_comparable;
  c.label = "not evaluated: the measured average is not finite";
  return c;
}

json bound_json(const BoundResult& bound, const RunResult& result) {
  json terms = json::array();
  for (const BoundTerm& term : bound.terms)
    terms.push_back({{"name", term.name}, {"value", number(term.value)}, {"in_total", term.in_total}});
  json conditions = json::array();
  for (const BoundCondition& c : bound.conditions)
    conditions.push_back({{"name", c.name}, {"status", to_string(c.status)}, {"detail", c.detail}});
  json out{{"name", bound.name},
           {"label", to_string(bound.label)},
           {"quantity", to_string(bound.quantity)},
           {"terms", terms},
           {"total", number(bound.total)},
           {"predicted_iterations",
            bound.predicted_iterations ? number(*bound.predicted_iterations) : json(nullptr)},
           {"conditions", conditions},
           {"applicability", to_string(bound.applicability)},
           {"note", bound.note}};
  const GradientRecorder& recorder = *result.recorder;
  if (bound.quantity == BoundQuantity::average_squared_gradient) {
    const GradientComparison c = compare_measured(recorder.mean_grad_sq_virtual(), bound);
    out["comparison"] = {{"measured_average_grad_sq_virtual", number(c.measured)},
                         {"bound", number(c.bound)},
                         {"ratio", number(c.ratio)},
                         {"verdict", to_string(c.verdict)},
                         {"label", c.label}};
  }
  std::optional<double> measured;
  if (recorder.first_below_epsilon_virtual()) measured = static_cast<double>(*recorder.first_below_epsilon_virtual());
  const IterationComparison it = compare_iterations(measured, bound);
  out["iterations"] = {{"measured_gradients_to_epsilon", it.measured ? number(*it.measured) : json(nullptr)},
                       {"predicted", it.predicted ? number(*it.predicted) : json(nullptr)},
                       {"ratio", it.ratio ? number(*it.ratio) : json(nullptr)},
                       {"verdict", to_string(it.verdict)},
                       {"label", it.label}};
  return out;
}

double slowest_mean_compute_time(const RunResult& result) {
  double slowest = 0;
  for (const NodeSummary& node : result.node_summaries) slowest = std::max(slowest, node.mean_compute_time);
  return slowest;
}

json steady_state_json(const RunResult& result) {
  const SteadyState st = steady_state(result.recorder->statistics(), result.end_time, slowest_mean_compute_time(result));
  return json{{"warmup", st.warmup},
              {"rule", st.rule},
              {"count", st.count},
              {"S_avg", st.count > 0 ? json(st.s_avg) : json(nullptr)},
              {"S_max", st.s_max},
              {"S_hat_avg", st.count > 0 ? json(st.s_hat_avg) : json(nullptr)},
              {"S_hat_max", st.s_hat_max},
              {"note", st.count > 0 ? "" : "no gradient completed after the warm-up: the run is shorter than W"}};
}

// The closed forms for this config (sim/predict, docs/PREDICT.md) beside the measured figures. Pair
// sums on graphs without a distance formula are skipped above this many nodes (dasgd predict does them).
constexpr std::size_t kSummaryPredictionMaxNodes = 4000;

json predicted_json(const RunConfig& config, const RunResult& result, const json& steady) {
  PredictOptions options;
  options.max_nodes_for_pair_sums = kSummaryPredictionMaxNodes;
  options.known_nodes = result.nodes;
  options.max_pmf_size = std::size_t{1} << 20;  // a bounded share of the run's own cost
  json out;
  try {
    const StalenessPrediction p = predict_staleness(config, options);
    PredictionReportOptions report;
    report.per_node = false;
    report.max_pmf_entries = 0;
    out = prediction_json(p, {}, report);
    out.erase("bounds");
    const double measured = result.recorder->statistics().s().mean();
    const bool predicted = p.validity != Validity::no_closed_form && p.s_avg > 0;
    out["ratio_S_avg"] = predicted && result.recorder->gradients() > 0 ? number(measured / p.s_avg) : json(nullptr);
    out["ratio_S_avg_steady_state"] =
        predicted && steady["S_avg"].is_number() ? number(steady["S_avg"].get<double>() / p.s_avg) : json(nullptr);
    if (p.tau_avg) {
      for (const AlgorithmFigure& figure : result.figures)
        if (figure.name == "tau_avg") out["ratio_tau_avg"] = *p.tau_avg > 0 ? number(figure.value / *p.tau_avg) : json(nullptr);
    }
    out["ratio_definition"] = "measured / predicted";
  } catch (const std::exception& error) {
    out = json{{"validity", to_string(Validity::no_closed_form)}, {"reasons", {std::string("not evaluated: ") + error.what()}}};
  }
  return out;
}

json optional_count(const std::optional<std::uint64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

std::vector<std::string> bound_violations(const RunResult& result) {
  std::vector<std::string> violations;
  if (!result.recorder) return violations;
  for (const BoundResult& bound : result.bounds) {
    if (bound.label != BoundLabel::exact_constants) continue;
    if (bound.quantity != BoundQuantity::average_squared_gradient) continue;
    const GradientComparison c = compare_measured(result.recorder->mean_grad_sq_virtual(), bound);
    if (c.verdict == Verdict::over)
      violations.push_back(bound.name + ": measured mean ||grad f(x_t)||^2 = " +
                           std::to_string(c.measured) + " > bound " + std::to_string(c.bound) +
                           " (" + c.label + ")");
  }
  return violations;
}

namespace {
// summary.json "faults": what the fault processes did (only when one ran).
json faults_summary(const RunConfig& config, const RunResult& result) {
  json faults = json::object();
  if (config.node_faults) {
    const NodeFaultSpec& spec = *config.node_faults;
    std::uint64_t crashes = 0, dropped = 0, held = 0, never_up = 0;
    double up = 0;
    for (const NodeFaultCounters& f : result.node_faults) {
      crashes += f.crashes;
      dropped += f.dropped;
      held += f.held;
      up += f.up_time;
      if (f.up_time == 0) ++never_up;
    }
    const double n = static_cast<double>(std::max<std::size_t>(1, result.node_faults.size()));
    std::size_t live_min = result.live_nodes.empty() ? 0 : result.live_nodes.front();
    for (const std::size_t l : result.live_nodes) live_min = std::min(live_min, l);
    faults["nodes"] = {{"process", spec.renewal ? "renewal" : spec.trace_path.empty() ? "schedule" : "trace"},
                       {"messages", to_string(spec.messages)},
                       {"recovery", to_string(spec.recovery)},
                       {"crashes", crashes},
                       {"dropped_while_down", dropped},
                       {"held_while_down", held},
                       {"up_fraction_mean", result.end_time > 0 ? up / (n * result.end_time) : 1.0},
                       {"nodes_never_up", never_up},
                       {"live_nodes_min_sampled", live_min},
                       {"live_nodes_end", result.live_nodes.empty() ? 0 : result.live_nodes.back()}};
  }
  faults["timeline_rows"] = result.fault_log.records().size();
  return faults;
}
}  // namespace

json run_summary(const RunConfig& config, const RunResult& result) {
  const GradientRecorder& recorder = *result.recorder;
  const StalenessStatistics& stats = recorder.statistics();
  json summary;
  summary["dasgd_sim_version"] = DASGD_VERSION;
  summary["name"] = config.name;
  summary["seed"] = config.seed;
  summary["algorithm"] = config.algorithm.name;
  summary["status"] = result.status;
  summary["stop_reason"] = result.stop_reason;
  if (result.divergence_event) {
    const DivergenceEvent& d = *result.divergence_event;
    summary["divergence"] = {{"reason", d.reason},
                             {"time", d.time},
                             {"gradients", d.gradients},
                             {"f_average_model", number(d.f_average)},
                             {"grad_sq_average_model", number(d.grad_sq_average)},
                             {"rule", result.divergence_rule.describe()},
                             {"factor", result.divergence_rule.factor},
                             {"threshold_gap", result.divergence_rule.threshold()}};
  }
  if (result.status == RunStatus::interrupted) {
    summary["interrupted"] = {{"signal", result.interrupted_by},
                              {"time", result.end_time},
                              {"gradients", result.gradients},
                              {"note", "stopped at the next event after the signal; every figure covers the run up "
                                       "to then"}};
  }
  summary["run"] = {{"end_time", result.end_time},
                    {"gradients", result.gradients},
                    {"events", result.events},
                    {"nodes", result.nodes},
                    {"edges", result.edges},
                    {"degree_min", result.min_degree},
                    {"degree_max", result.max_degree},
                    {"dimension", result.dimension},
                    {"messages", result.traffic.messages},
                    {"bytes", result.traffic.bytes},
                    {"deliveries", result.traffic.deliveries},
                    {"duplicates_dropped", result.traffic.duplicates},
                    {"virtual_step", result.virtual_step},
                    {"performance", "wall time and events/s are in timing.json (not reproducible)"}};
  json figures = json::object();
  for (const AlgorithmFigure& figure : result.figures)
    figures[figure.name] = {{"value", number(figure.value)}, {"definition", figure.definition}};
  summary["algorithm_figures"] = figures;
  const ObjectiveConstants& k = result.constants;
  summary["objective"] = {{"kind", config.objective.kind},
                          {"L", number(k.smoothness_L)},
                          {"Q", k.gradient_bound_Q ? number(*k.gradient_bound_Q) : json("unbounded")},
                          {"sigma2", number(k.noise_variance_sigma2)},
                          {"f_star", k.f_star ? number(*k.f_star) : json(nullptr)},
                          {"zeta2", k.dissimilarity_zeta2 ? number(*k.dissimilarity_zeta2) : json(nullptr)},
                          {"f_x0", number(result.initial_f)},
                          {"derivation", k.derivation}};
  json staleness;
  staleness["definitions"] = staleness_definitions();
  staleness["S_avg"] = number(stats.s().mean());
  staleness["S_max"] = stats.s().max();
  staleness["S_hat_avg"] = number(stats.s_hat().mean());
  staleness["S_hat_max"] = stats.s_hat().max();
  staleness["S_rms"] = number(stats.s().rms());
  staleness["S"] = quantity(stats.s());
  staleness["S_hat"] = quantity(stats.s_hat());
  json deliveries{{"count", stats.deliveries()},
                  {"own_applications", stats.own_applications()},
                  {"delay_mean", number(stats.mean_delay())},
                  {"delay_max", number(stats.max_delay())},
                  {"version_difference", quantity(stats.version_difference())}};
  if (result.deliveries_tracked) {
    deliveries["receiver_only"] = quantity(stats.receiver_only());
    deliveries["symmetric_difference"] = quantity(stats.symmetric_difference());
  }
  deliveries["sets_tracked"] = result.deliveries_tracked;
  if (const std::string note = recorder.tracking_note(); !note.empty()) deliveries["sets_note"] = note;
  if (!result.deliveries_note.empty()) deliveries["sets_note"] = result.deliveries_note;
  staleness["deliveries"] = deliveries;
  json b{{"mean", number(recorder.mean_b_squared())}, {"max", number(recorder.max_b_squared())}};
  const std::vector<double> bq = result.b_squared_quantiles ? *result.b_squared_quantiles : recorder.b_squared_quantiles();
  if (bq.size() == 3) {
    b["p50"] = number(bq[0]);
    b["p90"] = number(bq[1]);
    b["p99"] = number(bq[2]);
  }
  staleness["B_squared"] = b;
  if (result.link_faults && stats.has_lost_split()) {
    // ../shared/spec/faults.md: S_t = S_t^transit + S_t^lost, split exactly at each completion.
    staleness["S_transit_avg"] = number(stats.s_transit().mean());
    staleness["S_lost_avg"] = number(stats.s_lost().mean());
    staleness["S_transit"] = quantity(stats.s_transit());
    staleness["S_lost"] = quantity(stats.s_lost());
  }
  summary["staleness"] = staleness;
  if (result.link_faults) {
    const LinkFaultCounters& c = result.link_totals;
    std::uint64_t lost = 0;
    double fraction_sum = 0;
    double fraction_max = 0;
    for (const NodeSummary& node : result.node_summaries) {
      const std::uint64_t others = result.gradients - node.gradients;
      const std::uint64_t missed = recorder.lost_at(node.node);
      lost += missed;
      const double fraction = others == 0 ? 0.0 : static_cast<double>(missed) / static_cast<double>(others);
      fraction_sum += fraction;
      fraction_max = std::max(fraction_max, fraction);
    }
    const double nodes = static_cast<double>(std::max<std::size_t>(1, result.node_summaries.size()));
    summary["link_faults"] = {
        {"processes", result.link_faults_description},
        {"sends", c.sends},
        {"losses", c.losses},
        {"retransmissions", c.retransmissions},
        {"duplicates", c.duplicates},
        {"give_ups", c.give_ups},
        {"acks_lost", c.acks_lost},
        {"messages_dropped", c.dropped},
        {"gradients_never_received", lost},
        {"never_received_fraction_mean", number(fraction_sum / nodes)},
        {"never_received_fraction_max", number(fraction_max)},
        {"definitions",
         {{"sends", "messages handed to a link (first tries; a routed broadcast: one per tree arc it reached)"},
          {"losses", "tries (first or retransmitted) lost on a link by the loss process or an outage"},
          {"retransmissions", "tries after the first (reliable transport)"},
          {"duplicates", "extra copies that reached a receiver and were dropped there"},
          {"give_ups", "messages whose sender reached the retry limit without an acknowledgement"},
          {"messages_dropped", "messages that never got through (lost without the transport, or given up)"},
          {"gradients_never_received", "sum over nodes of the gradients lost for them (no copy can reach them)"},
          {"never_received_fraction", "per node: gradients lost for it / gradients other nodes completed"}}}};
  }
  summary["steady_state"] = steady_state_json(result);
  summary["predicted"] = predicted_json(config, result, summary["steady_state"]);

  const ConvergenceSample& last = result.samples.back();
  const bool diverged = result.status == RunStatus::diverged;
  summary["convergence"] = {
      {"epsilon", config.epsilon},
      {"final", {{"time", last.time},
                 {"f_average_model", number(last.f_average)},
                 {"grad_sq_average_model", number(last.grad_sq_average)},
                 {"consensus_distance", number(last.consensus)}}},
      {"mean_grad_sq_virtual", number(recorder.mean_grad_sq_virtual())},
      {"gradients_to_epsilon",
       diverged ? json{{"virtual_sequence", nullptr},
                       {"computed_at_models", nullptr},
                       {"node_average", nullptr},
                       {"note", "not evaluated: the run diverged"}}
                : json{{"virtual_sequence", optional_count(recorder.first_below_epsilon_virtual())},
                       {"computed_at_models", optional_count(recorder.first_below_epsilon_read())},
                       {"node_average", optional_count(result.first_below_epsilon_average)},
                       {"note", "gradients completed when ||grad f||^2 <= epsilon first held; the node average "
                                "is checked at each metrics row only; null: not reached in this run"}}}};
  if (diverged) summary["convergence"]["mean_grad_sq_virtual"] = nullptr;
  json bounds = json::array();
  for (const BoundResult& bound : result.bounds) bounds.push_back(bound_json(bound, result));
  summary["bounds"] = bounds;
  if (diverged) summary["bounds_not_evaluated"] = "not evaluated: the run diverged (no bound or envelope verdict applies)";
  const std::vector<std::string> violations = bound_violations(result);
  summary["bound_violations"] = violations;
  if (result.faults_on) summary["faults"] = faults_summary(config, result);
  return summary;
}

const std::vector<std::string>& run_file_names() {
  static const std::vector<std::string> names{"config.json",          "summary.json", "timing.json",
                                              "metrics.csv",          "staleness_hist.csv",
                                              "staleness_windows.csv", "nodes.csv",    "gradients.csv",
                                              "faults.csv",           "trace.json",   "models.csv"};
  return names;
}

json run_manifest(const RunConfig& config, const RunResult& result) {
  return json{{"kind", "run"},
              {"dasgd_sim_version", DASGD_VERSION},
              {"name", config.name},
              {"seed", config.seed},
              {"algorithm", config.algorithm.name},
              {"status", result.status},
              {"status_meaning", meaning(result.status)}};
}

void write_run_directory(const RunConfig& config, const RunResult& result,
                         const std::filesystem::path& directory) {
  OutputClaimOptions options;
  options.names = run_file_names();
  OutputDirectory output(directory, options);
  write_run_files(config, result, output.staging());
  output.commit(run_manifest(config, result));
}

void write_run_files(const RunConfig& config, const RunResult& result, const std::filesystem::path& directory,
                     GradientLogStream* streamed) {
  ensure_directory(directory);
  write_file_atomically(directory / "config.json", config.resolved.dump(2) + "\n");
  write_file_atomically(directory / "summary.json", run_summary(config, result).dump(2) + "\n");
  write_file_atomically(directory / "timing.json",
                        json{{"wall_seconds", result.wall_seconds},
                             {"events", result.events},
                             {"events_per_second", result.wall_seconds > 0
                                                       ? static_cast<double>(result.events) / result.wall_seconds
                                                       : 0.0},
                             {"gradients_per_second", result.wall_seconds > 0
                                                          ? static_cast<double>(result.gradients) / result.wall_seconds
                                                          : 0.0},
                             {"deliveries_per_second", result.wall_seconds > 0
                                                           ? static_cast<double>(result.traffic.deliveries) / result.wall_seconds
                                                           : 0.0}}
                                .dump(2) + "\n");
  build_run_tables(config, result, csv_opener(directory), streamed == nullptr);
  if (streamed != nullptr) streamed->commit();
}

void build_run_tables(const RunConfig& config, const RunResult& result, const TableOpener& open, bool gradients) {
  {
    std::vector<std::string> header{"time", "gradients", "events", "f_average_model", "grad_sq_average_model",
                                    "consensus_distance", "f_node_min", "f_node_mean", "f_node_max",
                                    "grad_sq_node_min", "grad_sq_node_mean", "grad_sq_node_max", "messages",
                                    "bytes", "deliveries"};
    // Node faults: the live nodes at each row; graph.dynamic: the live graph's edges (only then, so
    // files without them stay as they were).
    const bool live = !result.live_nodes.empty();
    if (live) header.emplace_back("live_nodes");
    const bool live_edges = !result.live_edges.empty();
    if (live_edges) header.emplace_back("live_edges");
    const auto csv = open("metrics.csv", header);
    std::vector<CsvCell> cells;
    for (std::size_t k = 0; k < result.samples.size(); ++k) {
      const ConvergenceSample& s = result.samples[k];
      const double nan = std::nan("");
      cells = {s.time, s.gradients, s.events, s.f_average, s.grad_sq_average, s.consensus,
               s.has_node_stats ? s.f_min : nan, s.has_node_stats ? s.f_mean : nan,
               s.has_node_stats ? s.f_max : nan, s.has_node_stats ? s.grad_sq_min : nan,
               s.has_node_stats ? s.grad_sq_mean : nan, s.has_node_stats ? s.grad_sq_max : nan,
               s.messages, s.bytes, s.deliveries};
      if (live) cells.emplace_back(static_cast<std::uint64_t>(result.live_nodes[k]));
      if (live_edges) cells.emplace_back(static_cast<std::uint64_t>(result.live_edges[k]));
      csv->row(cells);
    }
    csv->commit();
  }
  const StalenessStatistics& stats = result.recorder->statistics();
  {
    const auto csv = open("staleness_hist.csv", {"quantity", "value", "count"});
    // One row per occupied value: 10^5 rows and more on long gossip runs, so the cells are kept
    // and reassigned instead of built (and freed) per row.
    auto bins = [&](const char* name, const CountingHistogram& h) {
      std::array<CsvCell, 3> cells{CsvCell(name), CsvCell(std::int64_t{0}), CsvCell(std::uint64_t{0})};
      for (const HistogramBin& bin : h.bins()) {
        cells[1] = CsvCell(bin.value);
        cells[2] = CsvCell(bin.count);
        csv->row(cells);
      }
    };
    bins("S", stats.s());
    bins("S_hat", stats.s_hat());
    if (result.deliveries_tracked) {
      bins("receiver_only", stats.receiver_only());
      bins("symmetric_difference", stats.symmetric_difference());
    }
    bins("version_difference", stats.version_difference());
    csv->commit();
  }
  {
    const auto csv = open("staleness_windows.csv",
                          {"kind", "window_start", "window_width", "count", "mean", "max", "mean_hat_or_delay",
                           "max_hat_or_delay"});
    const double width = stats.options().window_width;
    for (const GradientWindow& w : stats.gradient_windows())
      csv->row({"gradients", w.begin, width, w.count, w.mean_s(), w.max_s, w.mean_s_hat(), w.max_s_hat});
    for (const DeliveryWindow& w : stats.delivery_windows())
      csv->row({"deliveries", w.begin, width, w.count,
               result.deliveries_tracked ? w.mean_receiver_only() : std::nan(""),
               result.deliveries_tracked ? static_cast<double>(w.max_receiver_only) : std::nan(""),
               w.mean_delay(), w.max_delay});
    // The steady state (summary.json's steady_state, same numbers): one row from the warm-up W to
    // the end, count, S_avg, S_max, S_hat_avg, S_hat_max (empty means when no gradient was after W).
    if (width > 0) {
      const SteadyState st = steady_state(stats, result.end_time, slowest_mean_compute_time(result));
      const CsvCell none("");
      csv->row({"steady_state", st.warmup, std::max(0.0, result.end_time - st.warmup), st.count,
                st.count > 0 ? CsvCell(st.s_avg) : none, st.s_max, st.count > 0 ? CsvCell(st.s_hat_avg) : none,
                st.s_hat_max});
    }
    // Link faults: per window, mean and max of S^lost, then of S^transit.
    if (result.link_faults)
      for (const LostWindow& w : stats.lost_windows())
        csv->row({"gradients_lost_split", w.begin, width, w.count, w.mean_lost(), w.max_lost, w.mean_transit(),
                  w.max_transit});
    csv->commit();
  }
  {
    std::vector<std::string> header{"node", "degree", "speed", "straggler", "mean_compute_time", "gradients",
                                    "S_mean", "S_max", "S_hat_mean", "S_hat_max", "deliveries_received",
                                    "delivery_delay_mean", "delivery_delay_max", "receiver_only_mean",
                                    "receiver_only_max", "final_f", "final_grad_sq"};
    // Node faults: up-time fraction over [0, end], crashes, messages dropped / held while down.
    const bool faults = !result.node_faults.empty();
    if (faults) header.insert(header.end(), {"up_fraction", "crashes", "dropped_while_down", "held_while_down"});
    // Link faults: the S^transit / S^lost split, gradients never received, transport counters.
    if (result.link_faults)
      header.insert(header.end(), {"S_transit_mean", "S_lost_mean", "S_lost_max", "gradients_never_received",
                                   "never_received_fraction", "missing_at_end", "sends", "losses",
                                   "retransmissions", "duplicates", "give_ups"});
    const auto csv = open("nodes.csv", header);
    const auto compute = stats.per_node_compute();
    const auto delivery = stats.per_node_delivery();
    const auto lost = stats.per_node_lost();
    const StalenessTracker& tracker = result.recorder->tracker();
    // Without an observer (record.staleness false) the statistics hold no per-node entries.
    const NodeComputeStats no_compute{};
    const NodeDeliveryStats no_delivery{};
    std::vector<CsvCell> cells;
    for (const NodeSummary& node : result.node_summaries) {
      const NodeComputeStats& c = node.node < compute.size() ? compute[node.node] : no_compute;
      const NodeDeliveryStats& d = node.node < delivery.size() ? delivery[node.node] : no_delivery;
      cells = {static_cast<std::uint64_t>(node.node), static_cast<std::uint64_t>(node.degree),
               node.speed, node.straggler ? "true" : "false", node.mean_compute_time,
               node.gradients, c.mean_s(), c.max_s, c.mean_s_hat(), c.max_s_hat, d.count,
               d.mean_delay(), d.max_delay,
               result.deliveries_tracked ? d.mean_receiver_only() : std::nan(""),
               result.deliveries_tracked ? static_cast<double>(d.max_receiver_only) : std::nan(""),
               node.final_f, node.final_grad_sq};
      if (faults) {
        const NodeFaultCounters& f = result.node_faults[node.node];
        cells.insert(cells.end(), {result.end_time > 0 ? f.up_time / result.end_time : 1.0, f.crashes, f.dropped, f.held});
      }
      if (result.link_faults) {
        const NodeLostStats split = node.node < lost.size() ? lost[node.node] : NodeLostStats{};
        const std::uint64_t never = result.recorder->lost_at(node.node);
        const std::uint64_t others = result.gradients - node.gradients;
        const std::uint64_t applied = tracker.completed_count() == 0 ? 0 : tracker.applied_count(node.node);
        const LinkFaultCounters counters =
            node.node < result.link_per_node.size() ? result.link_per_node[node.node] : LinkFaultCounters{};
        cells.insert(cells.end(),
                     {CsvCell(split.mean_transit()), CsvCell(split.mean_lost()), CsvCell(split.max_lost),
                      CsvCell(never),
                      CsvCell(others == 0 ? 0.0 : static_cast<double>(never) / static_cast<double>(others)),
                      CsvCell(tracker.completed_count() - applied), CsvCell(counters.sends), CsvCell(counters.losses),
                      CsvCell(counters.retransmissions), CsvCell(counters.duplicates), CsvCell(counters.give_ups)});
      }
      csv->row(cells);
    }
    csv->commit();
  }
  if (result.faults_on) {
    // The fault timeline (time, kind, node, edge; -1: not about one node / edge), in event order.
    const auto csv = open("faults.csv", {"time", "kind", "node", "edge"});
    for (const FaultRecord& r : result.fault_log.records())
      csv->row({r.time, std::string(to_string(r.kind)), r.node, r.edge});
    csv->commit();
  }
  if (!result.models.columns.empty()) {
    // record.models, long format: one row per logged node and metrics row.
    const ModelLog& log = result.models;
    std::vector<std::string> header{"time", "gradients", "node"};
    header.insert(header.end(), log.columns.begin(), log.columns.end());
    const auto csv = open("models.csv", header);
    const std::size_t width = log.columns.size();
    std::vector<CsvCell> cells;
    for (std::size_t r = 0; r < log.rows(); ++r) {
      cells = {log.time[r], log.gradients[r], log.node[r]};
      for (std::size_t c = 0; c < width; ++c) cells.emplace_back(log.values[r * width + c]);
      csv->row(cells);
    }
    csv->commit();
  }
  if (gradients && config.record.per_gradient) {
    const bool tau = result.recorder->options().server_delays;
    const auto csv = open("gradients.csv", GradientLogStream::header(result.link_faults, tau));
    for (const GradientLogRow& row : result.recorder->log())
      csv->row(GradientLogStream::cells(row, result.link_faults, tau));
    csv->commit();
  }
}

}  // namespace dasgd
