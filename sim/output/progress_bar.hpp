// A progress line on stderr for long runs and sweeps (beside the run stage of config → world →
// run → metrics → files; it never touches results). Drawn only when stderr is a terminal and the
// user did not ask for quiet, at most about ten times a second, never on stdout.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace dasgd {

// The text of one progress line (no carriage return): label, bar, percentage, done/total, rate and
// ETA, e.g. "run [##########----------]  50.0%  500/1000  25.0/s  ETA 0:20". total == 0 means
// unknown: only the count and the rate are shown. Pure, for tests.
std::string render_progress(const std::string& label, std::uint64_t done, std::uint64_t total,
                            double elapsed_seconds);

class ProgressBar {
 public:
  // Draws on stderr when stderr is a terminal (isatty) and !quiet, from 2 s of wall time on (a
  // shorter run draws nothing); otherwise does nothing at all.
  ProgressBar(std::uint64_t total, std::string label, bool quiet = false);
  // Always draws on `out` (tests, or a caller that has decided for itself).
  ProgressBar(std::uint64_t total, std::string label, std::ostream& out);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Cheap enough for every event of a simulation loop: a counter decides when to look at the
  // clock, and the line is redrawn at most every 100 ms of wall time.
  void update(std::uint64_t done) {
    done_ = done;
    if (out_ != nullptr && ++calls_since_check_ >= check_stride_) check_clock();
  }
  // Draws the final state and ends the line. Called by the destructor when not called before.
  void finish();

  bool active() const noexcept { return out_ != nullptr; }
  std::uint64_t redraws() const noexcept { return redraws_; }

 private:
  using Clock = std::chrono::steady_clock;  // wall clock: allowed here only for display
  void check_clock();
  void draw(Clock::time_point now);

  std::uint64_t total_;
  std::string label_;
  std::ostream* out_;
  Clock::time_point start_;
  Clock::time_point last_check_;
  Clock::time_point last_draw_;
  std::uint64_t done_ = 0;
  std::uint64_t calls_since_check_ = 0;
  std::uint64_t check_stride_ = 1;  // adapts so that the clock is read about every few ms
  std::uint64_t redraws_ = 0;
  std::size_t last_width_ = 0;
  // On a terminal, nothing is drawn for runs shorter than this (no flicker for quick runs).
  Clock::duration show_after_{};
};

}  // namespace dasgd
