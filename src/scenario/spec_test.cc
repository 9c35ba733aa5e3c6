#include "scenario/spec.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace augur::scenario {
namespace {

constexpr uint64_t kStart = 1'700'000'000 * kSecond;

bool Contains(const std::vector<SpanSeries>& v, const SpanSeries& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SpecTest, PresetsAreValid) {
  EXPECT_TRUE(Validate(ServerlessApp(1, kStart, kHour)).ok());
  EXPECT_TRUE(Validate(InjectLatencyExperiment(1, kStart, kHour, kStart + kHour / 2)).ok());
}

TEST(SpecTest, RejectsBadSpecs) {
  ScenarioSpec base = ServerlessApp(1, kStart, kHour);
  ScenarioSpec s = base;
  s.functions[1].name = "writer";
  EXPECT_FALSE(Validate(s).ok()) << "duplicate function";
  s = base;
  s.faults.push_back({.target = "nobody", .latency_max_ms = 1});
  EXPECT_FALSE(Validate(s).ok()) << "unknown fault target";
  s = base;
  s.faults.push_back({.target = "items", .kind = FaultKind::kErrors, .error_probability = 1.5});
  EXPECT_FALSE(Validate(s).ok()) << "probability above 1";
  s = base;
  s.deployments.push_back({.time_ns = kStart, .service = "items", .version = "2"});
  EXPECT_FALSE(Validate(s).ok()) << "the table is not deployed";
  s = base;
  s.functions[0].self.p99_ms = 1;
  EXPECT_FALSE(Validate(s).ok()) << "p99 below the median";
  s = base;
  s.duration_ns = 0;
  EXPECT_FALSE(Validate(s).ok());
  s = base;
  s.faults.push_back({.target = "items", .latency_min_ms = 1, .latency_max_ms = 2});
  EXPECT_TRUE(Validate(s).ok());
}

TEST(SpecTest, DeploymentFaultsLastUntilTheServicesNextDeployment) {
  ScenarioSpec s = InjectLatencyExperiment(1, kStart, 2 * kHour, kStart + kHour);
  s.deployments.push_back({.time_ns = kStart + kHour / 2, .service = "reader", .version = "7"});
  s.deployments.push_back({.time_ns = kStart + 90 * kMinute, .service = "writer", .version = "3"});  // rollback
  s.faults.push_back({.start_ns = kStart + 10 * kMinute, .target = "items", .latency_max_ms = 5});
  GroundTruth t = TruthOf(s);
  ASSERT_EQ(t.faults.size(), 2u);
  EXPECT_EQ(t.faults[0].target, "items");
  EXPECT_EQ(t.faults[1].target, "writer");
  EXPECT_EQ(t.faults[1].start_ns, kStart + kHour);
  EXPECT_EQ(t.faults[1].end_ns, kStart + 90 * kMinute);
  EXPECT_EQ(t.faults[1].latency_min_ms, 150);
  EXPECT_EQ(t.faults[1].latency_max_ms, 500);
  ASSERT_EQ(t.deployments.size(), 3u);
  EXPECT_TRUE(std::is_sorted(t.deployments.begin(), t.deployments.end(),
                             [](const Deployment& a, const Deployment& b) { return a.time_ns < b.time_ns; }));
}

TEST(SpecTest, AffectedSeriesFollowTheCallChain) {
  ScenarioSpec s = ServerlessApp(1, kStart, kHour);
  const SpanSeries gw_post{"gateway", "POST /items", model::SpanKind::kServer, ""};
  const SpanSeries gw_call{"gateway", "POST /items", model::SpanKind::kClient, "writer"};
  const SpanSeries writer{"writer", "POST /items", model::SpanKind::kServer, ""};
  const SpanSeries put{"writer", "DynamoDB.PutItem", model::SpanKind::kClient, "dynamodb/items"};
  const SpanSeries reader{"reader", "GET /items/{id}", model::SpanKind::kServer, ""};

  std::vector<SpanSeries> all = AllSpanSeries(s);
  EXPECT_EQ(all.size(), 8u);
  for (const SpanSeries& x : {gw_post, gw_call, writer, put, reader}) EXPECT_TRUE(Contains(all, x));

  std::vector<SpanSeries> w = AffectedSpanSeries(s, {.target = "writer"});
  EXPECT_EQ(w.size(), 3u);
  EXPECT_TRUE(Contains(w, gw_post) && Contains(w, gw_call) && Contains(w, writer));
  EXPECT_FALSE(Contains(w, put) || Contains(w, reader));

  std::vector<SpanSeries> t = AffectedSpanSeries(s, {.target = "items"});
  EXPECT_EQ(t.size(), 8u);

  std::vector<SpanSeries> g = AffectedSpanSeries(s, {.target = "gateway"});
  EXPECT_EQ(g.size(), 2u);
  EXPECT_TRUE(Contains(g, gw_post));
  EXPECT_FALSE(Contains(g, gw_call));
}

}  // namespace
}  // namespace augur::scenario
