// Anomaly: one incident on one series, as augur persists and serves it
// (GET /api/v1/anomalies). Built from a detector's Finding by the analyzer;
// the store keeps it; the API and the insight correlation read it.
//
// Identity: `id` is derived from the series and the event time it was first
// raised, so replaying the same telemetry yields the same ids. An anomaly
// is written when raised and rewritten (same id) when updated or ended.
//
// Times are Unix ns of event time (telemetry time, never the wall clock):
//  - onset_ns: the detector's estimate of when the change began;
//  - detected_ns: the newest event time augur had seen when it raised the
//    anomaly, so detected_ns - true onset is the time to detect;
//  - end_ns: the event time it recovered; 0 while ongoing.
// Plain value; copy freely.
#pragma once

#include <cstdint>
#include <string>

#include "model/series_key.h"

namespace augur::model {

struct Anomaly {
  std::string id;  // "an-" + 16 hex digits
  SeriesKey series;
  // "latency", "errors", "traffic", "metric_level", "metric_spike", "forecast"
  std::string kind;
  std::string direction;  // "up" or "down"
  // Which quantity of the series the values describe: "value", "p50", "p90",
  // "p99", "slow_share", "error_ratio", "count".
  std::string quantity;
  std::string unit;      // unit of before/observed/expected ("ms", "1/s", "%", ... or "")
  std::string detector;  // the rule that raised it: "cusum", "spot", "binomial", "slow_share", "trend", ...
  uint64_t onset_ns = 0;
  uint64_t detected_ns = 0;
  uint64_t end_ns = 0;  // 0: ongoing
  double before = 0;    // expected value at the onset
  double observed = 0;  // the value that raised it
  double expected_low = 0;
  double expected_high = 0;
  double score = 0;  // [0, 1]; 0.5 is the alert bar
  // Forecasts only: the limit and the predicted event time of crossing it.
  double limit = 0;
  uint64_t predicted_ns = 0;
  // One line: "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms".
  std::string explanation;
  uint64_t updated_ns = 0;  // event time of the last change (raise, update, end)

  bool ongoing() const { return end_ns == 0; }
  bool operator==(const Anomaly&) const = default;
};

}  // namespace augur::model
