// MetricDetector: the detector chain for one metric series (a gauge, the rate
// of a counter, a histogram quantile). Per point:
//
//   Baseline ──z = (x - centre) / scale──┬─> Cusum ──> level shift (metric_level), onset = where it left zero
//                                        ├─> Spot (up), Spot (down) ──> spike (metric_spike)
//                                        └─> Incident guards ──> Verdict
//
// The baseline learns every point (robustly clipped); the Spot tails learn
// every point too (spikes that keep coming become normal), except, on the
// side of an open incident, the points after the one that raised it (a level
// shift's points are far out only against the old normal).
//
// Alert fatigue: the incidents a series raised in about the last day raise
// its level-shift bar by log10(1 + recent / Options::false_per_day), so a
// series that keeps alarming quiets down and its later incidents are scored
// against the raised bar (see Update). Spikes need no such guard: the Spot
// tails already learn how wild the series' own points are.
//
// CUSUM calibration: the level-shift evidence CusumEvidence() gives is the
// CUSUM's stationary tail for N(0,1) input, exp(-2k S). On a series whose
// residuals have heavier tails (bursty counts: Twitter volumes, request
// rates) the statistic climbs that high far more often. Its tail is
// exp(-theta S), theta the root of E[exp(theta (x - k))] = 1 (Cramer-
// Lundberg); each side keeps E[exp(2k (x - k))] of its own input x (1 for
// N(0,1)), and a Gaussian with that moment gives theta = 2k * 2k^2 /
// (ln m + 2k^2). So each side's evidence is scaled by
// 2k^2 / (ln m + 2k^2), at most 1 (a light tail is not made more
// sensitive) and at least kMinCalibration. Learned from the points outside
// incidents (an anomaly is not the series' normal; bursts that did not
// raise are), input clipped at 3 scales, about 1000 points of memory.
//
// Bit-for-bit deterministic, no clock, no heap: sizeof (256 bytes) is the
// whole state (Serialize() writes 256). Not thread-safe; one per series, any
// thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "detect/baseline.h"
#include "detect/cusum.h"
#include "detect/finding.h"
#include "detect/incident.h"
#include "detect/options.h"
#include "detect/points.h"
#include "detect/spot.h"

namespace augur::detect {

class MetricDetector {
 public:
  // Points should come in time order; an older or repeated time is judged
  // but teaches the level nothing about time elapsed. Non-finite values are
  // skipped (score 0, no event).
  Verdict Update(const Options& o, const MetricPoint& p);

  // The learned normal at `time_ns`: centre and scale.
  Expectation Expect(const Options& o, uint64_t time_ns) const { return base_.Expect(o, time_ns); }
  bool incident_open() const { return incident_.open(); }

  // Versioned bytes; Deserialize refuses another type or version.
  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

 private:
  // 2: trend, first_s, load; 3: tail_up, tail_down, 16-bit CUSUM autocorrelation;
  // 4: the incident's end time (where the series came back).
  static constexpr uint8_t kVersion = 4;
  Baseline base_;
  Cusum cusum_;
  Spot up_, down_;
  Incident incident_;
  float load_ = 0;  // incidents raised recently, decaying (see Update)
  // E[exp(2k (x - k))] of each side's CUSUM input (calibration, above), in
  // 1/16384ths (at most 4; beyond 1.65 the factor is at its floor anyway).
  uint16_t tail_up_ = 16384, tail_down_ = 16384;
};

}  // namespace augur::detect
