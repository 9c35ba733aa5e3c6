// Anomalies, change events and analysis state through the Store interface
// (analysis_writer.h, analysis_reader.cc, event_merge.h, schema.cc).
#include "store/analysis_writer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "store/schema.h"
#include "store/store.h"
#include "store/temp_store_test.h"

namespace augur::store {
namespace {

using model::Anomaly;
using model::ChangeEvent;
using model::ChangeType;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;    // event times
constexpr uint64_t kWall = 1'800'000'000 * kSecond;  // ingest wall clock

// A fresh data directory per test (temp_store_test.h).
class AnalysisStoreTest : public TempStoreTest {};

Anomaly MakeAnomaly(std::string id, std::string service, uint64_t onset, uint64_t end) {
  Anomaly a;
  a.id = std::move(id);
  a.series = {"span.duration", std::move(service), "POST /items", {{"kind", "SERVER"}, {"peer", "db"}}};
  a.kind = "latency";
  a.direction = "up";
  a.quantity = "p90";
  a.unit = "ms";
  a.detector = "cusum";
  a.onset_ns = onset;
  a.detected_ns = onset + 10 * kSecond;
  a.end_ns = end;
  a.updated_ns = end != 0 ? end : a.detected_ns;
  a.before = 41;
  a.observed = 380;
  a.expected_low = 30;
  a.expected_high = 55;
  a.score = 0.75;
  a.explanation = "p90 duration of POST /items rose from 41 ms to 380 ms; expected 30–55 ms";
  return a;
}

AnomalyQuery Anomalies(std::string service = "", std::string status = "", uint64_t from = 0, uint64_t to = UINT64_MAX,
                       size_t limit = 1000) {
  AnomalyQuery q;
  q.service = std::move(service);
  q.status = std::move(status);
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

EventQuery Events(std::string service = "", uint64_t from = 0, uint64_t to = UINT64_MAX, size_t limit = 1000) {
  EventQuery q;
  q.service = std::move(service);
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

ChangeEvent MakeEvent(std::string id, ChangeType type, std::string service, uint64_t time, std::string version = "",
                      std::string source = "api") {
  ChangeEvent e;
  e.id = std::move(id);
  e.type = type;
  e.service = std::move(service);
  e.time_ns = time;
  e.version = std::move(version);
  e.source = std::move(source);
  return e;
}

std::vector<std::string> AnomalyIds(const StatusOr<std::vector<Anomaly>>& got) {
  std::vector<std::string> ids;
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (got.ok()) {
    for (const auto& a : got.value()) ids.push_back(a.id);
  }
  return ids;
}

std::vector<std::string> EventIds(const StatusOr<std::vector<ChangeEvent>>& got) {
  std::vector<std::string> ids;
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (got.ok()) {
    for (const auto& e : got.value()) ids.push_back(e.id);
  }
  return ids;
}

TEST_F(AnalysisStoreTest, AnomalyRoundTrip) {
  auto store = Open();
  Anomaly ongoing = MakeAnomaly("an-1", "writer", kT0, 0);
  Anomaly forecast = MakeAnomaly("an-2", "db", kT0 + kSecond, kT0 + 60 * kSecond);
  forecast.kind = "forecast";
  forecast.limit = 1e9;
  forecast.predicted_ns = kT0 + 3600 * kSecond;
  forecast.series.attributes = {};
  forecast.series.operation = "";
  forecast.expected_high = std::numeric_limits<double>::infinity();
  forecast.updated_ns = UINT64_MAX;  // times above int64 survive too
  ASSERT_TRUE(store->PutAnomalies({ongoing, forecast}).ok());
  auto got = store->GetAnomaly("an-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, ongoing);
  EXPECT_TRUE(got->ongoing());
  got = store->GetAnomaly("an-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, forecast);
  EXPECT_EQ(store->GetAnomaly("an-3").status().code(), Status::Code::kNotFound);

  // NaN is stored as NULL and comes back as NaN.
  Anomaly nan = MakeAnomaly("an-nan", "writer", kT0, 0);
  nan.before = std::numeric_limits<double>::quiet_NaN();
  ASSERT_TRUE(store->PutAnomalies({nan}).ok());
  got = store->GetAnomaly("an-nan");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(std::isnan(got->before));
  EXPECT_EQ(got->observed, 380);

  EXPECT_TRUE(store->PutAnomalies({}).ok());
}

TEST_F(AnalysisStoreTest, AnomaliesAreReplacedById) {
  auto store = Open();
  Anomaly a = MakeAnomaly("an-1", "writer", kT0, 0);
  ASSERT_TRUE(store->PutAnomalies({a}).ok());
  a.end_ns = kT0 + 100 * kSecond;
  a.updated_ns = a.end_ns;
  a.observed = 500;
  // The same id twice in one call: the last one stays.
  Anomaly earlier = a;
  earlier.observed = 1;
  ASSERT_TRUE(store->PutAnomalies({earlier, a}).ok());
  auto all = store->QueryAnomalies(Anomalies());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0], a);
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "ongoing"))), std::vector<std::string>{});
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "closed"))), std::vector<std::string>{"an-1"});
}

// Against a brute-force model of the query: overlap of [onset, end or +inf]
// with [from, to], service, status, newest onset first, limit.
TEST_F(AnalysisStoreTest, AnomalyQueriesMatchTheModel) {
  auto store = Open();
  std::mt19937_64 rng(7);
  std::vector<Anomaly> all;
  const char* services[] = {"api", "db", "writer"};
  for (int i = 0; i < 300; ++i) {
    const uint64_t onset = kT0 + rng() % 1000 * kSecond;
    const uint64_t end = rng() % 3 == 0 ? 0 : onset + rng() % 200 * kSecond;
    all.push_back(MakeAnomaly("an-" + std::to_string(i), services[rng() % 3], onset, end));
  }
  ASSERT_TRUE(store->PutAnomalies(all).ok());
  const auto model = [&](const AnomalyQuery& q) {
    std::vector<const Anomaly*> match;
    for (const auto& a : all) {
      const bool overlaps = a.onset_ns <= q.to_unix_nano && (a.ongoing() || a.end_ns >= q.from_unix_nano);
      const bool status = q.status.empty() || (q.status == "ongoing") == a.ongoing();
      if (overlaps && status && (q.service.empty() || a.series.service == q.service)) match.push_back(&a);
    }
    std::stable_sort(match.begin(), match.end(),
                     [](const Anomaly* a, const Anomaly* b) { return a->onset_ns > b->onset_ns; });
    return match;
  };
  int checked = 0;
  for (const std::string service : {"", "db"}) {
    for (const std::string status : {"", "ongoing", "closed"}) {
      for (int r = 0; r < 10; ++r) {
        SCOPED_TRACE(service + " " + status + " " + std::to_string(r));
        const uint64_t from = kT0 + rng() % 1200 * kSecond;
        const uint64_t to = r == 0 ? UINT64_MAX : from + rng() % 300 * kSecond;
        const size_t limit = r % 3 == 0 ? 5 : 1000;
        const AnomalyQuery q = Anomalies(service, status, from, to, limit);
        const std::vector<const Anomaly*> want = model(q);
        auto got = store->QueryAnomalies(q);
        ASSERT_TRUE(got.ok());
        ASSERT_EQ(got->size(), std::min(want.size(), limit));
        // The same onsets in the same order; anomalies with equal onsets may
        // come in another order, so the cut at the limit may differ among them.
        std::set<std::string> got_ids, want_ids;
        for (size_t i = 0; i < got->size(); ++i) {
          EXPECT_EQ((*got)[i].onset_ns, want[i]->onset_ns) << i;
          got_ids.insert((*got)[i].id);
          want_ids.insert(want[i]->id);
          const auto it = std::find_if(all.begin(), all.end(), [&](const Anomaly& a) { return a.id == (*got)[i].id; });
          ASSERT_NE(it, all.end());
          EXPECT_EQ((*got)[i], *it);
        }
        if (want.size() <= limit) {
          EXPECT_EQ(got_ids, want_ids);
        }
        checked += !want.empty();
      }
    }
  }
  EXPECT_GT(checked, 20);  // the ranges do select something
}

TEST_F(AnalysisStoreTest, AnomalyOverlapEdges) {
  auto store = Open();
  ASSERT_TRUE(
      store->PutAnomalies({MakeAnomaly("closed", "s", kT0 + 10, kT0 + 20), MakeAnomaly("ongoing", "s", kT0 + 30, 0)})
          .ok());
  // Bounds are inclusive; an ongoing anomaly extends to +inf.
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "", kT0 + 20, kT0 + 20))),
            std::vector<std::string>{"closed"});
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "", kT0 + 21, kT0 + 29))), std::vector<std::string>{});
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "", kT0 + 5, kT0 + 10))),
            std::vector<std::string>{"closed"});
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "", kT0 + 1000, UINT64_MAX))),
            std::vector<std::string>{"ongoing"});
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies())), (std::vector<std::string>{"ongoing", "closed"}));
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("other"))), std::vector<std::string>{});
  EXPECT_EQ(store->QueryAnomalies(Anomalies("", "open")).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(AnalysisStoreTest, EventRoundTripAndDerivedId) {
  auto store = Open();
  ChangeEvent e = MakeEvent("", ChangeType::kConfigChange, "writer", kT0, "", "cli");
  e.description = "pool size";
  e.changes = {{"db.pool.size", "10", "2"}, {"timeout", "1s", "5s"}};
  auto stored = store->PutEvent(e);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->id.rfind("ev-", 0), 0u);
  EXPECT_EQ(stored->id.size(), 19u);
  EXPECT_EQ(stored->sources, std::vector<std::string>{"cli"});
  ChangeEvent want = e;
  want.id = stored->id;
  want.sources = {"cli"};
  EXPECT_EQ(*stored, want);
  auto got = store->GetEvent(stored->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, want);
  EXPECT_EQ(store->GetEvent("ev-nope").status().code(), Status::Code::kNotFound);

  // Posting the same event again stores it once, under the same id.
  auto again = store->PutEvent(e);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, stored->id);
  EXPECT_EQ(EventIds(store->QueryEvents(Events())), std::vector<std::string>{stored->id});
  // Another time is another event.
  e.time_ns += 1;
  auto other = store->PutEvent(e);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id, stored->id);
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 2u);
}

TEST_F(AnalysisStoreTest, EventsAreReplacedById) {
  auto store = Open();
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-x", ChangeType::kInfrastructure, "db", kT0)).ok());
  ChangeEvent e = MakeEvent("ev-x", ChangeType::kSecurityChange, "api", kT0 + kSecond);
  e.description = "rotated keys";
  ASSERT_TRUE(store->PutEvent(e).ok());
  auto all = store->QueryEvents(Events());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].type, ChangeType::kSecurityChange);
  EXPECT_EQ((*all)[0].service, "api");
  EXPECT_EQ((*all)[0].description, "rotated keys");
}

TEST_F(AnalysisStoreTest, TelemetryThenApiMergeIntoOneEvent) {
  auto store = Open();
  ChangeEvent inferred = MakeEvent("ev-tel", ChangeType::kDeployment, "writer", kT0, "v2", "telemetry");
  inferred.previous_version = "v1";
  ASSERT_TRUE(store->PutEvent(inferred).ok());
  ChangeEvent posted = MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 30 * kSecond, "v2", "api");
  posted.description = "release 2";
  posted.changes = {{"feature.x", "off", "on"}};
  auto stored = store->PutEvent(posted);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_NE(stored->id, "ev-tel");
  EXPECT_EQ(stored->source, "api");
  EXPECT_EQ(stored->description, "release 2");
  EXPECT_EQ(stored->changes, posted.changes);
  EXPECT_EQ(stored->time_ns, kT0);  // the earliest
  EXPECT_EQ(stored->previous_version, "v1");
  EXPECT_EQ(stored->sources, (std::vector<std::string>{"telemetry", "api"}));
  auto all = store->QueryEvents(Events());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0], *stored);
  EXPECT_EQ(store->GetEvent("ev-tel").status().code(), Status::Code::kNotFound);
  // Telemetry seeing the version again changes nothing but keeps one event.
  auto replay = store->PutEvent(inferred);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, *stored);
  EXPECT_EQ(EventIds(store->QueryEvents(Events())), std::vector<std::string>{stored->id});
}

TEST_F(AnalysisStoreTest, ApiThenTelemetryMergeIntoOneEvent) {
  auto store = Open();
  ChangeEvent posted = MakeEvent("ev-api", ChangeType::kDeployment, "writer", kT0 + 30 * kSecond, "v2", "api");
  posted.description = "release 2";
  ASSERT_TRUE(store->PutEvent(posted).ok());
  ChangeEvent inferred = MakeEvent("ev-tel", ChangeType::kDeployment, "writer", kT0, "v2", "telemetry");
  inferred.previous_version = "v1";
  auto stored = store->PutEvent(inferred);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->id, "ev-api");
  EXPECT_EQ(stored->source, "api");
  EXPECT_EQ(stored->description, "release 2");
  EXPECT_EQ(stored->time_ns, kT0);
  EXPECT_EQ(stored->previous_version, "v1");
  EXPECT_EQ(stored->sources, (std::vector<std::string>{"api", "telemetry"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events())), std::vector<std::string>{"ev-api"});

  // Other versions, services and types are other events.
  ASSERT_TRUE(store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 1, "v3", "telemetry")).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("", ChangeType::kDeployment, "reader", kT0 + 2, "v2", "telemetry")).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("", ChangeType::kConfigChange, "writer", kT0 + 3, "v2")).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 4, "")).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 5, "")).ok());
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 6u);
}

TEST_F(AnalysisStoreTest, OldValuesComeFromTheLatestEarlierEventOfTheService) {
  auto store = Open();
  ChangeEvent first = MakeEvent("ev-1", ChangeType::kConfigChange, "writer", kT0 + 10 * kSecond);
  first.changes = {{"pool", "", "10"}};
  ChangeEvent second = MakeEvent("ev-2", ChangeType::kConfigChange, "writer", kT0 + 20 * kSecond);
  second.changes = {{"pool", "", "20"}, {"timeout", "", "5s"}};
  ChangeEvent elsewhere = MakeEvent("ev-3", ChangeType::kConfigChange, "reader", kT0 + 25 * kSecond);
  elsewhere.changes = {{"pool", "", "99"}};
  for (const auto& e : {first, second, elsewhere}) ASSERT_TRUE(store->PutEvent(e).ok());

  auto got = store->GetEvent("ev-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->changes, (std::vector<model::ConfigChange>{{"pool", "10", "20"}, {"timeout", "", "5s"}}));

  ChangeEvent later = MakeEvent("ev-4", ChangeType::kConfigChange, "writer", kT0 + 30 * kSecond);
  later.changes = {{"pool", "", "30"}, {"timeout", "", "9s"}, {"new.key", "", "x"}, {"pool", "given", "31"}};
  auto stored = store->PutEvent(later);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->changes,
            (std::vector<model::ConfigChange>{
                {"pool", "20", "30"}, {"timeout", "5s", "9s"}, {"new.key", "", "x"}, {"pool", "given", "31"}}));

  // Posted late, between the first two: the first one is the state before it.
  ChangeEvent between = MakeEvent("ev-5", ChangeType::kDeployment, "writer", kT0 + 15 * kSecond, "v7");
  between.changes = {{"pool", "", "15"}};
  stored = store->PutEvent(between);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->changes[0].old_value, "10");

  // An event replacing itself does not take its old value from itself.
  ChangeEvent reposted = first;
  reposted.changes = {{"pool", "", "11"}};
  stored = store->PutEvent(reposted);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->changes[0].old_value, "");
}

TEST_F(AnalysisStoreTest, EventQueriesFilterAndOrder) {
  auto store = Open();
  // Posted out of time order.
  for (int i : {3, 0, 4, 1, 2}) {
    ASSERT_TRUE(store
                    ->PutEvent(MakeEvent("ev-" + std::to_string(i), ChangeType::kConfigChange, i % 2 ? "db" : "api",
                                         kT0 + i * kSecond))
                    .ok());
  }
  EXPECT_EQ(EventIds(store->QueryEvents(Events())), (std::vector<std::string>{"ev-0", "ev-1", "ev-2", "ev-3", "ev-4"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events("api"))), (std::vector<std::string>{"ev-0", "ev-2", "ev-4"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events("", kT0 + kSecond, kT0 + 3 * kSecond))),
            (std::vector<std::string>{"ev-1", "ev-2", "ev-3"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events("db", kT0 + 2 * kSecond))), (std::vector<std::string>{"ev-3"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events("", 0, UINT64_MAX, 2))), (std::vector<std::string>{"ev-0", "ev-1"}));
  EXPECT_EQ(EventIds(store->QueryEvents(Events("nobody"))), std::vector<std::string>{});
}

TEST_F(AnalysisStoreTest, StatePutGet) {
  auto store = Open();
  EXPECT_EQ(store->GetState("analyzer").status().code(), Status::Code::kNotFound);
  const std::string bytes("\0\x01\xffstate\0", 9);
  ASSERT_TRUE(store->PutState("analyzer", bytes).ok());
  ASSERT_TRUE(store->PutState("other", "").ok());
  auto got = store->GetState("analyzer");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, bytes);
  ASSERT_TRUE(store->PutState("analyzer", "v2").ok());
  got = store->GetState("analyzer");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "v2");
  got = store->GetState("other");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
}

TEST_F(AnalysisStoreTest, EverythingSurvivesReopen) {
  {
    auto store = Open();
    ASSERT_TRUE(store->PutAnomalies({MakeAnomaly("an-1", "s", kT0, 0)}).ok());
    ASSERT_TRUE(store->PutEvent(MakeEvent("ev-1", ChangeType::kDeployment, "s", kT0, "v1")).ok());
    ASSERT_TRUE(store->PutState("analyzer", "bytes").ok());
  }
  auto store = Open();
  EXPECT_TRUE(store->GetAnomaly("an-1").ok());
  EXPECT_TRUE(store->GetEvent("ev-1").ok());
  auto state = store->GetState("analyzer");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, "bytes");
}

// Anomalies go by the ingest age of their last write; events and state stay.
TEST_F(AnalysisStoreTest, RetentionDeletesOldAnomaliesOnly) {
  const uint64_t day = 86400;
  auto store = Open(day, 0);
  ASSERT_TRUE(
      store->PutAnomalies({MakeAnomaly("old", "s", kT0, kT0 + kSecond), MakeAnomaly("rewritten", "s", kT0, 0)}).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-1", ChangeType::kDeployment, "s", kT0, "v1")).ok());
  ASSERT_TRUE(store->PutState("analyzer", "bytes").ok());
  ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // marks both anomalies
  Anomaly rewritten = MakeAnomaly("rewritten", "s", kT0, kT0 + 5 * kSecond);
  ASSERT_TRUE(store->PutAnomalies({rewritten}).ok());
  ASSERT_TRUE(store->PutAnomalies({MakeAnomaly("new", "s", kT0, 0)}).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall + 3600 * kSecond).ok());  // marks the rest

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 60) * kSecond).ok());
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies())).size(), 2u);
  EXPECT_EQ(store->GetAnomaly("old").status().code(), Status::Code::kNotFound);
  auto got = store->GetAnomaly("rewritten");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, rewritten);
  EXPECT_EQ(store->Stats().retention_deleted, 1u);

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 3600 + 60) * kSecond).ok());
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies())), std::vector<std::string>{});
  ASSERT_TRUE(store->EnforceRetention(kWall + 100 * day * kSecond).ok());
  EXPECT_TRUE(store->GetEvent("ev-1").ok());
  EXPECT_TRUE(store->GetState("analyzer").ok());
}

// A version 2 file (before analysis tables) is upgraded in place, its data kept.
TEST_F(AnalysisStoreTest, TheSameVersionDeployedAgainLaterIsAnotherEvent) {
  auto store = Open();
  const uint64_t hour = 3600 * kSecond;
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-v1", ChangeType::kDeployment, "writer", kT0, "v1", "api")).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-v2", ChangeType::kDeployment, "writer", kT0 + hour, "v2", "api")).ok());
  // Rolled back to v1 an hour later: telemetry sees v1 again. Not the first v1.
  auto rollback = store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 2 * hour, "v1", "telemetry"));
  ASSERT_TRUE(rollback.ok()) << rollback.status().ToString();
  EXPECT_NE(rollback->id, "ev-v1");
  EXPECT_EQ(rollback->time_ns, kT0 + 2 * hour);
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 3u);
  // The explicit report of that rollback, a minute later, joins it rather than the first v1.
  auto posted = store->PutEvent(
      MakeEvent("ev-back", ChangeType::kDeployment, "writer", kT0 + 2 * hour + 60 * kSecond, "v1", "cli"));
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->id, "ev-back");
  EXPECT_EQ(posted->time_ns, kT0 + 2 * hour);
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 3u);
  EXPECT_TRUE(store->GetEvent("ev-v1").ok());
  EXPECT_EQ(store->GetEvent(rollback->id).status().code(), Status::Code::kNotFound);
}

TEST_F(AnalysisStoreTest, ADeployAndItsQuickRollbackAreTwoChanges) {
  auto store = Open();
  const uint64_t minute = 60 * kSecond;
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-v2", ChangeType::kDeployment, "writer", kT0, "v2", "api")).ok());
  ASSERT_TRUE(
      store->PutEvent(MakeEvent("ev-v1", ChangeType::kDeployment, "writer", kT0 + 3 * minute, "v1", "api")).ok());
  // Within the merge window of ev-v2, but the rollback lies between: a redeploy of v2.
  auto again = store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + 6 * minute, "v2", "telemetry"));
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->id, "ev-v2");
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 3u);
  // Telemetry of the first v2, a minute after it was posted, still merges with it.
  auto first = store->PutEvent(MakeEvent("", ChangeType::kDeployment, "writer", kT0 + minute, "v2", "telemetry"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, "ev-v2");
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 3u);
}

TEST_F(AnalysisStoreTest, OpeningAVersion5FileLetsAVersionBeDeployedTwice) {
  { ASSERT_NE(Open(), nullptr); }
  SqlExec(R"sql(
    DROP INDEX events_deployment;
    CREATE UNIQUE INDEX events_deployment ON events(service, version) WHERE type = 'DEPLOYMENT' AND version <> '';
    PRAGMA user_version = 5;
  )sql");
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SqlInt("PRAGMA user_version"), kSchemaVersion);
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-a", ChangeType::kDeployment, "writer", kT0, "v1", "api")).ok());
  ASSERT_TRUE(
      store->PutEvent(MakeEvent("ev-b", ChangeType::kDeployment, "writer", kT0 + 86400 * kSecond, "v1", "api")).ok());
  EXPECT_EQ(EventIds(store->QueryEvents(Events())).size(), 2u);
}

TEST_F(AnalysisStoreTest, OpeningAVersion2FileAddsTheAnalysisTables) {
  {
    auto store = Open(86400, 0);
    model::Batch b;
    b.resources = {{{{"service.name", {std::string("api")}}}, "api", ""}};
    b.scopes = {{}};
    model::LogRecord log;
    log.time_unix_nano = kT0;
    b.logs = {log};
    const Status written = store->Write({&b});
    ASSERT_TRUE(written.ok()) << written.ToString();
    ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // an ingest mark
  }
  SqlExec(R"sql(
    DROP TABLE notify_outbox; DROP TABLE notify_seen;
    DROP TABLE insights; DROP TABLE insight_services; DROP TABLE insight_feedback;
    ALTER TABLE ingest_marks DROP COLUMN insights;
    DROP TABLE anomalies; DROP TABLE events; DROP TABLE analysis_state;
    ALTER TABLE ingest_marks DROP COLUMN anomalies;
    PRAGMA user_version = 2;
  )sql");
  ASSERT_EQ(SqlInt("SELECT count(*) FROM sqlite_schema WHERE name = 'events'"), 0);
  auto store = Open(86400, 0);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SqlInt("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(SqlInt("SELECT count(*) FROM ingest_marks WHERE anomalies = 0 AND insights = 0"), 1);
  EXPECT_EQ(store->Stats().log_records, 1u);
  ASSERT_TRUE(store->PutAnomalies({MakeAnomaly("an-1", "api", kT0, 0)}).ok());
  ASSERT_TRUE(store->PutEvent(MakeEvent("ev-1", ChangeType::kDeployment, "api", kT0, "v1")).ok());
  ASSERT_TRUE(store->PutState("analyzer", "x").ok());
  EXPECT_TRUE(store->GetAnomaly("an-1").ok());
  // The old mark covers no anomaly: retention by its age keeps the new one.
  ASSERT_TRUE(store->EnforceRetention(kWall + 2 * 86400 * kSecond).ok());
  EXPECT_TRUE(store->GetAnomaly("an-1").ok());
  EXPECT_EQ(store->Stats().log_records, 0u);
}

// The analysis writes come from other threads while the ingest writer
// writes: they wait for its transactions (busy timeout) rather than fail.
TEST_F(AnalysisStoreTest, WritesFromManyThreadsWhileIngestWrites) {
  auto store = Open();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread ingest([&] {
    model::Batch b;
    b.resources = {{{{"service.name", {std::string("api")}}}, "api", ""}};
    b.scopes = {{}};
    uint32_t n = 0;
    while (!stop.load()) {
      b.spans.clear();
      for (int i = 0; i < 2000; ++i, ++n) {
        model::Span s;
        s.trace_id[0] = 1;
        s.trace_id[15] = static_cast<uint8_t>(n);
        s.span_id[7] = static_cast<uint8_t>(n);
        s.span_id[6] = static_cast<uint8_t>(n >> 8);
        s.start_time_unix_nano = kT0 + n;
        s.end_time_unix_nano = kT0 + n + 1;
        s.name = "op";
        b.spans.push_back(s);
      }
      if (!store->Write({&b}).ok()) ++failures;
    }
  });
  std::vector<std::thread> writers;
  constexpr int kThreads = 3, kEach = 40;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string n = std::to_string(t) + "-" + std::to_string(i);
        if (!store->PutAnomalies({MakeAnomaly("an-" + n, "s", kT0 + i, 0)}).ok()) ++failures;
        if (!store->PutEvent(MakeEvent("", ChangeType::kDeployment, Numbered("s", t), kT0 + i, "v" + n)).ok()) {
          ++failures;
        }
        if (!store->PutState("state-" + std::to_string(t), n).ok()) ++failures;
        if (!store->QueryEvents(Events()).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  stop = true;
  ingest.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(AnomalyIds(store->QueryAnomalies(Anomalies("", "", 0, UINT64_MAX, 10000))).size(),
            size_t{kThreads * kEach});
  EXPECT_EQ(EventIds(store->QueryEvents(Events("", 0, UINT64_MAX, 10000))).size(), size_t{kThreads * kEach});
  EXPECT_GT(store->Stats().spans, 0u);
}

}  // namespace
}  // namespace augur::store
