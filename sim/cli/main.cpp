// The `dasgd` command: run, graph, bound. Parses the command line (CLI11) and dispatches; every
// command lives in its own file under sim/cli/. Exit codes: 0 success, 1 failed run, 2 usage or
// config error, 3 diverged, 130/143 interrupted (docs/OUTCOMES.md; sim/run/run_status.hpp).
#include <CLI/CLI.hpp>

#include <iostream>

#include "sim/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"dasgd-sim: discrete-event simulator for asynchronous decentralized SGD"};
  app.set_version_flag("--version", std::string("dasgd ") + DASGD_VERSION);
  app.require_subcommand(1);
  dasgd::cli::register_run(app);
  dasgd::cli::register_graph(app);
  dasgd::cli::register_bound(app);
  dasgd::cli::register_compare(app);
  dasgd::cli::register_sweep(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return dasgd::cli::exit_code();
}
