// Baseline: the learned normal of one metric series, as a robust centre and
// scale, with a daily and a weekly profile once history allows.
//
// Two predictors run side by side and the better one is used:
//  - flat: Holt's local level and trend (a level plus a slope per second,
//    extrapolated at most Options::level_tau_s ahead), learned from
//    residuals clipped at Options::learn_clip scales (a Huber-style
//    M-estimate, so spikes barely move it), with the scale an exponentially
//    weighted mean absolute deviation (also clipped) times sqrt(pi/2)
//    (sigma for normal noise). The trend is what lets a cold series with a
//    smooth daily swing be predicted rather than lagged behind: a flat level
//    trails a ramp by slope x memory, and a CUSUM reads that lag as a shift.
//    A step is still a step: the trend learns it only as slowly as a slope
//    (clipped, with a time constant of half the level's), and not at all
//    while the caller says a confirmed shift is open;
//  - seasonal (additive Holt-Winters): a deseasonalised level plus a daily
//    profile of 24 hourly knots (linearly interpolated, UTC time of day) plus
//    7 day-of-week offsets, each knot learned from the residuals around it.
//    The first day fills the profile (each knot a weighted average of the
//    values around it, against a level held still); at its end the
//    profile's mean moves into the level.
// The seasonal predictor is trusted after one day of history (its weekly
// part after 14), and only while its own residuals are clearly smaller than
// the flat one's, so a series without a daily cycle never pays for one.
//
// Where the profile bends sharply (a daily step, as when a batch job starts
// at 09:00), 24 knots cannot follow it; the profile's own second difference
// there says how far off it may be, and widens the scale at those hours
// only, at no cost in state.
//
// Quantised series (counts, percentages with one decimal): the scale never
// falls below half the series' resolution (the smallest non-zero step seen
// between consecutive values), so a counter stuck at 0 that reads 1 is not
// a million-sigma event.
//
// Cold start: averages start as plain means (weight 1/n) and the scale is
// inflated by 1 + 1/sqrt(n) while few points were seen; with the default
// options a 10 s series is usable after about 5 minutes.
//
// 176 bytes, no heap. Not thread-safe; one per series.
#pragma once

#include <cstdint>

#include "detect/codec.h"
#include "detect/options.h"

namespace augur::detect {

// The expected value of the next point.
struct Expectation {
  double center = 0;
  double scale = 0;       // > 0 once points() >= 1, in the series' unit
  bool seasonal = false;  // the daily profile was used
  // Where the time falls in the profiles, computed once for Learn().
  int knot = 0;       // daily knot before the time; the next one follows
  double next_w = 0;  // weight of the next knot
  int day_of_week = 0;
};

class Baseline {
 public:
  // What the baseline expects at `time_ns`; call before Learn() for the same point.
  Expectation Expect(const Options& o, uint64_t time_ns) const;
  // Learns `value` at `time_ns`; `e` is what Expect() returned for it.
  // `shifted`: a level shift was confirmed and is still open, so the level
  // learns the new values at its normal pace instead of resisting them as
  // outliers (the scale still resists), and the flat trend learns nothing (a
  // step is not a slope); a shift that stays thereby becomes the new normal
  // within about Options::level_tau_s.
  void Learn(const Options& o, uint64_t time_ns, double value, const Expectation& e, bool shifted = false);

  uint32_t points() const { return n_; }
  uint64_t last_ns() const { return last_ns_; }

  void Encode(ByteWriter* w) const;
  void Decode(ByteReader* r);

 private:
  static constexpr int kKnots = 24;
  double SeasonalPart(const Expectation& at, bool weekly) const;
  double ProfileBend(const Expectation& at) const;
  double Floor(const Options& o, double center) const;
  double FlatAt(const Options& o, uint64_t time_ns) const;
  double HistoryNs(uint64_t time_ns) const;

  double flat_ = 0;   // flat predictor's level
  double level_ = 0;  // seasonal predictor's deseasonalised level
  float trend_ = 0;   // flat predictor's local trend, per second
  float mad_flat_ = 0;
  float mad_season_ = 0;
  float last_delta_ = 0;      // previous value - level_ (kept relative: floats lose large values)
  float resolution_ = 0;      // smallest non-zero step between consecutive values, slowly forgotten; 0 = none yet
  float daily_[kKnots] = {};  // offset at hour h + 0.5 (UTC)
  float weekly_[7] = {};      // offset of day-of-week d (0 = Thursday, 1970-01-01)
  uint64_t last_ns_ = 0;
  uint32_t first_s_ = 0;  // Unix seconds of the first point (for the history's length)
  uint32_t n_ = 0;
};

}  // namespace augur::detect
