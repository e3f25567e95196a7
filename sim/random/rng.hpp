// Named randomness: one master seed split into independent, purpose-named streams.
// Every random draw in the simulator comes from here (config → world → run): delays, noise,
// sampling, topology generation, failures. Same seed, same config: bit-identical draws.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace dasgd {

// The purposes a draw can serve. Each purpose is its own family of streams, so drawing more of one
// (say, link latencies) never moves the draws of another (say, compute delays).
enum class Stream : std::uint64_t {
  compute_delay = 1,
  link_latency = 2,
  gradient_noise = 3,
  data_sampling = 4,
  topology = 5,
  failures = 6,
  algorithm = 7,       // algorithm-internal choices (random neighbour, Random-k coordinates, ...)
  initialisation = 8,  // initial models, synthetic data sets
  straggler = 9,       // which nodes are slow, random slow-downs
  // Fault processes (../shared/spec/faults.md): one named counter-based stream each, so turning a
  // fault process on moves no compute, latency or noise draw, and `common_random_numbers` gives
  // every algorithm the same crashes, losses and graph changes. Key: (seed, stream, entity, k).
  node_availability = 10,  // node i's k-th up-time / down-time
  link_loss = 11,          // the m-th message on arc a lost or not; Gilbert–Elliott transitions
  link_availability = 12,  // edge e's k-th up-time / down-time
  topology_schedule = 13,  // the graph of period k (matchings, random regular, Markov on/off edges)
  initial_models = 14,     // coordinate k of node i's initial model (config "initial_models": a law)
};

// SplitMix64 (Steele, Lea, Flood 2014): the standard seed expander for the xoshiro family.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A 64-bit key for (seed, purpose, a, b): each field goes through a full SplitMix64 round, so keys
// of neighbouring indices are unrelated. Used to seed counter-based draws ("node i's k-th compute
// delay" = stream(compute_delay, i, k)) that do not depend on the order draws are made in.
// mix_key in two halves: the (seed, purpose) prefix, which a hot loop can compute once, and the
// (a, b) rounds on top of it; mix_key(seed, p, a, b) == mix_key_from(purpose_key(seed, p), a, b).
constexpr std::uint64_t purpose_key(std::uint64_t seed, Stream purpose) noexcept {
  std::uint64_t s = seed;
  std::uint64_t k = splitmix64(s);
  s = k ^ (static_cast<std::uint64_t>(purpose) * 0xD1B54A32D192ED03ULL);
  return splitmix64(s);
}
constexpr std::uint64_t mix_key_from(std::uint64_t prefix, std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t s = prefix ^ (a * 0x9E6C63D0676A9A99ULL);
  const std::uint64_t k = splitmix64(s);
  s = k ^ (b * 0xA0761D6478BD642FULL);
  return splitmix64(s);
}
constexpr std::uint64_t mix_key(std::uint64_t seed, Stream purpose, std::uint64_t a = 0,
                                std::uint64_t b = 0) noexcept {
  return mix_key_from(purpose_key(seed, purpose), a, b);
}

// xoshiro256** 1.0 (Blackman & Vigna 2018): 32 bytes of state, period 2^256 − 1. Small enough to keep
// one per node. Satisfies std::uniform_random_bit_generator, but the samplers below are our own so
// that draws are identical across standard libraries (std:: distributions are not specified).
class Rng {
 public:
  using result_type = std::uint64_t;

  explicit constexpr Rng(std::uint64_t seed = 0) noexcept {
    std::uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  constexpr result_type operator()() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe for log().
  double uniform_open_zero() noexcept {
    return static_cast<double>(((*this)() >> 11) + 1) * 0x1.0p-53;
  }
  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire 2019).
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using UInt128 = unsigned __int128;  // GCC/Clang extension; quiet under -Wpedantic
    UInt128 m = static_cast<UInt128>((*this)()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<UInt128>((*this)()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // Standard normal by Box–Muller (two uniforms per draw, no cached second value, so a stream's k-th
  // normal never depends on whether an odd number of normals was drawn before it).
  double normal() noexcept {
    const double u1 = uniform_open_zero();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  // Exponential with the given mean.
  double exponential(double mean) noexcept { return -mean * std::log(uniform_open_zero()); }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t state_[4]{};
};

// The master seed and the streams derived from it.
class RandomStreams {
 public:
  explicit constexpr RandomStreams(std::uint64_t master_seed) noexcept : seed_(master_seed) {}
  constexpr std::uint64_t master_seed() const noexcept { return seed_; }
  // An independent generator for (purpose, a, b): e.g. stream(Stream::gradient_noise, node).
  constexpr Rng stream(Stream purpose, std::uint64_t a = 0, std::uint64_t b = 0) const noexcept {
    return Rng(mix_key(seed_, purpose, a, b));
  }
  // The key alone, for counter-based draws.
  constexpr std::uint64_t key(Stream purpose, std::uint64_t a = 0, std::uint64_t b = 0) const noexcept {
    return mix_key(seed_, purpose, a, b);
  }

 private:
  std::uint64_t seed_;
};

}  // namespace dasgd
