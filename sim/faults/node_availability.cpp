// Node availability as events; see node_availability.hpp.
#include "sim/faults/node_availability.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/algorithms/algorithm.hpp"
#include "sim/text/trim.hpp"

namespace dasgd {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint64_t kGoesUp = 1, kGoesDown = 0;

double parse_time(const std::string& text, bool allow_inf, const std::string& where) {
  const std::string t = trimmed(text);
  if (allow_inf && (t.empty() || t == "inf" || t == "Inf" || t == "INF")) return kInf;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != t.size() || !std::isfinite(value))
    throw std::invalid_argument(where + "expected a finite time, got \"" + t + "\"");
  if (value < 0) throw std::invalid_argument(where + "expected a time >= 0, got " + t);
  return value;
}
}  // namespace

std::string to_string(DownMessages rule) { return rule == DownMessages::drop ? "drop" : "hold"; }

std::string to_string(Recovery rule) {
  switch (rule) {
    case Recovery::keep: return "keep";
    case Recovery::initial: return "initial";
    case Recovery::neighbour: return "neighbour";
  }
  return "?";
}

std::vector<NodeOutage> read_node_trace(const std::string& path, std::size_t num_nodes) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("node fault trace " + path + ": cannot open file");
  std::vector<NodeOutage> rows;
  std::string line;
  std::size_t number = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    std::vector<std::string> fields;
    std::stringstream split(line);
    std::string field;
    while (std::getline(split, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    if (header) {
      header = false;
      if (fields.size() == 3 && trim(fields[0]) == "node" && trim(fields[1]) == "down_at" && trim(fields[2]) == "up_at")
        continue;
      throw std::invalid_argument(where + "expected the header node,down_at,up_at");
    }
    if (fields.size() != 3) throw std::invalid_argument(where + "expected 3 fields node,down_at,up_at");
    const std::string node_text = trimmed(fields[0]);
    std::size_t used = 0;
    long long node = -1;
    try {
      node = std::stoll(node_text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != node_text.size() || node < 0)
      throw std::invalid_argument(where + "expected a node id, got \"" + node_text + "\"");
    if (static_cast<std::size_t>(node) >= num_nodes)
      throw std::invalid_argument(where + "node " + node_text + " is not in the graph (" +
                                  std::to_string(num_nodes) + " nodes)");
    NodeOutage outage;
    outage.node = static_cast<NodeId>(node);
    outage.down_at = parse_time(fields[1], false, where);
    outage.up_at = parse_time(fields[2], true, where);
    if (!(outage.up_at > outage.down_at))
      throw std::invalid_argument(where + "expected up_at > down_at");
    rows.push_back(outage);
  }
  if (header) throw std::invalid_argument("node fault trace " + path + ": empty file");
  return rows;
}

NodeAvailability::NodeAvailability(const NodeFaultSpec& spec, std::size_t num_nodes, std::uint64_t seed,
                                   FaultLog* log)
    : spec_(spec),
      seed_(seed),
      log_(log),
      up_(num_nodes, 1),
      state_(num_nodes),
      up_since_(num_nodes, 0.0),
      counters_(num_nodes),
      recoveries_(num_nodes, 0),
      pending_(num_nodes),
      live_(num_nodes) {
  if (spec.messages == DownMessages::hold) held_.resize(num_nodes);
  if (spec.renewal) {
    const NodeRenewalSpec& r = *spec.renewal;
    for (const Distribution* law : {&r.up, &r.down})
      if (const auto why = invalid_reason(*law)) throw std::invalid_argument("/faults/nodes/renewal: " + *why);
    churns_.assign(num_nodes, 0);
    if (!r.nodes.empty()) {
      for (const NodeId i : r.nodes) {
        if (i >= num_nodes)
          throw std::invalid_argument("/faults/nodes/renewal/nodes: node " + std::to_string(i) +
                                      " is not in the graph (" + std::to_string(num_nodes) + " nodes)");
        churns_[i] = 1;
      }
    } else if (r.fraction) {
      // Exactly round(f·n) nodes: those with the smallest keys (a keyed, order-free choice).
      const auto count = static_cast<std::size_t>(std::llround(*r.fraction * static_cast<double>(num_nodes)));
      std::vector<std::pair<std::uint64_t, NodeId>> keys(num_nodes);
      for (NodeId i = 0; i < num_nodes; ++i) keys[i] = {mix_key(seed, Stream::node_availability, i, ~std::uint64_t{0}), i};
      std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(count), keys.end());
      for (std::size_t k = 0; k < count; ++k) churns_[keys[k].second] = 1;
    } else {
      churns_.assign(num_nodes, 1);
    }
  }
  outages_ = spec.schedule;
  if (!spec.trace_path.empty()) {
    const std::vector<NodeOutage> trace = read_node_trace(spec.trace_path, num_nodes);
    outages_.insert(outages_.end(), trace.begin(), trace.end());
  }
  for (const NodeOutage& o : outages_) {
    if (o.node >= num_nodes)
      throw std::invalid_argument("/faults/nodes/schedule: node " + std::to_string(o.node) +
                                  " is not in the graph (" + std::to_string(num_nodes) + " nodes)");
  }
  std::stable_sort(outages_.begin(), outages_.end(), [](const NodeOutage& a, const NodeOutage& b) {
    return a.node < b.node || (a.node == b.node && a.down_at < b.down_at);
  });
  for (std::size_t k = 0; k < outages_.size(); ++k) {
    if (k + 1 < outages_.size() && outages_[k + 1].node == outages_[k].node &&
        outages_[k + 1].down_at < outages_[k].up_at)
      throw std::invalid_argument("/faults/nodes: outages of node " + std::to_string(outages_[k].node) +
                                  " overlap (one ends at " + std::to_string(outages_[k].up_at) +
                                  ", the next starts at " + std::to_string(outages_[k + 1].down_at) + ")");
  }
  // Per node, its range of outages.
  for (std::size_t k = outages_.size(); k-- > 0;) state_[outages_[k].node].next_outage = static_cast<std::uint32_t>(k);
  for (std::size_t k = 0; k < outages_.size(); ++k) state_[outages_[k].node].outage_end = static_cast<std::uint32_t>(k + 1);
}

double NodeAvailability::draw(NodeId node, const Distribution& law) {
  Rng rng(mix_key(seed_, Stream::node_availability, node, state_[node].draws++));
  return sample(law, rng);
}

void NodeAvailability::log(SimTime time, NodeId node, bool down) {
  if (log_ == nullptr) return;
  const bool server = server_ && *server_ == node;
  const FaultKind kind = down ? (server ? FaultKind::server_down : FaultKind::node_down)
                              : (server ? FaultKind::server_up : FaultKind::node_up);
  log_->append(time, kind, node);
}

void NodeAvailability::start(Simulator& simulator) {
  const SimTime now = simulator.now();
  for (NodeId i = 0; i < up_.size(); ++i) {
    NodeState& s = state_[i];
    if (s.next_outage < s.outage_end && outages_[s.next_outage].down_at <= now) {
      // Down from the start: joins late at up_at (or never).
      const NodeOutage& o = outages_[s.next_outage++];
      up_[i] = 0;
      --live_;
      log(now, i, true);
      if (std::isfinite(o.up_at)) pending_[i] = simulator.schedule_at(o.up_at, event_type, i, kGoesUp);
      else ++gone_;
      continue;
    }
    schedule_next_down(simulator, i);
  }
}

void NodeAvailability::schedule_next_down(Simulator& simulator, NodeId node) {
  if (stopped_) return;
  NodeState& s = state_[node];
  SimTime at = kInf;
  if (!churns_.empty() && churns_[node]) at = simulator.now() + draw(node, spec_.renewal->up);
  if (s.next_outage < s.outage_end) at = std::min(at, std::max(simulator.now(), outages_[s.next_outage].down_at));
  if (std::isfinite(at)) pending_[node] = simulator.schedule_at(at, event_type, node, kGoesDown);
}

void NodeAvailability::stop(Simulator& simulator) {
  stopped_ = true;
  for (EventId& id : pending_) {
    if (id.sequence != 0) simulator.cancel(id);
    id = EventId{};
  }
}

void NodeAvailability::handle(Simulator& simulator, const Event& event, Algorithm& algorithm) {
  const NodeId node = event.target;
  pending_[node] = EventId{};
  if (event.payload == kGoesDown) {
    if (stopped_ || !up_[node]) return;
    go_down(simulator, node, &algorithm);
  } else {
    if (up_[node]) return;
    go_up(simulator, node, event, &algorithm);
  }
}

void NodeAvailability::go_down(Simulator& simulator, NodeId node, Algorithm* algorithm) {
  const SimTime now = simulator.now();
  NodeState& s = state_[node];
  up_[node] = 0;
  --live_;
  ++counters_[node].crashes;
  ++total_crashes_;
  counters_[node].up_time += now - up_since_[node];
  log(now, node, true);
  // The outage's end: a scheduled outage starting now wins over the renewal's draw.
  SimTime until = kInf;
  if (s.next_outage < s.outage_end && outages_[s.next_outage].down_at <= now) {
    until = outages_[s.next_outage++].up_at;
  } else if (!churns_.empty() && churns_[node]) {
    until = now + draw(node, spec_.renewal->down);
  }
  if (std::isfinite(until)) pending_[node] = simulator.schedule_at(until, event_type, node, kGoesUp);
  else ++gone_;
  if (algorithm != nullptr) algorithm->node_down(simulator, node);
}

void NodeAvailability::go_up(Simulator& simulator, NodeId node, const Event& cause, Algorithm* algorithm) {
  const SimTime now = simulator.now();
  up_[node] = 1;
  ++live_;
  ++recoveries_[node];
  up_since_[node] = now;
  log(now, node, false);
  if (algorithm != nullptr) {
    algorithm->node_up(simulator, node);
    // Held messages, in arrival order, at the recovery instant, before the node computes again.
    if (!held_.empty() && !held_[node].empty()) {
      std::vector<Event> held;
      held.swap(held_[node]);
      for (Event e : held) {
        e.time = now;
        e.sequence = cause.sequence;
        algorithm->handle(simulator, e);
      }
    }
    algorithm->node_resume(simulator, node);
  }
  schedule_next_down(simulator, node);
}

bool NodeAvailability::hold_or_drop(NodeId node, const Event& event) {
  if (spec_.messages == DownMessages::hold) {
    held_[node].push_back(event);
    ++counters_[node].held;
    ++total_held_;
    return true;
  }
  ++counters_[node].dropped;
  ++total_dropped_;
  return false;
}

std::optional<NodeId> NodeAvailability::live_pick(NodeId node, const NodeId* candidates, std::size_t count) const {
  if (count == 0) return std::nullopt;
  Rng rng(mix_key(seed_, Stream::node_availability, node, (std::uint64_t{1} << 63) | recoveries_[node]));
  const std::size_t first = rng.below(count);
  for (std::size_t k = 0; k < count; ++k) {
    const NodeId j = candidates[(first + k) % count];
    if (up_[j]) return j;
  }
  return std::nullopt;
}

std::vector<NodeFaultCounters> NodeAvailability::counters(SimTime end) const {
  std::vector<NodeFaultCounters> out = counters_;
  for (NodeId i = 0; i < up_.size(); ++i)
    if (up_[i] && end > up_since_[i]) out[i].up_time += end - up_since_[i];
  return out;
}

}  // namespace dasgd
