// Insight scenarios (issue 4): generated telemetry of the article's
// serverless app, replayed through the production Engine with historical
// timestamps, and what augur must conclude from each.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "engine/engine.h"
#include "scenario/generator.h"
#include "scenario/spec.h"

namespace augur::engine {
namespace {

using scenario::kHour;
using scenario::kMinute;
using scenario::kSecond;

constexpr uint64_t kStart = 1'767'225'600 * kSecond;  // 2026-01-01T00:00:00Z

struct Outcome {
  std::map<std::string, model::Insight> insights;  // latest revision by id
  std::vector<model::Anomaly> anomalies;
  std::vector<model::ChangeEvent> inferred;
};

// Replays `spec`; `events` are posted to the engine (as the API would) when
// event time reaches them.
Outcome Replay(const scenario::ScenarioSpec& spec, std::vector<model::ChangeEvent> events = {}) {
  Engine engine;
  Outcome out;
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
  size_t next_event = 0;
  const Status s = scenario::Generate(spec, [&](scenario::Export& e) {
    while (next_event < events.size() && events[next_event].time_ns <= e.export_time_ns) {
      engine.AddEvent(events[next_event++]);
    }
    engine.Add(e.batch);
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  // The end of the replay: let event time run on so everything closes.
  engine.AdvanceTo(spec.start_ns + spec.duration_ns + 30 * kMinute);
  std::vector<model::Insight> insights;
  engine.TakeInsights(&insights);
  for (auto& in : insights) out.insights[in.id] = in;
  engine.TakeAnomalies(&out.anomalies);
  engine.TakeInferredEvents(&out.inferred);
  return out;
}

std::string Describe(const Outcome& o) {
  std::string s;
  for (const auto& [id, in] : o.insights) s += "\n  " + in.status + " " + in.name + " | " + in.summary;
  for (const auto& a : o.anomalies) s += "\n  anomaly " + a.explanation;
  return s;
}

// Insights whose start lies in [from, to).
std::vector<const model::Insight*> StartingIn(const Outcome& o, uint64_t from, uint64_t to) {
  std::vector<const model::Insight*> v;
  for (const auto& [id, in] : o.insights) {
    if (in.start_ns >= from && in.start_ns < to) v.push_back(&in);
  }
  return v;
}

bool NamesKey(const model::Insight& in, const std::string& key) {
  for (const auto& e : in.related_events) {
    for (const auto& c : e.changes) {
      if (c.key == key) return true;
    }
  }
  return false;
}

model::ChangeEvent ApiDeploy(uint64_t time_ns) {
  model::ChangeEvent e;
  e.id = "ev-api-deploy";
  e.type = model::ChangeType::kDeployment;
  e.service = "writer";
  e.version = "2";
  e.time_ns = time_ns;
  e.source = "api";
  e.sources = {"api"};
  e.changes = {{"INJECT_LATENCY", "false", "true"}};
  return e;
}

constexpr uint64_t kBaseline = 4 * kHour;
constexpr uint64_t kDeploy = kStart + kBaseline;

TEST(InsightScenario, TheArticlesExperimentGivesOneInsightNamingTheDeployment) {
  const auto spec = scenario::InjectLatencyExperiment(7, kStart, kBaseline + kHour, kDeploy);
  const Outcome o = Replay(spec, {ApiDeploy(kDeploy)});
  EXPECT_TRUE(StartingIn(o, kStart, kDeploy).empty()) << "insight during the baseline:" << Describe(o);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_EQ(after.size(), 1u) << Describe(o);
  const model::Insight& in = *after[0];
  EXPECT_EQ(in.root_cause.service, "writer") << Describe(o);
  EXPECT_EQ(in.root_cause.kind, "latency");
  ASSERT_FALSE(in.related_events.empty()) << Describe(o);
  EXPECT_EQ(in.related_events[0].id, "ev-api-deploy");
  EXPECT_TRUE(NamesKey(in, "INJECT_LATENCY"));
  EXPECT_NE(in.name.find("writer"), std::string::npos) << in.name;
  EXPECT_NE(in.summary.find("INJECT_LATENCY"), std::string::npos) << in.summary;
  EXPECT_LE(in.start_ns, kDeploy + 15 * kSecond) << Describe(o);
  EXPECT_GE(in.start_ns + 15 * kSecond, kDeploy) << Describe(o);
  EXPECT_LE(in.detected_ns, kDeploy + 15 * kSecond + 10 * kSecond) << Describe(o);
  ASSERT_FALSE(in.recommendations.empty());
  EXPECT_NE(in.recommendations[0].name.find("Roll back"), std::string::npos);
}

TEST(InsightScenario, WithNoEventPostedTheInferredDeploymentIsRelated) {
  const auto spec = scenario::InjectLatencyExperiment(8, kStart, kBaseline + kHour, kDeploy);
  const Outcome o = Replay(spec);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_EQ(after.size(), 1u) << Describe(o);
  const model::Insight& in = *after[0];
  EXPECT_EQ(in.root_cause.service, "writer");
  ASSERT_FALSE(in.related_events.empty()) << Describe(o);
  EXPECT_EQ(in.related_events[0].source, "telemetry");
  EXPECT_EQ(in.related_events[0].version, "2");
  EXPECT_TRUE(StartingIn(o, kStart, kDeploy).empty()) << Describe(o);
}

TEST(InsightScenario, SlowTableCallsBlameTheTable) {
  auto spec = scenario::ServerlessApp(9, kStart, kBaseline + kHour);
  scenario::Fault f;
  f.start_ns = kDeploy;
  f.target = spec.table;
  f.kind = scenario::FaultKind::kLatency;
  f.latency_min_ms = 150;
  f.latency_max_ms = 500;
  spec.faults.push_back(f);
  const Outcome o = Replay(spec);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_GE(after.size(), 1u) << Describe(o);
  EXPECT_EQ(after[0]->root_cause.dependency, scenario::TablePeer(spec)) << Describe(o);
  EXPECT_TRUE(after[0]->related_events.empty());
  EXPECT_EQ(after.size(), 1u) << Describe(o);
}

TEST(InsightScenario, ADeploymentWithNoEffectGivesNoInsight) {
  auto spec = scenario::ServerlessApp(10, kStart, kBaseline + kHour);
  scenario::Deployment d;
  d.time_ns = kDeploy;
  d.service = "writer";
  d.version = "2";
  d.changes = {{"LOG_LEVEL", "info", "debug"}};
  spec.deployments.push_back(d);
  const Outcome o = Replay(spec);
  EXPECT_TRUE(o.insights.empty()) << Describe(o);
  ASSERT_EQ(o.inferred.size(), 1u);  // the deployment was seen, and found harmless
  EXPECT_EQ(o.inferred[0].version, "2");
}

TEST(InsightScenario, AFaultWithNoDeploymentRecommendsNoRollback) {
  auto spec = scenario::ServerlessApp(11, kStart, kBaseline + kHour);
  scenario::Fault f;
  f.start_ns = kDeploy;
  f.target = "writer";
  f.kind = scenario::FaultKind::kLatency;
  f.latency_min_ms = 150;
  f.latency_max_ms = 500;
  spec.faults.push_back(f);
  const Outcome o = Replay(spec);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_EQ(after.size(), 1u) << Describe(o);
  EXPECT_EQ(after[0]->root_cause.service, "writer");
  EXPECT_TRUE(after[0]->related_events.empty()) << Describe(o);
  ASSERT_FALSE(after[0]->recommendations.empty());
  EXPECT_EQ(after[0]->recommendations[0].name.find("Roll back"), std::string::npos);
}

TEST(InsightScenario, ErrorsAfterADeploymentAreTiedToIt) {
  auto spec = scenario::ServerlessApp(12, kStart, kBaseline + kHour);
  scenario::Deployment d;
  d.time_ns = kDeploy;
  d.service = "writer";
  d.version = "2";
  d.changes = {{"TABLE_NAME", "items", "items-v2"}};
  d.carries_fault = true;
  d.fault.kind = scenario::FaultKind::kErrors;
  d.fault.error_probability = 0.3;
  spec.deployments.push_back(d);
  const Outcome o = Replay(spec);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_EQ(after.size(), 1u) << Describe(o);
  EXPECT_EQ(after[0]->root_cause.service, "writer") << Describe(o);
  EXPECT_EQ(after[0]->root_cause.kind, "errors") << Describe(o);
  EXPECT_TRUE(NamesKey(*after[0], "TABLE_NAME") || !after[0]->related_events.empty()) << Describe(o);
}

TEST(InsightScenario, TwoUnrelatedFaultsAreTwoInsights) {
  auto spec = scenario::ServerlessApp(13, kStart, kBaseline + kHour);
  for (const char* target : {"writer", "reader"}) {
    scenario::Fault f;
    f.start_ns = kDeploy + (target[0] == 'r' ? 20 * kMinute : 0);
    f.target = target;
    f.kind = scenario::FaultKind::kLatency;
    f.latency_min_ms = 200;
    f.latency_max_ms = 600;
    spec.faults.push_back(f);
  }
  const Outcome o = Replay(spec);
  const auto after = StartingIn(o, kDeploy, kDeploy + kHour);
  ASSERT_EQ(after.size(), 2u) << Describe(o);
  std::set<std::string> causes;
  for (const auto* in : after) causes.insert(in->root_cause.service);
  EXPECT_EQ(causes, (std::set<std::string>{"reader", "writer"})) << Describe(o);
}

TEST(InsightScenario, AHealthyDayWithSwingsAndHeavyTailsGivesNoInsight) {
  auto spec = scenario::ServerlessApp(14, kStart, 24 * kHour);
  spec.daily_amplitude = 0.5;
  for (auto& f : spec.functions) {
    f.self.tail_probability = 0.01;
    f.self.tail_alpha = 1.5;
  }
  const Outcome o = Replay(spec);
  EXPECT_TRUE(o.insights.empty()) << Describe(o);
}

}  // namespace
}  // namespace augur::engine
