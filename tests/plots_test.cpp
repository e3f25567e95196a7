// Tests of the plot scripts (plots/*.py) through tests/plots_check.py: the functions a notebook
// imports return matplotlib Figures and leave its backend alone, the format follows the file's
// extension, log axes appear where values span decades, and convergence figures mark epsilon.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/cli_support.hpp"

namespace {

TEST(PlotScripts, NotebookFunctionsReturnFiguresAndFilesTakeTheirExtensionsFormat) {
  const std::filesystem::path dir = dasgd::testing::fresh_directory("plots");
  const auto run = dasgd::testing::run_cli("run configs/quickstart.json -q --set stop.time=20 --out " + (dir / "run").string(), "plots");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string command = std::string("MPLBACKEND=svg /usr/bin/python3 '") + DASGD_SOURCE_DIR + "/tests/plots_check.py' '" +
                              DASGD_SOURCE_DIR + "' '" + (dir / "run").string() + "' '" + dir.string() + "' > '" +
                              (dir / "log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string log = dasgd::testing::read_file(dir / "log");
  std::filesystem::remove_all(dir);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) GTEST_SKIP() << "python3-matplotlib is not installed";
  EXPECT_EQ(status, 0) << log;
}

}  // namespace
