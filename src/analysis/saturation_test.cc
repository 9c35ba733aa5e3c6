#include "analysis/saturation.h"

#include <gtest/gtest.h>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'800'000'000 * kS;

model::Batch Gauge(const std::string& name, const std::string& unit, uint64_t t, double v,
                   const std::string& mount = "/") {
  model::Batch b;
  model::Resource r;
  r.service_name = "db";
  b.resources = {r};
  model::Metric m;
  m.name = name;
  m.unit = unit;
  m.type = model::MetricType::kGauge;
  model::MetricPoint p;
  p.time_unix_nano = t;
  p.value = v;
  p.attributes = {{"mountpoint", {mount}}};
  m.points = {p};
  b.metrics = {m};
  return b;
}

TEST(Saturation, APercentGaugeRisingSteadilyIsForecast) {
  Saturation s;
  std::vector<model::Anomaly> out;
  for (uint64_t t = 0; t <= 12 * 3600; t += 60) {
    s.Add(Gauge("disk.used", "%", kT0 + t * kS, 50 + 1.0 * t / 3600));  // +1 %/h from 50 %: full in 50 h
    s.TakeAnomalies(&out);
  }
  ASSERT_FALSE(out.empty());
  const model::Anomaly& a = out.front();
  EXPECT_EQ(a.kind, "forecast");
  EXPECT_EQ(a.series.metric, "disk.used");
  EXPECT_EQ(a.series.Attribute("mountpoint"), "/");
  EXPECT_EQ(a.limit, 100);
  EXPECT_NEAR(static_cast<double>(a.predicted_ns - kT0) / kS / 3600, 50, 1);
  EXPECT_NE(a.explanation.find("will reach its limit of 100 %"), std::string::npos) << a.explanation;
  EXPECT_TRUE(a.ongoing());
}

TEST(Saturation, SeriesWithoutALimitAreLeftAlone) {
  Saturation s;
  std::vector<model::Anomaly> out;
  for (uint64_t t = 0; t <= 12 * 3600; t += 60) {
    s.Add(Gauge("queue.depth", "{items}", kT0 + t * kS, 10 + static_cast<double>(t)));
    s.TakeAnomalies(&out);
  }
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s.stats().series, 0u);
}

TEST(Saturation, ACompanionLimitGaugeGivesTheLimit) {
  Saturation s;
  std::vector<model::Anomaly> out;
  for (uint64_t t = 0; t <= 12 * 3600; t += 60) {
    s.Add(Gauge("memory.limit", "By", kT0 + t * kS, 1000));
    s.Add(Gauge("memory.usage", "By", kT0 + t * kS, 400 + 10.0 * t / 3600));
    s.TakeAnomalies(&out);
  }
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front().limit, 1000);
  EXPECT_NEAR(static_cast<double>(out.front().predicted_ns - kT0) / kS / 3600, 60, 2);
}

TEST(Saturation, StateRoundTripKeepsTheOpenForecast) {
  Saturation a;
  std::vector<model::Anomaly> out;
  for (uint64_t t = 0; t <= 6 * 3600; t += 60) a.Add(Gauge("disk.used", "%", kT0 + t * kS, 50 + 1.0 * t / 3600));
  a.TakeAnomalies(&out);
  ASSERT_FALSE(out.empty());
  Saturation b;
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  // Growth stops: both end the same forecast, with the same id.
  std::vector<model::Anomaly> ea, eb;
  for (uint64_t t = 6 * 3600 + 60; t <= 40 * 3600; t += 60) {
    a.Add(Gauge("disk.used", "%", kT0 + t * kS, 56));
    b.Add(Gauge("disk.used", "%", kT0 + t * kS, 56));
  }
  a.TakeAnomalies(&ea);
  b.TakeAnomalies(&eb);
  ASSERT_FALSE(eb.empty());
  EXPECT_EQ(ea, eb);
  EXPECT_EQ(eb.back().id, out.front().id);
  EXPECT_FALSE(eb.back().ongoing());
  EXPECT_FALSE(b.LoadState("junk").ok());
}

}  // namespace
}  // namespace augur::analysis
