// The exit code a command's callback leaves for main(); see commands.hpp.
#include "sim/cli/commands.hpp"

namespace dasgd::cli {

namespace {
int g_exit_code = 0;
}

int exit_code() { return g_exit_code; }
void set_exit_code(int code) { g_exit_code = code; }

}  // namespace dasgd::cli
