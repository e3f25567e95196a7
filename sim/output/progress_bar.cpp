// Progress display (beside the run stage): the only code outside timing reports that reads the wall
// clock, and it never influences the simulation. The clock-reading stride adapts (doubling while
// checks come faster than every 5 ms, halving when slower than 50 ms) so that a loop of millions of
// cheap events pays one counter increment per update, and a loop of a few slow runs still redraws.
#include "sim/output/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace dasgd {
namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(100);
constexpr auto fast_check = std::chrono::milliseconds(5);
constexpr auto slow_check = std::chrono::milliseconds(50);
constexpr std::uint64_t max_stride = std::uint64_t{1} << 20;
constexpr int bar_width = 24;

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// 25.0/s, 3.4k/s, 1.2M/s, 5.6G/s: a rate is read at a glance, not copied.
std::string format_rate(double per_second) {
  const char* const suffixes[] = {"", "k", "M", "G", "T"};
  int index = 0;
  while (per_second >= 1000.0 && index < 4) {
    per_second /= 1000.0;
    ++index;
  }
  return fixed(per_second, 1) + suffixes[index] + "/s";
}

// 0:07, 12:34, 1:02:03.
std::string format_duration(double seconds) {
  const auto total = static_cast<std::uint64_t>(std::llround(seconds));
  const std::uint64_t hours = total / 3600;
  const std::uint64_t minutes = (total / 60) % 60;
  const std::uint64_t secs = total % 60;
  std::string out;
  if (hours > 0) out = std::to_string(hours) + ":" + (minutes < 10 ? "0" : "");
  out += std::to_string(minutes) + ":" + (secs < 10 ? "0" : "") + std::to_string(secs);
  return out;
}

}  // namespace

std::string render_progress(const std::string& label, std::uint64_t done, std::uint64_t total,
                            double elapsed_seconds) {
  const double rate = elapsed_seconds > 0.0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  std::string line = label;
  if (total > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const int filled = static_cast<int>(fraction * bar_width);
    line += " [" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(bar_width - filled), '-') + "] ";
    const std::string percent = fixed(100.0 * fraction, 1);
    line += std::string(percent.size() < 5 ? 5 - percent.size() : 0, ' ') + percent + "%";
  }
  line += "  ";
  line += std::to_string(done);  // appended apart: GCC 12 -Wrestrict false positive on "lit" + string&&
  if (total > 0) {
    line += "/";
    line += std::to_string(total);
  }
  line += "  " + format_rate(rate);
  if (total > 0 && done < total && rate > 0.0) {
    line += "  ETA " + format_duration(static_cast<double>(total - done) / rate);
  } else if (total > 0 && done >= total) {
    line += "  in " + format_duration(elapsed_seconds);
  }
  return line;
}

ProgressBar::ProgressBar(std::uint64_t total, std::string label, bool quiet)
    : total_(total),
      label_(std::move(label)),
      out_(!quiet && ::isatty(STDERR_FILENO) ? &std::cerr : nullptr),
      start_(Clock::now()),
      last_check_(start_),
      last_draw_(start_ - redraw_interval),
      show_after_(std::chrono::seconds(2)) {}

ProgressBar::ProgressBar(std::uint64_t total, std::string label, std::ostream& out)
    : total_(total),
      label_(std::move(label)),
      out_(&out),
      start_(Clock::now()),
      last_check_(start_),
      last_draw_(start_ - redraw_interval) {}

ProgressBar::~ProgressBar() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; a broken stderr is not worth dying for
  }
}

void ProgressBar::check_clock() {
  calls_since_check_ = 0;
  const auto now = Clock::now();
  const auto since_check = now - last_check_;
  last_check_ = now;
  if (since_check < fast_check && check_stride_ < max_stride) {
    check_stride_ *= 2;
  } else if (since_check > slow_check && check_stride_ > 1) {
    check_stride_ /= 2;
  }
  if (now - start_ < show_after_) return;
  if (now - last_draw_ >= redraw_interval) draw(now);
}

void ProgressBar::draw(Clock::time_point now) {
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string line = render_progress(label_, done_, total_, elapsed);
  // Pad with spaces over a longer previous line instead of using terminal escape codes.
  const std::size_t pad = last_width_ > line.size() ? last_width_ - line.size() : 0;
  *out_ << '\r' << line << std::string(pad, ' ') << std::flush;
  last_width_ = line.size();
  ++redraws_;
}

void ProgressBar::finish() {
  if (out_ == nullptr) return;
  if (redraws_ == 0 && Clock::now() - start_ < show_after_) {  // a quick run: leave no line
    out_ = nullptr;
    return;
  }
  draw(Clock::now());
  *out_ << '\n' << std::flush;
  out_ = nullptr;  // later updates and the destructor do nothing
}

}  // namespace dasgd
