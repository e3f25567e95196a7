// The `dasgd` command: run, graph, bound, compare, sweep, predict. Parses the command line (CLI11) and dispatches; every
// command lives in its own file under sim/cli/. Exit codes: 0 success, 1 failed run, 2 usage or
// config error, 3 diverged, 130/143 interrupted (docs/OUTCOMES.md; sim/result/run_status.hpp).
// Every error is one line starting "dasgd: " (docs/ROBUSTNESS.md).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/config/json_reader.hpp"

namespace {

// CLI11 spells numeric ranges with std::to_string ("0.000000 to 1797693134862315708...0.000000",
// 300 digits): every number longer than 20 characters, or written with six zero decimals, is
// rewritten the way a person writes it ("0 to 1.8e308"); newlines become "; ".
std::string as_a_person_writes_it(const std::string& message) {
  std::string out;
  for (std::size_t i = 0; i < message.size();) {
    const char c = message[i];
    const bool starts_number = std::isdigit(static_cast<unsigned char>(c)) &&
                               (i == 0 || !std::isalnum(static_cast<unsigned char>(message[i - 1])));
    if (!starts_number) {
      if (c == '\n') {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        if (i + 1 < message.size()) out += "; ";
      } else {
        out += c;
      }
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < message.size() && (std::isdigit(static_cast<unsigned char>(message[end])) || message[end] == '.')) ++end;
    const std::string token = message.substr(i, end - i);
    const bool padded = token.size() > 7 && token.compare(token.size() - 7, 7, ".000000") == 0;
    if (token.size() > 20 || padded) {
      char text[32];
      std::snprintf(text, sizeof text, "%.2g", std::strtod(token.c_str(), nullptr));
      std::string shown = text;
      if (const auto e = shown.find("e+"); e != std::string::npos) shown.erase(e + 1, 1);
      out += shown;
    } else {
      out += token;
    }
    i = end;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

// "dasgd rn x": the first word is no command. Returns the one line to print, or "" when it is one
// (or a flag, which CLI11 handles).
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return "";
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return "";
  std::string line = "dasgd: unknown command '" + word + "'";
  if (const auto best = dasgd::did_you_mean(word, names)) line += " (did you mean '" + *best + "'?)";
  line += "; commands are:";
  for (const std::string& name : names) line += " " + name;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dasgd-sim: discrete-event simulator for asynchronous decentralized SGD"};
  // The revision is `git describe` at configure time (CMakeLists.txt), or a note without git.
  app.set_version_flag("--version", std::string("dasgd ") + DASGD_VERSION + " (" + DASGD_GIT_REVISION + ")");
  app.require_subcommand(1);
  dasgd::cli::register_run(app);
  dasgd::cli::register_graph(app);
  dasgd::cli::register_bound(app);
  dasgd::cli::register_compare(app);
  dasgd::cli::register_sweep(app);
  dasgd::cli::register_predict(app);
  dasgd::cli::register_schema(app);
  if (const std::string line = unknown_command(app, argc, argv); !line.empty()) {
    std::cerr << line << " (see dasgd --help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::cerr << "dasgd: " << as_a_person_writes_it(error.what()) << " (see dasgd --help)\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // The cost estimate refuses worlds it can size; this is the last line of defence.
    std::cerr << "dasgd: out of memory (the run needed more than the machine could give; try a smaller "
                 "world, or see docs/ROBUSTNESS.md)\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "dasgd: internal error: " << as_a_person_writes_it(error.what()) << "\n";
    return 1;
  }
  return dasgd::cli::exit_code();
}
