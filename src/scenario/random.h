// Random numbers for the scenario generator, the same on every platform.
//
// std::mt19937_64 is portable but the standard distributions are not (each
// library computes normal and exponential deviates its own way), so the
// distributions are written here on top of xoshiro256** seeded through
// splitmix64. Every generator stream is derived from (seed, stream id), so
// adding a draw to one stream never shifts another: a run with a fault sees
// the same arrivals and base latencies as the same seed without it.
//
// Not thread-safe; one per stream.
#pragma once

#include <array>
#include <cstdint>

#include "scenario/spec.h"

namespace augur::scenario {

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream);

  uint64_t Next();       // 64 uniform bits
  double Uniform();      // [0, 1), 53 bits
  double OpenUniform();  // (0, 1): safe to take the log of
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Exponential(double mean);  // > 0
  double Normal();                  // standard normal (Box-Muller, one of the pair)
  bool Bernoulli(double p) { return Uniform() < p; }

  // One draw of a hop's own time in ms (see LatencyModel). Always takes the
  // same number of draws, whatever the model, so streams stay aligned.
  double Latency(const LatencyModel& model);

  template <size_t N>
  std::array<uint8_t, N> Id() {  // random bytes, never all zero
    std::array<uint8_t, N> id{};
    do {
      for (size_t i = 0; i < N; i += 8) {
        uint64_t v = Next();
        for (size_t j = 0; j < 8 && i + j < N; ++j) id[i + j] = static_cast<uint8_t>(v >> (8 * j));
      }
    } while (IsAllZero(id));
    return id;
  }

 private:
  template <size_t N>
  static bool IsAllZero(const std::array<uint8_t, N>& id) {
    for (uint8_t b : id) {
      if (b != 0) return false;
    }
    return true;
  }
  uint64_t s_[4];
};

}  // namespace augur::scenario
