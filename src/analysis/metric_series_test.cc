#include "analysis/metric_series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'700'000'000 * kS;

model::Batch OneMetric(model::Metric m) {
  model::Batch b;
  model::Resource r;
  r.service_name = "svc";
  b.resources.push_back(r);
  b.metrics.push_back(std::move(m));
  return b;
}

model::MetricPoint Pt(uint64_t start, uint64_t t, double v) {
  model::MetricPoint p;
  p.start_time_unix_nano = start;
  p.time_unix_nano = t;
  p.value = v;
  p.attributes.push_back({"host", {std::string("h1")}});
  return p;
}

model::Metric Sum(model::Temporality t, bool monotonic, std::vector<model::MetricPoint> pts) {
  model::Metric m;
  m.name = "requests";
  m.type = model::MetricType::kSum;
  m.temporality = t;
  m.monotonic = monotonic;
  m.points = std::move(pts);
  return m;
}

// metric name → values in order.
std::map<std::string, std::vector<double>> ByName(const std::vector<SeriesPoint>& out) {
  std::map<std::string, std::vector<double>> m;
  for (const auto& p : out) m[p.key.metric].push_back(p.value);
  return m;
}

TEST(MetricSeries, GaugeAndNonMonotonicSumAsIs) {
  model::Metric g;
  g.name = "cpu";
  g.points = {Pt(0, kT0, 0.5), Pt(0, kT0 + kS, 0.7)};
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  ms.Add(OneMetric(g), &out);
  ms.Add(OneMetric(Sum(model::Temporality::kCumulative, false, {Pt(kT0, kT0 + kS, -3)})), &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].key.ToString(), "cpu{service=svc,host=h1}");
  EXPECT_EQ(out[1].value, 0.7);
  EXPECT_EQ(out[1].time_ns, kT0 + kS);
  EXPECT_EQ(out[2].key.metric, "requests");
  EXPECT_EQ(out[2].value, -3);
}

TEST(MetricSeries, CumulativeSumRatesWithResets) {
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  uint64_t st = kT0 - 100 * kS;
  ms.Add(OneMetric(Sum(model::Temporality::kCumulative, true,
                       {Pt(st, kT0, 100), Pt(st, kT0 + 10 * kS, 150), Pt(st, kT0 + 20 * kS, 150)})),
         &out);
  // A drop restarts; then a new start time restarts.
  ms.Add(OneMetric(Sum(model::Temporality::kCumulative, true,
                       {Pt(st, kT0 + 30 * kS, 20), Pt(st, kT0 + 40 * kS, 40), Pt(kT0 + 45 * kS, kT0 + 50 * kS, 60),
                        Pt(kT0 + 45 * kS, kT0 + 60 * kS, 80), Pt(kT0 + 45 * kS, kT0 + 55 * kS, 90)})),
         &out);
  EXPECT_EQ(ByName(out)["requests.rate"], (std::vector<double>{5, 0, 2, 2}));
  MetricSeriesStats s = ms.stats();
  EXPECT_EQ(s.baselines, 1u);
  EXPECT_EQ(s.resets, 2u);
  EXPECT_EQ(s.out_of_order, 1u);
  EXPECT_EQ(s.series, 1u);
}

TEST(MetricSeries, DeltaSumRateByInterval) {
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  model::MetricPoint no_start = Pt(0, kT0 + 20 * kS, 30);
  ms.Add(OneMetric(Sum(model::Temporality::kDelta, true, {Pt(kT0, kT0 + 10 * kS, 50), no_start})), &out);
  EXPECT_EQ(ByName(out)["requests.rate"], (std::vector<double>{5, 3}));
}

TEST(MetricSeries, GapFlagRestartsCumulative) {
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  model::MetricPoint gap = Pt(kT0, kT0 + 20 * kS, 0);
  gap.flags = 1;
  ms.Add(OneMetric(Sum(model::Temporality::kCumulative, true,
                       {Pt(kT0, kT0 + 10 * kS, 10), gap, Pt(kT0, kT0 + 30 * kS, 50), Pt(kT0, kT0 + 40 * kS, 60)})),
         &out);
  EXPECT_EQ(ByName(out)["requests.rate"], (std::vector<double>{1}));
  EXPECT_EQ(ms.stats().no_value, 1u);
}

model::Metric Hist(model::Temporality t, std::vector<model::MetricPoint> pts) {
  model::Metric m;
  m.name = "latency";
  m.type = model::MetricType::kHistogram;
  m.temporality = t;
  m.points = std::move(pts);
  return m;
}

model::MetricPoint HistPt(uint64_t start, uint64_t t, std::vector<uint64_t> counts) {
  model::MetricPoint p = Pt(start, t, 0);
  model::HistogramValue h;
  h.explicit_bounds = {10, 20, 40, 80};
  h.bucket_counts = counts;
  for (uint64_t c : counts) h.count += c;
  p.distribution = h;
  return p;
}

TEST(MetricSeries, CumulativeHistogramPerIntervalQuantiles) {
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  // Interval 2 adds 100 observations: 50 in (10, 20], 50 in (20, 40].
  ms.Add(
      OneMetric(Hist(model::Temporality::kCumulative,
                     {HistPt(kT0, kT0 + 10 * kS, {5, 1000, 0, 0, 0}), HistPt(kT0, kT0 + 20 * kS, {5, 1050, 50, 0, 0}),
                      HistPt(kT0, kT0 + 30 * kS, {5, 1050, 50, 0, 10}),     // only the +inf bucket
                      HistPt(kT0, kT0 + 40 * kS, {5, 1000, 50, 0, 10})})),  // a bucket dropped: reset
      &out);
  auto m = ByName(out);
  EXPECT_EQ(m["latency.rate"], (std::vector<double>{10, 1}));
  ASSERT_EQ(m["latency.p50"].size(), 2u);
  EXPECT_DOUBLE_EQ(m["latency.p50"][0], 20);       // rank 50 of 100: top of (10, 20]
  EXPECT_DOUBLE_EQ(m["latency.p90"][0], 20 + 16);  // 40% into (20, 40]
  EXPECT_DOUBLE_EQ(m["latency.p99"][1], 80);       // +inf bucket: its finite bound
  EXPECT_EQ(ms.stats().resets, 1u);
}

TEST(MetricSeries, DeltaHistogramAndBadLayout) {
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  model::MetricPoint p = HistPt(kT0, kT0 + 10 * kS, {10, 0, 0, 0, 0});
  std::get<model::HistogramValue>(p.distribution).has_min = true;
  std::get<model::HistogramValue>(p.distribution).min = 4;
  model::MetricPoint bad = HistPt(kT0 + 10 * kS, kT0 + 20 * kS, {1, 2});
  ms.Add(OneMetric(Hist(model::Temporality::kDelta, {p, bad})), &out);
  auto m = ByName(out);
  EXPECT_EQ(m["latency.rate"], (std::vector<double>{1}));
  EXPECT_DOUBLE_EQ(m["latency.p50"][0], 5);  // interpolated in [0, 10], clamped to min 4 only below
  EXPECT_EQ(ms.stats().invalid, 1u);
}

TEST(MetricSeries, ExponentialHistogram) {
  model::Metric m;
  m.name = "exp";
  m.type = model::MetricType::kExponentialHistogram;
  m.temporality = model::Temporality::kCumulative;
  auto pt = [](uint64_t t, int32_t scale, int32_t offset, std::vector<uint64_t> pos) {
    model::MetricPoint p = Pt(kT0, t, 0);
    model::ExponentialHistogramValue h;
    h.scale = scale;
    h.positive_offset = offset;
    h.positive_bucket_counts = pos;
    for (uint64_t c : pos) h.count += c;
    p.distribution = h;
    return p;
  };
  // scale 0: bucket k is (2^k, 2^(k+1)]. Interval 2 adds 100 in (4, 8] via a
  // wider layout (offset moved down), which is not a reset.
  m.points = {pt(kT0 + 10 * kS, 0, 2, {10}), pt(kT0 + 20 * kS, 0, 1, {0, 110}),
              pt(kT0 + 30 * kS, 1, 2, {0, 110})};  // scale change: reset
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  ms.Add(OneMetric(m), &out);
  auto by = ByName(out);
  EXPECT_EQ(by["exp.rate"], (std::vector<double>{10}));
  EXPECT_DOUBLE_EQ(by["exp.p50"][0], 6);
  EXPECT_EQ(ms.stats().resets, 1u);
}

TEST(MetricSeries, SummaryQuantilesAndCountRate) {
  model::Metric m;
  m.name = "rpc";
  m.type = model::MetricType::kSummary;
  auto pt = [](uint64_t t, uint64_t count) {
    model::MetricPoint p = Pt(kT0, t, 0);
    model::SummaryValue s;
    s.count = count;
    s.quantiles = {{0.5, 12}, {0.999, 90}};
    p.distribution = s;
    return p;
  };
  m.points = {pt(kT0 + 10 * kS, 100), pt(kT0 + 20 * kS, 300)};
  MetricSeries ms;
  std::vector<SeriesPoint> out;
  ms.Add(OneMetric(m), &out);
  auto by = ByName(out);
  EXPECT_EQ(by["rpc.rate"], (std::vector<double>{20}));
  EXPECT_EQ(by["rpc.p50"], (std::vector<double>{12, 12}));
  EXPECT_EQ(by["rpc.p99.9"], (std::vector<double>{90, 90}));
}

TEST(MetricSeries, SeriesCap) {
  MetricSeriesOptions o;
  o.max_series = 2;
  MetricSeries ms(o);
  model::Metric g;
  g.name = "cpu";
  for (int i = 0; i < 5; ++i) {
    model::MetricPoint p = Pt(0, kT0, 1);
    p.attributes[0].value = {std::string("h") + std::to_string(i)};
    g.points.push_back(p);
  }
  std::vector<SeriesPoint> out;
  ms.Add(OneMetric(g), &out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(ms.stats().series_overflow, 3u);
  EXPECT_EQ(ms.stats().series, 2u);
}

}  // namespace
}  // namespace augur::analysis
