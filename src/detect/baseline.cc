#include "detect/baseline.h"

#include <algorithm>
#include <cmath>

namespace augur::detect {
namespace {

constexpr double kMadToSigma = 1.2533141373155;  // sqrt(pi/2): E|X| = sigma * sqrt(2/pi)
constexpr uint64_t kNsPerSec = 1000000000;
constexpr uint64_t kDayNs = 86400 * kNsPerSec;
constexpr double kDailyCycles = 3;  // the daily profile remembers about this many days
// A point updates two knots with weights w and 1-w; the sum of w^2 over a
// knot's neighbourhood is about 2/3 of the sum of w, so steps are 3/2 as
// large to relearn a knot in kDailyCycles days.
constexpr double kInterpolationGain = 1.5;
constexpr double kWeeklyCycles = 3;  // the weekly offsets about this many weeks
constexpr uint32_t kClipAfter = 8;   // points before residuals are clipped (the scale is still unknown)
constexpr double kShiftedClip = 4;   // level clip multiplier while a confirmed shift is open
// The first day fills each knot in about this many of its own points' worth of steps.
constexpr double kFillSteps = 3;
constexpr double kSeasonLevelTauS = 12 * 3600.0;  // the seasonal level's memory, at most
constexpr double kSeasonScalePriorS = 3600;       // see Learn()
// The flat predictor's trend learns with a time constant of level_tau_s /
// kTrendSpeed (30 minutes by default): fast enough that a daily swing's
// slope is followed with little lag, slow enough that the noise of a few
// points does not tilt it.
constexpr double kTrendSpeed = 2;

// Position in the daily profile: knot index and weight of the next knot.
void DailyKnots(uint64_t time_ns, int* k0, int* k1, double* w1) {
  const double hours = static_cast<double>(time_ns % kDayNs) / (3600.0 * kNsPerSec);
  double pos = hours - 0.5;  // knot k sits at hour k + 0.5
  if (pos < 0) pos += 24;
  *k0 = static_cast<int>(pos) % 24;
  *k1 = (*k0 + 1) % 24;
  *w1 = pos - std::floor(pos);
}

int DayOfWeek(uint64_t time_ns) {
  return static_cast<int>((time_ns / kDayNs) % 7);
}

}  // namespace

double Baseline::SeasonalPart(const Expectation& at, bool weekly) const {
  const int k1 = at.knot == kKnots - 1 ? 0 : at.knot + 1;
  double s = (1 - at.next_w) * daily_[at.knot] + at.next_w * daily_[k1];
  if (weekly) s += weekly_[at.day_of_week];
  return s;
}

double Baseline::ProfileBend(const Expectation& at) const {
  const auto bend = [&](int k) { return std::fabs(daily_[(k + 23) % 24] - 2.0 * daily_[k] + daily_[(k + 1) % 24]); };
  return std::max(bend(at.knot), bend((at.knot + 1) % 24));
}

double Baseline::HistoryNs(uint64_t time_ns) const {
  const uint64_t first_ns = uint64_t{first_s_} * kNsPerSec;
  return time_ns > first_ns ? static_cast<double>(time_ns - first_ns) : 0;
}

double Baseline::FlatAt(const Options& o, uint64_t time_ns) const {
  const double h =
      time_ns > last_ns_ ? std::min(static_cast<double>(time_ns - last_ns_) / kNsPerSec, o.level_tau_s) : 0;
  return flat_ + trend_ * h;
}

double Baseline::Floor(const Options& o, double center) const {
  return std::max({o.rel_scale_floor * std::fabs(center), 0.5 * static_cast<double>(resolution_), 1e-12});
}

Expectation Baseline::Expect(const Options& o, uint64_t time_ns) const {
  Expectation e;
  int k1;
  DailyKnots(time_ns, &e.knot, &k1, &e.next_w);
  e.day_of_week = DayOfWeek(time_ns);
  if (n_ == 0) return e;
  const double inflate = 1 + 1 / std::sqrt(static_cast<double>(n_));
  const double history_ns = HistoryNs(time_ns);
  // Trusted once the first day was completed by an earlier point (Learn()
  // then folded the profile's mean into the level and started the seasonal
  // scale), and while it beats the flat predictor.
  const bool season_ok = HistoryNs(last_ns_) >= 1.0 * kDayNs && mad_season_ < 0.95f * mad_flat_;
  if (season_ok) {
    const bool weekly = history_ns >= 14.0 * kDayNs;
    e.center = level_ + SeasonalPart(e, weekly);
    const double bend = 0.5 * ProfileBend(e), s = kMadToSigma * mad_season_;
    e.scale = std::sqrt(s * s + bend * bend);
    e.seasonal = true;
  } else {
    e.center = FlatAt(o, time_ns);
    e.scale = kMadToSigma * mad_flat_;
  }
  e.scale = std::max(e.scale * inflate, Floor(o, e.center));
  return e;
}

void Baseline::Learn(const Options& o, uint64_t time_ns, double x, const Expectation& e, bool shifted) {
  if (n_ == 0) {
    flat_ = level_ = x;
    first_s_ = static_cast<uint32_t>(std::min<uint64_t>(time_ns / kNsPerSec, UINT32_MAX));
    last_ns_ = time_ns;
    n_ = 1;
    return;
  }
  // Resolution: snaps down to any smaller step, creeps up by 0.1 % a point.
  // The previous value is level_ + last_delta_, with last_delta_ a float:
  // a repeated value comes back off by the float's rounding (about 6e-8 of
  // last_delta_), which is not a step. (Against |x| alone, a series stuck
  // at 0 took that rounding for its resolution, and its scale collapsed.)
  const double step = std::fabs(x - (level_ + last_delta_));
  if (step > 1e-6 * (std::fabs(x) + std::fabs(static_cast<double>(last_delta_)))) {
    resolution_ =
        resolution_ == 0 ? static_cast<float>(step) : std::min(resolution_ * 1.001f, static_cast<float>(step));
  }
  const double dt_s = time_ns > last_ns_ ? static_cast<double>(time_ns - last_ns_) / kNsPerSec : 0;
  double alpha = std::clamp(dt_s / o.level_tau_s, 1.0 / o.level_max_points, 1.0 / o.level_min_points);
  // The scale learns at half the level's pace, so that a shift moves the
  // level before it inflates the yardstick it is judged by; the seasonal
  // level at a quarter (and with at most kSeasonLevelTauS of memory), so
  // that the daily swing goes to the profile rather than being chased by
  // the level (Holt-Winters with a fast level learns only the part of the
  // cycle the level fails to follow).
  const double young = 1.0 / (n_ + 1);  // plain means while young
  const double alpha_scale = std::max(alpha / 2, young);
  alpha = std::max(alpha, young);
  const bool clip = n_ >= kClipAfter;
  const auto clipped_by = [&](double r, double scale, double by) {
    if (!clip) return r;
    const double c = by * scale;
    return std::clamp(r, -c, c);
  };
  const auto clipped = [&](double r, double scale) { return clipped_by(r, scale, o.learn_clip); };
  const double level_clip = shifted ? kShiftedClip * o.learn_clip : o.learn_clip;
  const double floor = Floor(o, e.center);

  // Flat predictor: Holt's local level and trend, with Brown's
  // critically damped gains for the trend's rate b (level gain a + b,
  // trend gain b^2 per step), so a ramp is followed without overshoot and a
  // smooth daily swing is predicted instead of chased. Both learn from the
  // clipped residual, so a step moves them no faster than the level alone
  // did; while a confirmed shift is open the trend learns nothing (the
  // step is not a slope), and the level takes it in.
  const double flat_scale = std::max(kMadToSigma * mad_flat_, floor);
  const double pred = FlatAt(o, time_ns);
  const double rf = x - pred;
  const double b =
      clip ? kTrendSpeed * std::clamp(dt_s / o.level_tau_s, 1.0 / o.level_max_points, 1.0 / o.level_min_points) : 0;
  flat_ = pred + (alpha + b) * clipped_by(rf, flat_scale, level_clip);
  if (b > 0 && dt_s > 0 && !shifted) trend_ += static_cast<float>(b * b * clipped(rf, flat_scale) / dt_s);
  mad_flat_ += static_cast<float>(alpha_scale * (std::fabs(clipped(rf, flat_scale)) - mad_flat_));

  // Seasonal predictor (learned from the start, used once trusted). The
  // first day only fills the profile, against a level held at the first
  // value: a level learned meanwhile would be the mean of the part of the
  // day seen so far, and each knot would learn its offset from a different
  // level. When the first day is complete, the profile's mean moves into
  // the level, so each knot is its hour's offset from the daily mean, and
  // the seasonal scale starts over from the flat one's.
  const double history_ns = HistoryNs(time_ns);
  const double days = history_ns / kDayNs;
  const bool first_day = days < 1;
  if (!first_day && HistoryNs(last_ns_) < static_cast<double>(kDayNs)) {
    double mean = 0;
    for (float v : daily_) mean += v;
    mean /= kKnots;
    for (float& v : daily_) v = static_cast<float>(v - mean);
    level_ += mean;
    mad_season_ = mad_flat_;
  }
  const bool weekly = history_ns >= 7.0 * kDayNs;  // learn weekly offsets after a week, use after two
  const double season = SeasonalPart(e, weekly);
  const double season_scale = std::max(kMadToSigma * mad_season_, floor);
  const double raw_rs = x - level_ - season;
  const double rs = first_day ? raw_rs : clipped(raw_rs, season_scale);
  if (!first_day) {
    // A plain mean over the points since the first day, then exponential;
    // the flat scale it started from counts as kSeasonScalePriorS of them,
    // so one lucky point cannot make the seasonal scale tiny.
    const double since_s = (history_ns - static_cast<double>(kDayNs)) / kNsPerSec;
    const double w = std::max(alpha_scale, dt_s / (since_s + kSeasonScalePriorS));
    mad_season_ += static_cast<float>(w * (std::fabs(rs) - mad_season_));
    const double alpha_season = std::min(alpha / 4, dt_s / kSeasonLevelTauS);
    level_ += alpha_season * clipped_by(raw_rs, season_scale, level_clip);
  }
  // The first day fills each knot in about three of its own points' worth
  // of steps (about 95 %); later days relearn it in kDailyCycles days.
  const double cycles = first_day ? 1 / kFillSteps : std::min(kDailyCycles, days + 1);
  const double gamma = std::min(0.5, kInterpolationGain * dt_s / (3600.0 * cycles));
  if (gamma > 0) {
    const int k0 = e.knot, k1 = e.knot == kKnots - 1 ? 0 : e.knot + 1;
    if (first_day) {
      // Filling: each knot is a weighted average of the values around it.
      // (Fitting the interpolation instead, as later days do, overshoots on
      // a first pass: a knot keeps rising with the residuals of its next
      // neighbour, still unlearned, and is not visited again that day.)
      const double y = x - level_;
      daily_[k0] += static_cast<float>(gamma * (1 - e.next_w) * (y - daily_[k0]));
      daily_[k1] += static_cast<float>(gamma * e.next_w * (y - daily_[k1]));
    } else {
      daily_[k0] += static_cast<float>(gamma * (1 - e.next_w) * rs);
      daily_[k1] += static_cast<float>(gamma * e.next_w * rs);
    }
    if (weekly) {
      const double weeks = days / 7;
      const double gw = std::min(0.5, dt_s / (86400.0 * std::min(kWeeklyCycles, weeks)));
      weekly_[e.day_of_week] += static_cast<float>(gw * rs);
    }
  }
  last_delta_ = static_cast<float>(x - level_);
  last_ns_ = std::max(last_ns_, time_ns);
  if (n_ < UINT32_MAX) ++n_;
}

void Baseline::Encode(ByteWriter* w) const {
  w->Put(flat_);
  w->Put(level_);
  w->Put(trend_);
  w->Put(mad_flat_);
  w->Put(mad_season_);
  w->Put(last_delta_);
  w->Put(resolution_);
  for (float v : daily_) w->Put(v);
  for (float v : weekly_) w->Put(v);
  w->Put(first_s_);
  w->Put(last_ns_);
  w->Put(n_);
}

void Baseline::Decode(ByteReader* r) {
  r->Get(&flat_);
  r->Get(&level_);
  r->Get(&trend_);
  r->Get(&mad_flat_);
  r->Get(&mad_season_);
  r->Get(&last_delta_);
  r->Get(&resolution_);
  for (float& v : daily_) r->Get(&v);
  for (float& v : weekly_) r->Get(&v);
  r->Get(&first_s_);
  r->Get(&last_ns_);
  r->Get(&n_);
}

}  // namespace augur::detect
