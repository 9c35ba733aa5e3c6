// MetricDetector: the detector chain for one metric series (a gauge, the rate
// of a counter, a histogram quantile). Per point:
//
//   Baseline ──z = (x - centre) / scale──┬─> Cusum ──> level shift (metric_level), onset = where it left zero
//                                        ├─> Spot (up), Spot (down) ──> spike (metric_spike)
//                                        └─> Incident guards ──> Verdict
//
// The baseline learns every point (robustly clipped); the Spot tails learn
// every point too (spikes that keep coming become normal).
//
// Alert fatigue: the incidents a series raised in about the last day raise
// its level-shift bar by log10(1 + recent / Options::false_per_day), so a
// series that keeps alarming quiets down and its later incidents are scored
// against the raised bar (see Update). Spikes need no such guard: the Spot
// tails already learn how wild the series' own points are.
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
  static constexpr uint8_t kVersion = 2;  // 2: trend, first_s, load
  Baseline base_;
  Cusum cusum_;
  Spot up_, down_;
  Incident incident_;
  float load_ = 0;  // incidents raised recently, decaying (see Update)
};

}  // namespace augur::detect
