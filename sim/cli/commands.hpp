// The subcommands of `dasgd`, each registered on the CLI11 app by its own file (sim/cli/*_command.cpp).
// A command's callback stores its exit code; main() returns it.
#pragma once

#include <CLI/CLI.hpp>

namespace dasgd::cli {

void register_run(CLI::App& app);    // dasgd run config.json [--set path=value]... [--out DIR] [--quiet]
void register_graph(CLI::App& app);  // dasgd graph --kind ring --nodes 16 ... [--dot out.dot]
void register_compare(CLI::App& app);  // dasgd compare compare.json [--set ..] [--out DIR] [--no-common-random-numbers]
void register_bound(CLI::App& app);  // dasgd bound --L .. --sigma .. --Q .. --S-avg .. --S-max .. --eps ..
void register_sweep(CLI::App& app);
void register_predict(CLI::App& app);  // dasgd predict config.json [--set ..] [--json] [--all-nodes]
void register_schema(CLI::App& app);  // dasgd schema [--markdown]: the config's JSON Schema or docs/CONFIG.md

int exit_code();
void set_exit_code(int code);

}  // namespace dasgd::cli
