#include "insight/correlator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace augur::insight {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'800'000'000 * kS;

// gateway POST /items → writer POST /items → redis/items (SET)
// gateway GET /items  → reader GET /items  → redis/items (GET)
class FakeTopology : public TopologyView {
 public:
  std::vector<NodeRef> Callees(const std::string& service, const std::string& operation) const override {
    auto it = callees_.find({service, operation, false});
    return it == callees_.end() ? std::vector<NodeRef>{} : it->second;
  }
  std::vector<NodeRef> Callers(const std::string&, const std::string&) const override { return {}; }
  std::string ServiceBehindPeer(const std::string& service, const std::string& peer) const override {
    if (service == "gateway" && peer == "writer:8080") return "writer";
    if (service == "gateway" && peer == "reader:8080") return "reader";
    return "";
  }
  TimeSplit Split(const std::string& service, const std::string& operation, uint64_t from, uint64_t) const override {
    auto it = splits_.find(service + " " + operation);
    if (it == splits_.end()) return {};
    return from < onset_ ? it->second.first : it->second.second;
  }

  std::map<NodeRef, std::vector<NodeRef>> callees_ = {
      {{"gateway", "POST /items", false}, {{"gateway", "POST", false}, {"writer", "POST /items", false}}},
      {{"gateway", "POST", false}, {{"writer", "POST /items", false}}},
      {{"gateway", "GET /items", false}, {{"gateway", "GET", false}, {"reader", "GET /items", false}}},
      {{"gateway", "GET", false}, {{"reader", "GET /items", false}}},
      {{"writer", "POST /items", false}, {{"writer", "SET", false}, {"redis/items", "", true}}},
      {{"writer", "SET", false}, {{"redis/items", "", true}}},
      {{"reader", "GET /items", false}, {{"reader", "GET", false}, {"redis/items", "", true}}},
      {{"reader", "GET", false}, {{"redis/items", "", true}}},
  };
  std::map<std::string, std::pair<TimeSplit, TimeSplit>> splits_;
  uint64_t onset_ = 0;
};

model::Anomaly Latency(const std::string& service, const std::string& op, uint64_t onset, const std::string& peer = "",
                       double before = 40, double observed = 380) {
  model::Anomaly a;
  a.series.metric = "span.duration";
  a.series.service = service;
  a.series.operation = op;
  a.series.attributes = {{"span.kind", peer.empty() ? "SERVER" : "CLIENT"}};
  if (!peer.empty()) a.series.attributes.insert(a.series.attributes.begin(), {"peer", peer});
  a.id = "an-" + service + "-" + op;
  a.kind = "latency";
  a.direction = "up";
  a.quantity = "p90";
  a.unit = "ms";
  a.onset_ns = onset;
  a.detected_ns = onset + 12 * kS;
  a.updated_ns = a.detected_ns;
  a.before = before;
  a.observed = observed;
  a.score = 0.9;
  a.explanation = "p90 duration of " + op + " on " + service + " rose from 40 ms to 380 ms; expected 30–55 ms";
  return a;
}

model::ChangeEvent Deploy(const std::string& service, uint64_t t) {
  model::ChangeEvent e;
  e.id = "ev-1";
  e.type = model::ChangeType::kDeployment;
  e.service = service;
  e.time_ns = t;
  e.version = "2";
  e.previous_version = "1";
  e.source = "api";
  e.changes = {{"INJECT_LATENCY", "false", "true"}};
  return e;
}

std::vector<model::Insight> Take(Correlator& c) {
  std::vector<model::Insight> out;
  c.TakeInsights(&out);
  return out;
}

TEST(Correlator, TheArticleFaultIsOneInsightNamingTheDeploymentAndTheFunction) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  topo.onset_ = onset;
  topo.splits_["writer POST /items"] = {{1000, 40, 3}, {1000, 370, 3}};
  topo.splits_["gateway POST /items"] = {{1000, 2, 45}, {1000, 2, 375}};
  Correlator c;
  c.OnEvent(Deploy("writer", onset - 12 * kS), topo);
  // Symptoms first (alphabetical order from the analyzer), the cause last.
  c.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  c.OnAnomaly(Latency("gateway", "POST", onset, "writer:8080"), topo);
  c.OnAnomaly(Latency("writer", "POST /items", onset + 5 * kS), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  const model::Insight& in = out[0];
  EXPECT_EQ(in.status, "ONGOING");
  EXPECT_EQ(in.root_cause.service, "writer");
  EXPECT_EQ(in.root_cause.operation, "POST /items");
  EXPECT_EQ(in.root_cause.dependency, "");
  EXPECT_EQ(in.root_cause.kind, "latency");
  ASSERT_EQ(in.related_events.size(), 1u);
  EXPECT_EQ(in.related_events[0].id, "ev-1");
  EXPECT_EQ(in.anomalies.size(), 3u);
  for (const auto& a : in.anomalies) {
    EXPECT_EQ(a.role, a.anomaly.series.service == "writer" ? "causal" : "contextual") << a.anomaly.id;
  }
  EXPECT_NE(in.name.find("writer"), std::string::npos) << in.name;
  EXPECT_NE(in.name.find("ev-1"), std::string::npos) << in.name;
  EXPECT_NE(in.summary.find("INJECT_LATENCY false → true"), std::string::npos) << in.summary;
  EXPECT_NE(in.summary.find("inside writer itself"), std::string::npos) << in.summary;
  ASSERT_FALSE(in.recommendations.empty());
  EXPECT_NE(in.recommendations[0].name.find("Roll back"), std::string::npos);
  EXPECT_EQ(in.start_ns, onset);
  EXPECT_EQ(in.severity, "HIGH");  // 380 ms against 40 ms
}

TEST(Correlator, SlowTableCallsBlameTheDependencyNotTheFunction) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  topo.onset_ = onset;
  topo.splits_["writer POST /items"] = {{1000, 30, 10}, {1000, 31, 300}};
  Correlator c;
  c.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  c.OnAnomaly(Latency("writer", "SET", onset, "redis/items"), topo);
  c.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].root_cause.dependency, "redis/items");
  EXPECT_EQ(out[0].root_cause.service, "writer");
  EXPECT_TRUE(out[0].related_events.empty());
  ASSERT_FALSE(out[0].recommendations.empty());
  EXPECT_EQ(out[0].recommendations[0].name, "Check redis/items");
}

TEST(Correlator, TwoFaultsBehindOneGatewayStayTwoInsights) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  Correlator c;
  c.OnAnomaly(Latency("gateway", "GET /items", onset), topo);
  c.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  c.OnAnomaly(Latency("reader", "GET /items", onset), topo);
  c.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 2u);
  std::set<std::string> causes = {out[0].root_cause.service, out[1].root_cause.service};
  EXPECT_EQ(causes, (std::set<std::string>{"reader", "writer"}));
  for (const auto& in : out) {
    EXPECT_TRUE(in.recommendations.empty() || in.recommendations[0].name.find("Roll back") == std::string::npos);
  }
}

TEST(Correlator, ADeploymentLongBeforeIsNotRelated) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 7200 * kS;
  Correlator c;
  c.OnEvent(Deploy("writer", kT0), topo);
  c.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].related_events.empty());
  ASSERT_FALSE(out[0].recommendations.empty());
  EXPECT_EQ(out[0].recommendations[0].name.find("Roll back"), std::string::npos);
}

TEST(Correlator, AnEventPostedAfterTheAnomalyIsStillRelated) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  Correlator c;
  c.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  ASSERT_EQ(Take(c).size(), 1u);
  c.OnEvent(Deploy("writer", onset - 30 * kS), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].revision, 2u);
  ASSERT_EQ(out[0].related_events.size(), 1u);
}

TEST(Correlator, AQuickRollbackAfterTheOnsetIsNotTheCause) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  Correlator c;
  c.OnEvent(Deploy("writer", onset - 3 * kS), topo);
  model::ChangeEvent rollback = Deploy("writer", onset + 33 * kS);
  rollback.id = "ev-2";
  rollback.version = "3";
  rollback.previous_version = "2";
  rollback.changes = {{"INJECT_LATENCY", "true", "false"}};
  c.OnEvent(rollback, topo);
  c.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  const model::Insight& in = out[0];
  ASSERT_EQ(in.related_events.size(), 2u);
  EXPECT_EQ(in.related_events[0].id, "ev-1");  // the cause's event first
  bool names_deploy = false, names_rollback = false;
  for (const auto& e : in.root_cause.evidence) {
    names_deploy |= e.find("ev-1") != std::string::npos;
    names_rollback |= e.find("ev-2") != std::string::npos;
  }
  EXPECT_TRUE(names_deploy);
  EXPECT_FALSE(names_rollback);
  ASSERT_FALSE(in.recommendations.empty());
  EXPECT_NE(in.recommendations[0].name.find("ev-1"), std::string::npos) << in.recommendations[0].name;
}

TEST(Correlator, ClosesOnceAllAnomaliesEndedAndDoesNotReopen) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  Correlator c;
  auto a = Latency("writer", "POST /items", onset);
  c.OnAnomaly(a, topo);
  Take(c);
  a.end_ns = onset + 300 * kS;
  a.updated_ns = a.end_ns;
  c.OnAnomaly(a, topo);
  c.AdvanceTo(a.end_ns + 60 * kS);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, "ONGOING");
  c.AdvanceTo(a.end_ns + 121 * kS);
  out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, "CLOSED");
  EXPECT_EQ(out[0].end_ns, a.end_ns);
  const std::string first = out[0].id;
  // The same series fails again later: a new insight.
  auto again = Latency("writer", "POST /items", a.end_ns + 600 * kS);
  again.id = "an-again";
  c.OnAnomaly(again, topo);
  out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].id, first);
  EXPECT_EQ(out[0].status, "ONGOING");
}

TEST(Correlator, ForecastsMakeProactiveInsightsOfTheirOwn) {
  FakeTopology topo;
  Correlator c;
  model::Anomaly f;
  f.id = "an-f";
  f.kind = "forecast";
  f.series = {"disk.usage", "writer", "", {}};
  f.onset_ns = kT0;
  f.predicted_ns = kT0 + 3600 * kS;
  f.explanation = "disk.usage of writer will reach 100 % at 01:00";
  c.OnAnomaly(f, topo);
  c.OnAnomaly(Latency("writer", "POST /items", kT0), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 2u);
  int proactive = 0;
  for (const auto& in : out) proactive += in.type == "PROACTIVE";
  EXPECT_EQ(proactive, 1);
}

}  // namespace
}  // namespace augur::insight

namespace augur::insight {
namespace {

TEST(Correlator, StateRoundTripContinuesTheSameInsight) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  Correlator a;
  a.OnEvent(Deploy("writer", onset - 12 * kS), topo);
  a.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  auto first = Take(a);
  ASSERT_EQ(first.size(), 1u);

  Correlator b;
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  EXPECT_TRUE(Take(b).empty());  // nothing changed by loading
  b.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  a.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  auto from_a = Take(a), from_b = Take(b);
  ASSERT_EQ(from_b.size(), 1u);
  EXPECT_EQ(from_b[0].id, first[0].id);
  EXPECT_EQ(from_b, from_a);
  EXPECT_FALSE(b.LoadState("{\"format\":\"other\"}").ok());
}

}  // namespace
}  // namespace augur::insight

namespace augur::insight {
namespace {

TEST(Correlator, AnOldOngoingAnomalyDoesNotSwallowALaterFault) {
  FakeTopology topo;
  Correlator c;
  // A level shift on writer that never ends (its new level persists).
  auto old = Latency("writer", "POST /items", kT0);
  c.OnAnomaly(old, topo);
  c.AdvanceTo(kT0 + 3 * 3600 * kS);
  // Hours later, a fault linked to it by topology (gateway calls writer).
  auto later = Latency("gateway", "POST /items", kT0 + 3 * 3600 * kS);
  c.OnAnomaly(later, topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].id, out[1].id);
  for (const auto& in : out) EXPECT_EQ(in.anomalies.size(), 1u) << in.name;
  // While one raised a minute after the first still joins it.
  Correlator d;
  d.OnAnomaly(old, topo);
  d.OnAnomaly(Latency("gateway", "POST /items", kT0 + 60 * kS), topo);
  out = Take(d);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].anomalies.size(), 2u);
}

TEST(Correlator, AChainOfAnomaliesDoesNotKeepOneInsightOpenForEveryLaterFault) {
  FakeTopology topo;
  Correlator c;
  // Anomalies a few minutes apart on linked nodes: each is near the one
  // before, so without a bound the first insight would take them all.
  c.OnAnomaly(Latency("writer", "POST /items", kT0), topo);
  c.OnAnomaly(Latency("gateway", "POST /items", kT0 + 4 * 60 * kS), topo);
  c.OnAnomaly(Latency("gateway", "POST", kT0 + 8 * 60 * kS, "writer:8080"), topo);
  // 12 minutes after the insight was first raised: a new incident.
  c.OnAnomaly(Latency("writer", "SET", kT0 + 12 * 60 * kS), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 2u);
  std::map<size_t, int> sizes;
  for (const auto& in : out) ++sizes[in.anomalies.size()];
  EXPECT_EQ(sizes[3], 1);
  EXPECT_EQ(sizes[1], 1);
  // With a longer incident window the same stream is one insight.
  CorrelatorOptions wide;
  wide.incident_window_ns = 60 * 60 * kS;
  Correlator d(wide);
  d.OnAnomaly(Latency("writer", "POST /items", kT0), topo);
  d.OnAnomaly(Latency("gateway", "POST /items", kT0 + 4 * 60 * kS), topo);
  d.OnAnomaly(Latency("gateway", "POST", kT0 + 8 * 60 * kS, "writer:8080"), topo);
  d.OnAnomaly(Latency("writer", "SET", kT0 + 12 * 60 * kS), topo);
  out = Take(d);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].anomalies.size(), 4u);
}

TEST(Correlator, AnOnsetEstimatedHoursBeforeItsRaiseIsNotNearEverything) {
  FakeTopology topo;
  Correlator c;
  auto first = Latency("writer", "POST /items", kT0);
  c.OnAnomaly(first, topo);
  // A drift on gateway raised 2 h later, whose change point is estimated
  // 2 h back: linked to writer by topology, but nothing recent is near it.
  auto drift = Latency("gateway", "POST /items", kT0 + 60 * kS);
  drift.detected_ns = drift.updated_ns = kT0 + 2 * 3600 * kS;
  c.OnAnomaly(drift, topo);
  EXPECT_EQ(Take(c).size(), 2u);
}

TEST(Correlator, ClientCallsSlowerWhileTheCalleeIsNotBlameTheCalleesNetwork) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  topo.onset_ = onset;
  // writer's server time is unchanged; gateway waits 300 ms longer on its calls to writer.
  topo.splits_["writer POST /items"] = {{1000, 30, 10}, {1000, 31, 10}};
  topo.splits_["gateway POST /items"] = {{1000, 2, 45}, {1000, 2, 345}};
  Correlator c;
  c.OnAnomaly(Latency("gateway", "POST /items", onset), topo);
  c.OnAnomaly(Latency("gateway", "POST", onset, "writer:8080", 45, 345), topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  const model::Insight& in = out[0];
  EXPECT_EQ(in.root_cause.service, "writer");
  EXPECT_EQ(in.root_cause.operation, "POST /items");
  ASSERT_FALSE(in.root_cause.evidence.empty());
  EXPECT_NE(in.root_cause.evidence[0].find("calls from gateway to writer take +300 ms on the client side while "
                                           "writer's server time is unchanged"),
            std::string::npos)
      << in.root_cause.evidence[0];
  EXPECT_NE(in.summary.find("on writer's network"), std::string::npos) << in.summary;
  ASSERT_GE(in.candidates.size(), 2u);
  EXPECT_EQ(in.candidates[1].service, "gateway");

  // The same calls, but writer's server time grew with them: writer's own
  // code, not its network (the network sentence is not written).
  FakeTopology slow = topo;
  slow.splits_["writer POST /items"] = {{1000, 30, 10}, {1000, 320, 10}};
  Correlator d;
  d.OnAnomaly(Latency("gateway", "POST", onset, "writer:8080", 45, 345), slow);
  out = Take(d);
  ASSERT_EQ(out.size(), 1u);
  for (const auto& e : out[0].root_cause.evidence) EXPECT_EQ(e.find("network"), std::string::npos) << e;
}

model::Anomaly Metric(const std::string& id, const std::string& metric, const std::string& service, uint64_t onset) {
  model::Anomaly a;
  a.id = id;
  a.series = {metric, service, "", {}};
  a.kind = "metric_level";
  a.direction = "up";
  a.onset_ns = onset;
  a.detected_ns = a.updated_ns = onset + 60 * kS;
  a.score = 0.9;
  a.explanation = metric + " of " + service + " rose";
  return a;
}

TEST(Correlator, ASlowServiceWhoseCpuRoseOrThatLoggedErrorsIsTheCause) {
  FakeTopology topo;
  const uint64_t onset = kT0 + 600 * kS;
  // gateway and writer slow at once; no self-time data to tell them apart.
  auto ranked_first = [&](const model::Anomaly& own) {
    Correlator c;
    c.OnAnomaly(Latency("gateway", "GET /items", onset), topo);
    c.OnAnomaly(Latency("reader", "GET /items", onset), topo);
    c.OnAnomaly(own, topo);
    auto out = Take(c);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? std::string() : out[0].root_cause.service;
  };
  // Without own evidence the callee (reader) wins by graph position; give
  // the gateway a CPU rise or ERROR logs and it is the gateway's own doing.
  EXPECT_EQ(ranked_first(Metric("an-cpu-reader", "k8s.pod.cpu.usage", "reader", onset)), "reader");
  auto cpu = Metric("an-cpu", "k8s.pod.cpu.usage", "gateway", onset);
  EXPECT_EQ(ranked_first(cpu), "gateway");
  auto errors = Metric("an-log", "log.template", "gateway", onset);
  errors.kind = "log_new_pattern";
  errors.series.attributes = {{"severity", "ERROR"}, {"template_id", "7"}};
  EXPECT_EQ(ranked_first(errors), "gateway");
  // Memory is not CPU, and INFO lines are not errors.
  EXPECT_EQ(ranked_first(Metric("an-mem", "k8s.pod.memory.usage", "gateway", onset)), "reader");
  errors.series.attributes = {{"severity", "INFO"}, {"template_id", "7"}};
  EXPECT_EQ(ranked_first(errors), "reader");
}

// FakeTopology that also knows which services each service calls.
class ServiceLevelTopology : public FakeTopology {
 public:
  std::vector<std::string> ServicesCalledBy(const std::string& service) const override {
    if (service == "gateway") return {"reader", "writer"};
    return {};
  }
};

TEST(Correlator, ErrorsLoggedByACallerJoinTheIncidentOfTheServiceItCalls) {
  const uint64_t onset = kT0 + 600 * kS;
  auto errors = Metric("an-log", "log.template", "gateway", onset + 30 * kS);
  errors.kind = "log_new_pattern";
  errors.series.attributes = {{"severity", "ERROR"}, {"template_id", "7"}};
  // The gateway's logs name no operation: with only operation-level links
  // they stay apart from writer's anomaly...
  FakeTopology ops_only;
  Correlator c;
  c.OnAnomaly(Latency("writer", "POST /items", onset), ops_only);
  c.OnAnomaly(errors, ops_only);
  EXPECT_EQ(Take(c).size(), 2u);
  // ...but the gateway calls writer, so they are one incident.
  ServiceLevelTopology topo;
  Correlator d;
  d.OnAnomaly(Latency("writer", "POST /items", onset), topo);
  d.OnAnomaly(errors, topo);
  auto out = Take(d);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].anomalies.size(), 2u);
  // A service the gateway neither calls nor is called by stays apart.
  Correlator e;
  e.OnAnomaly(Latency("billing", "POST /charge", onset), topo);
  e.OnAnomaly(errors, topo);
  EXPECT_EQ(Take(e).size(), 2u);
}

TEST(Correlator, AServiceWhoseCpuRoseAndThatLoggedErrorsIsTheCauseEvenIfNotSlow) {
  ServiceLevelTopology topo;  // gateway calls reader
  const uint64_t onset = kT0 + 600 * kS;
  auto errors = Metric("an-log", "log.template", "gateway", onset + 20 * kS);
  errors.kind = "log_new_pattern";
  errors.series.attributes = {{"severity", "ERROR"}, {"template_id", "7"}};
  auto cpu = Metric("an-cpu", "k8s.pod.cpu.usage", "gateway", onset + 20 * kS);
  auto ranked_first = [&](std::vector<model::Anomaly> own) {
    Correlator c;
    c.OnAnomaly(Latency("reader", "GET /items", onset), topo);
    for (const auto& a : own) c.OnAnomaly(a, topo);
    auto out = Take(c);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? std::string() : out[0].root_cause.service;
  };
  // reader slowed down first; gateway only shows its CPU, or only errors.
  EXPECT_EQ(ranked_first({cpu}), "reader");
  EXPECT_EQ(ranked_first({errors}), "reader");
  // Both on gateway: its own doing.
  EXPECT_EQ(ranked_first({cpu, errors}), "gateway");
}

// A service known only by the errors it logged, above a callee that looks
// anomalous: its errors may be its calls failing, so it is not "the bottom
// of the incident" (the bonus for nothing below it looking the same goes to
// the callee), even when its lines came first.
TEST(Correlator, ErrorsLoggedAboveAnAnomalousCalleeDoNotMakeTheCallerTheBottom) {
  class Topology : public ServiceLevelTopology {
   public:
    std::vector<OperationTime> SelfTimes(const std::string& service, uint64_t, uint64_t) const override {
      if (service == "gateway") return {{"POST /items", 100, 2}};
      return {};
    }
  };
  Topology topo;
  const uint64_t onset = kT0 + 600 * kS;
  auto errors = Metric("an-log", "log.template", "gateway", onset);
  errors.kind = "log_new_pattern";
  errors.series.attributes = {{"severity", "ERROR"}, {"template_id", "7"}};
  auto ranked = [&](const model::Anomaly& below) {
    Correlator c;
    c.OnAnomaly(errors, topo);
    c.OnAnomaly(below, topo);
    auto out = Take(c);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? std::string() : out[0].root_cause.service;
  };
  // writer, which gateway's POST /items called in the window, slowed down
  // 10 s later: writer is the cause.
  EXPECT_EQ(ranked(Latency("writer", "POST /items", onset + 10 * kS)), "writer");
  // reader, which gateway did not call in the window: gateway's errors
  // started first and nothing it called looks anomalous.
  EXPECT_EQ(ranked(Latency("reader", "GET /items", onset + 10 * kS)), "gateway");
  // writer only answers fewer requests: what a failing caller causes, not
  // an anomaly below it.
  model::Anomaly fewer = Latency("writer", "POST /items", onset + 10 * kS);
  fewer.kind = "traffic";
  fewer.direction = "down";
  EXPECT_EQ(ranked(fewer), "gateway");
}

// A sparse series raises a share of slow calls, not a duration: how much
// the calls gained comes from the calls themselves (CallsBetween), and the
// callee's unchanged server time still puts that time on its network.
TEST(Correlator, ASlowShareOfCallsWhileTheCalleeIsNotBlamesTheCalleesNetwork) {
  class Topology : public FakeTopology {
   public:
    CallTime CallsBetween(const std::string& caller, const std::string& callee, uint64_t from,
                          uint64_t) const override {
      if (caller != "gateway" || callee != "writer") return {};
      return from < onset_ ? CallTime{200, 45} : CallTime{40, 1045};
    }
  };
  Topology topo;
  const uint64_t onset = kT0 + 600 * kS;
  topo.onset_ = onset;
  topo.splits_["writer POST /items"] = {{1000, 30, 10}, {40, 31, 10}};
  model::Anomaly share = Latency("gateway", "POST", onset, "writer:8080", 0.004, 1.0);
  share.quantity = "slow_share";  // a share: no unit
  share.unit = "";
  Correlator c;
  c.OnAnomaly(share, topo);
  auto out = Take(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].root_cause.service, "writer");
  const auto& evidence = out[0].root_cause.evidence;
  EXPECT_TRUE(std::any_of(evidence.begin(), evidence.end(), [](const std::string& e) {
    return e.find(
               "calls from gateway to writer take +1000 ms on the client side while writer's server time is "
               "unchanged") != std::string::npos;
  }));
  EXPECT_NE(out[0].summary.find("on writer's network"), std::string::npos) << out[0].summary;

  // Two calls after the onset are too few to say how much the calls gained.
  class Few : public Topology {
   public:
    CallTime CallsBetween(const std::string& caller, const std::string& callee, uint64_t from,
                          uint64_t to) const override {
      CallTime t = Topology::CallsBetween(caller, callee, from, to);
      if (from >= onset_) t.count = std::min<uint64_t>(t.count, 2);
      return t;
    }
  };
  Few few;
  few.onset_ = onset;
  few.splits_ = topo.splits_;
  Correlator d;
  d.OnAnomaly(share, few);
  out = Take(d);
  ASSERT_EQ(out.size(), 1u);
  for (const auto& e : out[0].root_cause.evidence) EXPECT_EQ(e.find("on the client side"), std::string::npos) << e;
}

}  // namespace
}  // namespace augur::insight
