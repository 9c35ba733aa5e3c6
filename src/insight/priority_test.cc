#include "insight/priority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace augur::insight {
namespace {

constexpr uint64_t kS = 1'000'000'000ULL;

model::InsightAnomaly Anomaly(const std::string& service, double score, uint64_t onset_ns) {
  model::InsightAnomaly m;
  m.anomaly.id = "an-" + service + "-" + std::to_string(onset_ns);
  m.anomaly.series.service = service;
  m.anomaly.score = score;
  m.anomaly.onset_ns = onset_ns;
  return m;
}

model::Insight Insight(const std::string& id, const std::string& severity,
                       std::vector<model::InsightAnomaly> anomalies) {
  model::Insight in;
  in.id = id;
  in.severity = severity;
  in.anomalies = std::move(anomalies);
  in.start_ns = UINT64_MAX;
  for (const auto& m : in.anomalies) in.start_ns = std::min(in.start_ns, m.anomaly.onset_ns);
  return in;
}

std::vector<std::string> Order(std::vector<model::Insight> insights) {
  std::sort(insights.begin(), insights.end(), AttendFirst);
  std::vector<std::string> ids;
  for (const auto& in : insights) ids.push_back(in.id);
  return ids;
}

// A process pinned at full CPU, just raised, comes before an older, wider
// insight made of small latency shifts on busy services that happened to
// take one more of them at the same time.
TEST(PriorityTest, TheStrongestAnomalyComesBeforeAnOlderWiderGroupOfSmallShifts) {
  const uint64_t t = 10'000 * kS;
  const model::Insight shifts = Insight("in-shifts", "HIGH",
                                        {Anomaly("order", 0.55, t - 1300 * kS), Anomaly("config", 0.52, t - 700 * kS),
                                         Anomaly("seat", 0.56, t - 40 * kS)});
  const model::Insight cpu = Insight("in-cpu", "MEDIUM", {Anomaly("contacts", 1.0, t + 75 * kS)});
  EXPECT_TRUE(AttendFirst(cpu, shifts));
  EXPECT_FALSE(AttendFirst(shifts, cpu));
  EXPECT_EQ(Order({shifts, cpu}), (std::vector<std::string>{"in-cpu", "in-shifts"}));
}

// Two insights hold an equally strong anomaly; in one it is at the root
// cause, in the other a symptom while the cause it names rests on a small
// shift. The clearer cause comes first, though its insight is narrower.
TEST(PriorityTest, EqualStrengthGoesFirstToTheInsightWhoseCauseIsClearlyAbnormal) {
  const uint64_t t = 10'000 * kS;
  model::Insight weak_cause =
      Insight("in-weak-cause", "HIGH", {Anomaly("order", 0.56, t - 80 * kS), Anomaly("seat", 1.0, t - 50 * kS)});
  weak_cause.anomalies[0].role = "causal";
  weak_cause.anomalies[1].role = "contextual";
  model::Insight clear_cause =
      Insight("in-clear-cause", "MEDIUM", {Anomaly("auth", 0.6, t + 38 * kS), Anomaly("code", 1.0, t + 40 * kS)});
  clear_cause.anomalies[0].role = "contextual";
  clear_cause.anomalies[1].role = "causal";
  EXPECT_EQ(Order({weak_cause, clear_cause}), (std::vector<std::string>{"in-clear-cause", "in-weak-cause"}));
}

TEST(PriorityTest, EqualStrengthGoesToSeverityThenReachThenTheEarlierStart) {
  const uint64_t t = 10'000 * kS;
  // Scores that differ below 0.01 are equally strong.
  const model::Insight low = Insight("in-low", "LOW", {Anomaly("a", 0.801, t)});
  const model::Insight high = Insight("in-high", "HIGH", {Anomaly("b", 0.8, t + 60 * kS)});
  EXPECT_EQ(Order({low, high}), (std::vector<std::string>{"in-high", "in-low"}));

  const model::Insight one = Insight("in-one", "LOW", {Anomaly("a", 0.8, t)});
  const model::Insight two = Insight("in-two", "LOW", {Anomaly("b", 0.8, t + 60 * kS), Anomaly("c", 0.5, t + 60 * kS)});
  EXPECT_EQ(Order({one, two}), (std::vector<std::string>{"in-two", "in-one"}));
  // Two services' worth of anomalies outrank more anomalies on one service.
  const model::Insight same =
      Insight("in-same", "LOW", {Anomaly("d", 0.8, t), Anomaly("d", 0.6, t), Anomaly("d", 0.6, t + kS)});
  EXPECT_EQ(Order({same, two}), (std::vector<std::string>{"in-two", "in-same"}));
  const model::Insight more = Insight("in-more", "LOW", {Anomaly("e", 0.8, t + 90 * kS), Anomaly("e", 0.6, t)});
  EXPECT_EQ(Order({one, more}), (std::vector<std::string>{"in-more", "in-one"}));

  // Everything else equal: the earlier start, then the id.
  const model::Insight late = Insight("in-a-late", "LOW", {Anomaly("f", 0.8, t + 30 * kS)});
  EXPECT_EQ(Order({late, one}), (std::vector<std::string>{"in-one", "in-a-late"}));
  const model::Insight twin = Insight("in-0-twin", "LOW", {Anomaly("g", 0.8, t)});
  EXPECT_EQ(Order({one, twin}), (std::vector<std::string>{"in-0-twin", "in-one"}));
  EXPECT_FALSE(AttendFirst(one, one));
}

TEST(PriorityTest, WhatIsWrongNowComesBeforeAForecast) {
  const uint64_t t = 10'000 * kS;
  model::Insight forecast = Insight("in-forecast", "HIGH", {Anomaly("disk", 1.0, t - 3600 * kS)});
  forecast.type = "PROACTIVE";
  const model::Insight now = Insight("in-now", "LOW", {Anomaly("a", 0.5, t)});
  EXPECT_EQ(Order({forecast, now}), (std::vector<std::string>{"in-now", "in-forecast"}));
}

}  // namespace
}  // namespace augur::insight
