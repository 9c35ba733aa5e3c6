// RateTracker: counts of one kind of log line (a template, lines with a
// keyword, HTTP 5xx) in fixed event-time buckets, against a baseline
// learned from earlier buckets, to say when the count of the current bucket
// jumped.
//
// Baseline: exponentially weighted mean and variance of the per-bucket
// counts, empty buckets included (folded in closed form when a gap is
// skipped), corrected for the start from zero (divided by the weight of the
// buckets seen, as Adam's moments are), so a young baseline is not low. A bucket "jumps" when its count reaches the
// threshold fixed when the bucket opened, the largest of:
//   - min_count (low counts prove nothing);
//   - min_ratio × the mean (a rate must really change, not drift);
//   - mean + z × the standard deviation, with the variance at least the mean
//     (over-dispersed, bursty lines need a bigger jump than Poisson says);
//   - the Poisson (mean) quantile at tail probability p_value, for small means.
// The threshold is computed once per bucket, so the hot path only compares.
//
// Incidents: the owner marks the tracker open when it raises; while open,
// buckets are not learned (the baseline stays that of normal times), and a
// bucket whose count is at most the "calm" level (mean + 3 sd) is quiet.
// The owner ends the incident after end_quiet_buckets quiet buckets in a row
// (gaps count as quiet) or after max_open_buckets, when the new level is
// taken as the baseline.
//
// 64 bytes. Buckets are indexes (event time / width); a count for a bucket
// older than the current one is added to the current one (logs arrive a
// little out of order). Plain value; not thread-safe.
#pragma once

#include <cstdint>

#include "analysis/state_codec.h"

namespace augur::logs {

struct RateRule {
  double half_life_buckets = 60;  // baseline memory
  uint32_t min_history = 30;      // buckets seen before a jump may be raised
  uint32_t min_count = 10;
  double min_ratio = 3;
  double z = 5;
  double p_value = 1e-6;
  uint32_t end_quiet_buckets = 3;
  uint32_t max_open_buckets = 360;
};

class RateTracker {
 public:
  // Starts counting at `bucket` (history is counted from here). Count()
  // starts a tracker that was not started at its first line's bucket.
  void Start(uint64_t bucket, const RateRule& rule);
  bool started() const { return started_; }

  // One line in `bucket`. Returns true when this line makes the current
  // bucket reach its threshold, and again at twice the threshold (a jump
  // that scored under the owner's bar at first may reach it then), once the
  // history is long enough.
  bool Count(uint64_t bucket, const RateRule& rule);
  // Closes every bucket before `bucket` (a sweep while the lines are
  // silent). Does nothing for a bucket at or before the current one.
  void AdvanceTo(uint64_t bucket, const RateRule& rule);

  // Marks an incident open (raised) or ended. Ending one that ran
  // max_open_buckets takes the level it held as the new baseline.
  void set_open(bool open, const RateRule& rule);
  bool open() const { return open_; }

  uint64_t bucket() const { return bucket_; }
  uint32_t count() const { return count_; }                          // lines in the current bucket
  uint32_t threshold() const { return threshold_; }                  // of the current bucket
  bool jumped() const { return jumped_; }                            // the current bucket reached it
  double mean() const { return weight_ > 0 ? mean_ / weight_ : 0; }  // per bucket
  double variance() const { return weight_ > 0 ? var_ / weight_ : 0; }
  double calm() const;                                     // mean + 3 sd: a quiet bucket's most
  uint32_t quiet() const { return quiet_; }                // closed quiet buckets in a row while open
  uint64_t quiet_start() const { return quiet_start_; }    // the first of them
  uint32_t open_buckets() const { return open_buckets_; }  // closed buckets since it opened
  uint32_t peak() const { return peak_; }                  // largest bucket count while open
  // The owner's verdict for an open incident: enough quiet buckets, or open too long.
  bool ShouldEnd(const RateRule& rule) const {
    return open_ && (quiet_ >= rule.end_quiet_buckets || open_buckets_ >= rule.max_open_buckets);
  }

  void Save(analysis::StateWriter* w) const;
  void Load(analysis::StateReader* r);

 private:
  void Close(const RateRule& rule);                         // closes the current bucket
  void Skip(uint64_t empty_buckets, const RateRule& rule);  // folds in empty buckets
  void Open(uint64_t bucket, const RateRule& rule);         // opens `bucket` and fixes its threshold
  void Learn(double x, const RateRule& rule);

  uint64_t bucket_ = 0;
  uint64_t quiet_start_ = 0;
  float mean_ = 0, var_ = 0;
  float weight_ = 0;    // 1 - (1 - alpha)^buckets learned: the bias correction
  float open_sum_ = 0;  // counts of the buckets closed while open
  uint32_t count_ = 0;
  uint32_t threshold_ = 0;
  uint32_t peak_ = 0;
  uint16_t history_ = 0;  // buckets since Start, saturating
  uint16_t open_buckets_ = 0;
  uint16_t quiet_ = 0;
  bool started_ = false, open_ = false, jumped_ = false;
};

// The smallest k with P(X >= k) < p for X ~ Poisson(lambda) (lambda < 200;
// larger means use the normal bound in the threshold).
uint32_t PoissonUpperQuantile(double lambda, double p);

}  // namespace augur::logs
