// Saturation: the proactive side of the analysis. Finds gauges that have a
// known limit and forecasts, per series, when a steady trend will cross it
// (detect::Forecaster), as anomalies of kind "forecast" that become
// PROACTIVE insights.
//
// Which series have a limit, and what it is:
//  - unit "%": 100;
//  - unit "1" (a ratio) when the name says utilization, usage or ratio: 1;
//  - a companion gauge of the same resource and attributes named
//    "<name>.limit" (or, for "<base>.usage", "<base>.limit"): its latest value;
//  - `limits` in the options: metric name → limit (configuration).
// Other series (a queue depth with no known bound) are not forecast: a trend
// with nowhere to end is not a prediction.
//
// Gauges and non-monotonic sums are considered (monotonic counters always
// grow; their rates are the level detectors' business). Series are capped
// (max_series, overflow counted); one state per (metric, service, attributes).
//
// Pure, deterministic, event time only. Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "detect/forecast.h"
#include "model/anomaly.h"
#include "model/series_key.h"
#include "model/telemetry.h"

namespace augur::analysis {

struct SaturationOptions {
  detect::ForecastOptions forecast;
  std::map<std::string, double> limits;  // metric name → limit
  size_t max_series = 10'000;
};

struct SaturationStats {
  uint64_t points = 0;           // points of series with a limit
  uint64_t series = 0;           // series forecast now
  uint64_t series_overflow = 0;  // points dropped: max_series reached
  uint64_t forecasts_raised = 0;
};

class Saturation {
 public:
  explicit Saturation(SaturationOptions options = {}) : options_(std::move(options)) {}

  void Add(const model::Batch& batch);
  // Forecast anomalies raised, updated (a new predicted time) or ended.
  void TakeAnomalies(std::vector<model::Anomaly>* out);

  std::string SaveState() const;
  Status LoadState(std::string_view bytes);
  SaturationStats stats() const;

 private:
  struct Series {
    detect::Forecaster forecaster;
    std::string unit;
    std::string id;  // of the open forecast anomaly
    model::Anomaly open;
  };
  double LimitOf(const model::Metric& m, const model::SeriesKey& key) const;
  void Emit(const model::SeriesKey& key, Series& s, const detect::Forecast& f, double limit, uint64_t time_ns);

  SaturationOptions options_;
  std::map<model::SeriesKey, Series> series_;
  std::map<model::SeriesKey, double> companion_limits_;  // latest "<x>.limit" values, keyed like their target
  std::vector<model::Anomaly> out_;
  SaturationStats stats_;
};

}  // namespace augur::analysis
