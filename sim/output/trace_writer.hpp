// trace.json (files stage, written while the run goes): the run as a timeline in the Chrome
// trace-event JSON format that ui.perfetto.dev and chrome://tracing open. One track per node
// ("node i"; a node running several computations at once gets extra "node i worker k" tracks so
// spans always nest), a span ("X") per gradient computation, and a flow arrow ("s" → "f", one id
// each) from the sending node to every application of the gradient (or merge of the model) at a
// receiver; a gradient lost for good for a node is an instant on that node's track, and after the
// run the fault timeline (sim/faults/fault_log.hpp, faults.csv) is added: one instant per record, and
// a "down" span on a node's track from each crash to its recovery (or the run's end). It observes
// like any GradientObserver and forwards every call to the run's own observer, so it never changes
// the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/config/trace_config.hpp"
#include "sim/faults/fault_log.hpp"
#include "sim/output/atomic_file.hpp"

namespace dasgd {

class TraceWriter final : public GradientObserver {
 public:
  // Opens `path` (a temporary until commit()). `inner` gets every call first (the staleness
  // recorder; null when record.staleness is false). Throws std::invalid_argument naming
  // /record/trace/nodes when a node id is not below `nodes`.
  TraceWriter(const std::filesystem::path& path, const TraceSpec& spec, std::size_t nodes, GradientObserver* inner);

  std::uint64_t on_compute_start(NodeId node, SimTime s, ConstVectorRef v) override;
  void on_compute_complete(NodeId node, std::uint64_t t, SimTime s, SimTime c, ConstVectorRef gradient,
                           std::uint64_t computation) override;
  void on_apply(NodeId node, std::uint64_t t, SimTime r, bool own) override;
  std::uint64_t on_model_sent(NodeId source, SimTime when, std::uint32_t uses) override;
  void on_model_merged(NodeId node, std::uint64_t token, SimTime when) override;
  void on_model_dropped(std::uint64_t token) override;
  void on_compute_lost(NodeId node, std::uint64_t computation) override;
  void on_gradient_lost(NodeId node, std::uint64_t t, SimTime when) override;
  void on_server_delay(std::uint64_t t, std::optional<std::uint64_t> tau) override {
    if (inner_ != nullptr) inner_->on_server_delay(t, tau);
  }

  // The fault timeline of a run that ended at `end`: one instant ("fault") per record in the time
  // window, a node's on its track (traced nodes only), the others (links, topology changes) on the
  // process track; and per traced node a "down" span ("outage") from each node_down / server_down to
  // the next node_up / server_up or `end`, cut to the window.
  void add_faults(const FaultLog& log, SimTime end);

  // Writes the track names, closes the document and makes trace.json visible.
  void commit();

  std::uint64_t compute_spans() const noexcept { return compute_spans_; }
  std::uint64_t flows() const noexcept { return flows_; }
  std::uint64_t events() const noexcept { return events_; }
  std::uint64_t fault_instants() const noexcept { return fault_instants_; }
  std::uint64_t down_spans() const noexcept { return down_spans_; }
  std::uint64_t losses() const noexcept { return losses_; }

 private:
  struct Sent {  // where and when a gradient or model left its node
    NodeId node = 0;
    std::uint32_t lane = 0;
    SimTime time = 0;
    bool anchored = false;  // its zero-length "send" slice is written
    std::uint32_t uses = 0;  // model sends: merges and drops still to come
  };

  bool traced(NodeId node) const { return node < selected_.size() && selected_[node] != 0; }
  bool in_window(SimTime time) const { return time >= spec_.from && time <= spec_.until; }
  std::uint64_t track(NodeId node, std::uint32_t lane) const { return node + static_cast<std::uint64_t>(lane) * nodes_; }
  void event(const std::string& json);
  void slice(const std::string& name, const char* category, std::uint64_t tid, SimTime start, SimTime duration,
             const std::string& args);
  void instant(const std::string& name, const char* category, const std::string& where, SimTime time,
               const std::string& args);
  // The part of [down, up] inside the window, as a span on `node`'s first track.
  void down_span(NodeId node, bool server, SimTime down, SimTime up, bool recovered);
  // The arrow from `from` (anchored there by a zero-length send slice) to `node` at `when`.
  void flow(Sent& from, const std::string& what, NodeId node, SimTime when);

  TraceSpec spec_;
  std::size_t nodes_;
  GradientObserver* inner_;
  std::vector<char> selected_;
  std::unique_ptr<AtomicFileWriter> file_;
  std::vector<Sent> gradients_;                       // by gradient number t
  std::unordered_map<std::uint64_t, Sent> models_;    // model sends by token, until their last use
  std::vector<std::vector<SimTime>> lane_ends_;       // per node: when each lane's last span ends
  std::uint64_t next_computation_ = 0;
  std::uint64_t next_token_ = 0;
  std::uint64_t compute_spans_ = 0;
  std::uint64_t flows_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t fault_instants_ = 0;
  std::uint64_t down_spans_ = 0;
  std::uint64_t losses_ = 0;
};

}  // namespace dasgd
