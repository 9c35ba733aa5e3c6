#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/schema.h"
#include "store/temp_store_test.h"

namespace augur::store {
namespace {

using model::AnyValue;
using model::ArrayValue;
using model::Attributes;
using model::Batch;
using model::Bytes;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;    // event times
constexpr uint64_t kWall = 1'800'000'000 * kSecond;  // ingest wall clock

using StoreTest = TempStoreTest;

Status WriteOne(Store& store, const Batch& batch) {
  return store.Write({&batch});
}

// Queries with defaults for what a test leaves out (designated initializers
// would trip -Wmissing-field-initializers).
SpanQuery Spans(std::string service, uint64_t from = 0, uint64_t to = UINT64_MAX, size_t limit = 1000) {
  SpanQuery q;
  q.service = std::move(service);
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

LogQuery Logs(std::string service, int min_severity, uint64_t from = 0, uint64_t to = UINT64_MAX, size_t limit = 1000) {
  LogQuery q;
  q.service = std::move(service);
  q.min_severity = min_severity;
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

MetricQuery Points(std::string name, std::string service = "", uint64_t from = 0, uint64_t to = UINT64_MAX,
                   size_t limit = 10000) {
  MetricQuery q;
  q.name = std::move(name);
  q.service = std::move(service);
  q.from_unix_nano = from;
  q.to_unix_nano = to;
  q.limit = limit;
  return q;
}

// Attributes in key order: the store gives them back sorted (record_codec.h).
Attributes AllKinds() {
  return {
      {"array", {ArrayValue{{int64_t{1}}, {std::string("two")}, {ArrayValue{{true}, {}}}}}},
      {"bool", {true}},
      {"bytes", {Bytes{0, 1, 0xff}}},
      {"double", {2.5}},
      {"empty", {}},
      {"int", {int64_t{-7}}},
      {"kvlist", {Attributes{{"a", {int64_t{1}}}, {"b", {Attributes{{"c", {std::string("d")}}}}}}}},
      {"string", {std::string("value")}},
  };
}

model::Resource MakeResource(const std::string& service, const std::string& instance) {
  return {{{"host.name", {std::string("h1")}}, {"service.instance.id", {instance}}, {"service.name", {service}}},
          service,
          "https://opentelemetry.io/schemas/1.21.0"};
}

model::TraceId Trace(uint8_t n) {
  model::TraceId id{};
  id[0] = 0xab;
  id[15] = n;
  return id;
}

model::SpanId SpanIdOf(uint32_t n) {
  model::SpanId id{};
  id[0] = 1;
  id[4] = static_cast<uint8_t>(n >> 24);
  id[5] = static_cast<uint8_t>(n >> 16);
  id[6] = static_cast<uint8_t>(n >> 8);
  id[7] = static_cast<uint8_t>(n);
  return id;
}

model::Span FullSpan() {
  model::Span s;
  s.trace_id = Trace(1);
  s.span_id = SpanIdOf(1);
  s.parent_span_id = SpanIdOf(99);
  s.trace_state = "vendor=x";
  s.flags = 0x301;
  s.name = "GET /items";
  s.kind = model::SpanKind::kServer;
  s.start_time_unix_nano = kT0 + 123;
  s.end_time_unix_nano = kT0 + 5 * kSecond;
  s.attributes = AllKinds();
  s.events = {{kT0 + 1000, "exception", {{"exception.message", {std::string("boom")}}}}, {kT0 + 2000, "retry", {}}};
  model::SpanLink link;
  link.trace_id = Trace(7);
  link.span_id = SpanIdOf(7);
  link.trace_state = "a=b";
  link.flags = 1;
  link.attributes = {{"link.kind", {std::string("follows")}}};
  s.links = {link};
  s.status_code = model::StatusCode::kError;
  s.status_message = "timeout";
  return s;
}

model::Span SimpleSpan(uint32_t resource, uint8_t trace, uint32_t n, uint64_t start) {
  model::Span s;
  s.resource_index = resource;
  s.trace_id = Trace(trace);
  s.span_id = SpanIdOf(n);
  s.name = "op" + std::to_string(n);
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = start + 1000;
  s.attributes = {{"n", {int64_t{n}}}};
  return s;
}

// One batch: resource 0 is "api", resource 1 is "db".
Batch TwoServiceBatch() {
  Batch b;
  b.resources = {MakeResource("api", "i1"), MakeResource("db", "i1")};
  b.scopes = {{"io.augur.test", "1.0", {{"scope.attr", {true}}}}};
  return b;
}

// The item's resource and scope as the query answer holds them.
template <typename Item>
void ExpectSameContext(const Batch& got, const Item& got_item, const Batch& want, const Item& want_item) {
  ASSERT_LT(got_item.resource_index, got.resources.size());
  ASSERT_LT(got_item.scope_index, got.scopes.size());
  EXPECT_EQ(got.resources[got_item.resource_index], want.resources[want_item.resource_index]);
  EXPECT_EQ(got.scopes[got_item.scope_index], want.scopes[want_item.scope_index]);
}

TEST_F(StoreTest, SpanRoundTrip) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.spans.push_back(FullSpan());
  model::Span root = SimpleSpan(1, 1, 2, kT0 + 2 * kSecond);  // no parent, other resource
  b.spans.push_back(root);
  ASSERT_TRUE(WriteOne(*store, b).ok());

  auto got = store->QuerySpans({});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->spans.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    model::Span want = b.spans[i];
    want.resource_index = got->spans[i].resource_index;
    want.scope_index = got->spans[i].scope_index;
    EXPECT_EQ(got->spans[i], want) << i;
    ExpectSameContext(*got, got->spans[i], b, b.spans[i]);
  }
  EXPECT_EQ(got->resources.size(), 2u);
  EXPECT_EQ(got->scopes.size(), 1u);  // deduplicated
}

TEST_F(StoreTest, LogRoundTrip) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  model::LogRecord full;
  full.time_unix_nano = kT0 + 10;
  full.observed_time_unix_nano = kT0 + 20;
  full.severity_number = 17;
  full.severity_text = "ERROR";
  full.body = {Attributes{{"msg", {std::string("timeout")}}, {"table", {std::string("items")}}}};
  full.attributes = AllKinds();
  full.flags = 1;
  full.trace_id = Trace(3);
  full.span_id = SpanIdOf(3);
  full.event_name = "db.timeout";
  model::LogRecord bare;  // no time, empty body, no ids: ordered by observed time
  bare.resource_index = 1;
  bare.observed_time_unix_nano = kT0 + 15;
  model::LogRecord bytes_body;
  bytes_body.time_unix_nano = kT0 + 30;
  bytes_body.body = {Bytes{1, 2, 3}};
  b.logs = {full, bare, bytes_body};
  ASSERT_TRUE(WriteOne(*store, b).ok());

  auto got = store->QueryLogs({});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->logs.size(), 3u);
  const model::LogRecord* want_order[] = {&b.logs[0], &b.logs[1], &b.logs[2]};
  for (size_t i = 0; i < 3; ++i) {
    model::LogRecord want = *want_order[i];
    want.resource_index = got->logs[i].resource_index;
    want.scope_index = got->logs[i].scope_index;
    EXPECT_EQ(got->logs[i], want) << i;
    ExpectSameContext(*got, got->logs[i], b, *want_order[i]);
  }
}

Batch MetricsBatch() {
  Batch b = TwoServiceBatch();
  model::Metric gauge;
  gauge.name = "cpu";
  gauge.unit = "1";
  gauge.description = "CPU use";
  gauge.points = {{0, kT0 + 1, {{"cpu", {int64_t{0}}}}, 0, 0.25, false, {}},
                  {0, kT0 + 2, {}, 1, std::numeric_limits<double>::infinity(), false, {}}};
  model::Metric sum;
  sum.name = "requests";
  sum.type = model::MetricType::kSum;
  sum.temporality = model::Temporality::kCumulative;
  sum.monotonic = true;
  sum.points = {{kT0, kT0 + 3, AllKinds(), 0, 42, true, {}}};
  model::Metric hist;
  hist.name = "latency";
  hist.type = model::MetricType::kHistogram;
  hist.temporality = model::Temporality::kDelta;
  model::HistogramValue h;
  h.count = 10;
  h.has_sum = h.has_max = true;
  h.sum = 35;
  h.max = 9;
  h.explicit_bounds = {0, 5, 10};
  h.bucket_counts = {0, 6, 4, 0};
  hist.points = {{kT0, kT0 + 4, {}, 0, 0, false, h}};
  model::Metric exp;
  exp.name = "latency.exp";
  exp.type = model::MetricType::kExponentialHistogram;
  model::ExponentialHistogramValue e;
  e.count = 5;
  e.has_sum = e.has_min = e.has_max = true;
  e.sum = std::numeric_limits<double>::infinity();
  e.min = -1;
  e.max = 3;
  e.scale = -2;
  e.zero_count = 1;
  e.zero_threshold = 1e-9;
  e.positive_offset = -3;
  e.positive_bucket_counts = {1, 2};
  e.negative_offset = 4;
  e.negative_bucket_counts = {1};
  exp.points = {{kT0, kT0 + 5, {}, 0, 0, false, e}};
  model::Metric summary;
  summary.name = "rpc.summary";
  summary.type = model::MetricType::kSummary;
  summary.resource_index = 1;
  model::SummaryValue s;
  s.count = 3;
  s.sum = 6;
  s.quantiles = {{0.5, 2}, {0.99, 3}};
  summary.points = {{kT0, kT0 + 6, {}, 0, 0, false, s}};
  b.metrics = {gauge, sum, hist, exp, summary};
  return b;
}

TEST_F(StoreTest, MetricRoundTrip) {
  auto store = Open();
  const Batch b = MetricsBatch();
  ASSERT_TRUE(WriteOne(*store, b).ok());
  for (const auto& want : b.metrics) {
    auto got = store->QueryMetricPoints(Points(want.name));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->metrics.size(), 1u) << want.name;
    model::Metric m = want;
    m.resource_index = got->metrics[0].resource_index;
    m.scope_index = got->metrics[0].scope_index;
    EXPECT_EQ(got->metrics[0], m) << want.name;
    ExpectSameContext(*got, got->metrics[0], b, want);
  }
}

TEST_F(StoreTest, NaNMetricValueSurvives) {
  auto store = Open();
  Batch b = MetricsBatch();
  b.metrics.resize(1);
  b.metrics[0].points = {{0,
                          kT0,
                          {{"v", {std::numeric_limits<double>::quiet_NaN()}}},
                          0,
                          std::numeric_limits<double>::quiet_NaN(),
                          false,
                          {}}};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  auto got = store->QueryMetricPoints(Points("cpu"));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->metrics.size(), 1u);
  ASSERT_EQ(got->metrics[0].points.size(), 1u);
  const auto& p = got->metrics[0].points[0];
  EXPECT_TRUE(std::isnan(p.value));
  ASSERT_EQ(p.attributes.size(), 1u);
  EXPECT_TRUE(std::isnan(std::get<double>(p.attributes[0].value.value)));
}

TEST_F(StoreTest, AttributesComeBackSortedAndResourcesDedupRegardlessOfOrder) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.resources.resize(1);
  b.spans.push_back(SimpleSpan(0, 1, 1, kT0));
  b.spans[0].attributes = {{"z", {int64_t{1}}}, {"a", {int64_t{2}}}};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  Batch reordered = b;
  std::reverse(reordered.resources[0].attributes.begin(), reordered.resources[0].attributes.end());
  reordered.spans[0].start_time_unix_nano = kT0 + 1;
  ASSERT_TRUE(WriteOne(*store, reordered).ok());

  auto services = store->ListServices();
  ASSERT_TRUE(services.ok());
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].resources.size(), 1u);
  auto got = store->QuerySpans({});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->spans.size(), 2u);
  EXPECT_EQ(got->spans[0].attributes, (Attributes{{"a", {int64_t{2}}}, {"z", {int64_t{1}}}}));
}

TEST_F(StoreTest, GetTrace) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.spans = {SimpleSpan(0, 1, 1, kT0 + 30), SimpleSpan(1, 2, 2, kT0 + 10), SimpleSpan(1, 1, 3, kT0 + 20),
             SimpleSpan(0, 1, 4, kT0 + 10)};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  auto got = store->GetTrace(Trace(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->spans.size(), 3u);
  EXPECT_EQ(got->spans[0].span_id, SpanIdOf(4));  // oldest first
  EXPECT_EQ(got->spans[1].span_id, SpanIdOf(3));
  EXPECT_EQ(got->spans[2].span_id, SpanIdOf(1));
  EXPECT_EQ(got->resources.size(), 2u);
  auto none = store->GetTrace(Trace(9));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->spans.empty());
}

TEST_F(StoreTest, SpanRangeServiceAndLimit) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.resources.push_back(MakeResource("api", "i2"));  // a second resource of "api"
  for (uint32_t i = 0; i < 90; ++i) b.spans.push_back(SimpleSpan(i % 3, 1, i, kT0 + i * kSecond));
  ASSERT_TRUE(WriteOne(*store, b).ok());

  auto all = store->QuerySpans(Spans("", kT0 + 10 * kSecond, kT0 + 19 * kSecond));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->spans.size(), 10u);  // inclusive bounds
  EXPECT_EQ(all->spans.front().start_time_unix_nano, kT0 + 10 * kSecond);
  EXPECT_EQ(all->spans.back().start_time_unix_nano, kT0 + 19 * kSecond);

  // "api" spans are those with i % 3 != 1, spread over two resources.
  auto api = store->QuerySpans(Spans("api", kT0 + 30 * kSecond, UINT64_MAX, 5));
  ASSERT_TRUE(api.ok());
  std::vector<uint64_t> starts;
  for (const auto& s : api->spans) starts.push_back((s.start_time_unix_nano - kT0) / kSecond);
  EXPECT_EQ(starts, (std::vector<uint64_t>{30, 32, 33, 35, 36}));
  EXPECT_EQ(api->resources.size(), 2u);
  for (const auto& r : api->resources) EXPECT_EQ(r.service_name, "api");

  auto none = store->QuerySpans(Spans("nope"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->spans.empty());
  auto zero = store->QuerySpans(Spans("", 0, UINT64_MAX, 0));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->spans.empty());
}

TEST_F(StoreTest, LogFilters) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  for (uint32_t i = 0; i < 40; ++i) {
    model::LogRecord l;
    l.resource_index = i % 2;
    l.severity_number = static_cast<uint8_t>(i % 24 + 1);
    // Even records have no time: their observed time counts.
    (i % 2 == 0 ? l.observed_time_unix_nano : l.time_unix_nano) = kT0 + i * kSecond;
    l.body = {std::string("line ") + std::to_string(i)};
    b.logs.push_back(l);
  }
  ASSERT_TRUE(WriteOne(*store, b).ok());

  auto range = store->QueryLogs(Logs("", 0, kT0 + 4 * kSecond, kT0 + 7 * kSecond));
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->logs.size(), 4u);
  EXPECT_EQ(range->logs[0].observed_time_unix_nano, kT0 + 4 * kSecond);
  EXPECT_EQ(range->logs[1].time_unix_nano, kT0 + 5 * kSecond);

  auto severe = store->QueryLogs(Logs("db", 17, 0, UINT64_MAX, 3));
  ASSERT_TRUE(severe.ok());
  std::vector<int> severities;
  for (const auto& l : severe->logs) {
    severities.push_back(l.severity_number);
    EXPECT_EQ(severe->resources[l.resource_index].service_name, "db");
  }
  // db logs are odd i: severities 18, 20, 22, 24 (i = 17..23), then 2, ...
  EXPECT_EQ(severities, (std::vector<int>{18, 20, 22}));
}

TEST_F(StoreTest, MetricFilters) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  model::Metric m;
  m.name = "queue.depth";
  for (uint32_t i = 0; i < 20; ++i) m.points.push_back({0, kT0 + i * kSecond, {}, 0, double(i), true, {}});
  model::Metric m2 = m;
  m2.resource_index = 1;
  for (auto& p : m2.points) p.time_unix_nano += kSecond / 2;
  model::Metric other = m;
  other.name = "other";
  b.metrics = {m, m2, other};
  ASSERT_TRUE(WriteOne(*store, b).ok());

  auto both = store->QueryMetricPoints(Points("queue.depth", "", kT0 + 5 * kSecond, UINT64_MAX, 4));
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->metrics.size(), 2u);  // one Metric per stream
  ASSERT_EQ(both->metrics[0].points.size(), 2u);
  ASSERT_EQ(both->metrics[1].points.size(), 2u);
  EXPECT_EQ(both->metrics[0].points[0].time_unix_nano, kT0 + 5 * kSecond);
  EXPECT_EQ(both->metrics[1].points[1].time_unix_nano, kT0 + 6 * kSecond + kSecond / 2);

  auto db = store->QueryMetricPoints(Points("queue.depth", "db", 0, kT0 + 3 * kSecond));
  ASSERT_TRUE(db.ok());
  ASSERT_EQ(db->metrics.size(), 1u);
  EXPECT_EQ(db->metrics[0].points.size(), 3u);
  EXPECT_EQ(db->resources[db->metrics[0].resource_index].service_name, "db");

  auto missing = store->QueryMetricPoints(Points("missing"));
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->metrics.empty());
}

TEST_F(StoreTest, ListServicesWithFirstAndLastSeen) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.resources.push_back(MakeResource("api", "i2"));
  b.spans = {SimpleSpan(0, 1, 1, kT0 + 100), SimpleSpan(0, 1, 2, kT0 + 50), SimpleSpan(2, 1, 3, kT0 + 70)};
  model::LogRecord l;
  l.resource_index = 1;
  l.observed_time_unix_nano = kT0 + 10;
  b.logs = {l};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  // A later write extends last seen; a replay of old data extends first seen.
  Batch later = TwoServiceBatch();
  later.spans = {SimpleSpan(0, 2, 4, kT0 + 500), SimpleSpan(0, 2, 5, kT0 + 5)};
  ASSERT_TRUE(WriteOne(*store, later).ok());

  auto services = store->ListServices();
  ASSERT_TRUE(services.ok());
  ASSERT_EQ(services->size(), 2u);
  const ServiceInfo& api = (*services)[0];
  EXPECT_EQ(api.name, "api");
  ASSERT_EQ(api.resources.size(), 2u);
  EXPECT_EQ(api.resources[0].resource, b.resources[0]);
  EXPECT_EQ(api.resources[0].first_seen_unix_nano, kT0 + 5);
  EXPECT_EQ(api.resources[0].last_seen_unix_nano, kT0 + 500);
  EXPECT_EQ(api.resources[1].first_seen_unix_nano, kT0 + 70);
  EXPECT_EQ(api.first_seen_unix_nano, kT0 + 5);
  EXPECT_EQ(api.last_seen_unix_nano, kT0 + 500);
  const ServiceInfo& db = (*services)[1];
  EXPECT_EQ(db.name, "db");
  EXPECT_EQ(db.first_seen_unix_nano, kT0 + 10);
  EXPECT_EQ(db.last_seen_unix_nano, kT0 + 10);
}

TEST_F(StoreTest, FailedWriteLeavesNothingAndStoreGoesOn) {
  auto store = Open();
  Batch good = TwoServiceBatch();
  good.spans = {SimpleSpan(0, 1, 1, kT0)};
  Batch bad = TwoServiceBatch();
  bad.spans = {SimpleSpan(5, 1, 2, kT0)};  // resource index out of range
  EXPECT_FALSE(store->Write({&good, &bad}).ok());
  auto got = store->QuerySpans({});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->spans.empty());
  auto services = store->ListServices();
  ASSERT_TRUE(services.ok());
  EXPECT_TRUE(services->empty());  // the resource rows were rolled back too

  ASSERT_TRUE(WriteOne(*store, good).ok());  // cached ids of rolled-back rows were forgotten
  got = store->QuerySpans({});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->spans.size(), 1u);
  EXPECT_EQ(got->resources[0], good.resources[0]);
}

TEST_F(StoreTest, DataSurvivesReopenWithoutClose) {
  Batch b = TwoServiceBatch();
  b.spans = {FullSpan()};
  {
    auto store = Open();
    ASSERT_TRUE(WriteOne(*store, b).ok());
  }
  auto store = Open();
  auto got = store->GetTrace(Trace(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->spans.size(), 1u);
  EXPECT_EQ(store->Stats().spans, 1u);
}

TEST_F(StoreTest, AcknowledgedWriteSurvivesKill9) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::Open({dir_, 0, 0});
    Batch b = TwoServiceBatch();
    for (uint32_t i = 0; i < 1000; ++i) b.spans.push_back(SimpleSpan(0, 1, i, kT0 + i));
    if (!store.ok() || !(*store)->Write({&b}).ok()) _exit(1);
    raise(SIGKILL);  // no destructors, no close, no checkpoint
    _exit(2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  auto store = Open();
  EXPECT_EQ(store->Stats().spans, 1000u);
  auto got = store->QuerySpans(Spans("", 0, UINT64_MAX, 5000));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->spans.size(), 1000u);
}

TEST_F(StoreTest, RetentionByIngestAge) {
  const uint64_t day = 86400;
  auto store = Open(day, 0);
  // Event times are old (a replay): age counts from ingest, not event time.
  Batch first = MetricsBatch();
  first.spans = {SimpleSpan(0, 1, 1, kSecond)};
  ASSERT_TRUE(WriteOne(*store, first).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // marks the first write
  EXPECT_EQ(store->Stats().spans, 1u);

  Batch second = TwoServiceBatch();
  second.resources.resize(1);
  second.spans = {SimpleSpan(0, 2, 2, kSecond)};
  model::LogRecord l;
  l.time_unix_nano = kSecond;
  second.logs = {l};
  ASSERT_TRUE(WriteOne(*store, second).ok());
  ASSERT_TRUE(store->EnforceRetention(kWall + 3600 * kSecond).ok());  // marks the second

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 60) * kSecond).ok());
  StoreStats stats = store->Stats();
  EXPECT_EQ(stats.spans, 1u);
  EXPECT_EQ(stats.log_records, 1u);
  EXPECT_EQ(stats.metric_points, 0u);
  EXPECT_EQ(stats.retention_deleted, 7u);  // 1 span + 6 metric points
  auto left = store->QuerySpans({});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->spans.size(), 1u);
  EXPECT_EQ(left->spans[0].trace_id, Trace(2));
  // The "db" resource had only the first write's data: it is gone.
  auto services = store->ListServices();
  ASSERT_TRUE(services.ok());
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].name, "api");

  // Writing again after resources were deleted re-creates them.
  ASSERT_TRUE(WriteOne(*store, first).ok());
  services = store->ListServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(services->size(), 2u);

  ASSERT_TRUE(store->EnforceRetention(kWall + (day + 3600 + 60) * kSecond).ok());
  stats = store->Stats();
  EXPECT_EQ(stats.spans, 1u);  // only the rewrite, not yet marked old
  EXPECT_EQ(stats.log_records, 0u);
}

TEST_F(StoreTest, RetentionBySizeKeepsNewestUnderLimit) {
  const uint64_t limit = 4 << 20;
  auto store = Open(0, limit);
  uint32_t n = 0;
  for (int round = 0; round < 12; ++round) {
    Batch b = TwoServiceBatch();
    for (int i = 0; i < 2000; ++i, ++n) {
      model::Span s = SimpleSpan(0, static_cast<uint8_t>(n), n, kT0 + n);
      // Distinct, as a block stores a repeated attribute once.
      s.attributes.push_back({"payload", {std::string(200, 'x') + std::to_string(n)}});
      b.spans.push_back(std::move(s));
    }
    model::LogRecord l;
    l.time_unix_nano = kT0 + n;
    l.body = {std::string(300, 'y')};
    b.logs.assign(500, l);
    ASSERT_TRUE(WriteOne(*store, b).ok());
  }
  const StoreStats before = store->Stats();
  ASSERT_GT(before.database_bytes, limit);
  for (int i = 0; i < 100 && store->Stats().database_bytes > limit; ++i) {
    ASSERT_TRUE(store->EnforceRetention(kWall).ok());
  }
  const StoreStats after = store->Stats();
  EXPECT_LE(after.database_bytes, limit);
  EXPECT_GT(after.spans, 0u);
  EXPECT_GT(after.log_records, 0u);
  EXPECT_EQ(after.retention_deleted, before.spans + before.log_records - after.spans - after.log_records);
  // The newest rows are kept.
  auto newest = store->QuerySpans(Spans("", kT0 + n - 1));
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->spans.size(), 1u);
  auto oldest = store->QuerySpans(Spans("", 0, UINT64_MAX, 1));
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->spans.size(), 1u);
  EXPECT_EQ(oldest->spans[0].start_time_unix_nano, kT0 + n - after.spans);
  // Free pages were given back: the file is not much larger than what is used.
  EXPECT_LE(std::filesystem::file_size(dir_ + "/augur.db"), 2 * limit);
}

TEST_F(StoreTest, ConcurrentReadersWhileWriting) {
  auto store = Open(0, 0);
  std::atomic<bool> done{false};
  std::atomic<int> queries{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 6; ++t) {  // more threads than pooled connections
    readers.emplace_back([&, t] {
      while (!done.load()) {
        bool ok = true;
        switch (t % 4) {
          case 0: {
            auto r = store->QuerySpans(Spans("api", 0, UINT64_MAX, 100));
            // Every span of an answer has its resource.
            ok = r.ok();
            if (ok) {
              for (const auto& s : r->spans) ok &= s.resource_index < r->resources.size();
            }
            break;
          }
          case 1: ok = store->GetTrace(Trace(3)).ok(); break;
          case 2: ok = store->ListServices().ok(); break;
          case 3: ok = store->QueryLogs(Logs("", 9)).ok(); break;
        }
        if (!ok) failures.fetch_add(1);
        queries.fetch_add(1);
      }
    });
  }
  uint32_t n = 0;
  for (int round = 0; round < 50; ++round) {
    Batch b = TwoServiceBatch();
    for (int i = 0; i < 200; ++i, ++n) b.spans.push_back(SimpleSpan(n % 2, static_cast<uint8_t>(n % 7), n, kT0 + n));
    model::LogRecord l;
    l.time_unix_nano = kT0 + n;
    l.severity_number = 9;
    b.logs.assign(20, l);
    ASSERT_TRUE(WriteOne(*store, b).ok());
    (void)store->Stats();
    // Halfway, let the readers catch up: on a loaded machine they may not
    // have been scheduled yet, and the rest of the writes must overlap reads.
    while (round == 25 && queries.load() < 6) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(queries.load(), 0);
  EXPECT_EQ(store->Stats().spans, n);
}

TEST_F(StoreTest, OpenFailsCleanlyOnABadDirectory) {
  auto store = Store::Open({"/proc/augur_cannot_be_here", 0, 0});
  EXPECT_FALSE(store.ok());
}

// --- Span blocks (span_codec.h), the trace index (trace_index.h) and schema
// versions. Some tests look into the file with SQL, as nothing else shows
// what they check.

constexpr size_t kEpochSpans = size_t{1} << 16;  // trace_index.h

// Writes `n` small spans of `traces` traces in Writes of `per_write`, each
// with a distinct id; span i starts at kT0 + i. Returns the spans by trace.
std::map<uint8_t, std::vector<model::SpanId>> WriteMany(Store& store, uint32_t first, uint32_t n, uint32_t per_write,
                                                        uint8_t traces) {
  std::map<uint8_t, std::vector<model::SpanId>> by_trace;
  for (uint32_t done = 0; done < n;) {
    Batch b = TwoServiceBatch();
    for (uint32_t i = 0; i < per_write && done < n; ++i, ++done) {
      const uint32_t k = first + done;
      model::Span s = SimpleSpan(k % 2, static_cast<uint8_t>(k % traces), k, kT0 + k);
      s.attributes.clear();
      b.spans.push_back(s);
      by_trace[s.trace_id[15]].push_back(s.span_id);
    }
    EXPECT_TRUE(WriteOne(store, b).ok());
  }
  return by_trace;
}

std::vector<model::SpanId> SpanIds(const Batch& b) {
  std::vector<model::SpanId> ids;
  for (const auto& s : b.spans) ids.push_back(s.span_id);
  return ids;
}

TEST_F(StoreTest, TraceAcrossEpochsBlocksAndWrites) {
  auto store = Open();
  // Two and a half epochs: two sealed, the rest in the newest one. Every
  // Write holds spans of every trace, so each trace is in every block.
  const uint32_t n = 2 * kEpochSpans + kEpochSpans / 2;
  auto by_trace = WriteMany(*store, 0, n, 5000, 20);
  EXPECT_GE(SqlInt("SELECT count(DISTINCT epoch) FROM span_trace_runs"), 2);
  for (uint8_t t = 0; t < 20; ++t) {
    auto got = store->GetTrace(Trace(t));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(SpanIds(*got), by_trace[t]) << int(t);  // all, oldest first
  }
  EXPECT_EQ(store->Stats().spans, n);
}

TEST_F(StoreTest, TraceIndexSurvivesReopenMidEpoch) {
  std::map<uint8_t, std::vector<model::SpanId>> before;
  {
    auto store = Open();
    before = WriteMany(*store, 0, kEpochSpans / 2, 3000, 15);
  }
  auto store = Open();
  // Crosses into the next epoch: the one begun before the reopen is sealed.
  auto after = WriteMany(*store, kEpochSpans / 2, kEpochSpans, 3000, 15);
  EXPECT_EQ(SqlInt("SELECT count(DISTINCT epoch) FROM span_trace_runs"), 1);
  for (uint8_t t = 0; t < 15; ++t) {
    auto want = before[t];
    want.insert(want.end(), after[t].begin(), after[t].end());
    auto got = store->GetTrace(Trace(t));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(SpanIds(*got), want) << int(t);
  }
}

TEST_F(StoreTest, ManyTracesInABlock) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  for (uint32_t i = 0; i < 3000; ++i) {
    model::Span s = SimpleSpan(0, 0, i, kT0 + i);
    s.trace_id[0] = static_cast<uint8_t>(i >> 8);
    s.trace_id[8] = static_cast<uint8_t>(i);  // in the trace key
    b.spans.push_back(s);
  }
  ASSERT_TRUE(WriteOne(*store, b).ok());
  for (uint32_t i = 0; i < 3000; i += 97) {
    auto got = store->GetTrace(b.spans[i].trace_id);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->spans.size(), 1u);
    EXPECT_EQ(got->spans[0].span_id, SpanIdOf(i));
  }
}

TEST_F(StoreTest, TraceKeyCollisionsAreFilteredOut) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.spans = {SimpleSpan(0, 1, 1, kT0), SimpleSpan(0, 1, 2, kT0 + 1)};
  b.spans[1].trace_id[0] = 0x77;  // same last 8 bytes: same trace key
  ASSERT_TRUE(WriteOne(*store, b).ok());
  auto got = store->GetTrace(Trace(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->spans.size(), 1u);
  EXPECT_EQ(got->spans[0].span_id, SpanIdOf(1));
}

// QuerySpans against a model of store.h: of the spans matching, the `limit`
// first by start time (store.h does not order equal ones). Writes overlap in
// time, spread over several resources of a service, and repeat start times,
// so answers come from many blocks.
TEST_F(StoreTest, SpanRangesAcrossBlocksMatchTheModel) {
  auto store = Open();
  struct Written {
    uint64_t start;
    std::string service;
  };
  std::map<model::SpanId, Written> written;
  std::mt19937 rng(11);
  uint32_t n = 0;
  for (int w = 0; w < 60; ++w) {
    Batch b = TwoServiceBatch();
    b.resources.push_back(MakeResource("api", "i2"));
    const uint64_t base = kT0 + (w / 3) * 1000;            // every three Writes overlap
    const int spans = 1 + static_cast<int>(rng() % 1500);  // blocks of up to 1024 spans
    for (int i = 0; i < spans; ++i, ++n) {
      const uint32_t resource = rng() % 3;
      model::Span s = SimpleSpan(resource, 1, n, base + rng() % 3000);
      b.spans.push_back(s);
      written[s.span_id] = {s.start_time_unix_nano, b.resources[resource].service_name};
    }
    ASSERT_TRUE(WriteOne(*store, b).ok());
  }
  std::vector<Written> sorted;
  for (const auto& [id, w] : written) sorted.push_back(w);
  std::sort(sorted.begin(), sorted.end(), [](const Written& a, const Written& b) { return a.start < b.start; });
  for (int q = 0; q < 200; ++q) {
    const std::string service = q % 3 == 0 ? "" : q % 3 == 1 ? "api" : "db";
    const uint64_t from = kT0 + rng() % 25000;
    const uint64_t to = q % 4 == 0 ? UINT64_MAX : from + rng() % 5000;
    const size_t limit = q % 5 == 0 ? 1 : 1 + rng() % 3000;
    const auto matches = [&](const Written& s) {
      return s.start >= from && s.start <= to && (service.empty() || s.service == service);
    };
    std::vector<uint64_t> want;
    for (const Written& s : sorted) {
      if (matches(s) && want.size() < limit) want.push_back(s.start);
    }
    auto got = store->QuerySpans(Spans(service, from, to, limit));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<uint64_t> starts;
    std::set<model::SpanId> seen;
    for (const auto& s : got->spans) {
      starts.push_back(s.start_time_unix_nano);
      const auto it = written.find(s.span_id);
      ASSERT_NE(it, written.end());
      EXPECT_TRUE(matches(it->second) && it->second.start == s.start_time_unix_nano);
      EXPECT_TRUE(seen.insert(s.span_id).second);
    }
    const size_t differ = std::mismatch(starts.begin(), starts.end(), want.begin(), want.end()).first - starts.begin();
    ASSERT_TRUE(starts == want) << "query " << q << ": service '" << service << "' from " << from - kT0 << " to "
                                << (to == UINT64_MAX ? 0 : to - kT0) << " limit " << limit << ": got " << starts.size()
                                << " spans, want " << want.size() << "; first difference at " << differ;
  }
}

TEST_F(StoreTest, SpansFarApartInTimeAreFound) {
  // One Write whose spans start minutes apart: a block's start times are
  // kept close, which range queries rely on to find the blocks that matter.
  auto store = Open();
  Batch b = TwoServiceBatch();
  for (uint32_t i = 0; i < 6; ++i) b.spans.push_back(SimpleSpan(0, 1, i, kT0 + (i % 3) * 600 * kSecond + i));
  ASSERT_TRUE(WriteOne(*store, b).ok());
  auto late = store->QuerySpans(Spans("api", kT0 + 600 * kSecond));
  ASSERT_TRUE(late.ok());
  std::vector<model::SpanId> want = {SpanIdOf(1), SpanIdOf(4), SpanIdOf(2), SpanIdOf(5)};
  EXPECT_EQ(SpanIds(*late), want);
  auto all = store->GetTrace(Trace(1));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->spans.size(), 6u);
}

TEST_F(StoreTest, RetentionDeletesTraceIndexRuns) {
  const uint64_t day = 86400;
  auto store = Open(day, 0);
  WriteMany(*store, 0, 2 * kEpochSpans + 10, 8000, 5);  // epochs 0, 1 sealed; 2 begun
  ASSERT_TRUE(store->EnforceRetention(kWall).ok());     // marks all of it
  WriteMany(*store, 2 * kEpochSpans + 10, 1000, 1000, 5);
  ASSERT_TRUE(store->EnforceRetention(kWall + 3600 * kSecond).ok());  // marks the rest
  ASSERT_EQ(SqlInt("SELECT count(DISTINCT epoch) FROM span_trace_runs"), 2);
  // Age retention in steps (each call has a time budget).
  for (int i = 0; i < 100 && store->Stats().spans > 1000; ++i) {
    ASSERT_TRUE(store->EnforceRetention(kWall + (day + 60) * kSecond).ok());
  }
  EXPECT_EQ(store->Stats().spans, 1000u);
  EXPECT_EQ(SqlInt("SELECT count(*) FROM span_trace_runs"), 0);
  auto got = store->GetTrace(Trace(3));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->spans.size(), 200u);  // the newer Write's
  for (const auto& s : got->spans) EXPECT_GE(s.start_time_unix_nano, kT0 + 2 * kEpochSpans + 10);
}

TEST_F(StoreTest, CorruptBlocksAreErrors) {
  auto store = Open();
  Batch b = TwoServiceBatch();
  b.spans = {SimpleSpan(0, 1, 1, kT0)};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  SqlExec("UPDATE span_blocks SET data = substr(data, 1, length(data) - 3)");
  auto trace = store->GetTrace(Trace(1));
  ASSERT_FALSE(trace.ok());
  EXPECT_NE(trace.status().message().find("corrupt span block"), std::string::npos) << trace.status().ToString();
  EXPECT_FALSE(store->QuerySpans({}).ok());
  SqlExec("UPDATE span_blocks SET trace_keys = x'0102'");
  EXPECT_FALSE(store->GetTrace(Trace(1)).ok());
}

TEST_F(StoreTest, OpeningAVersion1FileDropsItsSpansOnly) {
  {
    auto store = Open();
    Batch b = MetricsBatch();
    model::LogRecord l;
    l.time_unix_nano = kT0;
    b.logs = {l};
    ASSERT_TRUE(WriteOne(*store, b).ok());
    ASSERT_TRUE(store->EnforceRetention(kWall).ok());  // an ingest mark
  }
  // Back to version 1's span table, with a span in it.
  SqlExec(R"sql(
    DROP TABLE span_blocks; DROP TABLE span_trace_runs;
    CREATE TABLE spans (id INTEGER PRIMARY KEY, trace_id BLOB NOT NULL, span_id BLOB NOT NULL, parent_span_id BLOB,
      resource_id INTEGER NOT NULL, scope_id INTEGER NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
      start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, status_code INTEGER NOT NULL,
      status_message TEXT NOT NULL, flags INTEGER NOT NULL, trace_state TEXT NOT NULL, attributes TEXT NOT NULL,
      events TEXT, links TEXT);
    CREATE INDEX spans_trace ON spans(trace_id);
    INSERT INTO spans VALUES (7, x'00', x'00', NULL, 1, 1, 'old', 0, 1, 2, 0, '', 0, '', '{}', NULL, NULL);
    ALTER TABLE ingest_marks RENAME COLUMN span_blocks TO spans;
    UPDATE ingest_marks SET spans = 7;
    DROP TABLE notify_outbox; DROP TABLE notify_seen;
    DROP TABLE insights; DROP TABLE insight_services; DROP TABLE insight_feedback;
    ALTER TABLE ingest_marks DROP COLUMN insights;
    DROP TABLE anomalies; DROP TABLE events; DROP TABLE analysis_state;
    ALTER TABLE ingest_marks DROP COLUMN anomalies;
    PRAGMA user_version = 1;
  )sql");
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SqlInt("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(SqlInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'spans%'"), 0);
  EXPECT_EQ(SqlInt("SELECT max(span_blocks) FROM ingest_marks"), 0);
  const StoreStats stats = store->Stats();
  EXPECT_EQ(stats.spans, 0u);
  EXPECT_EQ(stats.metric_points, 6u);
  EXPECT_EQ(stats.log_records, 1u);
  Batch b = TwoServiceBatch();
  b.spans = {SimpleSpan(0, 1, 1, kT0)};
  ASSERT_TRUE(WriteOne(*store, b).ok());
  auto got = store->GetTrace(Trace(1));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->spans.size(), 1u);
}

TEST_F(StoreTest, OpeningALaterVersionFails) {
  { ASSERT_NE(Open(), nullptr); }
  SqlExec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  auto store = Store::Open({dir_, 0, 0});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("schema version " + std::to_string(kSchemaVersion + 1)), std::string::npos)
      << store.status().ToString();
}

// The benchmarks' workload: realistic spans (10 attributes, one resource of
// 10 attributes), 1000 per batch, AUGUR_BENCH_BATCHES_PER_WRITE batches per
// Write() as the pipeline's group commit does; AUGUR_BENCH_SPANS in all. Each
// batch's spans belong to 256 traces of ~4 spans. Their ids differ in a few
// bytes only, so new index entries land next to older ones; set
// AUGUR_BENCH_RANDOM_TRACE_IDS=1 for random ids, as SDKs make them.
class BenchWorkload {
 public:
  explicit BenchWorkload(size_t default_total) {
    const char* spans_env = std::getenv("AUGUR_BENCH_SPANS");
    const char* batches_env = std::getenv("AUGUR_BENCH_BATCHES_PER_WRITE");
    const char* random_env = std::getenv("AUGUR_BENCH_RANDOM_TRACE_IDS");
    total_ = spans_env != nullptr ? std::strtoull(spans_env, nullptr, 10) : default_total;
    batches_per_write_ = batches_env != nullptr ? std::strtoull(batches_env, nullptr, 10) : 10;
    random_ = random_env != nullptr && std::string(random_env) == "1";
  }

  size_t total() const { return total_; }
  size_t spans_per_write() const { return kPerBatch * batches_per_write_; }
  uint64_t last_start() const { return last_start_; }
  // One trace id of each Write(), in write order.
  const std::vector<model::TraceId>& sample() const { return sample_; }

  void Run(Store& store) {
    Batch b;
    model::Resource r = MakeResource("checkout", "pod-7f9c");
    for (const char* k : {"cloud.region", "container.id", "deployment.environment", "host.arch", "k8s.namespace.name",
                          "k8s.pod.name", "telemetry.sdk.name"}) {
      r.attributes.push_back({k, {std::string("value-of-") + k}});
    }
    b.resources = {r};
    b.scopes = {{"io.opentelemetry.http", "1.2.3", {}}};
    uint32_t n = 0;
    for (size_t i = 0; i < kPerBatch; ++i, ++n) {
      model::Span s = SimpleSpan(0, static_cast<uint8_t>(i), n, kT0 + n * 1000);
      s.trace_id[3] = static_cast<uint8_t>(i * 7);
      s.trace_id[9] = static_cast<uint8_t>(i * 13);
      s.parent_span_id = SpanIdOf(n + 1);
      s.kind = model::SpanKind::kServer;
      s.name = "GET /api/items/{id}";
      s.attributes = {{"http.request.method", {std::string("GET")}},
                      {"http.response.status_code", {int64_t{200}}},
                      {"http.route", {std::string("/api/items/{id}")}},
                      {"net.peer.port", {int64_t{44312}}},
                      {"server.address", {std::string("checkout.svc.cluster.local")}},
                      {"url.path", {std::string("/api/items/12345")}},
                      {"url.scheme", {std::string("https")}},
                      {"user_agent.original", {std::string("Mozilla/5.0 (X11; Linux x86_64)")}},
                      {"retry", {false}},
                      {"duration.ratio", {0.25}}};
      b.spans.push_back(std::move(s));
    }
    // Each batch gets new trace ids and later times.
    std::vector<Batch> group(batches_per_write_, b);
    std::vector<const Batch*> pointers;
    for (const Batch& g : group) pointers.push_back(&g);
    std::mt19937_64 rng(42);
    std::vector<model::TraceId> random_ids(256);
    uint32_t batch_number = 0;
    for (size_t written = 0; written < total_; written += spans_per_write()) {
      for (Batch& g : group) {
        ++batch_number;
        if (random_) {
          for (auto& id : random_ids) {
            for (auto& byte : id) byte = static_cast<uint8_t>(rng());
          }
        }
        for (size_t i = 0; i < g.spans.size(); ++i) {
          model::Span& s = g.spans[i];
          s.start_time_unix_nano += spans_per_write() * 1000;
          last_start_ = std::max(last_start_, s.start_time_unix_nano);
          if (random_) {
            s.trace_id = random_ids[i % random_ids.size()];
          } else {
            s.trace_id[15] = static_cast<uint8_t>(batch_number);
            s.trace_id[14] = static_cast<uint8_t>(batch_number >> 8);
            s.trace_id[13] = static_cast<uint8_t>(batch_number >> 16);
          }
        }
      }
      sample_.push_back(group[0].spans[0].trace_id);
      ASSERT_TRUE(store.Write(pointers).ok());
    }
  }

 private:
  static constexpr size_t kPerBatch = 1000;
  size_t total_ = 0;
  size_t batches_per_write_ = 0;
  bool random_ = false;
  uint64_t last_start_ = 0;
  std::vector<model::TraceId> sample_;
};

// Not a check: prints Write() throughput for the benchmark workload.
TEST_F(StoreTest, WriteThroughput) {
  auto store = Open(0, 0);
  BenchWorkload workload(100'000);
  const std::clock_t cpu0 = std::clock();
  const auto wall0 = std::chrono::steady_clock::now();
  workload.Run(*store);
  const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const size_t total = workload.total();
  std::printf("Write(): %zu spans, %zu per Write(): %.0f spans/s wall, %.0f spans per CPU-second; %.1f MB\n", total,
              workload.spans_per_write(), total / wall, total / cpu, store->Stats().database_bytes / 1e6);
}

// Not a check: prints query latencies on a store holding the benchmark
// workload (AUGUR_BENCH_SPANS, 100k by default).
TEST_F(StoreTest, QueryLatency) {
  auto store = Open(0, 0);
  BenchWorkload workload(100'000);
  workload.Run(*store);
  const auto& traces = workload.sample();
  ASSERT_FALSE(traces.empty());
  const uint64_t first = kT0, last = workload.last_start();
  // Runs `query` `n` times; prints the mean wall time per call.
  auto time = [](const char* what, int n, const auto& query) {
    const auto wall0 = std::chrono::steady_clock::now();
    size_t spans = 0;
    for (int i = 0; i < n; ++i) spans += query(i);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("%-52s %8.3f ms/call, %6.0f spans/call\n", what, 1e3 * wall / n, double(spans) / n);
  };
  time("GetTrace (traces across the whole store)", 200, [&](int i) {
    auto got = store->GetTrace(traces[(size_t(i) * 7919) % traces.size()]);
    EXPECT_TRUE(got.ok() && !got->spans.empty());
    return got.ok() ? got->spans.size() : 0;
  });
  // `from` is anywhere in the store's time range, or the start of a Write's
  // time range (spans are 1 us apart; a Write's batches share their times).
  const uint64_t span = last - first;
  const uint64_t period = workload.spans_per_write() * 1000;
  const size_t writes = traces.size();
  auto page = [&](std::string service, uint64_t seed, bool aligned, uint64_t width, size_t limit) {
    return [&, service, seed, aligned, width, limit](int i) {
      const uint64_t k = seed + uint64_t(i) * 37;
      const uint64_t from = aligned ? kT0 + period * (1 + k % writes) : first + span / 1000 * (k % 1000);
      auto got = store->QuerySpans(Spans(service, from, width == 0 ? UINT64_MAX : from + width - 1, limit));
      EXPECT_TRUE(got.ok() && !got->spans.empty());
      return got.ok() ? got->spans.size() : 0;
    };
  };
  time("QuerySpans all services, from anywhere, limit 1000", 50, page("", 0, false, 0, 1000));
  time("QuerySpans service, from anywhere, limit 1000", 50, page("checkout", 500, false, 0, 1000));
  time("QuerySpans service, 100 us window (1000 spans)", 50, page("checkout", 250, true, 100'000, 100000));
  time("QuerySpans all services, from anywhere, limit 10", 50, page("", 100, false, 0, 10));
}

}  // namespace
}  // namespace augur::store
