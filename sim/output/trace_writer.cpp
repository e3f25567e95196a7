// Streaming trace.json; see trace_writer.hpp. Timestamps are simulated microseconds (the format's
// unit) with three decimals, whole nanoseconds of simulated time (times are >= 0); the document is written
// as {"displayTimeUnit": ..., "otherData": ..., "traceEvents": [one event per line]}.
#include "sim/output/trace_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace dasgd {

namespace {

constexpr int kProcess = 1;  // every node track belongs to one process, "dasgd run"

// Whole nanoseconds, so that a span's start plus its duration is exactly its end as written.
long long nanoseconds(SimTime seconds) { return std::llround(seconds * 1e9); }

std::string microseconds_of(long long ns) {
  char text[48];
  std::snprintf(text, sizeof text, "%lld.%03lld", ns / 1000, ns % 1000);
  return text;
}

std::string microseconds(SimTime seconds) { return microseconds_of(nanoseconds(seconds)); }

}  // namespace

TraceWriter::TraceWriter(const std::filesystem::path& path, const TraceSpec& spec, std::size_t nodes,
                         GradientObserver* inner)
    : spec_(spec), nodes_(nodes), inner_(inner), selected_(nodes, spec.nodes.empty() ? 1 : 0), lane_ends_(nodes) {
  for (std::size_t i = 0; i < spec.nodes.size(); ++i) {
    if (spec.nodes[i] >= nodes)
      throw std::invalid_argument("/record/trace/nodes/" + std::to_string(i) + ": expected a node id below " +
                                  std::to_string(nodes) + " (the graph's node count), got " + std::to_string(spec.nodes[i]));
    selected_[spec.nodes[i]] = 1;
  }
  file_ = std::make_unique<AtomicFileWriter>(path);
  file_->stream() << "{\"displayTimeUnit\": \"ms\",\n"
                     "\"otherData\": {\"producer\": \"dasgd-sim " DASGD_VERSION "\", \"time\": \"simulated\"},\n"
                     "\"traceEvents\": [\n";
  event(std::string("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": ") + std::to_string(kProcess) +
        ", \"args\": {\"name\": \"dasgd run (simulated time)\"}}");
}

void TraceWriter::event(const std::string& json) {
  std::ostream& out = file_->stream();
  if (events_ > 0) out << ",\n";
  out << json;
  ++events_;
}

void TraceWriter::slice(const std::string& name, const char* category, std::uint64_t tid, SimTime start,
                        SimTime duration, const std::string& args) {
  const long long begin = nanoseconds(start);
  event("{\"name\": \"" + name + "\", \"cat\": \"" + category + "\", \"ph\": \"X\", \"ts\": " + microseconds_of(begin) +
        ", \"dur\": " + microseconds_of(nanoseconds(start + duration) - begin) + ", \"pid\": " + std::to_string(kProcess) + ", \"tid\": " +
        std::to_string(tid) + ", \"args\": {" + args + "}}");
}

std::uint64_t TraceWriter::on_compute_start(NodeId node, SimTime s, ConstVectorRef v) {
  if (inner_ != nullptr) return inner_->on_compute_start(node, s, v);
  return next_computation_++;
}

void TraceWriter::on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c, ConstVectorRef gradient,
                                      std::uint64_t computation) {
  if (inner_ != nullptr) inner_->on_compute_complete(node, t, s, c, gradient, computation);
  // Lanes: the first whose last span ended by s, so spans on one track never overlap.
  std::vector<SimTime>& ends = lane_ends_[node];
  std::uint32_t lane = 0;
  while (lane < ends.size() && ends[lane] > s) ++lane;
  if (lane == ends.size()) ends.push_back(c);
  ends[lane] = c;
  if (gradients_.size() <= t) gradients_.resize(t + 1);
  gradients_[t] = Sent{node, lane, c, false, 0};
  if (traced(node) && s <= spec_.until && c >= spec_.from) {
    slice("gradient " + std::to_string(t), "compute", track(node, lane), s, c - s, "\"t\": " + std::to_string(t));
    ++compute_spans_;
  }
}

void TraceWriter::flow(Sent& from, const std::string& what, NodeId node, SimTime when) {
  // Both ends are anchored on zero-length slices at the flow's own timestamps, written before the
  // flow event, so the viewer binds the arrow to them and not to whatever span encloses them.
  if (!from.anchored) {
    slice("send " + what, "message", track(from.node, from.lane), from.time, 0, "");
    from.anchored = true;
  }
  slice("apply " + what, "message", node, when, 0, "\"from\": " + std::to_string(from.node));
  const std::string id = std::to_string(flows_);
  event("{\"name\": \"" + what + "\", \"cat\": \"message\", \"ph\": \"s\", \"id\": " + id + ", \"ts\": " +
        microseconds(from.time) + ", \"pid\": " + std::to_string(kProcess) + ", \"tid\": " +
        std::to_string(track(from.node, from.lane)) + "}");
  event("{\"name\": \"" + what + "\", \"cat\": \"message\", \"ph\": \"f\", \"bp\": \"e\", \"id\": " + id + ", \"ts\": " +
        microseconds(when) + ", \"pid\": " + std::to_string(kProcess) + ", \"tid\": " + std::to_string(node) + "}");
  ++flows_;
}

void TraceWriter::on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) {
  if (inner_ != nullptr) inner_->on_apply(node, t, r, own);
  if (own || t >= gradients_.size()) return;
  Sent& from = gradients_[t];
  if (traced(node) && traced(from.node) && in_window(r) && in_window(from.time))
    flow(from, "gradient " + std::to_string(t), node, r);
}

std::uint64_t TraceWriter::on_model_sent(NodeId source, SimTime when, std::uint32_t uses) {
  const std::uint64_t token = inner_ != nullptr ? inner_->on_model_sent(source, when, uses) : next_token_++;
  if (uses > 0) models_[token] = Sent{source, 0, when, false, uses};
  return token;
}

void TraceWriter::on_model_merged(NodeId node, std::uint64_t token, SimTime when) {
  if (inner_ != nullptr) inner_->on_model_merged(node, token, when);
  const auto it = models_.find(token);
  if (it == models_.end()) return;
  Sent& from = it->second;
  if (traced(node) && traced(from.node) && in_window(when) && in_window(from.time))
    flow(from, "model of node " + std::to_string(from.node), node, when);
  if (--from.uses == 0) models_.erase(it);
}

void TraceWriter::on_model_dropped(std::uint64_t token) {
  if (inner_ != nullptr) inner_->on_model_dropped(token);
  const auto it = models_.find(token);
  if (it != models_.end() && --it->second.uses == 0) models_.erase(it);
}

void TraceWriter::on_compute_lost(NodeId node, std::uint64_t computation) {
  if (inner_ != nullptr) inner_->on_compute_lost(node, computation);
}

void TraceWriter::on_gradient_lost(NodeId node, std::uint64_t t, SimTime when) {
  if (inner_ != nullptr) inner_->on_gradient_lost(node, t, when);
  if (!traced(node) || !in_window(when)) return;
  const std::string from = t < gradients_.size() ? ", \"from\": " + std::to_string(gradients_[t].node) : std::string();
  instant("gradient " + std::to_string(t) + " lost", "loss", ", \"tid\": " + std::to_string(node) + ", \"s\": \"t\"",
          when, "\"t\": " + std::to_string(t) + from);
  ++losses_;
}

void TraceWriter::instant(const std::string& name, const char* category, const std::string& where, SimTime time,
                          const std::string& args) {
  event("{\"name\": \"" + name + "\", \"cat\": \"" + category + "\", \"ph\": \"i\", \"ts\": " + microseconds(time) +
        ", \"pid\": " + std::to_string(kProcess) + where + ", \"args\": {" + args + "}}");
}

void TraceWriter::down_span(NodeId node, bool server, SimTime down, SimTime up, bool recovered) {
  const SimTime begin = std::max(down, spec_.from);
  const SimTime end = std::min(up, spec_.until);
  if (!traced(node) || !(end > begin)) return;
  slice(server ? "server down" : "down", "outage", track(node, 0), begin, end - begin,
        std::string("\"recovered\": ") + (recovered ? "true" : "false"));
  ++down_spans_;
}

void TraceWriter::add_faults(const FaultLog& log, SimTime end) {
  std::unordered_map<std::int64_t, std::pair<SimTime, bool>> down_since;  // nodes down now: since, server
  for (const FaultRecord& record : log.records()) {
    const bool about_node = record.node >= 0 && static_cast<std::size_t>(record.node) < nodes_;
    const bool server = record.kind == FaultKind::server_down || record.kind == FaultKind::server_up;
    if (about_node && (record.kind == FaultKind::node_down || record.kind == FaultKind::server_down)) {
      down_since.emplace(record.node, std::pair{record.time, server});
    } else if (about_node && (record.kind == FaultKind::node_up || record.kind == FaultKind::server_up)) {
      if (const auto it = down_since.find(record.node); it != down_since.end()) {
        down_span(static_cast<NodeId>(record.node), it->second.second, it->second.first, record.time, true);
        down_since.erase(it);
      }
    }
    if (!in_window(record.time) || (about_node && !traced(static_cast<NodeId>(record.node)))) continue;
    instant(std::string(to_string(record.kind)), "fault",
            about_node ? ", \"tid\": " + std::to_string(record.node) + ", \"s\": \"t\"" : std::string(", \"s\": \"p\""),
            record.time, "\"node\": " + std::to_string(record.node) + ", \"edge\": " + std::to_string(record.edge));
    ++fault_instants_;
  }
  // Down for good (or still down at the end): the span runs to the end of the run, in node order.
  std::vector<std::pair<std::int64_t, std::pair<SimTime, bool>>> open(down_since.begin(), down_since.end());
  std::sort(open.begin(), open.end());
  for (const auto& [node, since] : open) down_span(static_cast<NodeId>(node), since.second, since.first, end, false);
}

void TraceWriter::commit() {
  for (NodeId node = 0; node < nodes_; ++node) {
    if (!traced(node)) continue;
    const std::size_t lanes = std::max<std::size_t>(1, lane_ends_[node].size());
    for (std::uint32_t lane = 0; lane < lanes; ++lane) {
      const std::string tid = std::to_string(track(node, lane));
      const std::string name = "node " + std::to_string(node) + (lane == 0 ? "" : " worker " + std::to_string(lane + 1));
      event("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " + std::to_string(kProcess) + ", \"tid\": " + tid +
            ", \"args\": {\"name\": \"" + name + "\"}}");
      // Workers right below their node: node 3's second worker sorts as 3 * 64 + 1.
      event("{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": " + std::to_string(kProcess) + ", \"tid\": " + tid +
            ", \"args\": {\"sort_index\": " + std::to_string(std::uint64_t{node} * 64 + lane) + "}}");
    }
  }
  file_->stream() << "\n]}\n";
  file_->commit();
}

}  // namespace dasgd
