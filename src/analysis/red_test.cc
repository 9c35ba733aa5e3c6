#include "analysis/red.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'700'000'000 * kS;

model::Resource Res(std::string service, std::string version = "") {
  model::Resource r;
  r.service_name = service;
  r.attributes.push_back({"service.name", {service}});
  if (!version.empty()) r.attributes.push_back({"service.version", {version}});
  return r;
}

model::Span MakeSpan(uint32_t resource, std::string name, model::SpanKind kind, uint64_t end, uint64_t duration_ms,
                     bool error = false) {
  model::Span s;
  s.resource_index = resource;
  s.name = std::move(name);
  s.kind = kind;
  s.end_time_unix_nano = end;
  s.start_time_unix_nano = end - duration_ms * kMs;
  if (error) s.status_code = model::StatusCode::kError;
  return s;
}

const SeriesPoint* Find(const std::vector<SeriesPoint>& pts, std::string_view metric, std::string_view op, uint64_t t,
                        bool versioned = false) {
  for (const auto& p : pts) {
    bool has_version = std::any_of(p.key.attributes.begin(), p.key.attributes.end(),
                                   [](const auto& kv) { return kv.first == "service.version"; });
    if (p.key.metric == metric && p.key.operation == op && p.time_ns == t && has_version == versioned) return &p;
  }
  return nullptr;
}

TEST(Red, CountsErrorsAndDurationsPerBucket) {
  model::Batch b;
  b.resources = {Res("checkout", "1.2.0")};
  for (int i = 0; i < 10; ++i) {
    b.spans.push_back(MakeSpan(0, "GET /cart", model::SpanKind::kServer, kT0 + i * kS, 10 + i, i == 3));
  }
  model::Span http500 = MakeSpan(0, "GET /cart", model::SpanKind::kServer, kT0 + 5 * kS, 100);
  http500.attributes.push_back({"http.response.status_code", {int64_t{503}}});
  b.spans.push_back(http500);
  model::Span http404 = MakeSpan(0, "GET /cart", model::SpanKind::kServer, kT0 + 5 * kS, 100);
  http404.attributes.push_back({"http.status_code", {std::string("404")}});
  b.spans.push_back(http404);
  b.spans.push_back(MakeSpan(0, "internal", model::SpanKind::kInternal, kT0, 1));
  b.spans.push_back(MakeSpan(0, "GET", model::SpanKind::kClient, kT0, 1));  // no peer
  model::Span db = MakeSpan(0, "SELECT", model::SpanKind::kClient, kT0 + kS, 4, true);
  db.attributes.push_back({"db.system", {std::string("postgresql")}});
  db.attributes.push_back({"db.name", {std::string("orders")}});
  b.spans.push_back(db);

  RedAggregator red;
  red.Add(b);
  std::vector<SeriesPoint> out;
  red.TakeClosed(&out);
  EXPECT_TRUE(out.empty());  // watermark kT0 - 21 s
  red.AdvanceTo(kT0 + 10 * kS);
  red.TakeClosed(&out);

  const SeriesPoint* req = Find(out, "span.requests", "GET /cart", kT0);
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->value, 12);
  EXPECT_EQ(req->key.service, "checkout");
  EXPECT_EQ(Find(out, "span.errors", "GET /cart", kT0)->value, 2);  // ERROR + 503, not 404
  const SeriesPoint* dur = Find(out, "span.duration", "GET /cart", kT0);
  ASSERT_TRUE(dur->sketch.has_value());
  EXPECT_EQ(dur->sketch->count(), 12u);
  EXPECT_NEAR(dur->sketch->max(), 100, 1e-9);
  detect::LatencyPoint lp = ToLatencyPoint(*dur, 50);
  EXPECT_EQ(lp.count, 12u);
  EXPECT_EQ(lp.slow, 2u);
  EXPECT_NEAR(lp.p50, 15, 15 * 0.011);
  EXPECT_EQ(ToLatencyPoint(*dur, 0).slow, detect::LatencyPoint::kUnknownSlow);

  const SeriesPoint* v = Find(out, "span.requests", "GET /cart", kT0, true);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->value, 12);
  EXPECT_EQ(v->key.ToString(),
            "span.requests{service=checkout,operation=GET /cart,service.version=1.2.0,span.kind=SERVER}");

  const SeriesPoint* dbp = Find(out, "span.errors", "SELECT", kT0);
  ASSERT_NE(dbp, nullptr);
  EXPECT_EQ(dbp->value, 1);
  EXPECT_EQ(dbp->key.ToString(),
            "span.errors{service=checkout,operation=SELECT,peer=postgresql/orders,span.kind=CLIENT}");

  RedStats st = red.stats();
  EXPECT_EQ(st.spans, 15u);
  EXPECT_EQ(st.counted, 13u);
  EXPECT_EQ(st.skipped_kind, 1u);
  EXPECT_EQ(st.skipped_no_peer, 1u);
  EXPECT_EQ(st.buckets_emitted, 4u);  // 2 keys x (plain, versioned)
  EXPECT_EQ(out.size(), 12u);
}

TEST(Red, LateSpansAreCountedAndDroppedGapsEmitNothing) {
  model::Batch b;
  b.resources = {Res("api")};
  b.spans.push_back(MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 1 * kS, 5));
  b.spans.push_back(MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 100 * kS, 5));  // gap of 9 buckets
  b.spans.push_back(MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 2 * kS, 5));    // late: watermark +70 s
  b.spans.push_back(MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 75 * kS, 5));   // within lateness
  model::Span bad = MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 99 * kS, 5);
  bad.start_time_unix_nano = bad.end_time_unix_nano + 1;
  b.spans.push_back(bad);
  RedAggregator red;
  model::Span no_start = MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 99 * kS, 5);
  no_start.start_time_unix_nano = 0;
  b.spans.push_back(no_start);
  red.Add(b);
  EXPECT_EQ(red.stats().no_time, 1u);
  red.AdvanceTo(kT0 + 1000 * kS);
  std::vector<SeriesPoint> out;
  red.TakeClosed(&out);
  std::vector<uint64_t> times;
  for (const auto& p : out) {
    if (p.key.metric == "span.requests") times.push_back(p.time_ns);
  }
  EXPECT_EQ(times, (std::vector<uint64_t>{kT0, kT0 + 70 * kS, kT0 + 100 * kS}));
  EXPECT_EQ(red.stats().late, 1u);
  EXPECT_EQ(red.stats().bad_duration, 1u);
  // Later data for an emitted bucket stays late.
  model::Batch again;
  again.resources = {Res("api")};
  again.spans.push_back(MakeSpan(0, "op", model::SpanKind::kServer, kT0 + 101 * kS, 5));
  red.Add(again);
  EXPECT_EQ(red.stats().late, 2u);
}

TEST(Red, SeriesCapIsBoundedAndCounted) {
  RedOptions o;
  o.max_series = 3;
  RedAggregator red(o);
  model::Batch b;
  b.resources = {Res("api")};
  for (int i = 0; i < 10; ++i)
    b.spans.push_back(MakeSpan(0, "op" + std::to_string(i), model::SpanKind::kServer, kT0, 1));
  red.Add(b);
  EXPECT_EQ(red.stats().series, 3u);
  EXPECT_EQ(red.stats().series_overflow, 7u);
  EXPECT_EQ(red.stats().counted, 3u);

  // An hour later (event time) the idle series make room for new ones.
  red.AdvanceTo(kT0 + 10 * kS);
  std::vector<SeriesPoint> out;
  red.TakeClosed(&out);
  EXPECT_EQ(out.size(), 9u);
  model::Batch later;
  later.resources = {Res("api")};
  later.spans.push_back(MakeSpan(0, "new", model::SpanKind::kServer, kT0 + 7200 * kS, 1));
  red.Add(later);
  EXPECT_EQ(red.stats().series, 1u);
  EXPECT_EQ(red.stats().series_expired, 3u);
  EXPECT_EQ(red.stats().series_overflow, 7u);
}

// The replay property: the same spans cut into different batches (and
// shuffled within the lateness bound) give identical output.
TEST(Red, ReplayIsIndependentOfBatchBoundaries) {
  std::mt19937_64 rng(7);
  std::vector<model::Resource> resources = {Res("a", "1"), Res("b"), Res("c", "2")};
  std::vector<model::Span> spans;
  for (int i = 0; i < 5000; ++i) {
    uint64_t t = kT0 + static_cast<uint64_t>(i) * 50 * kMs;  // 20 spans/s for 250 s
    // Operations change every 50 s, so old series go idle (for the capped run).
    std::string op = "op" + std::to_string(rng() % 4 + static_cast<uint64_t>(i / 1000) * 4);
    model::Span s = MakeSpan(static_cast<uint32_t>(rng() % 3), op,
                             rng() % 2 ? model::SpanKind::kServer : model::SpanKind::kConsumer, t, 1 + rng() % 300,
                             rng() % 20 == 0);
    spans.push_back(s);
  }
  // Disorder within the lateness bound: shuffle within windows of 20 s.
  for (size_t i = 0; i + 400 <= spans.size(); i += 400) {
    std::shuffle(spans.begin() + i, spans.begin() + i + 400, rng);
  }
  // A few spans far too late: late in every split, since lateness is judged per item in order.
  spans.push_back(MakeSpan(0, "op0", model::SpanKind::kServer, kT0 + 10 * kS, 1));

  RedStats last_stats;
  auto run = [&](size_t seed, RedOptions options) {
    std::mt19937_64 cut(seed);
    RedAggregator red(options);
    std::vector<SeriesPoint> out;
    for (size_t i = 0; i < spans.size();) {
      size_t n = seed == 0 ? spans.size() : 1 + cut() % 200;
      model::Batch b;
      b.resources = resources;
      for (size_t j = 0; j < n && i < spans.size(); ++j, ++i) b.spans.push_back(spans[i]);
      red.Add(b);
      if (cut() % 2) red.TakeClosed(&out);
    }
    red.AdvanceTo(kT0 + 10000 * kS);
    red.TakeClosed(&out);
    EXPECT_EQ(red.stats().late, 1u);
    last_stats = red.stats();
    return out;
  };
  std::vector<SeriesPoint> one = run(0, {});
  EXPECT_GT(one.size(), 500u);
  EXPECT_EQ(last_stats.series_overflow, 0u);
  for (size_t seed = 1; seed <= 5; ++seed) EXPECT_EQ(run(seed, {}), one) << "seed " << seed;

  // With a tight cap, which spans overflow and which series are forgotten
  // must not depend on the batches either.
  RedOptions capped;
  capped.max_series = 30;
  capped.idle_ns = 0;  // raised to width + lateness = 40 s
  std::vector<SeriesPoint> capped_one = run(0, capped);
  EXPECT_GT(last_stats.series_overflow, 0u);
  EXPECT_GT(last_stats.series_expired, 0u);
  for (size_t seed = 1; seed <= 5; ++seed) EXPECT_EQ(run(seed, capped), capped_one) << "seed " << seed;
  uint64_t total = 0;
  for (const auto& p : one) {
    bool versioned = std::any_of(p.key.attributes.begin(), p.key.attributes.end(),
                                 [](const auto& kv) { return kv.first == "service.version"; });
    if (p.key.metric == "span.requests" && !versioned) total += static_cast<uint64_t>(p.value);
  }
  EXPECT_EQ(total, 5000u);
  uint64_t capped_total = 0;
  for (const auto& p : capped_one) {
    if (p.key.metric == "span.requests") capped_total += static_cast<uint64_t>(p.value);
  }
  EXPECT_GT(capped_total, 0u);
}

// RedAggregator remembers, per batch, which series a (resource, kind, name,
// peer) goes to. Spans that differ in only one of those, or whose peer is
// built from several attributes, must still land in their own series, with
// the cap and idle expiry working as without the memory (one span a batch).
TEST(Red, SeriesRememberedWithinABatchMatchOneSpanBatches) {
  std::mt19937_64 rng(11);
  std::vector<model::Resource> resources = {Res("a", "1"), Res("a", "2"), Res("a"), Res("b", "1")};
  auto client = [](model::Span s, std::initializer_list<std::pair<const char*, model::AnyValue>> attrs) {
    for (const auto& [k, v] : attrs) s.attributes.push_back({k, v});
    return s;
  };
  std::vector<model::Span> spans;
  for (int i = 0; i < 3000; ++i) {
    const uint64_t t = kT0 + static_cast<uint64_t>(i) * 40 * kMs;
    const uint32_t res = static_cast<uint32_t>(rng() % 5);  // 4: no such resource
    const std::string op = (i / 1000 == 1 ? "late_op" : "op") + std::to_string(rng() % 3);
    model::Span s = MakeSpan(res, op, model::SpanKind::kClient, t, 1 + rng() % 50, rng() % 10 == 0);
    switch (rng() % 6) {
      case 0: s = client(s, {{"db.system", {std::string("postgresql")}}, {"db.name", {std::string("shop")}}}); break;
      case 1: s = client(s, {{"db.system", {std::string("postgresql")}}}); break;
      case 2: s = client(s, {{"server.address", {std::string("cache")}}, {"server.port", {int64_t{6379}}}}); break;
      case 3: s = client(s, {{"server.address", {std::string("cache")}}}); break;
      case 4: s.kind = model::SpanKind::kServer; break;
      default: s.kind = model::SpanKind::kConsumer; break;
    }
    spans.push_back(s);
  }
  auto run = [&](bool one_batch, RedOptions options, RedStats* stats) {
    RedAggregator red(options);
    std::vector<SeriesPoint> out;
    for (size_t i = 0; i < spans.size();) {
      model::Batch b;
      b.resources = resources;
      size_t n = one_batch ? spans.size() : 1;
      for (size_t j = 0; j < n && i < spans.size(); ++j, ++i) b.spans.push_back(spans[i]);
      red.Add(b);
      red.TakeClosed(&out);
    }
    red.AdvanceTo(kT0 + 10000 * kS);
    red.TakeClosed(&out);
    *stats = red.stats();
    return out;
  };
  RedOptions capped;
  capped.max_series = 40;
  capped.idle_ns = 0;  // raised to width + lateness
  for (const RedOptions& options : {RedOptions{}, capped}) {
    RedStats batched, single;
    std::vector<SeriesPoint> a = run(true, options, &batched), b = run(false, options, &single);
    EXPECT_EQ(a, b);
    EXPECT_GT(a.size(), 100u);
    EXPECT_EQ(batched.counted, single.counted);
    EXPECT_EQ(batched.series_overflow, single.series_overflow);
    EXPECT_EQ(batched.series_expired, single.series_expired);
    EXPECT_EQ(batched.series, single.series);
  }
  RedStats stats;
  run(true, capped, &stats);
  EXPECT_GT(stats.series_overflow, 0u);
  EXPECT_GT(stats.series_expired, 0u);
}

}  // namespace
}  // namespace augur::analysis
