// `dasgd graph`: build a topology (from generator options, a graph file, or a run config's "graph"
// section) and print n, edges, degree range, diameter and spectral gaps; optionally export DOT.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "sim/cli/commands.hpp"
#include "sim/cli/validators.hpp"
#include "sim/config/dynamic_topology_config.hpp"
#include "sim/config/json_file.hpp"
#include "sim/faults/live_topology_report.hpp"
#include "sim/config/topology_config.hpp"
#include "sim/run/cost_estimate.hpp"
#include "sim/output/atomic_file.hpp"
#include "topologies/dot_writer.hpp"
#include "topologies/summary.hpp"

namespace dasgd::cli {

namespace {

struct GraphArguments {
  std::string config;  // a run config whose "graph" section to use
  std::string kind;
  std::optional<std::uint64_t> nodes, rows, cols, dimension, branching, height, degree, k, m;
  std::optional<double> p, beta;
  std::string file, format, dot;
  std::uint64_t seed = 1;
  std::size_t periods = 4;  // graph.dynamic: random re-draws described
};

int describe(const GraphArguments& a) {
  nlohmann::json graph = nlohmann::json::object();
  std::string where = "dasgd graph";
  std::filesystem::path base;
  try {
    if (!a.config.empty()) {
      where = a.config;
      nlohmann::json document = read_json_file(a.config);
      if (!document.is_object() || !document.contains("graph"))
        throw ConfigError("/graph", "missing required key, expected the graph section of a run config");
      graph = document["graph"];
      where = a.config;
      base = std::filesystem::path(a.config).parent_path();
    } else {
      if (!a.file.empty()) {
        graph["kind"] = "file";
        graph["path"] = a.file;
        if (!a.format.empty()) graph["format"] = a.format;
      } else {
        graph["kind"] = a.kind;
      }
      auto put = [&](const char* key, const auto& value) {
        if (value) graph[key] = *value;
      };
      put("nodes", a.nodes);
      put("rows", a.rows);
      put("cols", a.cols);
      put("dimension", a.dimension);
      put("branching", a.branching);
      put("height", a.height);
      put("degree", a.degree);
      put("k", a.k);
      put("m", a.m);
      put("p", a.p);
      put("beta", a.beta);
    }
    JsonReader reader(graph, "/graph");
    const TopologySpec spec = parse_topology(reader);
    if (spec.dynamic)  // snapshot graph files resolve against the config's directory, like the graph's
      for (SnapshotSpec& snapshot : spec.dynamic->snapshots)
        if (snapshot.graph && !snapshot.graph->path.empty() && std::filesystem::path(snapshot.graph->path).is_relative())
          snapshot.graph->path = (base / snapshot.graph->path).string();
    std::string limit_source;
    refuse_graph_if_too_large(spec, memory_limit("", limit_source), limit_source);
    const Topology topology = build_topology(spec, a.seed, base);
    std::cout << describe_topology(topology);
    if (spec.dynamic) {  // graph.dynamic: per-snapshot gaps and diameters, and the period product
      DynamicReportOptions options;
      options.periods = a.periods;
      std::cout << describe_dynamic_topology(topology, *spec.dynamic, a.seed, options);
    }
    if (!a.dot.empty()) {
      write_file_atomically(a.dot, to_dot(topology));
      std::cout << "DOT written to " << a.dot << "\n";
    }
  } catch (const ConfigError& error) {
    std::cerr << "dasgd: " << where << ": " << error.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "dasgd: " << where << ": " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "dasgd graph: " << error.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void register_graph(CLI::App& app) {
  auto a = std::make_shared<GraphArguments>();
  CLI::App* c = app.add_subcommand("graph", "Describe a topology: size, degrees, diameter, spectral gaps");
  c->add_option("--config", a->config, "Use the \"graph\" section of this run config");
  c->add_option("--kind", a->kind, "Generator: ring, torus, grid, complete, star, hypercube, balanced_tree, "
                                   "erdos_renyi, random_regular, watts_strogatz, barabasi_albert, exponential");
  c->add_option("--nodes", a->nodes, "Number of nodes")->check(count_at_least(0));
  c->add_option("--rows", a->rows, "Rows (torus, grid)")->check(count_at_least(0));
  c->add_option("--cols", a->cols, "Columns (torus, grid)")->check(count_at_least(0));
  c->add_option("--dimension", a->dimension, "Hypercube dimension")->check(count_at_least(0));
  c->add_option("--branching", a->branching, "Balanced tree branching factor")->check(count_at_least(0));
  c->add_option("--height", a->height, "Balanced tree height")->check(count_at_least(0));
  c->add_option("--p", a->p, "Erdos-Renyi edge probability")->check(finite_number(false));
  c->add_option("--degree", a->degree, "Random regular degree")->check(count_at_least(0));
  c->add_option("--k", a->k, "Watts-Strogatz lattice degree")->check(count_at_least(0));
  c->add_option("--beta", a->beta, "Watts-Strogatz rewiring probability")->check(finite_number(false));
  c->add_option("--m", a->m, "Barabasi-Albert edges per new node")->check(count_at_least(0));
  c->add_option("--file", a->file, "Read the graph from an edge-list CSV, GraphML or DOT file");
  c->add_option("--format", a->format, "File format: edgelist, graphml, dot (default: from the extension)");
  c->add_option("--seed", a->seed, "Seed for random generators")->check(count_at_least(0));
  c->add_option("--periods", a->periods, "With a graph.dynamic section: random re-draws to describe (default 4)")
      ->check(count_at_least(1));
  c->add_option("--dot", a->dot, "Also write the graph as Graphviz DOT to this file");
  c->callback([a] { set_exit_code(describe(*a)); });
}

}  // namespace dasgd::cli
