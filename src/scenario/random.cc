#include "scenario/random.h"

#include <algorithm>
#include <cmath>

namespace augur::scenario {

namespace {

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

constexpr double kPi = 3.14159265358979323846;
// The standard normal's 99th percentile.
constexpr double kZ99 = 2.3263478740408408;

}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) {
  // Mix the stream id in through splitmix's own avalanche so that nearby
  // (seed, stream) pairs give unrelated states.
  uint64_t x = seed;
  x = SplitMix(&x) ^ (stream * 0xd1342543de82ef95ull);
  for (uint64_t& s : s_) s = SplitMix(&x);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

double Rng::OpenUniform() {
  return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53;
}

double Rng::Exponential(double mean) {
  return -mean * std::log(OpenUniform());
}

double Rng::Normal() {
  double r = std::sqrt(-2 * std::log(OpenUniform()));
  return r * std::cos(2 * kPi * Uniform());
}

double Rng::Latency(const LatencyModel& m) {
  double sigma = m.p99_ms > m.median_ms ? std::log(m.p99_ms / m.median_ms) / kZ99 : 0;
  double v = m.median_ms * std::exp(sigma * Normal());
  double tail = Uniform();
  double pareto = std::pow(OpenUniform(), -1 / std::max(m.tail_alpha, 1e-3));
  if (tail < m.tail_probability) v *= pareto;
  return std::clamp(v, 0.0, m.max_ms);
}

}  // namespace augur::scenario
