// Insights and their feedback through the Store interface
// (analysis_writer.h, analysis_reader.cc, analysis_rows.h, schema.cc,
// retention.h).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "store/schema.h"
#include "store/store.h"
#include "store/temp_store_test.h"

namespace augur::store {
namespace {

using model::Insight;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;    // event times
constexpr uint64_t kWall = 1'800'000'000 * kSecond;  // wall clock

// A fresh data directory per test (temp_store_test.h).
class InsightStoreTest : public TempStoreTest {};

model::Anomaly MakeAnomaly(std::string id, std::string service, uint64_t onset, uint64_t end) {
  model::Anomaly a;
  a.id = std::move(id);
  a.series = {"span.duration", std::move(service), "POST /items", {{"kind", "SERVER"}}};
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

// An insight on `root` with one anomaly per service of `anomaly_services`;
// closed when `end` is not 0.
Insight MakeInsight(std::string id, std::string root, std::vector<std::string> anomaly_services, uint64_t start,
                    uint64_t end) {
  Insight in;
  in.id = std::move(id);
  in.name = "Latency of " + root;
  in.status = end == 0 ? "ONGOING" : "CLOSED";
  in.start_ns = start;
  in.end_ns = end;
  in.detected_ns = start + 10 * kSecond;
  in.updated_ns = end != 0 ? end : in.detected_ns;
  in.revision = 1;
  in.root_cause.service = std::move(root);
  in.root_cause.kind = "latency";
  in.root_cause.confidence = 0.5;
  for (size_t i = 0; i < anomaly_services.size(); ++i) {
    in.anomalies.push_back({MakeAnomaly(in.id + "-an" + std::to_string(i), anomaly_services[i], start, end),
                            i == 0 ? "causal" : "contextual", "because"});
  }
  return in;
}

// Every field set, to a value other than its default.
Insight FullInsight() {
  Insight in = MakeInsight("in-00000000000000ff", "writer", {"writer", "gateway"}, kT0, kT0 + 600 * kSecond);
  in.name = "Latency of POST /items on writer after deployment v2";
  in.type = "PROACTIVE";
  in.severity = "HIGH";
  in.revision = 7;
  in.root_cause.operation = "POST /items";
  in.root_cause.dependency = "redis/items";
  in.root_cause.confidence = 0.8125;
  in.root_cause.evidence = {"its self time grew by 90% of the increase", "deployment v2 14 s before the onset"};
  in.anomalies[1].anomaly.series.attributes = {};
  in.anomalies[1].anomaly.kind = "forecast";
  in.anomalies[1].anomaly.limit = 1e9;
  in.anomalies[1].anomaly.predicted_ns = kT0 + 3600 * kSecond;
  model::ChangeEvent e;
  e.id = "ev-0000000000000001";
  e.type = model::ChangeType::kConfigChange;
  e.service = "writer";
  e.time_ns = kT0 - 14 * kSecond;
  e.version = "v2";
  e.previous_version = "v1";
  e.source = "api";
  e.sources = {"telemetry", "api"};
  e.description = "release 2";
  e.changes = {{"db.pool.size", "10", "2"}};
  in.related_events = {e};
  in.recommendations = {{"Roll back deployment ev-0000000000000001 of writer",
                         "Deploy v1 again",
                         "it preceded",
                         {"ev-0000000000000001"},
                         {"in-00000000000000ff-an0"}}};
  in.log_snippets = {{kT0 + 3 * kSecond, "writer", "ERROR", "timeout talking to redis",
                      "0102030405060708090a0b0c0d0e0f10", "tpl-3", "first error after the onset"}};
  in.summary = "writer's POST /items slowed down 14 s after deployment v2.";
  in.feedback = "USEFUL";
  return in;
}

InsightQuery Insights(std::string service = "", std::string status = "", uint64_t from = 0, uint64_t to = UINT64_MAX,
                      size_t limit = 1000) {
  InsightQuery q;
  q.service = std::move(service);
  q.status = std::move(status);
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

std::vector<std::string> Ids(const StatusOr<std::vector<Insight>>& got) {
  std::vector<std::string> ids;
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (got.ok()) {
    for (const auto& in : got.value()) ids.push_back(in.id);
  }
  return ids;
}

std::vector<std::string> Feedback(Store& store, const std::string& insight_id, size_t limit = 1000) {
  std::vector<std::string> out;
  auto got = store.ListFeedback({insight_id, limit});
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (got.ok()) {
    for (const auto& f : *got) out.push_back(f.insight_id + ":" + f.feedback);
  }
  return out;
}

TEST_F(InsightStoreTest, FullInsightRoundTrip) {
  auto store = Open();
  const Insight full = FullInsight();
  const Insight ongoing = MakeInsight("in-2", "db", {"db"}, kT0 + kSecond, 0);
  ASSERT_TRUE(store->PutInsights({full, ongoing}).ok());
  auto got = store->GetInsight(full.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, full);
  got = store->GetInsight("in-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, ongoing);
  EXPECT_TRUE(got->ongoing());
  auto all = store->QueryInsights(Insights());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], ongoing);  // the newer start
  EXPECT_EQ((*all)[1], full);

  EXPECT_EQ(store->GetInsight("in-nope").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store->PutInsights({}).ok());
  Insight no_id = ongoing;
  no_id.id = "";
  EXPECT_EQ(store->PutInsights({ongoing, no_id}).code(), Status::Code::kInvalidArgument);
}

TEST_F(InsightStoreTest, RewritesKeepTheUsersFeedback) {
  auto store = Open();
  Insight in = MakeInsight("in-1", "writer", {"writer"}, kT0, 0);
  ASSERT_TRUE(store->PutInsights({in}).ok());
  auto updated = store->PutFeedback("in-1", "TOO_SENSITIVE", kWall);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  Insight want = in;
  want.feedback = "TOO_SENSITIVE";
  EXPECT_EQ(*updated, want);

  // The correlator knows nothing of feedback: its rewrite keeps it.
  in.revision = 2;
  in.summary = "now explained";
  in.status = "CLOSED";
  in.end_ns = kT0 + 100 * kSecond;
  ASSERT_TRUE(store->PutInsights({in}).ok());
  auto got = store->GetInsight("in-1");
  ASSERT_TRUE(got.ok());
  want = in;
  want.feedback = "TOO_SENSITIVE";
  EXPECT_EQ(*got, want);
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "CLOSED"))), std::vector<std::string>{"in-1"});

  // Twice in one call, the last one wins and still keeps it.
  Insight earlier = in;
  earlier.revision = 3;
  in.revision = 4;
  ASSERT_TRUE(store->PutInsights({earlier, in}).ok());
  got = store->GetInsight("in-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revision, 4u);
  EXPECT_EQ(got->feedback, "TOO_SENSITIVE");

  // An insight that carries feedback replaces it (the history is the users').
  in.feedback = "USEFUL";
  ASSERT_TRUE(store->PutInsights({in}).ok());
  got = store->GetInsight("in-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->feedback, "USEFUL");
  EXPECT_EQ(Feedback(*store, "in-1"), std::vector<std::string>{"in-1:TOO_SENSITIVE"});

  // Another insight does not take it.
  ASSERT_TRUE(store->PutInsights({MakeInsight("in-2", "writer", {}, kT0, 0)}).ok());
  got = store->GetInsight("in-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->feedback, "");
}

TEST_F(InsightStoreTest, FeedbackIsValidatedAndKeptAsHistory) {
  auto store = Open();
  ASSERT_TRUE(store->PutInsights({MakeInsight("in-1", "a", {"a"}, kT0, 0), MakeInsight("in-2", "b", {}, kT0, 0)}).ok());
  for (const char* bad : {"", "useful", "GREAT", "USEFUL "}) {
    EXPECT_EQ(store->PutFeedback("in-1", bad, kWall).status().code(), Status::Code::kInvalidArgument) << bad;
  }
  const std::string long_value(10000, 'x');
  auto refused = store->PutFeedback("in-1", long_value, kWall);
  EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  EXPECT_LT(refused.status().message().size(), 200u);  // the error does not echo it all
  EXPECT_EQ(store->PutFeedback("in-nope", "USEFUL", kWall).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Feedback(*store, ""), std::vector<std::string>{});

  const char* values[] = {"USEFUL", "NOT_USEFUL", "TOO_SENSITIVE", "INCORRECT"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(IsValidFeedback(values[i]));
    auto got = store->PutFeedback(i % 2 ? "in-2" : "in-1", values[i], kWall + i * kSecond);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->feedback, values[i]);
  }
  auto history = store->ListFeedback({"", 1000});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(*history, (std::vector<FeedbackRecord>{{"in-1", "USEFUL", kWall},
                                                   {"in-2", "NOT_USEFUL", kWall + kSecond},
                                                   {"in-1", "TOO_SENSITIVE", kWall + 2 * kSecond},
                                                   {"in-2", "INCORRECT", kWall + 3 * kSecond}}));
  EXPECT_EQ(Feedback(*store, "in-1"), (std::vector<std::string>{"in-1:USEFUL", "in-1:TOO_SENSITIVE"}));
  EXPECT_EQ(Feedback(*store, "", 1), std::vector<std::string>{"in-1:USEFUL"});
  auto got = store->GetInsight("in-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->feedback, "TOO_SENSITIVE");
}

// A client posting feedback in a loop keeps only the newest per insight.
TEST_F(InsightStoreTest, FeedbackHistoryIsBounded) {
  auto store = Open();
  ASSERT_TRUE(store->PutInsights({MakeInsight("in-1", "a", {}, kT0, 0), MakeInsight("in-2", "a", {}, kT0, 0)}).ok());
  ASSERT_TRUE(store->PutFeedback("in-2", "USEFUL", kWall).ok());
  constexpr int kPosts = 130;
  for (int i = 0; i < kPosts; ++i) {
    ASSERT_TRUE(store->PutFeedback("in-1", i % 2 ? "INCORRECT" : "NOT_USEFUL", kWall + i).ok());
  }
  auto history = store->ListFeedback({"in-1", 1000});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 100u);
  EXPECT_EQ(history->front().time_unix_nano, kWall + kPosts - 100);
  EXPECT_EQ(history->back().time_unix_nano, kWall + kPosts - 1);
  EXPECT_EQ(Feedback(*store, "in-2"), std::vector<std::string>{"in-2:USEFUL"});
}

// Against a brute-force model of the query: overlap of [start, end or +inf]
// with [from, to], status, service of the root cause or of any anomaly,
// newest start first, limit.
TEST_F(InsightStoreTest, QueriesMatchTheModel) {
  auto store = Open();
  std::mt19937_64 rng(11);
  const char* services[] = {"api", "db", "writer", "cache"};
  std::vector<Insight> all;
  for (int i = 0; i < 200; ++i) {
    const uint64_t start = kT0 + rng() % 1000 * kSecond;
    const uint64_t end = rng() % 3 == 0 ? 0 : start + rng() % 200 * kSecond;
    std::vector<std::string> anomaly_services;
    for (int n = rng() % 3; n > 0; --n) anomaly_services.push_back(services[rng() % 4]);
    all.push_back(MakeInsight("in-" + std::to_string(i), services[rng() % 4], anomaly_services, start, end));
  }
  // Written in batches, and some twice, as the correlator rewrites them.
  for (size_t i = 0; i < all.size(); i += 50) {
    ASSERT_TRUE(store->PutInsights({all.begin() + i, all.begin() + std::min(all.size(), i + 50)}).ok());
  }
  ASSERT_TRUE(store->PutInsights({all.begin(), all.begin() + 30}).ok());
  const auto touches = [](const Insight& in, const std::string& service) {
    if (in.root_cause.service == service) return true;
    return std::any_of(in.anomalies.begin(), in.anomalies.end(),
                       [&](const model::InsightAnomaly& a) { return a.anomaly.series.service == service; });
  };
  const auto model = [&](const InsightQuery& q) {
    std::vector<const Insight*> match;
    for (const auto& in : all) {
      const bool overlaps = in.start_ns <= q.to_unix_nano && (in.ongoing() || in.end_ns >= q.from_unix_nano);
      const bool status = q.status.empty() || q.status == in.status;
      if (overlaps && status && (q.service.empty() || touches(in, q.service))) match.push_back(&in);
    }
    std::stable_sort(match.begin(), match.end(),
                     [](const Insight* a, const Insight* b) { return a->start_ns > b->start_ns; });
    return match;
  };
  int checked = 0;
  for (const std::string service : {"", "db", "cache"}) {
    for (const std::string status : {"", "ONGOING", "CLOSED"}) {
      for (int r = 0; r < 10; ++r) {
        SCOPED_TRACE(service + " " + status + " " + std::to_string(r));
        const uint64_t from = kT0 + rng() % 1200 * kSecond;
        const uint64_t to = r == 0 ? UINT64_MAX : from + rng() % 300 * kSecond;
        const size_t limit = r % 3 == 0 ? 5 : 1000;
        const InsightQuery q = Insights(service, status, from, to, limit);
        const std::vector<const Insight*> want = model(q);
        auto got = store->QueryInsights(q);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ASSERT_EQ(got->size(), std::min(want.size(), limit));
        // The same starts in the same order; insights with equal starts may
        // come in another order, so the cut at the limit may differ among them.
        std::set<std::string> got_ids, want_ids;
        for (size_t i = 0; i < got->size(); ++i) {
          EXPECT_EQ((*got)[i].start_ns, want[i]->start_ns) << i;
          got_ids.insert((*got)[i].id);
          want_ids.insert(want[i]->id);
          const auto it =
              std::find_if(all.begin(), all.end(), [&](const Insight& in) { return in.id == (*got)[i].id; });
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
  EXPECT_GT(checked, 30);  // the ranges do select something
}

TEST_F(InsightStoreTest, OverlapEdgesAndStatus) {
  auto store = Open();
  ASSERT_TRUE(store
                  ->PutInsights({MakeInsight("closed", "s", {}, kT0 + 10, kT0 + 20),
                                 MakeInsight("ongoing", "s", {}, kT0 + 30, 0)})
                  .ok());
  // Bounds are inclusive; an ongoing insight extends to +inf.
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "", kT0 + 20, kT0 + 20))), std::vector<std::string>{"closed"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "", kT0 + 21, kT0 + 29))), std::vector<std::string>{});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "", kT0 + 5, kT0 + 10))), std::vector<std::string>{"closed"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "", kT0 + 1000, UINT64_MAX))), std::vector<std::string>{"ongoing"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights())), (std::vector<std::string>{"ongoing", "closed"}));
  EXPECT_EQ(Ids(store->QueryInsights(Insights("", "ONGOING"))), std::vector<std::string>{"ongoing"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("s", "CLOSED"))), std::vector<std::string>{"closed"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("other"))), std::vector<std::string>{});
  for (const char* bad : {"ongoing", "OPEN", "ANY"}) {
    EXPECT_EQ(store->QueryInsights(Insights("", bad)).status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

// The service filter follows the insight as the correlator rewrites it.
TEST_F(InsightStoreTest, ServicesFollowRewrites) {
  auto store = Open();
  Insight in = MakeInsight("in-1", "gateway", {"gateway"}, kT0, 0);
  ASSERT_TRUE(store->PutInsights({in}).ok());
  EXPECT_EQ(Ids(store->QueryInsights(Insights("gateway"))), std::vector<std::string>{"in-1"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("writer"))), std::vector<std::string>{});
  // A later anomaly on writer joins and becomes the root cause; the start moves earlier.
  in = MakeInsight("in-1", "writer", {"writer", "gateway"}, kT0 - 5 * kSecond, 0);
  ASSERT_TRUE(store->PutInsights({in}).ok());
  EXPECT_EQ(Ids(store->QueryInsights(Insights("writer"))), std::vector<std::string>{"in-1"});
  EXPECT_EQ(Ids(store->QueryInsights(Insights("gateway", "", kT0 - 5 * kSecond, kT0 - 5 * kSecond))),
            std::vector<std::string>{"in-1"});
  in = MakeInsight("in-1", "writer", {"writer"}, kT0 - 5 * kSecond, 0);
  ASSERT_TRUE(store->PutInsights({in}).ok());
  EXPECT_EQ(Ids(store->QueryInsights(Insights("gateway"))), std::vector<std::string>{});
  EXPECT_EQ(SqlInt("SELECT count(*) FROM insight_services"), 1);
}

TEST_F(InsightStoreTest, SurvivesReopen) {
  {
    auto store = Open();
    ASSERT_TRUE(store->PutInsights({FullInsight()}).ok());
    ASSERT_TRUE(store->PutFeedback(FullInsight().id, "INCORRECT", kWall).ok());
  }
  auto store = Open();
  auto got = store->GetInsight(FullInsight().id);
  ASSERT_TRUE(got.ok());
  Insight want = FullInsight();
  want.feedback = "INCORRECT";
  EXPECT_EQ(*got, want);
  EXPECT_EQ(Feedback(*store, want.id), std::vector<std::string>{want.id + ":INCORRECT"});
}

TEST_F(InsightStoreTest, CorruptRowsAreErrors) {
  auto store = Open();
  ASSERT_TRUE(store->PutInsights({MakeInsight("in-1", "s", {}, kT0, 0)}).ok());
  SqlExec("UPDATE insights SET data = '{\"start_time\": 5}'");
  EXPECT_EQ(store->GetInsight("in-1").status().code(), Status::Code::kIOError);
  EXPECT_EQ(store->QueryInsights(Insights()).status().code(), Status::Code::kIOError);
  EXPECT_EQ(store->PutFeedback("in-1", "USEFUL", kWall).status().code(), Status::Code::kIOError);
}

// Insights go by the ingest age of their last write by the correlator, with
// their service rows and feedback; feedback does not count as a write.
TEST_F(InsightStoreTest, RetentionDeletesOldInsightsWithTheirFeedback) {
  const uint64_t day = 86400;
  auto store = Open(day, 0);
  ASSERT_TRUE(store
                  ->PutInsights({MakeInsight("old", "s", {"s", "t"}, kT0, kT0 + kSecond),
                                 MakeInsight("rewritten", "s", {"s"}, kT0, 0)})
                  .ok());
  ASSERT_TRUE(store->PutFeedback("old", "USEFUL", kWall).ok());
  ASSERT_TRUE(store->PutFeedback("rewritten", "NOT_USEFUL", kWall).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // marks both
  ASSERT_TRUE(store->PutFeedback("old", "INCORRECT", kWall + 60 * kSecond).ok());
  const Insight rewritten = MakeInsight("rewritten", "s", {"s"}, kT0, kT0 + 5 * kSecond);
  ASSERT_TRUE(store->PutInsights({rewritten}).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall + 3600 * kSecond).ok());  // marks the rewrite

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 60) * kSecond).ok());
  EXPECT_EQ(store->GetInsight("old").status().code(), Status::Code::kNotFound);
  auto got = store->GetInsight("rewritten");
  ASSERT_TRUE(got.ok());
  Insight want = rewritten;
  want.feedback = "NOT_USEFUL";
  EXPECT_EQ(*got, want);
  EXPECT_EQ(Feedback(*store, ""), std::vector<std::string>{"rewritten:NOT_USEFUL"});
  EXPECT_EQ(SqlInt("SELECT count(*) FROM insight_services WHERE insight_id = 'old'"), 0);
  EXPECT_EQ(Ids(store->QueryInsights(Insights("t"))), std::vector<std::string>{});
  EXPECT_EQ(store->Stats().retention_deleted, 1u);

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 3600 + 60) * kSecond).ok());
  EXPECT_EQ(Ids(store->QueryInsights(Insights())), std::vector<std::string>{});
  EXPECT_EQ(Feedback(*store, ""), std::vector<std::string>{});
  EXPECT_EQ(SqlInt("SELECT count(*) FROM insight_services"), 0);
}

// Under the size limit, insights go with the rest, oldest written first.
TEST_F(InsightStoreTest, RetentionBySizeDeletesInsights) {
  auto store = Open(0, 1 << 20);
  Insight in = FullInsight();
  in.summary = std::string(4000, 's');
  std::vector<Insight> batch;
  for (int i = 0; i < 400; ++i) {
    in.id = "in-" + std::to_string(i);
    batch.push_back(in);
  }
  ASSERT_TRUE(store->PutInsights(batch).ok());
  ASSERT_TRUE(store->PutFeedback("in-0", "USEFUL", kWall).ok());
  ASSERT_TRUE(store->PutFeedback("in-399", "USEFUL", kWall).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall).ok());
  EXPECT_LT(store->Stats().database_bytes, uint64_t{1} << 20);
  const int64_t left = SqlInt("SELECT count(*) FROM insights");
  EXPECT_GT(left, 0);
  EXPECT_LT(left, 400);
  EXPECT_EQ(store->GetInsight("in-0").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store->GetInsight("in-399").ok());
  EXPECT_EQ(Feedback(*store, ""), std::vector<std::string>{"in-399:USEFUL"});
  EXPECT_EQ(SqlInt("SELECT count(DISTINCT insight_id) FROM insight_services"), left);
}

// A version 3 file (anomalies, no insights) is upgraded in place, its data kept.
TEST_F(InsightStoreTest, OpeningAVersion3FileAddsTheInsightTables) {
  {
    auto store = Open(86400, 0);
    model::Batch b;
    b.resources = {{{{"service.name", {std::string("api")}}}, "api", ""}};
    b.scopes = {{}};
    model::LogRecord log;
    log.time_unix_nano = kT0;
    b.logs = {log};
    ASSERT_TRUE(store->Write({&b}).ok());
    ASSERT_TRUE(store->PutAnomalies({MakeAnomaly("an-1", "api", kT0, 0)}).ok());
    ASSERT_TRUE(store->PutState("analyzer", "x").ok());
    ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // an ingest mark
  }
  SqlExec(R"sql(
    DROP TABLE notify_outbox; DROP TABLE notify_seen;
    DROP TABLE insights; DROP TABLE insight_services; DROP TABLE insight_feedback;
    ALTER TABLE ingest_marks DROP COLUMN insights;
    PRAGMA user_version = 3;
  )sql");
  ASSERT_EQ(SqlInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'insight%'"), 0);
  auto store = Open(86400, 0);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SqlInt("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(SqlInt("SELECT count(*) FROM ingest_marks WHERE insights = 0 AND anomalies > 0"), 1);
  EXPECT_EQ(store->Stats().log_records, 1u);
  EXPECT_TRUE(store->GetAnomaly("an-1").ok());
  EXPECT_TRUE(store->GetState("analyzer").ok());
  ASSERT_TRUE(store->PutInsights({FullInsight()}).ok());
  ASSERT_TRUE(store->PutFeedback(FullInsight().id, "USEFUL", kWall).ok());
  auto got = store->GetInsight(FullInsight().id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, FullInsight());
  // The old mark covers no insight: retention by its age keeps the new one.
  ASSERT_TRUE(store->EnforceRetention(kWall + 2 * 86400 * kSecond).ok());
  EXPECT_TRUE(store->GetInsight(FullInsight().id).ok());
  EXPECT_EQ(store->GetAnomaly("an-1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Stats().log_records, 0u);
}

}  // namespace
}  // namespace augur::store
