// Reading faults.links and faults.transport; see link_fault_config.hpp.
#include "sim/config/link_fault_config.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/config/algorithm_config.hpp"
#include "sim/config/delay_config.hpp"
#include "sim/text/trim.hpp"

namespace dasgd {

namespace {

LossModel parse_loss(JsonReader& reader) {
  const std::string model = reader.choice("model", {"bernoulli", "gilbert_elliott"});
  LossModel loss;
  if (model == "bernoulli") {
    loss = BernoulliLoss{reader.probability("p")};
  } else {
    GilbertElliottLoss ge;
    ge.good_to_bad = reader.probability("good_to_bad");
    ge.bad_to_good = reader.probability("bad_to_good");
    ge.loss_good = reader.probability_or("loss_good", 0.0);
    ge.loss_bad = reader.probability_or("loss_bad", 1.0);
    loss = ge;
  }
  reader.finish();
  return loss;
}

// A trace time: a number >= 0, or "inf" for up_at (the edge never comes back).
double trace_time(const std::string& cell, bool allow_infinity, const std::string& where) {
  if (allow_infinity && (cell == "inf" || cell == "")) return std::numeric_limits<double>::infinity();
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != cell.size() || cell.empty() || !std::isfinite(value) || value < 0)
    throw ConfigError("", where + ": expected a time >= 0" + std::string(allow_infinity ? " or \"inf\"" : "") +
                              ", got \"" + cell + "\"");
  return value;
}

NodeId trace_node(const std::string& cell, const std::string& where) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != cell.size() || cell.empty() || cell[0] == '-' || value >= std::numeric_limits<NodeId>::max())
    throw ConfigError("", where + ": expected a node id (integer >= 0), got \"" + cell + "\"");
  return static_cast<NodeId>(value);
}

// Rows "u,v,down_at,up_at" (an optional header line starting with "u"; '#' comments).
std::vector<ScheduledOutage> read_outage_trace(const std::string& path, const std::string& shown) {
  std::ifstream in(path);
  if (!in) throw ConfigError("", shown + ": cannot read the outage trace");
  std::vector<ScheduledOutage> rows;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trimmed(line);
    if (text.empty() || text[0] == '#') continue;
    if (number == 1 && text[0] == 'u') continue;  // header
    std::vector<std::string> cells;
    std::stringstream fields(text);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(trimmed(cell));
    if (!text.empty() && text.back() == ',') cells.push_back("");
    const std::string where = shown + ":" + std::to_string(number);
    if (cells.size() != 4) throw ConfigError("", where + ": expected 4 fields u,v,down_at,up_at, got " +
                                                     std::to_string(cells.size()));
    ScheduledOutage row{trace_node(cells[0], where), trace_node(cells[1], where), trace_time(cells[2], false, where),
                        trace_time(cells[3], true, where), where};
    if (!(row.up_at > row.down_at)) throw ConfigError("", where + ": expected up_at > down_at");
    if (!rows.empty() && row.down_at < rows.back().down_at)
      throw ConfigError("", where + ": expected rows sorted by down_at (the previous row has " +
                                std::to_string(rows.back().down_at) + ")");
    rows.push_back(row);
  }
  return rows;
}

OutageSpec parse_outages(JsonReader& reader, const std::filesystem::path& base) {
  OutageSpec outages;
  const int given = static_cast<int>(reader.has("up_time") || reader.has("down_time")) +
                    static_cast<int>(reader.has("schedule")) + static_cast<int>(reader.has("trace"));
  if (given != 1)
    throw ConfigError(reader.path(), "expected exactly one of up_time + down_time, schedule, trace");
  if (reader.has("schedule")) {
    outages.kind = OutageSpec::Kind::schedule;
    std::vector<JsonReader> entries = reader.object_list("schedule");
    for (JsonReader& entry : entries) {
      ScheduledOutage row;
      row.u = static_cast<NodeId>(entry.count("u"));
      row.v = static_cast<NodeId>(entry.count("v"));
      row.down_at = entry.non_negative("down_at");
      if (entry.node().contains("up_at") && entry.node()["up_at"].is_null()) {
        entry.accept("up_at");
      } else {
        row.up_at = entry.non_negative("up_at");
        if (!(row.up_at > row.down_at)) entry.fail("up_at", "a time > down_at (or null: never back up)");
      }
      if (!outages.schedule.empty() && row.down_at < outages.schedule.back().down_at)
        entry.fail("down_at", "entries sorted by down_at (a time >= the previous entry's " +
                                  std::to_string(outages.schedule.back().down_at) + ")");
      row.source = entry.path();
      entry.finish();
      outages.schedule.push_back(row);
    }
  } else if (reader.has("trace")) {
    outages.kind = OutageSpec::Kind::schedule;
    const std::string written = reader.string("trace");
    if (written.empty()) reader.fail("trace", "a trace file path");
    std::filesystem::path path(written);
    if (path.is_relative()) path = base / path;
    outages.schedule = read_outage_trace(path.string(), written);
  } else {
    outages.kind = OutageSpec::Kind::law;
    outages.up_time = parse_distribution(reader, "up_time");
    outages.down_time = parse_distribution(reader, "down_time");
    if (!(mean(outages.up_time) > 0)) reader.fail("up_time", "a law with mean > 0");
    if (!(mean(outages.down_time) > 0)) reader.fail("down_time", "a law with mean > 0");
  }
  reader.finish();
  return outages;
}

TransportSpec parse_transport(JsonReader& reader) {
  TransportSpec transport;
  transport.reliable = reader.boolean_or("reliable", false);
  if (transport.reliable) {
    transport.timeout = reader.non_negative("timeout");
    transport.max_retries = static_cast<std::uint32_t>(reader.count_or("max_retries", 5));
    if (reader.node()["max_retries"].get<std::uint64_t>() > 1000000) reader.fail("max_retries", "at most 10^6");
    if (transport.timeout == 0)
      reader.fail("timeout", "a timeout > 0 s (retries after a zero timeout would all leave at the send instant)");
    if (reader.has("algorithms")) {
      const nlohmann::json& list = reader.node()["algorithms"];
      if (!list.is_array()) reader.fail("algorithms", "a list of algorithm names");
      const std::vector<std::string> known = algorithm_names();
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = child_path(reader.path(), "algorithms") + "/" + std::to_string(i);
        if (!list[i].is_string() || std::find(known.begin(), known.end(), list[i].get<std::string>()) == known.end())
          throw ConfigError(at, "expected a registered algorithm name, got " + describe_json_value(list[i]));
        transport.algorithms.push_back(list[i].get<std::string>());
      }
      reader.accept("algorithms");
    }
  } else {
    for (const char* key : {"timeout", "max_retries", "algorithms"})
      if (reader.has(key)) reader.fail(key, std::string("no \"") + key + "\" without \"reliable\": true");
  }
  reader.finish();
  return transport;
}

}  // namespace

LinkFaultSpec parse_link_faults(JsonReader& faults, const std::filesystem::path& base) {
  LinkFaultSpec spec;
  faults.accept("nodes");  // node availability: read by its own reader
  if (faults.has("links")) {
    spec.links = true;
    JsonReader links = faults.object("links");
    if (links.has("loss")) {
      JsonReader loss = links.object("loss");
      spec.loss = parse_loss(loss);
    }
    if (links.has("outages")) {
      JsonReader outages = links.object("outages");
      spec.outages = parse_outages(outages, base);
    }
    if (links.has("reply_timeout")) spec.reply_timeout = links.positive("reply_timeout");
    if (links.has("round_timeout")) spec.round_timeout = links.positive("round_timeout");
    links.finish();
  }
  if (faults.has("transport")) {
    JsonReader transport = faults.object("transport");
    spec.transport = parse_transport(transport);
  }
  faults.finish();
  return spec;
}

std::optional<std::string> link_fault_refusal(const LinkFaultSpec& spec, const std::string& algorithm,
                                              const nlohmann::json& /*algorithm_section*/, bool fifo) {
  if (!spec.active_for(algorithm)) return std::nullopt;
  if (algorithm != "dasgd" && algorithm != "sparsified_asgd" && algorithm != "gossip_sgd" && algorithm != "adpsgd" &&
      algorithm != "parameter_server" && !is_synchronous_round_algorithm(algorithm))
    return "algorithm \"" + algorithm +
           "\" cannot honour link faults or the reliable transport yet (its all-reduce would wait forever "
           "for a lost message); supported: dasgd, sparsified_asgd, gossip_sgd, adpsgd, parameter_server, "
           "minibatch_sgd, local_sgd, dpsgd";
  if (fifo) return "link.fifo with link faults is not supported (a FIFO link's clock under retransmission is not modelled)";
  return std::nullopt;
}

bool is_synchronous_round_algorithm(const std::string& algorithm) {
  return algorithm == "minibatch_sgd" || algorithm == "local_sgd" || algorithm == "dpsgd";
}

void check_round_timeout(const LinkFaultSpec& spec, const std::string& algorithm) {
  if (!is_synchronous_round_algorithm(algorithm) || spec.round_timeout || !(spec.loss_on() || spec.outages_on())) return;
  if (spec.transport.reliable && spec.transport.applies_to(algorithm)) return;  // the give-up is the signal
  throw ConfigError("/faults/links", algorithm + " needs \"round_timeout\" (seconds after a message's send at "
                                     "which the round declares it lost) when messages can be lost without a reliable "
                                     "transport; else its barrier would wait forever for a lost message");
}

void check_reply_timeout(const LinkFaultSpec& spec, const std::string& algorithm) {
  if (algorithm != "parameter_server" || spec.reply_timeout || !(spec.loss_on() || spec.outages_on())) return;
  if (spec.transport.reliable && spec.transport.applies_to(algorithm)) return;  // the give-up is the signal
  throw ConfigError("/faults/links", "parameter_server needs \"reply_timeout\" (seconds a worker waits for the "
                                     "server's model after its push before it computes again on the model it holds) "
                                     "when messages can be lost without a reliable transport; else a worker whose push "
                                     "or reply is lost would wait forever");
}

}  // namespace dasgd
