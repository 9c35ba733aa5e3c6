// NumericSeries: the numbers at one variable position of one log template,
// DevOps Guru's NUMERICAL_POINT class: "processed batch in <*> ms" gives 40,
// 38, 45, ... at its value; when they shift (to 420, 390, ...), that is news
// even though the pattern and its rate did not change.
//
// Values: ParseNumericValue reads the masked text of a token ("42",
// "-3.5", "42ms", "1.5 s", "12KB", "99%", "took=42ms" with the key cut off
// by the caller). Times are turned into ms and sizes into bytes, so "900 ms"
// and "1.2 s" at one position compare. Ids, versions, addresses and hex do
// not parse.
//
// A series first *qualifies* on its first qualify_values lines: the token
// must hold a number (in one unit class) on at least min_parse_share of
// them, and must not be a counter or a clock: values rising (or falling)
// from one line to the next on more than max_monotone_share of them are
// sequence numbers, timestamps or uptimes, whose "shift" is their nature.
// A series that fails is refused for good (the owner drops it).
//
// Then values are gathered per event-time bucket: up to kReservoir of them
// (a deterministic reservoir sample beyond that), and a bucket with at
// least min_values values closes into one point, its median, for a
// detect::MetricDetector (robust baseline, CUSUM level shifts, SPOT spikes,
// the incident guards; a point per bucket with values, gaps skipped).
// Buckets close when a later bucket's value comes, or when the owner moves
// time past them (Close). A value for an older bucket than the current one
// joins the current one (lines arrive a little out of order).
//
// About 420 bytes. Deterministic, no clock, no heap beyond the object.
// Plain value; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analysis/state_codec.h"
#include "common/status.h"
#include "detect/metric_detector.h"
#include "detect/options.h"

namespace augur::logs {

enum class NumericUnit : uint8_t { kNone = 0, kMs = 1, kBytes = 2, kPercent = 3 };
std::string_view NumericUnitName(NumericUnit unit);  // "", "ms", "bytes", "%"

struct NumericValue {
  double value = 0;
  NumericUnit unit = NumericUnit::kNone;
};

// A number, optionally followed (with or without a space) by a unit: ns,
// us, ms, s, sec, secs, min, mins, h (→ ms); B, KB, kB, MB, GB, TB, KiB,
// MiB, GiB, TiB, bytes (→ bytes); % (→ %). A number without one takes the
// unit `next` names (the following token: "10.2 ms," is masked as two
// tokens). Trailing punctuation (",.;:)]") and leading "([" are ignored.
// Plain decimal only: no hex, no thousands separators, at most one '.', so
// "10.0.0.1", "v2", "0x1f", "3f2a" do not parse.
std::optional<NumericValue> ParseNumericValue(std::string_view text, std::string_view next = {});

// The text of the value in a masked token: from its shape's first "<*>" to
// its last ("took=<*>," against raw "took=42ms,": "42ms"; "<*>.<*>"
// against "10.5": "10.5"); nullopt when the shape holds none, or the raw
// text does not fit around it.
std::optional<std::string_view> ValueText(std::string_view shape, std::string_view raw);

struct NumericRule {
  uint32_t qualify_values = 50;
  double min_parse_share = 0.9;
  double max_monotone_share = 0.8;
  uint32_t min_values = 5;  // per bucket, for a point
  // A raise also needs the median to move by this factor from the baseline
  // (or change sign): the detector alone would flag a value that never
  // moved (a constant 5 read as 6) as many scales off.
  double min_ratio = 1.5;
  // One point per bucket of 1 min: budgeted as a 1440-points-a-day series.
  detect::Options detector = detect::Options::ForRate(detect::Sensitivity::kMedium, 1440);
};

class NumericSeries {
 public:
  enum class Phase : uint8_t { kLearning = 0, kTracked = 1, kRefused = 2 };
  static constexpr size_t kReservoir = 32;

  // One line: its value here (nullopt when the token held no number) in
  // `bucket`. Returns true when a bucket closed into a point, whose verdict
  // is in *verdict.
  bool Add(uint64_t bucket, const std::optional<NumericValue>& value, uint64_t bucket_ns, const NumericRule& rule,
           detect::Verdict* verdict);
  // Closes the current bucket if it is older than `bucket`; true (and
  // *verdict) when that gave a point.
  bool Close(uint64_t bucket, uint64_t bucket_ns, const NumericRule& rule, detect::Verdict* verdict);

  Phase phase() const { return phase_; }
  NumericUnit unit() const { return unit_; }
  double last_median() const { return last_median_; }  // of the last point
  bool incident_open() const { return detector_.incident_open(); }

  void Save(analysis::StateWriter* w) const;
  void Load(analysis::StateReader* r);  // failures set r->failed()

 private:
  void Learn(const std::optional<NumericValue>& value, const NumericRule& rule);

  detect::MetricDetector detector_;
  std::array<float, kReservoir> values_{};
  uint64_t bucket_ = 0;           // the bucket values_ gathers
  uint32_t in_bucket_ = 0;        // values seen in it (values_ holds min(in_bucket_, kReservoir))
  uint32_t seen_ = 0;             // learning: lines seen
  uint32_t parsed_ = 0;           // learning: of which held a number
  uint32_t ups_ = 0, downs_ = 0;  // learning: consecutive values rising, falling
  double last_value_ = 0;         // learning: the previous value (double: clocks in seconds need its precision)
  float last_median_ = 0;
  Phase phase_ = Phase::kLearning;
  NumericUnit unit_ = NumericUnit::kNone;
  bool unit_known_ = false;
};

}  // namespace augur::logs
