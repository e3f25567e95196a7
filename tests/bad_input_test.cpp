// One row per bad input the tool must refuse (issue 11's examples and more): every row runs the
// real `dasgd` binary and asserts exit code 2, exactly one stderr line "dasgd: ..." naming the
// place at fault, and that nothing was written (the row's directory holds only the files the row
// made, no output directory appeared).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/cli_support.hpp"

namespace {

namespace fs = std::filesystem;
using dasgd::testing::fresh_directory;
using dasgd::testing::run_cli;
using nlohmann::json;

// A valid, tiny run: every row breaks one thing in it.
json base_config() {
  return json::parse(R"({
    "name": "bad-input", "seed": 1,
    "graph": {"kind": "ring", "nodes": 4},
    "compute": {"time": {"law": "exponential", "mean": 1.0}},
    "link": {"latency": 0.1},
    "objective": {"kind": "separable_cosine", "dimension": 4},
    "algorithm": {"name": "dasgd", "eta": 0.01},
    "stop": {"gradients": 50}
  })");
}

std::string config_with(const json& patch) {
  json config = base_config();
  if (patch.is_object()) config.merge_patch(patch);
  return config.dump();
}

std::string nested(std::size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

struct BadInput;
void PrintTo(const BadInput& row, std::ostream* out);

struct BadInput {
  std::string name;
  // Arguments after `dasgd`; "{dir}" is the row's own directory. Runs and compares also get
  // --out {dir}/out.
  std::string arguments;
  std::map<std::string, std::string> files;  // written into {dir} before the run
  std::string location;                      // must appear in the error line
  bool fifo = false;                         // also make {dir}/fifo.json a FIFO
};

void PrintTo(const BadInput& row, std::ostream* out) { *out << row.name; }

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

const std::string square_graphml = R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <graph id="G" edgedefault="undirected">
    <node id="a"/><node id="b"/><node id="c"/>
    <edge source="a" target="b"/><edge source="b" target="c"/><edge source="c" target="zz"/>
  </graph>
</graphml>
)";

std::vector<BadInput> bad_inputs() {
  const std::string ring_file_graph = R"({"graph": {"kind": "file", "path": "g.csv", "nodes": null}})";
  std::vector<BadInput> rows = {
      // JSON: syntax, numbers out of range, nesting, files that are not files.
      {"syntax_error", "run {dir}/c.json", {{"c.json", R"({"graph": })"}}, "line 1, column 11"},
      {"empty_file", "run {dir}/c.json", {{"c.json", ""}}, "line 1, column 0: expected valid JSON"},
      {"trailing_garbage", "run {dir}/c.json", {{"c.json", config_with({}) + " x"}}, "expected valid JSON"},
      {"top_level_array", "run {dir}/c.json", {{"c.json", "[1, 2]"}}, "expected a JSON object at the top level"},
      {"nodes_1e400", "run {dir}/c.json",
       {{"c.json", R"({"graph": {"kind": "ring", "nodes": 1e400}})"}}, "/graph/nodes: expected a number within"},
      {"stop_time_1e999", "run {dir}/c.json", {{"c.json", R"({"stop": {"time": 1e999}})"}}, "/stop/time"},
      {"negative_overflow_in_list", "run {dir}/c.json",
       {{"c.json", R"({"compute": {"time": 1, "speeds": [1, 2, -1e400]}})"}}, "/compute/speeds/2"},
      {"exponent_of_a_billion", "run {dir}/c.json", {{"c.json", R"({"seed": 1e+999999999})"}}, "/seed"},
      {"integer_beyond_64_bits", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"nodes": 100000000000000000000}})"))}},
       "/graph/nodes: expected a positive integer"},
      {"lists_nested_1e5_deep", "run {dir}/c.json", {{"c.json", "{\"x\": " + nested(100000, '[', ']') + "}"}},
       "line 1, column 70: expected JSON nested at most 64 levels deep"},
      {"objects_nested_100_deep", "run {dir}/c.json",
       {{"c.json", [] {
          std::string text;
          for (int i = 0; i < 100; ++i) text += "{\"a\": ";
          return text + "1" + std::string(100, '}');
        }()}},
       "nested at most 64 levels"},
      {"config_is_a_directory", "run {dir}", {}, "is a directory, expected a file"},
      {"config_is_a_device", "run /dev/null", {}, "/dev/null: is not a regular file"},
      {"config_is_a_fifo", "run {dir}/fifo.json", {}, "fifo.json: is not a regular file", true},
      {"config_missing", "run {dir}/missing.json", {}, "missing.json: no such file"},
      {"override_nested_too_deep", "run {dir}/c.json --set 'x=" + nested(70, '[', ']') + "'",
       {{"c.json", config_with({})}}, "--set: "},
      {"override_number_overflow", "run {dir}/c.json --set stop.time=1e999",
       {{"c.json", config_with({})}}, "/stop/time: expected a positive number"},
      // η may be 0 (no gradient steps), never negative; sparsified ASGD still needs η > 0.
      {"eta_negative", "run {dir}/c.json --set algorithm.eta=-0.1", {{"c.json", config_with({})}},
       "/algorithm/eta: expected a non-negative number"},
      {"eta_zero_sparsified", "run {dir}/c.json --set 'algorithm.name=\"sparsified_asgd\"' --set algorithm.eta=0",
       {{"c.json", config_with({})}}, "/algorithm/eta: expected a positive number"},
      {"predict_bad_config", "predict {dir}/c.json --set graph.nodes=0", {{"c.json", config_with({})}}, "/graph/nodes"},
      // Worlds that must be refused.
      {"torus_1x1", "run {dir}/c.json", {{"c.json", config_with({{"graph", {{"kind", "torus"}, {"rows", 1}, {"cols", 1}, {"nodes", nullptr}}}})}},
       "/graph/rows: expected rows >= 3 or cols >= 3"},
      {"batch_larger_than_data", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"objective": {"kind": "nonconvex_logistic", "dimension": 4,
          "samples": 10, "noise": {"kind": "minibatch", "batch_size": 11}}})"))}},
       "/objective/noise/batch_size: expected a batch of at most samples = 10"},
      {"batch_larger_than_a_nodes_share", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"objective": {"kind": "nonconvex_logistic", "dimension": 4,
          "samples": 20, "heterogeneous": true, "noise": {"kind": "minibatch", "batch_size": 6}}})"))}},
       "/objective/noise/batch_size: expected a batch of at most 5"},
      {"graphml_edge_to_undeclared_node", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "g.graphml", "nodes": null}})"))},
        {"g.graphml", square_graphml}},
       "g.graphml: <edge> #2 (source \"c\", target \"zz\"): \"zz\" is not the id of any declared <node>"},
      {"graphml_not_xml", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "g.graphml", "nodes": null}})"))},
        {"g.graphml", "<graphml><graph>"}},
       "g.graphml:1: invalid GraphML"},
      {"graphml_nested_too_deep", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "g.graphml", "nodes": null}})"))},
        {"g.graphml", [] {
           std::string text;
           for (int i = 0; i < 1000; ++i) text += "<a>\n";
           return text;
         }()}},
       "g.graphml:65: expected XML elements nested at most 64 levels deep"},
      {"dot_nested_too_deep", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "g.dot", "nodes": null}})"))},
        {"g.dot", "graph G { 0 -- 1 " + nested(10000, '{', '}') + " }"}},
       "g.dot:1: expected DOT subgraphs"},
      {"edge_list_naming_node_2_to_32_minus_2", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(ring_file_graph))}, {"g.csv", "u,v\n0,4294967294\n"}},
       "g.csv: node 1 occurs in no edge"},
      {"edge_list_node_id_2_to_32_minus_1", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(ring_file_graph))}, {"g.csv", "u,v\n0,4294967295\n"}},
       "g.csv:2: v: expected a node id"},
      {"edge_list_negative_id", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(ring_file_graph))}, {"g.csv", "u,v\n0,1\n-1,2\n"}},
       "g.csv:3: u: expected a node id"},
      {"graph_file_is_a_directory", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "sub/", "format": "edgelist", "nodes": null}})"))},
        {"sub/keep", ""}},
       "edge-list file: is a directory"},
      {"graph_file_is_a_device", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "file", "path": "/dev/zero", "format": "edgelist", "nodes": null}})"))}},
       "/dev/zero: edge-list file: is not a regular file"},
      {"graph_file_missing", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(ring_file_graph))}}, "g.csv: edge-list file: no such file"},
      // Node faults (faults.nodes): probabilities, schedule times, unknown nodes, unsupported algorithms.
      {"faults_fraction_above_one", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"renewal": {"up": 1, "down": 1, "fraction": 1.5}}}})"))}},
       "/faults/nodes/renewal/fraction: expected a probability"},
      {"faults_fraction_negative", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"renewal": {"up": 1, "down": 1, "fraction": -0.1}}}})"))}},
       "/faults/nodes/renewal/fraction"},
      {"faults_schedule_negative_time", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"schedule": [{"node": 0, "down_at": -1}]}}})"))}},
       "/faults/nodes/schedule/0/down_at"},
      {"faults_schedule_unsorted", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"schedule": [{"node": 0, "down_at": 5, "up_at": 6},
          {"node": 1, "down_at": 2}]}}})"))}},
       "/faults/nodes/schedule/1/down_at: expected rows sorted by down_at"},
      {"faults_schedule_up_before_down", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"schedule": [{"node": 0, "down_at": 5, "up_at": 4}]}}})"))}},
       "/faults/nodes/schedule/0/up_at: expected up_at > down_at"},
      {"faults_schedule_unknown_node", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"schedule": [{"node": 9, "down_at": 1}]}}})"))}},
       "/faults/nodes/schedule/0/node: expected a node of the graph"},
      {"faults_trace_unknown_node", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"trace": "outages.csv"}}})"))},
        {"outages.csv", "node,down_at,up_at\n1,2,3\n7,1,\n"}},
       "outages.csv:3: node 7 is not in the graph"},
      {"faults_on_local_async_sgd", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "local_async_sgd", "eta": 0.05},
          "faults": {"nodes": {"schedule": [{"node": 1, "down_at": 1}]}}})"))}},
       "/faults/nodes: node faults are supported for"},
      {"faults_initial_recovery_on_minibatch", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "minibatch_sgd", "eta": 0.05}, "record": {"staleness": false},
          "faults": {"nodes": {"schedule": [{"node": 1, "down_at": 1, "up_at": 2}], "recovery": "initial"}}})"))}},
       "/faults/nodes/recovery: minibatch_sgd keeps one shared model"},
      {"faults_neighbour_recovery_on_dasgd", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"nodes": {"schedule": [{"node": 1, "down_at": 1, "up_at": 2}],
          "recovery": "neighbour"}}})"))}},
       "/faults/nodes/recovery: \"neighbour\" needs a model-averaging algorithm"},
      {"faults_neighbour_recovery_on_sparsified_asgd", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "sparsified_asgd", "eta": 0.05, "k": 1},
          "faults": {"nodes": {"schedule": [{"node": 1, "down_at": 1, "up_at": 2}], "recovery": "neighbour"}}})"))}},
       "/faults/nodes/recovery: \"neighbour\" needs a model-averaging algorithm"},
      {"faults_adpsgd_without_timeout", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "adpsgd", "eta": 0.01},
          "faults": {"nodes": {"schedule": [{"node": 1, "down_at": 1}]}}})"))}},
       "/faults/nodes/timeout: adpsgd needs a timeout"},
      {"faults_unknown_process_key", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"node": {}}})"))}},
       "/faults/node: unknown key"},
      {"trace_is_a_directory", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"compute": {"time": null, "trace": "sub"}})"))}, {"sub/keep", ""}},
       "compute trace: is a directory"},
      {"trace_all_zero_with_time_stop", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"compute": {"time": null, "trace": "t.csv"}, "stop": {"gradients": null, "time": 10}})"))},
        {"t.csv", "node,duration\n0,0\n1,1\n2,1\n3,1\n"}},
       "/compute/trace: "},
      {"compute_time_zero_with_time_stop", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"compute": {"time": 0}, "stop": {"gradients": null, "time": 10}})"))}},
       "/compute/time: expected a compute time law with mean > 0"},
      {"record_interval_1e_minus_300", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"stop": {"gradients": null, "time": 10}, "record": {"interval": 1e-300}})"))}},
       "/record/interval: expected an interval of 0 (none by time) or at least"},
      {"record_interval_1e_minus_300_gradient_stop", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"record": {"interval": 1e-300}})"))}}, "/record/interval"},
      {"complete_graph_at_the_accepted_maximum", "run {dir}/c.json --max-memory 8G",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "complete", "nodes": 92682}})"))}},
       "/graph: the run would need about"},
      {"hypercube_dimension_27", "run {dir}/c.json --max-memory 8G",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "hypercube", "dimension": 27, "nodes": null}})"))}},
       "more than the 8.59 GB limit (--max-memory 8G)"},
      {"dimension_1e8", "run {dir}/c.json --max-memory 8G",
       {{"c.json", config_with(json::parse(R"({"objective": {"dimension": 100000000}})"))}},
       "/objective/dimension: the run would need about"},
      {"run_that_would_take_years", "run {dir}/c.json --max-memory 1T",
       {{"c.json", config_with(json::parse(R"({"stop": {"gradients": 1000000000000000}, "record": {"per_gradient": false, "every_gradients": 1000000000000000}})"))}},
       "/stop: the run would take"},
      {"record_trace_as_text", "run {dir}/c.json", {{"c.json", config_with(json::parse(R"({"record": {"trace": "yes"}})"))}},
       "/record/trace: expected true, false or an object"},
      {"record_trace_node_outside_the_graph", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"record": {"trace": {"nodes": [4]}}})"))}},
       "/record/trace/nodes/0: expected a node id below 4"},
      {"max_memory_below_the_run", "run {dir}/c.json --max-memory 1k", {{"c.json", config_with({})}},
       "limit (--max-memory 1k)"},
      {"max_memory_malformed", "run {dir}/c.json --max-memory 4Q", {{"c.json", config_with({})}},
       "--max-memory: expected a size such as 4G"},
      {"compare_number_overflow", "compare {dir}/c.json", {{"c.json", R"({"algorithms": [{"eta": 1e400}]})"}},
       "/algorithms/0/eta: expected a number within"},
      {"compare_file_is_a_directory", "compare {dir}", {}, "is a directory"},
      {"sweep_spec_nested_too_deep", "sweep {dir}/s.json --list", {{"s.json", "{\"base\": " + nested(200, '[', ']') + "}"}},
       "nested at most 64 levels"},
      {"sweep_spec_is_a_directory", "sweep {dir} --list", {}, "is a directory"},
      {"sweep_base_file_overflow", "sweep {dir}/s.json --list",
       {{"s.json", R"({"base": "b.json", "axes": []})"}, {"b.json", R"({"seed": 1e999})"}}, "b.json: /seed"},
      {"graph_config_overflow", "graph --config {dir}/c.json",
       {{"c.json", R"({"graph": {"kind": "ring", "nodes": 1e400}})"}}, "/graph/nodes"},
      {"graph_complete_too_large", "graph --kind complete --nodes 92682", {}, "/graph: the graph would need"},
      // Flags: one line, ranges in words.
      {"bound_negative_L", "bound --L -1 --sigma 1 --S-avg 1 --S-max 1 --eps 0.1", {},
       "dasgd: --L: expected a finite number > 0, got -1"},
      {"bound_infinite_sigma", "bound --L 1 --sigma 1e999 --S-avg 1 --S-max 1 --eps 0.1", {},
       "--sigma: expected a finite number >= 0, got 1e999"},
      {"bound_missing_required", "bound --L 1", {}, "--sigma is required"},
      {"sweep_negative_point", "sweep {dir}/s.json --point -1", {}, "--point: expected an integer >= 0, got -1"},
      {"sweep_zero_jobs", "sweep {dir}/s.json -j 0", {}, "--jobs: Value 0 not in range 1 to 4096"},
      {"graph_negative_nodes", "graph --kind ring --nodes -1", {}, "--nodes: expected an integer >= 0, got -1"},
      {"run_unknown_flag", "run {dir}/c.json --frobnicate", {{"c.json", config_with({})}}, "--frobnicate"},
      {"run_without_config", "run", {}, "config is required"},
      {"no_subcommand", "", {}, "A subcommand is required"},
      // Time-varying graphs (graph.dynamic).
      {"dynamic_unknown_kind", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "rewiring", "period": 1}}})"))}},
       "/graph/dynamic/kind"},
      {"dynamic_zero_period", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "random_matching", "period": 0}}})"))}},
       "/graph/dynamic/period"},
      {"dynamic_negative_period", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "one_peer_exponential", "period": -2}}})"))}},
       "/graph/dynamic/period"},
      {"dynamic_negative_snapshot_time", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "schedule",
          "snapshots": [{"at": -1, "edges": [[0, 1]]}]}}})"))}},
       "/graph/dynamic/snapshots/0/at"},
      {"dynamic_unsorted_snapshot_times", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "schedule",
          "snapshots": [{"at": 2, "edges": [[0, 1]]}, {"at": 1, "edges": [[1, 2]]}]}}})"))}},
       "/graph/dynamic/snapshots/1/at: expected a time after the previous snapshot's"},
      {"dynamic_snapshot_on_other_node_set", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "schedule",
          "snapshots": [{"at": 1, "graph": {"kind": "ring", "nodes": 6}}]}}})"))}},
       "/graph/dynamic/snapshots/0/graph: expected a graph on the same node set as /graph (4 nodes), got 6 nodes"},
      {"dynamic_snapshot_edge_outside_node_set", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "schedule",
          "snapshots": [{"at": 1, "edges": [[0, 1], [2, 9]]}]}}})"))}},
       "/graph/dynamic/snapshots/0/edges/1: expected node ids below 4"},
      {"dynamic_markov_without_rates", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "markov", "period": 1, "on_rate": 1}}})"))}},
       "/graph/dynamic/off_rate"},
      {"dynamic_minibatch_on_a_graph_that_can_disconnect", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "random_matching", "period": 1}},
          "algorithm": {"name": "minibatch_sgd", "eta": 0.01}})"))}},
       "/graph/dynamic/kind: minibatch_sgd needs every snapshot of a time-varying graph connected"},
      {"dynamic_minibatch_on_a_disconnected_snapshot", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "schedule",
          "snapshots": [{"at": 1, "edges": [[0, 1], [1, 2], [2, 3], [3, 0]]}, {"at": 2, "edges": [[0, 1], [2, 3]]}]}},
          "algorithm": {"name": "minibatch_sgd", "eta": 0.01}})"))}},
       "/graph/dynamic/snapshots/1: minibatch_sgd needs every snapshot"},
      {"dynamic_on_an_algorithm_that_cannot_honour_it", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "star", "dynamic": {"kind": "random_matching", "period": 1}},
          "algorithm": {"name": "parameter_server", "eta": 0.01}})"))}},
       "/graph/dynamic/kind: parameter_server on a time-varying graph needs every snapshot a subgraph of the star"},
      {"dynamic_parameter_server_snapshot_off_the_star", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "star", "dynamic": {"kind": "schedule",
          "snapshots": [{"at": 1, "edges": [[0, 1], [0, 2]]}, {"at": 2, "edges": [[0, 1], [2, 3]]}]}},
          "algorithm": {"name": "parameter_server", "eta": 0.01}})"))}},
       "/graph/dynamic/snapshots/1/edges/1: parameter_server on a time-varying graph"},
      // Link faults (faults.links, faults.transport).
      {"loss_probability_above_one", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"loss": {"model": "bernoulli", "p": 1.5}}}})"))}},
       "/faults/links/loss/p"},
      {"gilbert_elliott_negative_probability", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"loss": {"model": "gilbert_elliott",
          "good_to_bad": -0.1, "bad_to_good": 0.5}}}})"))}},
       "/faults/links/loss/good_to_bad"},
      {"outage_schedule_negative_time", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"outages": {"schedule": [
          {"u": 0, "v": 1, "down_at": -1, "up_at": 2}]}}}})"))}},
       "/faults/links/outages/schedule/0/down_at"},
      {"outage_schedule_unsorted", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"outages": {"schedule": [
          {"u": 0, "v": 1, "down_at": 5, "up_at": 6}, {"u": 1, "v": 2, "down_at": 1, "up_at": 2}]}}}})"))}},
       "/faults/links/outages/schedule/1/down_at"},
      {"outage_trace_unknown_edge", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"outages": {"trace": "o.csv"}}}})"))},
        {"o.csv", "u,v,down_at,up_at\n0,1,1,2\n0,2,3,4\n"}},
       "o.csv:3: no edge (0, 2)"},
      {"outage_trace_unsorted", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"outages": {"trace": "o.csv"}}}})"))},
        {"o.csv", "u,v,down_at,up_at\n0,1,3,4\n1,2,1,2\n"}},
       "o.csv:3: expected rows sorted by down_at"},
      {"transport_zero_timeout", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}},
          "transport": {"reliable": true, "timeout": 0, "max_retries": 3}}})"))}},
       "/faults/transport/timeout"},
      {"link_faults_on_an_algorithm_that_cannot_honour_them", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "local_async_sgd", "eta": 0.01},
          "faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}}}})"))}},
       "/faults/links: algorithm \"local_async_sgd\" cannot honour link faults"},
      {"synchronous_loss_without_round_timeout", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "minibatch_sgd", "eta": 0.01},
          "faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}}}})"))}},
       "/faults/links: minibatch_sgd needs \"round_timeout\""},
      {"round_timeout_zero", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"algorithm": {"name": "dpsgd", "eta": 0.01},
          "faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}, "round_timeout": 0}}})"))}},
       "/faults/links/round_timeout: expected a positive number"},
      // Per-node initial models and the quadratic's minimiser (issue 12).
      {"initial_models_two_sources", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"law": "normal", "values": [1, 2, 3, 4]}})"))}},
       "/initial_models: expected exactly one of law, values, file"},
      {"initial_models_not_a_multiple_of_d", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"values": [1, 2, 3, 4, 5, 6]}})"))}},
       "/initial_models/values: expected d = 4 numbers (one model for every node) or n·d numbers"},
      {"initial_models_two_models_for_four_nodes", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"values": [1, 2, 3, 4, 1, 2, 3, 4]}})"))}},
       "/initial_models/values: expected 4 numbers per model, 1 model (for every node) or one per node (4), got 2"},
      {"initial_models_not_a_number", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"values": [1, 2, "x", 4]}})"))}},
       "/initial_models/values/2: expected a number"},
      {"initial_models_uniform_high_below_low", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"law": "uniform", "low": 1, "high": 0}})"))}},
       "/initial_models/high: expected a number >= low"},
      {"initial_models_csv_not_a_number", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"file": "x0.csv"}})"))}, {"x0.csv", "1,2,x,4\n"}},
       "x0.csv:1: expected a finite number in column 3"},
      {"initial_models_csv_three_rows_for_four_nodes", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"initial_models": {"file": "x0.csv"}})"))},
        {"x0.csv", "1,2,3,4\n1,2,3,4\n1,2,3,4\n"}},
       "x0.csv: expected one line per model, 1 model (for every node) or one per node (4), got 3"},
      {"minimiser_wrong_length", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"objective": {"kind": "quadratic", "minimiser": [1, 2]}})"))}},
       "/objective/minimiser: expected a list of d = 4 numbers"},
      {"minimiser_beside_minimiser_scale", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"objective": {"kind": "quadratic", "minimiser": 1, "minimiser_scale": 2}})"))}},
       "/objective/minimiser_scale: expected no minimiser_scale beside \"minimiser\""},
      {"minimiser_unknown_law", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"objective": {"kind": "quadratic", "minimiser": {"law": "cauchy"}}})"))}},
       "/objective/minimiser/law: expected one of"},
      {"dynamic_graph_with_node_faults", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "random_matching", "period": 1}},
          "algorithm": {"name": "adpsgd", "eta": 0.1},
          "faults": {"nodes": {"renewal": {"up": 3, "down": 1}, "timeout": 0.5}}})"))}},
       "/faults/nodes: node faults with a time-varying graph (graph.dynamic) are supported by dasgd and gossip_sgd"},
      {"dynamic_graph_with_link_faults", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"dynamic": {"kind": "one_peer_exponential", "period": 1}},
          "faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}}}})"))}},
       "/faults/links: link faults with a time-varying graph (graph.dynamic) are not supported"},
      {"parameter_server_loss_without_reply_timeout", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"graph": {"kind": "star", "nodes": 4},
          "algorithm": {"name": "parameter_server", "eta": 0.01},
          "faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1}}}})"))}},
       "/faults/links: parameter_server needs \"reply_timeout\""},
      {"reply_timeout_zero", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"links": {"loss": {"model": "bernoulli", "p": 0.1},
          "reply_timeout": 0}}})"))}},
       "/faults/links/reply_timeout: expected a positive number"},
      {"faults_unknown_key", "run {dir}/c.json",
       {{"c.json", config_with(json::parse(R"({"faults": {"linkz": {}}})"))}}, "/faults/linkz: unknown key"},
  };
  return rows;
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, RefusedWithOneLocatedLineExitTwoAndNothingWritten) {
  const BadInput& row = GetParam();
  const fs::path dir = fresh_directory("bad-" + row.name);
  for (const auto& [name, content] : row.files) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << content;
  }
  if (row.fifo) {
    ASSERT_EQ(::mkfifo((dir / "fifo.json").c_str(), 0600), 0);
  }
  const auto listing = [&] {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) names.insert(entry.path().string());
    return names;
  };
  const std::set<std::string> before = listing();

  std::string arguments = replace_all(row.arguments, "{dir}", dir.string());
  const bool writes = arguments.rfind("run ", 0) == 0 || arguments.rfind("compare ", 0) == 0;
  if (writes) arguments += " --out '" + (dir / "out").string() + "'";
  const auto result = run_cli(arguments, row.name);

  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("dasgd: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(row.location), std::string::npos) << "expected \"" << row.location << "\" in: " << result.err;
  EXPECT_LT(result.err.size(), 1000u) << "an error line should be read at a glance";
  EXPECT_EQ(listing(), before) << "something was written";
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(EveryBadInput, BadInputTest, ::testing::ValuesIn(bad_inputs()),
                         [](const ::testing::TestParamInfo<BadInput>& row_info) { return row_info.param.name; });

TEST(OutOfMemory, AnAllocationFailureIsOneLineExitOneAndNothingWritten) {
  // --max-memory above what the process may map: the estimate accepts, the allocation fails.
  const fs::path dir = fresh_directory("out-of-memory");
  const std::string command = "ulimit -v 1000000; cd '" + std::string(DASGD_SOURCE_DIR) + "' && '" + DASGD_CLI_PATH +
                              "' run configs/quickstart.json -q --set objective.dimension=10000000 --max-memory 1T --out '" +
                              (dir / "out").string() + "' 2> '" + (dir / "err").string() + "'";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string err = dasgd::testing::read_file(dir / "err");
  EXPECT_NE(err.find("dasgd: run failed: out of memory"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << "the announced estimate and the failure: " << err;
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

TEST(BadInputTable, HoldsAtLeastFortyRowsWithDistinctNames) {
  const auto rows = bad_inputs();
  std::set<std::string> names;
  for (const auto& row : rows) names.insert(row.name);
  EXPECT_GE(rows.size(), 40u);
  EXPECT_EQ(names.size(), rows.size());
}

}  // namespace
