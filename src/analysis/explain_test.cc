#include "analysis/explain.h"

#include <gtest/gtest.h>

namespace augur::analysis {
namespace {

model::SeriesKey Red(const std::string& metric, std::vector<std::pair<std::string, std::string>> attrs) {
  return {metric, "writer", "POST /items", std::move(attrs)};
}

detect::Finding Latency(detect::Quantity q, double before, double observed, double lo, double hi) {
  detect::Finding f;
  f.kind = detect::Kind::kLatency;
  f.quantity = q;
  f.before = before;
  f.observed = observed;
  f.expected_low = lo;
  f.expected_high = hi;
  return f;
}

TEST(Explain, RedSeriesNameTheOperationAndService) {
  const auto server = Red("span.duration", {{"span.kind", "SERVER"}});
  EXPECT_EQ(Explain(server, Latency(detect::Quantity::kP90, 41, 380, 30, 55), "ms", 0),
            "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms");
  EXPECT_EQ(Explain(server, Latency(detect::Quantity::kSlowShare, 0.001, 0.84, 0, 0.015), "", 102.4),
            "share of slow requests (over 102 ms) in POST /items on writer rose from 0.1% to 84%; expected 0%–1.5%");

  detect::Finding errors = Latency(detect::Quantity::kErrorRatio, 0.005, 0.2, 0, 0.02);
  errors.kind = detect::Kind::kErrors;
  EXPECT_EQ(Explain(Red("span.errors", {{"span.kind", "SERVER"}}), errors, "", 0),
            "error ratio of POST /items on writer rose from 0.5% to 20%; expected 0%–2%");

  detect::Finding traffic = Latency(detect::Quantity::kCount, 250, 3, 200, 300);
  traffic.kind = detect::Kind::kTraffic;
  traffic.direction = detect::Direction::kDown;
  EXPECT_EQ(Explain(Red("span.requests", {{"span.kind", "SERVER"}}), traffic, "", 0),
            "request count of POST /items on writer fell from 250 to 3; expected 200–300");
}

TEST(Explain, ClientSpansAreCallsToTheirPeer) {
  model::SeriesKey k{"span.duration", "writer", "SET", {{"peer", "redis"}, {"span.kind", "CLIENT"}}};
  EXPECT_EQ(RedSubject(k), "calls from writer to redis (SET)");
  EXPECT_EQ(Explain(k, Latency(detect::Quantity::kP50, 1, 30, 0.5, 2), "ms", 0),
            "p50 duration of calls from writer to redis (SET) rose from 1 ms to 30 ms; expected 0.5–2 ms");
}

TEST(Explain, MetricsNameServiceAndAttributes) {
  detect::Finding f = Latency(detect::Quantity::kValue, 10, 500, 4, 16);
  f.kind = detect::Kind::kMetricLevel;
  EXPECT_EQ(Explain({"queue.size", "writer", "", {{"queue", "orders"}, {"region", "eu"}}}, f, "", 0),
            "queue.size of writer (queue=orders, region=eu) rose from 10 to 500; expected 4–16");
  EXPECT_EQ(Explain({"process.memory.usage", "writer", "", {}}, f, "By", 0),
            "process.memory.usage of writer rose from 10 By to 500 By; expected 4–16 By");
}

}  // namespace
}  // namespace augur::analysis
