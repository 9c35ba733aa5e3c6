// The points detectors consume, one type per kind of series. Times are Unix
// nanoseconds from the data; values are in the series' own unit, which the
// detector never needs to know (a Finding reports values in that unit).
#pragma once

#include <cstdint>
#include <limits>

namespace augur::detect {

// A gauge, the rate of a counter, or one quantile of an OTLP histogram.
// Non-finite values are ignored.
struct MetricPoint {
  uint64_t time_ns = 0;
  double value = 0;
};

// Requests and errors of one bucket of a RED series (spans of one
// (service, operation) over e.g. 10 s). `errors` <= `requests`.
struct CountPoint {
  uint64_t time_ns = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;
};

// The latency distribution of one bucket, from a mergeable quantile sketch.
//
// `slow` is distribution-aware evidence: how many of the bucket's `count`
// requests took longer than `reference`. The caller asks the detector for
// its current reference (LatencyDetector::Reference(), twice the learned
// normal p99) before building the point, and counts from its sketch; a caller
// without a sketch leaves `slow` at kUnknownSlow and only the quantiles are
// tested.
struct LatencyPoint {
  static constexpr uint64_t kUnknownSlow = std::numeric_limits<uint64_t>::max();
  uint64_t time_ns = 0;
  uint64_t count = 0;                // requests in the bucket; 0 means no latency information
  double p50 = 0, p90 = 0, p99 = 0;  // > 0, in any one unit (ms, s)
  double reference = 0;              // the threshold `slow` counts above, same unit
  uint64_t slow = kUnknownSlow;      // requests slower than `reference`, <= count
};

}  // namespace augur::detect
