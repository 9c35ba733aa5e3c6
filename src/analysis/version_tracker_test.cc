#include "analysis/version_tracker.h"

#include <gtest/gtest.h>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kMin = 60 * kS;
constexpr uint64_t kT0 = 1'700'000'000 * kS;

model::Resource Res(const std::string& service, const std::string& version, const std::string& faas = "") {
  model::Resource r;
  r.service_name = service;
  r.attributes.push_back({"service.name", {service}});
  if (!version.empty()) r.attributes.push_back({"service.version", {version}});
  if (!faas.empty()) r.attributes.push_back({"faas.version", {faas}});
  return r;
}

// One resource with one span [t, t + 20 ms].
model::Batch SpanBatch(const model::Resource& r, uint64_t t) {
  model::Batch b;
  b.resources.push_back(r);
  model::Span s;
  s.kind = model::SpanKind::kServer;
  s.start_time_unix_nano = t;
  s.end_time_unix_nano = t + 20'000'000;
  b.spans.push_back(s);
  return b;
}

struct Tracker {
  VersionTracker t;
  std::vector<model::ChangeEvent> events;
  explicit Tracker(VersionTrackerOptions o = {}) : t(std::move(o)) {}
  void See(const model::Resource& r, uint64_t time) { t.Add(SpanBatch(r, time), &events); }
};

TEST(VersionTracker, FirstVersionIsTheBaselineAndANewOneADeployment) {
  Tracker t;
  for (uint64_t i = 0; i < 60; ++i) t.See(Res("writer", "1.0.0"), kT0 + i * 5 * kS);
  EXPECT_TRUE(t.events.empty());
  t.See(Res("writer", "1.0.1"), kT0 + 10 * kMin);
  ASSERT_EQ(t.events.size(), 1u);
  const model::ChangeEvent& e = t.events[0];
  EXPECT_EQ(e.type, model::ChangeType::kDeployment);
  EXPECT_EQ(e.service, "writer");
  EXPECT_EQ(e.version, "1.0.1");
  EXPECT_EQ(e.previous_version, "1.0.0");
  EXPECT_EQ(e.time_ns, kT0 + 10 * kMin);
  EXPECT_EQ(e.source, "telemetry");
  EXPECT_EQ(e.sources, std::vector<std::string>{"telemetry"});
  EXPECT_EQ(e.description, "service.version of writer changed from 1.0.0 to 1.0.1 (seen in telemetry)");
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_EQ(e.changes[0], (model::ConfigChange{"service.version", "1.0.0", "1.0.1"}));
  EXPECT_EQ(e.id.rfind("ev-", 0), 0u);
  EXPECT_EQ(e.id.size(), 19u);

  // A replay infers the same id; another service or version another.
  Tracker replay;
  replay.See(Res("writer", "1.0.0"), kT0);
  replay.See(Res("writer", "1.0.1"), kT0 + 99 * kMin);
  ASSERT_EQ(replay.events.size(), 1u);
  EXPECT_EQ(replay.events[0].id, e.id);
  replay.See(Res("writer", "1.0.2"), kT0 + 100 * kMin);
  ASSERT_EQ(replay.events.size(), 2u);
  EXPECT_NE(replay.events[1].id, e.id);
  EXPECT_EQ(t.t.stats().events, 1u);
}

TEST(VersionTracker, EventTimeIsTheEarliestItemOfTheResourceInTheBatch) {
  Tracker t;
  t.See(Res("writer", "1"), kT0);
  model::Batch b = SpanBatch(Res("writer", "2"), kT0 + 10 * kMin);
  model::Metric m;
  m.points.push_back({});
  m.points[0].time_unix_nano = kT0 + 9 * kMin;
  b.metrics.push_back(m);
  model::LogRecord l;
  l.observed_time_unix_nano = kT0 + 8 * kMin;  // no time: the observed one
  b.logs.push_back(l);
  t.t.Add(b, &t.events);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].time_ns, kT0 + 8 * kMin);
}

TEST(VersionTracker, RollingDeployWithOutOfOrderInstancesDoesNotFlap) {
  Tracker t;
  t.See(Res("writer", "1.0.0"), kT0);
  // Four instances replaced one by one over 20 minutes; their batches
  // arrive interleaved and some late (older times after newer ones).
  for (uint64_t s = 0; s < 20 * 60; s += 5) {
    const uint64_t now = kT0 + kMin + s * kS;
    const int upgraded = static_cast<int>(s / 300) + 1;  // instances on 1.0.1
    for (int i = 0; i < 4; ++i) {
      const uint64_t jitter = (i * 7 + s) % 11 * kS;  // up to 10 s late
      t.See(Res("writer", i < upgraded ? "1.0.1" : "1.0.0"), now - jitter);
    }
  }
  for (uint64_t s = 0; s < 3600; s += 5) t.See(Res("writer", "1.0.1"), kT0 + 21 * kMin + s * kS);
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].version, "1.0.1");
}

TEST(VersionTracker, RollbackIsADeploymentOnceTheNewerVersionIsGone) {
  Tracker t;
  uint64_t now = kT0;
  for (; now < kT0 + 10 * kMin; now += 5 * kS) t.See(Res("writer", "1.0.0"), now);
  // A canary of 1.0.1 for a minute next to 1.0.0, then withdrawn.
  const uint64_t canary_end = now + kMin;
  for (; now < canary_end; now += 5 * kS) {
    t.See(Res("writer", "1.0.1"), now);
    t.See(Res("writer", "1.0.0"), now + kS);
  }
  ASSERT_EQ(t.events.size(), 1u);
  for (; now < canary_end + 30 * kMin; now += 5 * kS) t.See(Res("writer", "1.0.0"), now);
  ASSERT_EQ(t.events.size(), 2u);
  const model::ChangeEvent& e = t.events[1];
  EXPECT_EQ(e.version, "1.0.0");
  EXPECT_EQ(e.previous_version, "1.0.1");
  EXPECT_EQ(e.description, "service.version of writer went back from 1.0.1 to 1.0.0 (seen in telemetry)");
  // At the first sighting of 1.0.0 after the canary's last.
  EXPECT_GT(e.time_ns, canary_end - 5 * kS);
  EXPECT_LE(e.time_ns, canary_end + 5 * kS);
  EXPECT_NE(e.id, t.events[0].id);
}

TEST(VersionTracker, RarelyReportingInstancesOnTwoVersionsDoNotFlap) {
  Tracker t;
  t.See(Res("cron", "a"), kT0);
  t.See(Res("cron", "b"), kT0 + 20 * kMin);  // a new version: one event
  for (int i = 2; i < 40; ++i) t.See(Res("cron", i % 2 ? "b" : "a"), kT0 + i * 20 * kMin);
  EXPECT_EQ(t.events.size(), 1u);
}

TEST(VersionTracker, ServiceAndFaasVersionChangingTogetherAreOneEvent) {
  Tracker t;
  t.See(Res("fn", "1.0", "7"), kT0);
  t.See(Res("fn", "1.1", "8"), kT0 + kMin);
  ASSERT_EQ(t.events.size(), 1u);
  const model::ChangeEvent& e = t.events[0];
  EXPECT_EQ(e.version, "1.1");
  ASSERT_EQ(e.changes.size(), 2u);
  EXPECT_EQ(e.changes[1], (model::ConfigChange{"faas.version", "7", "8"}));
  EXPECT_EQ(e.description,
            "service.version of fn changed from 1.0 to 1.1, faas.version from 7 to 8 (seen in telemetry)");
  // faas.version alone.
  t.See(Res("fn", "1.1", "9"), kT0 + 2 * kMin);
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[1].version, "9");
  EXPECT_EQ(t.events[1].changes.size(), 1u);
}

TEST(VersionTracker, ResourcesWithoutTelemetryOrVersionAreIgnored) {
  Tracker t;
  t.See(Res("writer", "1"), kT0);
  model::Batch empty;
  empty.resources.push_back(Res("writer", "2"));  // no items
  t.t.Add(empty, &t.events);
  t.See(Res("writer", ""), kT0 + kMin);
  EXPECT_TRUE(t.events.empty());
}

TEST(VersionTracker, PairsAreBoundedAndOverflowCounted) {
  VersionTrackerOptions o;
  o.max_tracked = 2;
  o.idle_ns = 60 * kMin;
  Tracker t(o);
  t.See(Res("a", "1"), kT0);
  t.See(Res("b", "1"), kT0);
  t.See(Res("c", "1"), kT0 + kMin);
  EXPECT_EQ(t.t.stats().overflow, 1u);
  EXPECT_EQ(t.t.stats().tracked, 2u);
  // Once a and b are idle, c gets their room.
  t.See(Res("c", "1"), kT0 + 2 * 60 * kMin);
  EXPECT_EQ(t.t.stats().overflow, 1u);
  EXPECT_EQ(t.t.stats().expired, 2u);
}

TEST(VersionTracker, VersionsPerServiceAreBounded) {
  VersionTrackerOptions o;
  o.max_versions = 4;
  Tracker t(o);
  for (int v = 0; v < 10; ++v) t.See(Res("writer", std::to_string(v)), kT0 + v * kMin);
  EXPECT_EQ(t.events.size(), 9u);
  // Version 0 was forgotten: seeing it again is news.
  t.See(Res("writer", "0"), kT0 + 11 * kMin);
  EXPECT_EQ(t.events.size(), 10u);
  EXPECT_EQ(t.events.back().description, "service.version of writer changed from 9 to 0 (seen in telemetry)");
}

TEST(VersionTracker, SavedStateBehavesTheSame) {
  Tracker a;
  a.See(Res("writer", "1"), kT0);
  a.See(Res("writer", "2"), kT0 + kMin);
  a.See(Res("writer", "1"), kT0 + 2 * kMin);  // an old instance
  std::string bytes;
  StateWriter w(&bytes);
  a.t.SaveState(&w);
  Tracker b;
  StateReader r(bytes);
  b.t.LoadState(&r);
  ASSERT_TRUE(r.Finish("tracker").ok());
  for (Tracker* t : {&a, &b}) {
    t->events.clear();
    for (uint64_t s = 0; s < 20 * 60; s += 5) t->See(Res("writer", "1"), kT0 + 3 * kMin + s * kS);
    t->See(Res("writer", "3"), kT0 + 30 * kMin);
  }
  EXPECT_EQ(a.events, b.events);
  ASSERT_EQ(a.events.size(), 2u);  // the rollback to 1, then 3

  StateReader bad(std::string_view(bytes).substr(0, bytes.size() - 3));
  Tracker c;
  c.t.LoadState(&bad);
  EXPECT_FALSE(bad.Finish("tracker").ok());
}

}  // namespace
}  // namespace augur::analysis
