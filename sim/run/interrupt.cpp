// Signal counting; see interrupt.hpp. Only async-signal-safe work happens in the handler: atomic
// stores, and on the third signal signal() + raise() for the default action.
#include "sim/run/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace dasgd {
namespace {

std::atomic<int> g_count{0};
std::atomic<int> g_first{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handler needs a lock-free counter");

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

void count_signal(int signal) noexcept {
  int expected = 0;
  g_first.compare_exchange_strong(expected, signal);
  const int count = g_count.fetch_add(1) + 1;
  if (count >= 3) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
}

extern "C" void on_signal(int signal) { count_signal(signal); }

}  // namespace

InterruptGuard::InterruptGuard() {
  clear_interrupts();
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes continue; the loop polls the flag
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool interrupt_requested() noexcept { return g_count.load(std::memory_order_relaxed) >= 1; }
bool abandon_requested() noexcept { return g_count.load(std::memory_order_relaxed) >= 2; }
int interrupt_signal() noexcept { return g_first.load(std::memory_order_relaxed); }

const char* interrupt_signal_name() noexcept {
  switch (interrupt_signal()) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "";
  }
}

void simulate_interrupt(int signal) noexcept { count_signal(signal); }

void clear_interrupts() noexcept {
  g_count.store(0);
  g_first.store(0);
}

}  // namespace dasgd
