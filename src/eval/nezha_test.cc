#include "eval/nezha.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace augur::eval::nezha {
namespace {

constexpr uint64_t kS = 1'000'000'000ULL;

model::CauseCandidate Candidate(std::string service, std::string operation = "", std::string dependency = "") {
  model::CauseCandidate c;
  c.service = std::move(service);
  c.operation = std::move(operation);
  c.dependency = std::move(dependency);
  return c;
}

model::Insight MakeInsight(std::string id, std::vector<uint64_t> onsets, std::vector<std::string> candidates,
                           std::string severity = "MEDIUM") {
  model::Insight in;
  in.id = std::move(id);
  in.severity = std::move(severity);
  in.start_ns = UINT64_MAX;
  for (uint64_t t : onsets) {
    model::InsightAnomaly m;
    m.anomaly.onset_ns = t;
    m.anomaly.detected_ns = t + 10 * kS;
    in.anomalies.push_back(m);
    in.start_ns = std::min(in.start_ns, t);
  }
  for (auto& c : candidates) in.candidates.push_back(Candidate(c));
  return in;
}

TEST(NezhaPickTest, FirstIncidentAfterTheInjectionAnswers) {
  const uint64_t inject = 1000 * kS;
  std::vector<model::Insight> insights = {
      MakeInsight("in-late", {inject + 90 * kS}, {"c"}),
      MakeInsight("in-first", {inject + 20 * kS}, {"b"}),
      MakeInsight("in-before", {inject - 300 * kS}, {"a"}),  // noise before the fault
      MakeInsight("in-after-window", {inject + 700 * kS}, {"d"}),
  };
  const model::Insight* p = PickInsight(insights, inject, 30 * kS, inject + 600 * kS);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, "in-first");
  // A point stamped with the start of its interval, just before the injection, still counts.
  insights.push_back(MakeInsight("in-bucket", {inject - 5 * kS}, {"e"}));
  EXPECT_EQ(PickInsight(insights, inject, 30 * kS, inject + 600 * kS)->id, "in-bucket");
  EXPECT_EQ(PickInsight(insights, inject, 0, inject + 600 * kS)->id, "in-first");
}

TEST(NezhaPickTest, AnOlderInsightCountsOnceAnAnomalyAfterTheInjectionJoinedIt) {
  const uint64_t inject = 1000 * kS;
  std::vector<model::Insight> insights = {
      MakeInsight("in-new", {inject + 60 * kS}, {"b"}),
      MakeInsight("in-old", {inject - 300 * kS, inject + 30 * kS}, {"a", "z"}),
  };
  EXPECT_EQ(PickInsight(insights, inject, 30 * kS, inject + 600 * kS)->id, "in-old");
}

// Among the insights active at the injection, the answer is the one the
// product shows first (insight::AttendFirst): the strongest anomaly before
// the earliest start.
TEST(NezhaPickTest, TheInsightTheProductShowsFirstAnswers) {
  const uint64_t inject = 1000 * kS;
  std::vector<model::Insight> insights = {
      MakeInsight("in-noise", {inject - 50 * kS}, {"a"}, "HIGH"),
      MakeInsight("in-strong", {inject + 40 * kS}, {"b"}, "MEDIUM"),
  };
  insights[0].anomalies[0].anomaly.score = 0.55;
  insights[1].anomalies[0].anomaly.score = 1.0;
  EXPECT_EQ(PickInsight(insights, inject, 60 * kS, inject + 600 * kS)->id, "in-strong");
  // Not active at the injection: never the answer, however strong.
  insights[1].anomalies[0].anomaly.onset_ns = inject + 700 * kS;
  EXPECT_EQ(PickInsight(insights, inject, 60 * kS, inject + 600 * kS)->id, "in-noise");
}

TEST(NezhaPickTest, TiesGoToSeverityThenSizeAndProactiveOrEmptyNeverAnswer) {
  const uint64_t inject = 1000 * kS;
  const uint64_t t = inject + 10 * kS;
  std::vector<model::Insight> insights = {
      MakeInsight("in-a", {t}, {"a"}, "LOW"),
      MakeInsight("in-b", {t}, {"b"}, "HIGH"),
      MakeInsight("in-c", {t, t + kS}, {"c"}, "HIGH"),
  };
  EXPECT_EQ(PickInsight(insights, inject, 0, inject + 600 * kS)->id, "in-c");
  std::vector<model::Insight> others = {MakeInsight("in-p", {t}, {"p"}), MakeInsight("in-merged", {}, {"m"})};
  others[0].type = "PROACTIVE";
  EXPECT_EQ(PickInsight(others, inject, 0, inject + 600 * kS), nullptr);
  EXPECT_EQ(PickInsight({}, inject, 0, inject + 600 * kS), nullptr);
}

TEST(NezhaRankTest, ServicesDeduplicatedInOrder) {
  model::Insight in;
  in.candidates = {Candidate("ts-a", "GET /x"), Candidate("ts-b"), Candidate("ts-a", "GET /y"),
                   Candidate("", "", "mysql"), Candidate("ts-c")};
  const auto ranked = RankedServices(in);
  EXPECT_EQ(ranked, (std::vector<std::string>{"ts-a", "ts-b", "mysql", "ts-c"}));
  EXPECT_EQ(RankOf(ranked, "ts-a"), 1);
  EXPECT_EQ(RankOf(ranked, "ts-c"), 4);
  EXPECT_EQ(RankOf(ranked, "ts-z"), 0);
}

TEST(NezhaScoreTest, AccuracyAtK) {
  const std::vector<int> ranks = {1, 2, 3, 4, 6, 0, 1, 0};
  const auto a = ScoreAtK(ranks);
  EXPECT_EQ(a.faults, 8u);
  EXPECT_DOUBLE_EQ(a.as1, 25.0);
  EXPECT_DOUBLE_EQ(a.as3, 50.0);
  EXPECT_DOUBLE_EQ(a.as5, 62.5);
  EXPECT_DOUBLE_EQ(ScoreAtK({}).as1, 0);
}

std::vector<Fault> Faults(std::vector<uint64_t> times) {
  std::vector<Fault> out;
  for (uint64_t t : times) {
    Fault f;
    f.inject_ns = t;
    out.push_back(f);
  }
  return out;
}

TEST(NezhaWindowTest, StaysBetweenTheNeighbouringInjections) {
  const auto faults = Faults({1000 * kS, 1240 * kS, 3000 * kS});
  const Window first = FaultWindow(faults, 0, 300 * kS, 600 * kS);
  EXPECT_EQ(first.from_ns, 700 * kS);
  EXPECT_EQ(first.to_ns, 1240 * kS);  // the next injection
  const Window second = FaultWindow(faults, 1, 300 * kS, 600 * kS);
  EXPECT_EQ(second.from_ns, 1000 * kS);  // the previous injection
  EXPECT_EQ(second.to_ns, 1840 * kS);
  const Window last = FaultWindow(faults, 2, 300 * kS, 600 * kS);
  EXPECT_EQ(last.from_ns, 2700 * kS);
  EXPECT_EQ(last.to_ns, 3600 * kS);
}

TEST(NezhaOnlineTest, EachCaseWarmsUpRightBeforeItsWindowAndNeverHoldsTheNextFault) {
  const auto faults = Faults({1000 * kS, 1240 * kS, 3000 * kS});
  const auto cases = OnlineCases(faults, 300 * kS, 600 * kS, 1800 * kS);
  ASSERT_EQ(cases.size(), faults.size());
  for (size_t k = 0; k < cases.size(); ++k) {
    const OnlineCase& c = cases[k];
    const Window w = FaultWindow(faults, c.fault, 300 * kS, 600 * kS);
    EXPECT_EQ(c.window.from_ns, w.from_ns);
    EXPECT_EQ(c.window.to_ns, w.to_ns);
    // The warm-up ends where the window begins, and lasts `warm` unless time began later.
    EXPECT_EQ(c.warm_from_ns, w.from_ns > 1800 * kS ? w.from_ns - 1800 * kS : 0);
    EXPECT_LE(c.warm_from_ns, c.window.from_ns);
    // Nothing a case replays reaches the next injection.
    for (const Fault& f : faults) {
      if (f.inject_ns > faults[c.fault].inject_ns) {
        EXPECT_LE(c.window.to_ns, f.inject_ns);
      }
    }
    if (k > 0) {
      EXPECT_LE(cases[k - 1].warm_from_ns, c.warm_from_ns);
    }
  }
  EXPECT_EQ(cases[0].fault, 0u);
  EXPECT_EQ(cases[0].warm_from_ns, 0u);                  // 700 s - 1800 s: clamped to the start of time
  EXPECT_EQ(cases[2].warm_from_ns, (2700 - 1800) * kS);  // 5 min before the third injection, less the warm-up
}

TEST(NezhaOnlineTest, CheckpointsComeInEventTimeOrderForAnUnsortedList) {
  // Faults listed out of order: the one engine of the day must still meet
  // the checkpoints in time order.
  const auto faults = Faults({5000 * kS, 1000 * kS});
  const auto cases = OnlineCases(faults, 300 * kS, 600 * kS, 100 * kS);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].fault, 1u);
  EXPECT_EQ(cases[1].fault, 0u);
  EXPECT_LT(cases[0].warm_from_ns, cases[1].warm_from_ns);
  EXPECT_TRUE(OnlineCases({}, 300 * kS, 600 * kS, 100 * kS).empty());
}

TEST(NezhaWindowTest, FaultFreeByAMargin) {
  const auto faults = Faults({1000 * kS, 5000 * kS});
  EXPECT_TRUE(FaultFree(faults, 879 * kS, 120 * kS, 600 * kS));
  EXPECT_FALSE(FaultFree(faults, 880 * kS, 120 * kS, 600 * kS));
  EXPECT_FALSE(FaultFree(faults, 1599 * kS, 120 * kS, 600 * kS));
  EXPECT_TRUE(FaultFree(faults, 1600 * kS, 120 * kS, 600 * kS));
  EXPECT_FALSE(FaultFree(faults, 5000 * kS, 120 * kS, 600 * kS));
  EXPECT_TRUE(FaultFree({}, 5000 * kS, 120 * kS, 600 * kS));
}

TEST(NezhaLoadTest, EndsWhenMostPodsIdle) {
  auto table = [](std::string pod, std::vector<double> workload) {
    MetricTable t;
    t.source = std::move(pod);
    t.columns = {"CpuUsageRate(%)", "PodWorkload(Ops)"};
    for (size_t i = 0; i < workload.size(); ++i) t.rows.push_back({(600 + 60 * i) * kS + i, {1, workload[i]}});
    return t;
  };
  // Minutes 10..14: a and b stop after minute 12, c (a gateway) never does.
  std::vector<MetricTable> tables = {table("a", {1, 1, 1, 0, 0}), table("b", {1, 1, 1, 0, 0}),
                                     table("c", {2, 2, 2, 2, 2}), table("d", {1, 1, 0, 0, 0})};
  EXPECT_EQ(LoadEnd(tables), 13 * 60 * kS);
  MetricTable front;
  front.front = true;
  EXPECT_EQ(LoadEnd(std::vector<MetricTable>{front}), 0u);
}

}  // namespace
}  // namespace augur::eval::nezha
