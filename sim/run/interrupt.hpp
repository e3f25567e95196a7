// Ctrl-C and SIGTERM during a run (run → files): the handler only counts signals in a lock-free
// atomic; the run loop checks interrupt_requested() before every event and stops, and the writer
// checks abandon_requested() between files. First signal: stop the run, write a complete set of
// files with status "interrupted". Second signal while writing: abandon the new files (the
// staging directory is removed; the previous run's files stay whole). Third: die at once (the
// default action); the staging directory left behind is cleaned by the next run. docs/OUTCOMES.md.
#pragma once

namespace dasgd {

// Installs the SIGINT and SIGTERM handlers for its lifetime and clears the count; restores the
// previous handlers when destroyed. One at a time (a command's body).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

bool interrupt_requested() noexcept;  // at least one signal since the guard was installed
bool abandon_requested() noexcept;    // at least two
int interrupt_signal() noexcept;      // the first signal received (0: none)
const char* interrupt_signal_name() noexcept;  // "SIGINT", "SIGTERM" or ""

// For tests: behave as if `signal` had arrived (counts like a real one).
void simulate_interrupt(int signal) noexcept;
void clear_interrupts() noexcept;

}  // namespace dasgd
