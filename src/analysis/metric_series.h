// MetricSeries: detector-ready series from OTLP metric points.
//
// For one OTLP metric `name` the series are (unit: the metric's own unless
// said otherwise):
//  - gauge, and sum that is not monotonic: `name`, the value as is;
//  - monotonic sum: `name.rate`, per second. Cumulative: the difference to
//    the series' previous point over the time between them; the first point,
//    and a point after a reset (value dropped, or start time changed), give
//    no rate and become the new baseline. Delta: value over its interval
//    (start time to time, or the previous point's time when start is unset);
//  - histogram and exponential histogram: `name.rate` (observations per
//    second, as for a sum) and `name.p50`, `name.p90`, `name.p99`, estimated
//    per interval (cumulative points are differenced bucket by bucket, with
//    the same reset rules; a bucket count that drops, changed bounds, or an
//    exponential scale change is a reset) by linear interpolation inside the
//    bucket holding the rank, as Prometheus' histogram_quantile does; the
//    open-ended buckets give their finite bound. Intervals with no
//    observations give a rate of 0 and no quantiles;
//  - summary: `name.rate` from its count (cumulative), and each quantile q
//    as `name.p<100q>` (`name.p99.9` for 0.999), as the sender computed it.
// Every point is stamped with its own time and carries the metric's unit
// for display: UCUM annotations ("{request}") and the dimensionless "1"
// dropped, "/s" appended for rates ("By" -> "By/s", "{request}" -> "/s"). Points carrying OTLP's
// "no recorded value" flag are skipped and restart a cumulative series.
//
// Series key: metric (as above), service (resource service.name), point
// attributes (values as AttributeString, sorted). One state per (name,
// service, attributes), capped at max_series (overflow counted, the points
// dropped); series idle for idle_ns of event time may be forgotten to make
// room. Points older than or equal to their series' previous point are
// dropped and counted (a cumulative difference needs order).
//
// No buckets here: each point is a sample of its own interval, and state is
// per series, so batch boundaries never change the output; the same points
// in the same order per series give the same series.
//
// Not thread-safe; owned by one analysis thread.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/series.h"
#include "model/telemetry.h"

namespace augur::analysis {

struct MetricSeriesOptions {
  size_t max_series = 10'000;
  uint64_t idle_ns = 3'600'000'000'000;  // 1 h
};

struct MetricSeriesStats {
  uint64_t points = 0;           // all points offered
  uint64_t emitted = 0;          // series points produced
  uint64_t baselines = 0;        // first points of a cumulative series: no rate yet
  uint64_t resets = 0;           // cumulative resets (drop, new start time, changed layout)
  uint64_t out_of_order = 0;     // not after the series' previous point
  uint64_t no_value = 0;         // flag NO_RECORDED_VALUE, or time 0
  uint64_t invalid = 0;          // malformed (bucket counts vs bounds, unknown temporality, ...)
  uint64_t series_overflow = 0;  // points dropped: max_series reached
  uint64_t series_expired = 0;   // idle series forgotten
  uint64_t series = 0;           // series with state now
};

class MetricSeries {
 public:
  explicit MetricSeries(MetricSeriesOptions options = {});

  // Appends the series points of the batch's metrics to *out, in input order.
  void Add(const model::Batch& batch, std::vector<SeriesPoint>* out);

  MetricSeriesStats stats() const;

  // Saved state: each series' previous point (so cumulative series go on
  // without a new baseline); not the stats. LoadState replaces the series;
  // on damaged input it sets r->failed() (the owner then discards this).
  void SaveState(StateWriter* w) const;
  void LoadState(StateReader* r);

  // The state kept per series: the previous point of a cumulative series.
  struct Previous {
    bool has = false;
    uint64_t start_ns = 0;
    uint64_t time_ns = 0;
    double value = 0;  // sum value, or histogram / summary count
    // Explicit histogram.
    std::vector<double> bounds;
    std::vector<uint64_t> counts;
    // Exponential histogram (counts of positive buckets reuse `counts`).
    int32_t scale = 0;
    uint64_t zero_count = 0;
    int32_t positive_offset = 0;
    int32_t negative_offset = 0;
    std::vector<uint64_t> negative_counts;
    bool idle() const { return true; }  // nothing pending: always forgettable
  };

 private:
  void AddPoint(const model::Metric& m, const std::string& service, const model::MetricPoint& p,
                std::vector<SeriesPoint>* out);

  SeriesTable<Previous> table_;
  MetricSeriesStats stats_;
};

}  // namespace augur::analysis
