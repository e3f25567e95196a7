// `dasgd schema`: the run config's JSON Schema (draft 2020-12) on stdout, or with --markdown the
// reference docs/CONFIG.md; both generated from the config readers (sim/config/config_schema.hpp).
#include <iostream>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/config/config_schema.hpp"

namespace dasgd::cli {

void register_schema(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("schema", "Print the run config's JSON Schema (or its Markdown reference)");
  command->add_flag("--markdown", *markdown, "Print the reference of every key (docs/CONFIG.md) instead");
  command->callback([markdown] {
    if (*markdown)
      std::cout << run_config_reference();
    else
      std::cout << run_config_schema().dump(2) << "\n";
    set_exit_code(0);
  });
}

}  // namespace dasgd::cli
