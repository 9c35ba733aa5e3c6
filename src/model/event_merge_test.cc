#include "model/event_merge.h"

#include <gtest/gtest.h>

#include <set>

namespace augur::model {
namespace {

using model::ChangeEvent;
using model::ChangeType;

ChangeEvent Deployment(std::string id, std::string source, uint64_t time, std::string version = "v2") {
  ChangeEvent e;
  e.id = std::move(id);
  e.service = "writer";
  e.time_ns = time;
  e.version = std::move(version);
  e.source = std::move(source);
  NormalizeSources(&e);
  return e;
}

TEST(EventMergeTest, DerivedIdsAreStableAndDependOnEachField) {
  ChangeEvent e = Deployment("", "api", 1000);
  const std::string id = DerivedEventId(e);
  EXPECT_EQ(id.size(), 19u);
  EXPECT_EQ(id.rfind("ev-", 0), 0u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 3), std::string::npos);
  EXPECT_EQ(DerivedEventId(e), id);

  std::set<std::string> ids = {id};
  ChangeEvent other = e;
  other.type = ChangeType::kConfigChange;
  ids.insert(DerivedEventId(other));
  other = e;
  other.service = "reader";
  ids.insert(DerivedEventId(other));
  other = e;
  other.time_ns = 1001;
  ids.insert(DerivedEventId(other));
  other = e;
  other.version = "v3";
  ids.insert(DerivedEventId(other));
  // Fields do not run into one another.
  ChangeEvent a = e, b = e;
  a.service = "ab";
  a.version = "c";
  b.service = "a";
  b.version = "bc";
  ids.insert(DerivedEventId(a));
  ids.insert(DerivedEventId(b));
  EXPECT_EQ(ids.size(), 7u);
  // What the hash covers is type, service, time and version only.
  other = e;
  other.source = "cli";
  other.description = "x";
  EXPECT_EQ(DerivedEventId(other), id);
}

TEST(EventMergeTest, VersionedDeploymentsOnly) {
  EXPECT_TRUE(IsVersionedDeployment(Deployment("a", "api", 1)));
  EXPECT_FALSE(IsVersionedDeployment(Deployment("a", "api", 1, "")));
  ChangeEvent config = Deployment("a", "api", 1);
  config.type = ChangeType::kConfigChange;
  EXPECT_FALSE(IsVersionedDeployment(config));
}

TEST(EventMergeTest, SameDeploymentNeedsServiceVersionAndNearTimes) {
  const uint64_t t = 1'700'000'000'000'000'000ULL;
  const ChangeEvent posted = Deployment("a", "api", t);
  EXPECT_TRUE(MayBeSameDeployment(posted, Deployment("b", "telemetry", t + 90'000'000'000ULL)));
  EXPECT_TRUE(MayBeSameDeployment(Deployment("b", "telemetry", t - kDeploymentMergeWindowNs), posted));
  EXPECT_TRUE(MayBeSameDeployment(posted, Deployment("b", "telemetry", t + kDeploymentMergeWindowNs)));
  // The same version again an hour later: a rollback to it, or a redeploy.
  EXPECT_FALSE(MayBeSameDeployment(posted, Deployment("b", "telemetry", t + kDeploymentMergeWindowNs + 1)));
  EXPECT_FALSE(MayBeSameDeployment(Deployment("b", "telemetry", t - 3'600'000'000'000ULL), posted));
  EXPECT_FALSE(MayBeSameDeployment(posted, Deployment("b", "telemetry", t, "v3")));
  EXPECT_FALSE(MayBeSameDeployment(posted, Deployment("b", "telemetry", t, "")));
  ChangeEvent reader = Deployment("b", "telemetry", t);
  reader.service = "reader";
  EXPECT_FALSE(MayBeSameDeployment(posted, reader));
  ChangeEvent config = Deployment("b", "api", t);
  config.type = ChangeType::kConfigChange;
  EXPECT_FALSE(MayBeSameDeployment(posted, config));
}

TEST(EventMergeTest, FindSameDeploymentSkipsRedeploysAndTakesTheNearest) {
  const uint64_t t = 1'700'000'000'000'000'000ULL, minute = 60'000'000'000ULL;
  std::vector<ChangeEvent> events = {Deployment("v2-first", "api", t),
                                     Deployment("v1-back", "api", t + 3 * minute, "v1"),
                                     Deployment("v2-again", "api", t + 9 * minute)};
  // Telemetry of v2 a minute after the first deploy: that one.
  const ChangeEvent* found = FindSameDeployment(events, Deployment("", "telemetry", t + minute));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "v2-first");
  // Five minutes on: the rollback lies between it and the first v2, so the redeploy.
  found = FindSameDeployment(events, Deployment("", "telemetry", t + 5 * minute));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "v2-again");
  // Long after every report: none.
  EXPECT_EQ(FindSameDeployment(events, Deployment("", "telemetry", t + 9 * minute + kDeploymentMergeWindowNs + 1)),
            nullptr);
  // Another version, or an unversioned deployment: none.
  EXPECT_EQ(FindSameDeployment(events, Deployment("", "telemetry", t, "v3")), nullptr);
  EXPECT_EQ(FindSameDeployment(events, Deployment("", "telemetry", t, "")), nullptr);
  // Of two reports around it, the nearer in time.
  events = {Deployment("early", "api", t), Deployment("late", "api", t + 4 * minute)};
  found = FindSameDeployment(events, Deployment("", "telemetry", t + 3 * minute));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "late");
}

TEST(EventMergeTest, NormalizeSourcesAddsTheSourceOnceAndDropsDuplicates) {
  ChangeEvent e;
  e.source = "api";
  e.sources = {"cli", "cli", "api", "x"};
  NormalizeSources(&e);
  EXPECT_EQ(e.sources, (std::vector<std::string>{"cli", "api", "x"}));
  e.source = "";
  e.sources = {};
  NormalizeSources(&e);
  EXPECT_TRUE(e.sources.empty());
}

ChangeEvent Explicit() {
  ChangeEvent e = Deployment("ev-api", "api", 2000);
  e.description = "release 2";
  e.previous_version = "v1";
  e.changes = {{"flag", "off", "on"}};
  return e;
}

ChangeEvent Inferred() {
  ChangeEvent e = Deployment("ev-inferred", "telemetry", 1500);
  e.previous_version = "v1-telemetry";
  return e;
}

TEST(EventMergeTest, ExplicitWinsWhicheverCameFirst) {
  for (bool explicit_first : {true, false}) {
    SCOPED_TRACE(explicit_first);
    const ChangeEvent merged =
        explicit_first ? MergeEvents(Explicit(), Inferred()) : MergeEvents(Inferred(), Explicit());
    EXPECT_EQ(merged.id, "ev-api");
    EXPECT_EQ(merged.source, "api");
    EXPECT_EQ(merged.description, "release 2");
    EXPECT_EQ(merged.changes, Explicit().changes);
    EXPECT_EQ(merged.previous_version, "v1");
    EXPECT_EQ(merged.time_ns, 1500u);  // the earliest
    EXPECT_EQ(merged.version, "v2");
    EXPECT_EQ(merged.service, "writer");
    const std::set<std::string> sources(merged.sources.begin(), merged.sources.end());
    EXPECT_EQ(sources, (std::set<std::string>{"api", "telemetry"}));
    EXPECT_EQ(merged.sources.size(), 2u);
  }
}

TEST(EventMergeTest, PreviousVersionFromTheOtherWhenTheExplicitHasNone) {
  ChangeEvent e = Explicit();
  e.previous_version = "";
  EXPECT_EQ(MergeEvents(Inferred(), e).previous_version, "v1-telemetry");
  EXPECT_EQ(MergeEvents(e, Inferred()).previous_version, "v1-telemetry");
}

TEST(EventMergeTest, TwoExplicitReportsKeepTheStoredIdAndTakeWhatTheNewOneHas) {
  ChangeEvent again = Deployment("ev-cli", "cli", 3000);
  again.description = "";
  ChangeEvent merged = MergeEvents(Explicit(), again);
  EXPECT_EQ(merged.id, "ev-api");
  EXPECT_EQ(merged.source, "cli");
  EXPECT_EQ(merged.description, "release 2");  // the new one has none
  EXPECT_EQ(merged.changes, Explicit().changes);
  EXPECT_EQ(merged.time_ns, 2000u);
  EXPECT_EQ(merged.sources, (std::vector<std::string>{"api", "cli"}));

  again.description = "release 2, for real";
  again.changes = {{"flag", "on", "off"}};
  merged = MergeEvents(Explicit(), again);
  EXPECT_EQ(merged.description, "release 2, for real");
  EXPECT_EQ(merged.changes, again.changes);
}

TEST(EventMergeTest, AZeroTimeIsNotTheEarliest) {
  ChangeEvent e = Explicit();
  e.time_ns = 0;
  EXPECT_EQ(MergeEvents(e, Inferred()).time_ns, 1500u);
  EXPECT_EQ(MergeEvents(Inferred(), e).time_ns, 1500u);
}

}  // namespace
}  // namespace augur::model
