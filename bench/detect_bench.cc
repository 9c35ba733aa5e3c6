// detect_bench: speed and state size of the detectors.
//
//   detect_bench [--series N] [--points P]
//
// 1. Update cost: one detector fed P points of a noisy series with spikes and
//    steps (its state hot in cache), per detector type: ns per point.
// 2. Many series: N MetricDetectors (default 1M) in one array, each fed
//    points round-robin (state cold in cache, as in production), ns per point;
//    bytes of state per series (sizeof, and Serialize()d) and the process's
//    resident memory growth per series.
// Timing uses the steady clock here, never in the library. Output is one
// "name value unit" line per figure.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "detect/error_detector.h"
#include "detect/latency_detector.h"
#include "detect/metric_detector.h"
#include "detect/traffic_detector.h"

namespace {

namespace detect = augur::detect;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kStart = 1704067200ull * 1'000'000'000;
constexpr uint64_t kStep = 10'000'000'000;

// A cheap deterministic pseudo-random stream (xorshift64*).
struct Noise {
  uint64_t s = 88172645463325252ull;
  double Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<double>((s * 2685821657736338717ull) >> 11) * 0x1.0p-53 - 0.5;
  }
};

double Value(int64_t i, Noise* n) {
  return 100 + 10 * n->Next() + (i % 5000 == 4999 ? 80 : 0) + ((i / 20000) % 2 ? 30 : 0);
}

long ResidentKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double NsPer(Clock::duration d, int64_t n) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n);
}

// Defeats dead-code elimination of the verdicts.
volatile double g_sink = 0;

}  // namespace

int main(int argc, char** argv) {
  int64_t series = 1'000'000;
  int64_t points = 5'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--series") == 0) series = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--points") == 0) points = std::atoll(argv[i + 1]);
  }
  const detect::Options o;

  {
    detect::MetricDetector d;
    Noise n;
    double sink = 0;
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < points; ++i) sink += d.Update(o, {kStart + i * kStep, Value(i, &n)}).score;
    g_sink = sink;
    std::printf("metric_update %.1f ns/point\n", NsPer(Clock::now() - t0, points));
  }
  {
    detect::TrafficDetector d;
    detect::ErrorDetector e;
    Noise n;
    double sink = 0;
    auto t0 = Clock::now();
    for (int64_t i = 0; i < points; ++i) {
      sink += d.Update(o, {kStart + i * kStep, static_cast<uint64_t>(50 + 10 * n.Next()), 0}).score;
    }
    std::printf("traffic_update %.1f ns/point\n", NsPer(Clock::now() - t0, points));
    t0 = Clock::now();
    for (int64_t i = 0; i < points; ++i) {
      sink += e.Update(o, {kStart + i * kStep, 50, static_cast<uint64_t>(n.Next() > 0.48)}).score;
    }
    std::printf("errors_update %.1f ns/point\n", NsPer(Clock::now() - t0, points));
    g_sink = sink;
  }
  {
    detect::LatencyDetector d;
    Noise n;
    double sink = 0;
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < points; ++i) {
      const double m = 120 * (1 + 0.1 * n.Next());
      sink += d.Update(o, {kStart + i * kStep, 50, m, 1.6 * m, 2.2 * m, d.Reference(),
                           static_cast<uint64_t>(n.Next() > 0.45)})
                  .score;
    }
    g_sink = sink;
    std::printf("latency_update %.1f ns/point\n", NsPer(Clock::now() - t0, points));
  }

  std::printf("metric_state %zu bytes (sizeof), %zu bytes serialized\n", sizeof(detect::MetricDetector),
              detect::MetricDetector().Serialize().size());
  std::printf("traffic_state %zu bytes, errors_state %zu bytes, latency_state %zu bytes (sizeof)\n",
              sizeof(detect::TrafficDetector), sizeof(detect::ErrorDetector), sizeof(detect::LatencyDetector));

  const long rss0 = ResidentKiB();
  std::vector<detect::MetricDetector> many(static_cast<size_t>(series));
  const int rounds = 20;
  Noise n;
  double sink = 0;
  const auto t0 = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (int64_t s = 0; s < series; ++s) {
      sink += many[static_cast<size_t>(s)]
                  .Update(o, {kStart + r * kStep, Value(r, &n) + static_cast<double>(s % 100)})
                  .score;
    }
  }
  g_sink = sink;
  const double ns = NsPer(Clock::now() - t0, series * rounds);
  const long rss1 = ResidentKiB();
  std::printf("many_series %lld series, %d points each: %.1f ns/point (cold cache)\n", static_cast<long long>(series),
              rounds, ns);
  std::printf("many_series_rss %.1f bytes/series\n",
              1024.0 * static_cast<double>(rss1 - rss0) / static_cast<double>(series));
  return 0;
}
