// `dasgd_extension run config.json [--set ..] [--out DIR]`: the simulator's own run and compare
// commands, with the extension's objective and algorithm registered first.
#include <CLI/CLI.hpp>

#include <dasgd/sim/cli/commands.hpp>

#include "local_only_sgd.hpp"
#include "scaled_sphere.hpp"

int main(int argc, char** argv) {
  extension::register_scaled_sphere();
  extension::register_local_only_sgd();
  CLI::App app{"dasgd-sim with the example extension"};
  app.require_subcommand(1);
  dasgd::cli::register_run(app);
  dasgd::cli::register_compare(app);
  CLI11_PARSE(app, argc, argv);
  return dasgd::cli::exit_code();
}
