// What a detector reports: a Finding (one incident, with a start and an end)
// and a Verdict (what one point did to the detector).
//
// A Finding carries everything a one-line explanation needs, in the units of
// the series it came from, so that the caller can write
//   "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms"
// from `quantity`, `before`, `observed`, `expected_low` and `expected_high`,
// plus the series' own name and unit, which the detector never sees.
//
// Times are Unix nanoseconds taken from the data, never from a clock.
// Plain values: copy freely, share const across threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace augur::detect {

// What kind of trouble. Stable names (KindName) appear in tests and the API.
enum class Kind : uint8_t {
  kLatency = 0,      // a latency distribution moved (quantiles or the share of slow requests)
  kErrors = 1,       // more errors than the learned error ratio explains
  kTraffic = 2,      // request count far above or below its (seasonal) normal
  kMetricLevel = 3,  // a metric's level shifted and stayed
  kMetricSpike = 4,  // a metric point far outside anything normal, that did not stay
};

enum class Direction : uint8_t { kUp = 0, kDown = 1 };

// Which quantity of the series the numbers in a Finding describe.
enum class Quantity : uint8_t {
  kValue = 0,  // the metric value itself
  kP50 = 1,    // latency quantiles of the bucket
  kP90 = 2,
  kP99 = 3,
  kSlowShare = 4,   // share of requests above the latency reference, in [0, 1]
  kErrorRatio = 5,  // errors / requests, in [0, 1]
  kCount = 6,       // requests per bucket
};

std::string_view KindName(Kind kind);           // "latency", "errors", "traffic", "metric_level", "metric_spike"
std::string_view DirectionName(Direction dir);  // "up", "down"
std::string_view QuantityName(Quantity q);      // "value", "p50", "p90", "p99", "slow_share", "error_ratio", "count"
bool ParseKind(std::string_view name, Kind* out);
bool ParseDirection(std::string_view name, Direction* out);

// One incident. Raised once, possibly updated (a spike that stayed becomes a
// level shift), ended once.
struct Finding {
  Kind kind = Kind::kMetricLevel;
  Direction direction = Direction::kUp;
  Quantity quantity = Quantity::kValue;
  // The rule that raised it: a static string ("cusum", "spot", "binomial",
  // ...), never freed.
  const char* detector = "";
  uint64_t onset_ns = 0;    // estimated start of the change (<= raised_ns)
  uint64_t raised_ns = 0;   // time of the point that raised it
  uint64_t ended_ns = 0;    // time of the point that ended it; 0 while open
  double before = 0;        // the expected value at the onset: "rose from <before>"
  double observed = 0;      // the value that raised it: "to <observed>"
  double expected_low = 0;  // the band of normal values at the raise: "expected low–high"
  double expected_high = 0;
  double score = 0;  // in [0, 1]; 0.5 is the alert bar of the detector's options
};

// The one-line explanation of a finding, e.g. with subject "duration of POST
// /items on writer" and unit "ms":
//   "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms"
// Ratios (slow_share, error_ratio) are shown as percentages and ignore `unit`.
std::string Describe(const Finding& f, std::string_view subject, std::string_view unit);

enum class Event : uint8_t {
  kNone = 0,
  kRaised = 1,   // a new incident; `finding` describes it
  kUpdated = 2,  // the open incident changed kind (spike -> level); same raised_ns
  kEnded = 3,    // the open incident ended; finding.ended_ns is set
};

// What one point did.
struct Verdict {
  // This point's evidence as a score in [0, 1], after the noise guards: a
  // point inside an open incident scores 0 (the incident was already
  // reported), the point that raises one scores the incident's score. This
  // is what a threshold sweep (NAB) should see.
  double score = 0;
  // This point's evidence before the guards, in [0, 1] (for plots).
  double raw_score = 0;
  Event event = Event::kNone;
  Finding finding;  // meaningful when event != kNone
};

}  // namespace augur::detect
