// End-to-end cases of the Analyzer: model::Batch spans and metric points in,
// anomalies and inferred deployments out. The load is random with fixed
// seeds; the assertions are about what happened (one anomaly, its onset,
// its explanation), never about exact figures.
#include "analysis/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMin = 60 * kS;
constexpr uint64_t kHour = 60 * kMin;
constexpr uint64_t kT0 = 1'700'000'000 * kS;
constexpr uint64_t kNever = UINT64_MAX;

// One span operation's load: Poisson arrivals, durations uniform in
// [lo, hi] ms, Bernoulli errors; from change_ns on, every request gets an
// extra uniform [extra_lo, extra_hi] ms and the error ratio becomes
// error_ratio_after (if >= 0); from stop_ns on, no requests.
struct Operation {
  std::string service = "writer";
  std::string name = "POST /items";
  model::SpanKind kind = model::SpanKind::kServer;
  std::string peer;     // CLIENT spans: peer.service
  std::string version;  // service.version of the resource
  double rate = 5;
  double lo_ms = 20, hi_ms = 50;
  double error_ratio = 0;
  uint64_t change_ns = kNever;
  double extra_lo_ms = 0, extra_hi_ms = 0;
  double error_ratio_after = -1;
  uint64_t stop_ns = kNever;
};

struct SpanRecord {
  uint64_t end_ns;
  uint64_t duration_ns;
  uint32_t op;
  bool error;
};

// Spans of all operations ending in [from, to), ordered by end time.
std::vector<SpanRecord> Simulate(const std::vector<Operation>& ops, uint64_t from, uint64_t to, uint64_t seed) {
  std::vector<SpanRecord> spans;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    std::exponential_distribution<double> gap(op.rate);
    for (double t = static_cast<double>(from) + gap(rng) * kS; t < static_cast<double>(to); t += gap(rng) * kS) {
      const auto end = static_cast<uint64_t>(t);
      if (end >= op.stop_ns) break;
      double ms = op.lo_ms + (op.hi_ms - op.lo_ms) * u(rng);
      double error_ratio = op.error_ratio;
      if (end >= op.change_ns) {
        ms += op.extra_lo_ms + (op.extra_hi_ms - op.extra_lo_ms) * u(rng);
        if (op.error_ratio_after >= 0) error_ratio = op.error_ratio_after;
      }
      spans.push_back({end, static_cast<uint64_t>(ms * kMs), i, u(rng) < error_ratio});
    }
  }
  std::stable_sort(spans.begin(), spans.end(),
                   [](const SpanRecord& a, const SpanRecord& b) { return a.end_ns < b.end_ns; });
  return spans;
}

// The batch of spans[begin, end): one resource per (service, version).
model::Batch MakeBatch(const std::vector<Operation>& ops, const std::vector<SpanRecord>& spans, size_t begin,
                       size_t end) {
  model::Batch b;
  std::map<std::pair<std::string, std::string>, uint32_t> resources;
  for (size_t i = begin; i < end; ++i) {
    const SpanRecord& r = spans[i];
    const Operation& op = ops[r.op];
    auto [it, added] = resources.emplace(std::make_pair(op.service, op.version), b.resources.size());
    if (added) {
      model::Resource res;
      res.service_name = op.service;
      res.attributes.push_back({"service.name", {op.service}});
      if (!op.version.empty()) res.attributes.push_back({"service.version", {op.version}});
      b.resources.push_back(std::move(res));
    }
    model::Span s;
    s.resource_index = it->second;
    s.name = op.name;
    s.kind = op.kind;
    s.end_time_unix_nano = r.end_ns;
    s.start_time_unix_nano = r.end_ns - r.duration_ns;
    if (!op.peer.empty()) s.attributes.push_back({"peer.service", {op.peer}});
    if (r.error) s.status_code = model::StatusCode::kError;
    b.spans.push_back(std::move(s));
  }
  return b;
}

// What the analyzer reported: every record in order, and the last record per id.
struct Output {
  std::vector<model::Anomaly> records;
  std::map<std::string, model::Anomaly> last;
  std::vector<model::ChangeEvent> events;

  void Take(Analyzer* a) {
    std::vector<model::Anomaly> got;
    a->TakeAnomalies(&got);
    for (const auto& x : got) {
      records.push_back(x);
      last[x.id] = x;
    }
    a->TakeInferredEvents(&events);
  }
  std::vector<model::Anomaly> Of(std::string_view kind) const {
    std::vector<model::Anomaly> out;
    for (const auto& [id, a] : last) {
      if (a.kind == kind) out.push_back(a);
    }
    return out;
  }
  std::string Dump() const {
    std::string s;
    for (const auto& [id, a] : last) s += id + " " + a.kind + " " + a.series.ToString() + ": " + a.explanation + "\n";
    return s;
  }
};

// Feeds spans[begin, end) cut into batches of batch_ns of end time (0: one batch).
void Feed(Analyzer* a, Output* out, const std::vector<Operation>& ops, const std::vector<SpanRecord>& spans,
          uint64_t batch_ns, size_t begin = 0, size_t end = SIZE_MAX) {
  end = std::min(end, spans.size());
  for (size_t i = begin; i < end;) {
    size_t j = i + 1;
    if (batch_ns == 0) {
      j = end;
    } else {
      const uint64_t window = spans[i].end_ns / batch_ns;
      while (j < end && spans[j].end_ns / batch_ns == window) ++j;
    }
    a->Add(MakeBatch(ops, spans, i, j));
    out->Take(a);
    i = j;
  }
}

TEST(Analyzer, GrayFailureRaisesOneLatencyAnomalySoonAfterOnset) {
  // The article's case: 5 requests/s at 20-50 ms; after 30 minutes every
  // request takes 150-500 ms more. Onsets spread over a bucket.
  std::vector<uint64_t> delays;
  for (uint64_t run = 0; run < 12; ++run) {
    Operation op;
    op.change_ns = kT0 + 30 * kMin + run * 417 * kMs;
    op.extra_lo_ms = 150;
    op.extra_hi_ms = 500;
    const std::vector<Operation> ops = {op};
    const auto spans = Simulate(ops, kT0, kT0 + 40 * kMin, 7 + run);
    Analyzer a;
    Output out;
    Feed(&a, &out, ops, spans, 5 * kS);

    SCOPED_TRACE(out.Dump());
    ASSERT_EQ(out.last.size(), 1u);
    const model::Anomaly& an = out.last.begin()->second;
    EXPECT_EQ(an.kind, "latency");
    EXPECT_EQ(an.direction, "up");
    EXPECT_EQ(an.series.metric, "span.duration");
    EXPECT_LE(std::max(an.onset_ns, op.change_ns) - std::min(an.onset_ns, op.change_ns), 15 * kS);
    ASSERT_GE(an.detected_ns, op.change_ns);
    EXPECT_LE(an.detected_ns - op.change_ns, 25 * kS);  // at most two buckets + lateness after the onset
    delays.push_back(an.detected_ns - op.change_ns);
    EXPECT_NE(an.explanation.find("POST /items on writer"), std::string::npos) << an.explanation;
    EXPECT_TRUE(an.ongoing());
    EXPECT_EQ(an.id.size(), 3u + 16u);
    EXPECT_EQ(an.id.rfind("an-", 0), 0u);
  }
  // 5 s buckets closed 10 s late: 10 s is the least possible; one bucket of
  // evidence is 12.5 s on average.
  std::sort(delays.begin(), delays.end());
  EXPECT_LE(delays[delays.size() / 2], 15 * kS);
}

TEST(Analyzer, HealthyRandomLoadRaisesNothingForHours) {
  Operation server;  // 5 req/s, 20-50 ms, 1% errors
  server.error_ratio = 0.01;
  Operation busy;
  busy.service = "reader";
  busy.name = "GET /items/{id}";
  busy.rate = 40;
  busy.lo_ms = 2;
  busy.hi_ms = 15;
  busy.error_ratio = 0.002;
  Operation client;
  client.name = "SET";
  client.kind = model::SpanKind::kClient;
  client.peer = "redis";
  client.rate = 10;
  client.lo_ms = 0.3;
  client.hi_ms = 2;
  Operation sparse;  // one request every 20 s
  sparse.name = "POST /admin/reindex";
  sparse.rate = 0.05;
  sparse.lo_ms = 200;
  sparse.hi_ms = 2000;
  const std::vector<Operation> ops = {server, busy, client, sparse};
  Analyzer a;
  Output out;
  for (int hour = 0; hour < 6; ++hour) {
    const uint64_t from = kT0 + hour * kHour;
    Feed(&a, &out, ops, Simulate(ops, from, from + kHour, 100 + hour), 5 * kS);
  }
  EXPECT_TRUE(out.last.empty()) << out.Dump();
  EXPECT_EQ(a.stats().detectors, 12u);  // 4 RED series x 3 detectors
  EXPECT_GT(a.stats().points_analysed, 4u * 6 * 720);
}

TEST(Analyzer, ErrorJumpRaisesAnErrorsAnomaly) {
  Operation op;
  op.error_ratio = 0.01;
  op.change_ns = kT0 + 45 * kMin;
  op.error_ratio_after = 0.2;
  const std::vector<Operation> ops = {op};
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 50 * kMin, 11), 5 * kS);
  SCOPED_TRACE(out.Dump());
  const auto errors = out.Of("errors");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].series.metric, "span.errors");
  EXPECT_EQ(errors[0].quantity, "error_ratio");
  EXPECT_LE(errors[0].detected_ns - op.change_ns, 60 * kS);
  EXPECT_NE(errors[0].explanation.find("error ratio of POST /items on writer rose"), std::string::npos);
  EXPECT_EQ(out.Of("latency").size(), 0u);
  EXPECT_EQ(out.Of("traffic").size(), 0u);
  EXPECT_EQ(a.stats().anomalies_raised, out.last.size());
}

TEST(Analyzer, ClientSpansAreExplainedAsCallsToTheirPeer) {
  Operation op;
  op.name = "SET";
  op.kind = model::SpanKind::kClient;
  op.peer = "redis";
  op.rate = 10;
  op.lo_ms = 0.5;
  op.hi_ms = 2;
  op.change_ns = kT0 + 30 * kMin;
  op.extra_lo_ms = 20;
  op.extra_hi_ms = 40;
  const std::vector<Operation> ops = {op};
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 35 * kMin, 12), 5 * kS);
  const auto latency = out.Of("latency");
  ASSERT_EQ(latency.size(), 1u) << out.Dump();
  EXPECT_NE(latency[0].explanation.find("calls from writer to redis (SET)"), std::string::npos)
      << latency[0].explanation;
  EXPECT_EQ(latency[0].series.Attribute("peer"), "redis");
}

TEST(Analyzer, ServiceThatStopsWhileOthersGoOnIsATrafficDrop) {
  Operation writer;
  writer.rate = 10;
  writer.stop_ns = kT0 + 40 * kMin;
  Operation reader;
  reader.service = "reader";
  reader.name = "GET /items";
  const std::vector<Operation> ops = {writer, reader};
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 45 * kMin, 13), 5 * kS);
  SCOPED_TRACE(out.Dump());
  const auto traffic = out.Of("traffic");
  ASSERT_EQ(traffic.size(), 1u);
  EXPECT_EQ(traffic[0].direction, "down");
  EXPECT_EQ(traffic[0].series.service, "writer");
  EXPECT_LE(traffic[0].detected_ns - writer.stop_ns, 60 * kS);
  EXPECT_EQ(out.last.size(), 1u);
}

TEST(Analyzer, PauseOfTheWholeInputIsNotATrafficDrop) {
  // augur was down for an hour: nothing arrived from anyone, and the
  // buckets in between are unknown, not zeros.
  Operation op;
  op.rate = 10;
  const std::vector<Operation> ops = {op};
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 40 * kMin, 14), 5 * kS);
  Feed(&a, &out, ops, Simulate(ops, kT0 + 100 * kMin, kT0 + 130 * kMin, 15), 5 * kS);
  EXPECT_TRUE(out.last.empty()) << out.Dump();
}

// A gauge every 10 s: `level` +- noise, `level + step` from step_ns on.
model::Batch GaugeBatch(uint64_t t, double value) {
  model::Batch b;
  model::Resource r;
  r.service_name = "writer";
  b.resources.push_back(r);
  model::Metric m;
  m.name = "queue.size";
  m.unit = "{item}";
  m.type = model::MetricType::kGauge;
  model::MetricPoint p;
  p.time_unix_nano = t;
  p.value = value;
  p.attributes.push_back({"queue", {std::string("orders")}});
  m.points.push_back(p);
  b.metrics.push_back(m);
  return b;
}

TEST(Analyzer, GaugeStepRaisesALevelShift) {
  Analyzer a;
  Output out;
  std::mt19937_64 rng(16);
  std::normal_distribution<double> noise(0, 5);
  const uint64_t step = kT0 + 3 * kHour;
  for (uint64_t t = kT0; t < step + 30 * kMin; t += 10 * kS) {
    a.Add(GaugeBatch(t, 100 + noise(rng) + (t >= step ? 60 : 0)));
    out.Take(&a);
  }
  SCOPED_TRACE(out.Dump());
  ASSERT_EQ(out.last.size(), 1u);
  const model::Anomaly& an = out.last.begin()->second;
  EXPECT_EQ(an.kind, "metric_level");
  EXPECT_EQ(an.direction, "up");
  EXPECT_EQ(an.series.metric, "queue.size");
  EXPECT_EQ(an.unit, "");  // "{item}" is an annotation
  EXPECT_GE(an.detected_ns, step);
  EXPECT_LE(an.detected_ns - step, 60 * kS);
  EXPECT_NE(an.explanation.find("queue.size of writer (queue=orders) rose"), std::string::npos) << an.explanation;
}

TEST(Analyzer, VersionChangeInfersOneDeploymentAndSteadyVersionsNone) {
  Operation v1;
  v1.version = "1.0.0";
  v1.stop_ns = kT0 + 20 * kMin;
  Operation v2 = v1;
  v2.version = "1.0.1";
  v2.stop_ns = kNever;
  Operation other;  // steady all along
  other.service = "reader";
  other.version = "7";
  const std::vector<Operation> ops = {v1, v2, other};
  // v2 starts 2 minutes before v1 stops: a rolling deploy.
  auto spans = Simulate(ops, kT0, kT0 + 40 * kMin, 17);
  std::erase_if(spans, [&](const SpanRecord& s) { return s.op == 1 && s.end_ns < kT0 + 18 * kMin; });
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, spans, 5 * kS);
  ASSERT_EQ(out.events.size(), 1u);
  const model::ChangeEvent& e = out.events[0];
  EXPECT_EQ(e.service, "writer");
  EXPECT_EQ(e.version, "1.0.1");
  EXPECT_EQ(e.previous_version, "1.0.0");
  EXPECT_GE(e.time_ns, kT0 + 18 * kMin - kS);
  EXPECT_LE(e.time_ns, kT0 + 18 * kMin + 5 * kS);
  EXPECT_EQ(a.stats().events_inferred, 1u);
  // The versioned RED series feed no detector: one state per operation.
  EXPECT_EQ(a.stats().detectors, 6u);
}

// A workload with something in it for every detector, for the replay tests.
std::vector<Operation> EventfulOps() {
  Operation slow;
  slow.change_ns = kT0 + 40 * kMin;
  slow.extra_lo_ms = 150;
  slow.extra_hi_ms = 500;
  Operation failing;
  failing.name = "GET /items";
  failing.error_ratio = 0.01;
  failing.change_ns = kT0 + 50 * kMin;
  failing.error_ratio_after = 0.3;
  Operation stopping;
  stopping.service = "reader";
  stopping.rate = 8;
  stopping.stop_ns = kT0 + 55 * kMin;
  return {slow, failing, stopping};
}

TEST(Analyzer, SavedStateContinuesLikeAnUninterruptedRun) {
  const auto ops = EventfulOps();
  const auto spans = Simulate(ops, kT0, kT0 + 70 * kMin, 18);
  Analyzer whole;
  Output expected;
  Feed(&whole, &expected, ops, spans, 5 * kS);
  ASSERT_GE(expected.last.size(), 3u) << expected.Dump();

  // Cut in the middle of the latency incident (raised, not ended).
  const size_t cut = std::lower_bound(spans.begin(), spans.end(), kT0 + 42 * kMin,
                                      [](const SpanRecord& s, uint64_t t) { return s.end_ns < t; }) -
                     spans.begin();
  Output got;
  std::string state;
  {
    Analyzer first;
    Feed(&first, &got, ops, spans, 5 * kS, 0, cut);
    state = first.SaveState();
  }
  Analyzer second;
  ASSERT_TRUE(second.LoadState(state).ok());
  EXPECT_EQ(second.SaveState(), state);  // nothing lost or changed in a round trip
  Feed(&second, &got, ops, spans, 5 * kS, cut);
  EXPECT_EQ(got.records, expected.records);
  EXPECT_EQ(second.SaveState(), whole.SaveState());
}

TEST(Analyzer, LoadStateRefusesForeignOrDamagedBytesAndKeepsItsState) {
  const auto ops = EventfulOps();
  Analyzer a;
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 20 * kMin, 19), 5 * kS);
  const std::string state = a.SaveState();
  EXPECT_FALSE(a.LoadState("").ok());
  EXPECT_FALSE(a.LoadState("not a state").ok());
  EXPECT_FALSE(a.LoadState(state.substr(0, state.size() - 1)).ok());
  EXPECT_FALSE(a.LoadState(state + "x").ok());
  std::string other_version = state;
  other_version[14] = 99;  // the byte after the magic
  EXPECT_FALSE(a.LoadState(other_version).ok());
  for (size_t cut : {size_t{20}, state.size() / 3, state.size() / 2})
    EXPECT_FALSE(a.LoadState(state.substr(0, cut)).ok());
  EXPECT_EQ(a.SaveState(), state);

  // Damaged bytes are refused or, where the damage is in a value, give some
  // state; never a crash or a runaway allocation.
  std::mt19937_64 rng(24);
  for (int i = 0; i < 300; ++i) {
    std::string damaged = state;
    damaged[15 + rng() % (damaged.size() - 15)] ^= static_cast<char>(1 + rng() % 255);
    Analyzer c;
    if (c.LoadState(damaged).ok()) Feed(&c, &out, ops, Simulate(ops, kT0 + 20 * kMin, kT0 + 21 * kMin, 25), 5 * kS);
  }

  AnalyzerOptions wide;
  wide.red.clock.bucket_width_ns = 10 * kS;
  Analyzer b(wide);
  const Status s = b.LoadState(state);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("buckets"), std::string::npos) << s.message();
}

TEST(Analyzer, SameInputInOtherBatchSizesGivesTheSameAnomalies) {
  const auto ops = EventfulOps();
  const auto spans = Simulate(ops, kT0, kT0 + 70 * kMin, 20);
  Output reference;
  {
    Analyzer a;
    Feed(&a, &reference, ops, spans, 5 * kS);
  }
  ASSERT_GE(reference.last.size(), 3u) << reference.Dump();
  for (uint64_t batch_ns : {uint64_t{0}, 1 * kS, 60 * kS, 7 * kMin}) {
    Analyzer a;
    Output out;
    Feed(&a, &out, ops, spans, batch_ns);
    EXPECT_EQ(out.last, reference.last) << "batches of " << batch_ns / kS << " s\n" << out.Dump();
  }
}

TEST(Analyzer, SensitivityIsPerSeriesAndSaved) {
  Operation op;
  op.change_ns = kT0 + 30 * kMin;
  op.extra_lo_ms = 150;
  op.extra_hi_ms = 500;
  const std::vector<Operation> ops = {op};
  const auto spans = Simulate(ops, kT0, kT0 + 35 * kMin, 21);
  model::SeriesKey key{"span.duration", "writer", "POST /items", {{"span.kind", "SERVER"}}};

  Analyzer a;
  a.SetSensitivity(key, detect::Sensitivity::kHigh);
  Analyzer b;
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  EXPECT_EQ(b.SaveState(), a.SaveState());
  a.SetSensitivity(key, detect::Sensitivity::kMedium);  // the default: forgotten
  EXPECT_NE(b.SaveState(), a.SaveState());
  EXPECT_EQ(a.SaveState(), Analyzer().SaveState());

  // High sensitivity raises no later than the default.
  Output high, medium;
  Feed(&b, &high, ops, spans, 5 * kS);
  Feed(&a, &medium, ops, spans, 5 * kS);
  ASSERT_EQ(high.Of("latency").size(), 1u);
  ASSERT_EQ(medium.Of("latency").size(), 1u);
  EXPECT_LE(high.Of("latency")[0].detected_ns, medium.Of("latency")[0].detected_ns);
}

TEST(Analyzer, DetectorStatesAreBoundedAndOverflowCounted) {
  std::vector<Operation> ops;
  for (int i = 0; i < 5; ++i) {
    Operation op;
    op.name = "op" + std::to_string(i);
    ops.push_back(op);
  }
  AnalyzerOptions o;
  o.max_detectors = 7;  // room for two RED series
  Analyzer a(o);
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 5 * kMin, 22), 5 * kS);
  const AnalyzerStats s = a.stats();
  EXPECT_EQ(s.detectors, 6u);
  EXPECT_GT(s.detector_overflow, 0u);
}

TEST(Analyzer, IdleSeriesAreForgottenAndTheirOpenAnomaliesEnded) {
  Operation dying;  // gets slow, then stops
  dying.service = "batch";
  dying.change_ns = kT0 + 30 * kMin;
  dying.extra_lo_ms = 150;
  dying.extra_hi_ms = 500;
  dying.stop_ns = kT0 + 32 * kMin;
  Operation alive;
  alive.service = "reader";
  const std::vector<Operation> ops = {dying, alive};
  AnalyzerOptions o;
  o.detector_idle_ns = kHour;
  Analyzer a(o);
  Output out;
  Feed(&a, &out, ops, Simulate(ops, kT0, kT0 + 2 * kHour, 23), 5 * kS);
  SCOPED_TRACE(out.Dump());
  const auto latency = out.Of("latency");
  ASSERT_EQ(latency.size(), 1u);
  EXPECT_FALSE(latency[0].ongoing());
  EXPECT_LE(latency[0].end_ns, dying.stop_ns + 5 * kS);
  EXPECT_EQ(a.stats().detectors, 3u);
}

}  // namespace
}  // namespace augur::analysis
