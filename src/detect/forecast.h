// Forecaster: will this saturation-like series cross its limit, and when?
// The proactive half of augur (DevOps Guru's "proactive insights"): a disk,
// a memory or a queue that grows steadily toward a known limit is reported
// before it gets there.
//
// Per point, an exponentially weighted least-squares line through the
// recent values (time constant `tau`, so the trend follows the last hours,
// not the whole history) gives a slope, an intercept and how well a line
// explains them (R², weighted). When the series is rising, a line explains
// it well (R² >= raise_r2), there is enough history, and the line meets the
// limit within `horizon`, a forecast is raised with the predicted crossing
// time; it is updated when that time moves by more than 10 %, and ends
// when the growth stops, the fit degrades (R² < end_r2), or the crossing
// moves beyond twice the horizon. A series already at or over its limit is
// not forecast (that is a present problem, for the level detectors).
//
// Which series have a limit is the caller's business (analysis decides from
// units, names and configuration); the forecaster only needs the number.
//
// 80 bytes, no heap. Deterministic; not thread-safe; one per series.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "detect/finding.h"

namespace augur::detect {

struct ForecastOptions {
  double tau_s = 6 * 3600.0;  // memory of the trend
  uint64_t min_history_ns = 30ULL * 60 * 1'000'000'000;
  uint32_t min_points = 20;
  uint64_t horizon_ns = 3ULL * 86400 * 1'000'000'000;  // report crossings up to 3 days ahead
  double raise_r2 = 0.8;
  double end_r2 = 0.5;
};

struct Forecast {
  Event event = Event::kNone;  // kRaised, kUpdated (new predicted time), kEnded
  uint64_t predicted_ns = 0;   // when the line meets the limit
  uint64_t raised_ns = 0;      // time of the point that raised it
  uint64_t onset_ns = 0;       // where the trend's window starts (first point it learned from)
  double slope_per_s = 0;      // units per second
  double value = 0;            // the fitted value now
  double r2 = 0;
};

class Forecaster {
 public:
  // Non-finite values and points not after the previous one are ignored.
  Forecast Update(const ForecastOptions& o, uint64_t time_ns, double value, double limit);
  bool open() const { return open_; }

  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

 private:
  static constexpr uint8_t kVersion = 1;
  // Weighted sums over (x = seconds since origin_ns_, y = value).
  double sw_ = 0, sx_ = 0, sy_ = 0, sxx_ = 0, sxy_ = 0, syy_ = 0;
  uint64_t origin_ns_ = 0;  // first point
  uint64_t last_ns_ = 0;
  uint64_t predicted_ns_ = 0;  // of the open forecast
  uint64_t raised_ns_ = 0;
  uint32_t n_ = 0;
  bool open_ = false;
};

}  // namespace augur::detect
