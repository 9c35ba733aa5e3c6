#include "eval/nezha_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace augur::eval::nezha {
namespace {

constexpr uint64_t kS = 1'000'000'000ULL;

SpanRow Row(std::string trace, std::string id, std::string parent, std::string pod, std::string op, uint64_t start,
            uint64_t end) {
  return {std::move(trace), std::move(id), std::move(parent), std::move(pod), std::move(op), start, end};
}

const std::string kTrace = "898fbabdd1894463575af052c4cd7982";

// gateway "/*" (root) -> internal handler -> "HTTP GET" -> execute's endpoint -> SQL
std::vector<SpanRow> OneTrace() {
  return {
      Row(kTrace, "0000000000000001", "root", "ts-gateway-service-6f-h5", "/*", 100 * kS, 101 * kS),
      Row(kTrace, "0000000000000002", "0000000000000001", "ts-gateway-service-6f-h5", "Handler", 100 * kS, 101 * kS),
      Row(kTrace, "0000000000000003", "0000000000000002", "ts-gateway-service-6f-h5", "HTTP GET", 100 * kS, 101 * kS),
      Row(kTrace, "0000000000000004", "0000000000000003", "ts-execute-service-77-zq", "/api/execute", 100 * kS,
          101 * kS),
      Row(kTrace, "0000000000000005", "0000000000000004", "ts-execute-service-77-zq", "SELECT ts.orders", 100 * kS,
          101 * kS),
  };
}

TEST(NezhaKindsTest, EntriesAreServersCallersAreClients) {
  auto spans = OneTrace();
  // An orphan: its parent is not in the data.
  spans.push_back(
      Row(kTrace, "0000000000000006", "00000000000000ff", "ts-execute-service-77-zq", "async", 100 * kS, 101 * kS));
  const auto kinds = InferKinds(spans);
  ASSERT_EQ(kinds.size(), spans.size());
  EXPECT_EQ(kinds[0].kind, model::SpanKind::kServer);  // root
  EXPECT_EQ(kinds[1].kind, model::SpanKind::kInternal);
  EXPECT_EQ(kinds[2].kind, model::SpanKind::kClient);
  EXPECT_EQ(kinds[2].peer_service, "ts-execute-service");
  EXPECT_EQ(kinds[3].kind, model::SpanKind::kServer);  // parent in another pod
  EXPECT_EQ(kinds[4].kind, model::SpanKind::kInternal);
  EXPECT_EQ(kinds[5].kind, model::SpanKind::kServer);  // orphan
}

TEST(NezhaKindsTest, AnEntryThatCallsOutStaysAServerAndOrderDoesNotMatter) {
  std::vector<SpanRow> spans = {
      Row(kTrace, "0000000000000002", "0000000000000001", "ts-b-service-1-2", "/b", 1, 2),
      Row(kTrace, "0000000000000001", "root", "ts-a-service-1-2", "/a", 1, 3),
  };
  const auto kinds = InferKinds(spans);
  EXPECT_EQ(kinds[0].kind, model::SpanKind::kServer);
  EXPECT_EQ(kinds[1].kind, model::SpanKind::kServer);
  EXPECT_TRUE(kinds[1].peer_service.empty());
  // Same span ids in another trace are another span.
  spans.push_back(
      Row("00000000000000000000000000000001", "0000000000000003", "0000000000000001", "ts-a-service-1-2", "x", 1, 2));
  EXPECT_EQ(InferKinds(spans)[2].kind, model::SpanKind::kServer);  // its parent is not in that trace
}

TEST(NezhaCopyTest, CopiesAreMovedAndTheirTracesAreTheirOwn) {
  const auto spans = OneTrace();
  const auto a = CopySpans(spans, 60 * static_cast<int64_t>(kS), 0);
  const auto b = CopySpans(spans, 120 * static_cast<int64_t>(kS), 1);
  ASSERT_EQ(a.size(), spans.size());
  EXPECT_EQ(a[0].start_ns, spans[0].start_ns + 60 * kS);
  EXPECT_EQ(b[0].end_ns, spans[0].end_ns + 120 * kS);
  EXPECT_NE(a[0].trace_id, spans[0].trace_id);
  EXPECT_NE(a[0].trace_id, b[0].trace_id);
  EXPECT_EQ(a[0].trace_id.size(), spans[0].trace_id.size());
  EXPECT_EQ(a[0].trace_id.substr(0, 24), spans[0].trace_id.substr(0, 24));
  EXPECT_EQ(a[3].span_id, spans[3].span_id);
  EXPECT_EQ(a[3].parent_id, spans[3].parent_id);
  // A copy is still one trace with the same shape.
  const auto kinds = InferKinds(a);
  EXPECT_EQ(kinds[2].kind, model::SpanKind::kClient);
  EXPECT_EQ(kinds[3].kind, model::SpanKind::kServer);
  // Copies of the same data are not duplicates of each other.
  Stretch s;
  s.AddSpans(a, [](uint64_t) { return true; });
  s.AddSpans(b, [](uint64_t) { return true; });
  EXPECT_EQ(s.stats().spans, 10u);
  EXPECT_EQ(s.stats().duplicate_spans, 0u);

  LogRow l;
  l.time_ns = 100 * kS;
  l.trace_id = spans[0].trace_id;
  LogRow untraced;
  untraced.time_ns = 101 * kS;
  const auto logs = CopyLogs({l, untraced}, 60 * static_cast<int64_t>(kS), 0);
  EXPECT_EQ(logs[0].trace_id, a[0].trace_id);  // still points at its span's trace
  EXPECT_EQ(logs[0].time_ns, 160 * kS);
  EXPECT_TRUE(logs[1].trace_id.empty());
}

TEST(NezhaStretchTest, SpansBecomeModelSpansWithResourcesAndPeers) {
  Stretch s;
  auto spans = OneTrace();
  spans.push_back(spans[3]);  // the same span again, as in two minute files
  s.AddSpans(spans, [](uint64_t) { return true; });
  EXPECT_EQ(s.stats().spans, 5u);
  EXPECT_EQ(s.stats().duplicate_spans, 1u);
  EXPECT_EQ(s.stats().server, 2u);
  EXPECT_EQ(s.stats().client, 1u);
  const auto batches = s.Export(0);
  size_t n = 0;
  for (const auto& b : batches) {
    ASSERT_EQ(b.resources.size(), 1u);
    ASSERT_EQ(b.scopes.size(), 1u);
    for (const auto& span : b.spans) {
      ++n;
      if (span.name == "HTTP GET") {
        EXPECT_EQ(span.kind, model::SpanKind::kClient);
        EXPECT_EQ(model::StringAttribute(span.attributes, "peer.service"), "ts-execute-service");
        EXPECT_EQ(b.resources[0].service_name, "ts-gateway-service");
        EXPECT_EQ(model::StringAttribute(b.resources[0].attributes, "k8s.pod.name"), "ts-gateway-service-6f-h5");
        EXPECT_EQ(span.trace_id[0], 0x89);
        EXPECT_EQ(span.parent_span_id[7], 0x02);
      }
      if (span.name == "/*") {
        EXPECT_TRUE(model::IsZero(span.parent_span_id));
      }
    }
  }
  EXPECT_EQ(n, 5u);
}

TEST(NezhaStretchTest, FilterKeepsKindsOfTheWholeTraceAndDropsBadIds) {
  Stretch s;
  auto spans = OneTrace();
  spans[3].end_ns = 500 * kS;  // only the execute endpoint is kept
  spans.push_back(Row("zz", "0000000000000009", "root", "p-1-2", "x", 1, 2));
  s.AddSpans(spans, [](uint64_t t) { return t <= 2 || t >= 500 * kS; });
  EXPECT_EQ(s.stats().spans, 1u);
  EXPECT_EQ(s.stats().bad_ids, 1u);
  EXPECT_EQ(s.stats().server, 1u);  // its parent was cut off, but was there: still a server span
}

TEST(NezhaStretchTest, ExportersSendEveryIntervalAtTheirOwnPhase) {
  // 20 spans of one pod ending 1 s apart: a 5 s exporter sends them in 4 or
  // 5 batches, each holding only spans that ended before it was sent.
  std::vector<SpanRow> spans;
  for (int i = 0; i < 20; ++i) {
    char id[17];
    std::snprintf(id, sizeof id, "%016x", i + 1);
    spans.push_back(Row(kTrace, id, "root", "ts-a-service-1-2", "/a", (1000 + i) * kS - kS / 2, (1000 + i) * kS));
  }
  Stretch s;
  s.AddSpans(spans, [](uint64_t) { return true; });
  const auto batches = s.Export(0);
  ASSERT_GE(batches.size(), 4u);
  ASSERT_LE(batches.size(), 5u);
  size_t total = 0;
  uint64_t previous_last = 0;
  for (const auto& b : batches) {
    ASSERT_FALSE(b.spans.empty());
    total += b.spans.size();
    EXPECT_LE(b.spans.size(), 5u);
    EXPECT_GT(b.spans.front().end_time_unix_nano, previous_last);  // in order, nothing twice
    EXPECT_LT(b.spans.back().end_time_unix_nano - b.spans.front().end_time_unix_nano, 5 * kS);
    previous_last = b.spans.back().end_time_unix_nano;
  }
  EXPECT_EQ(total, 20u);

  // max_batch splits an export; a shift moves the times and nothing else.
  const auto small = s.Export(0, {.interval_ns = 5 * kS, .max_batch = 2});
  EXPECT_GE(small.size(), 10u);
  const auto shifted = s.Export(-500 * static_cast<int64_t>(kS));
  ASSERT_EQ(shifted.size(), batches.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    ASSERT_EQ(shifted[i].spans.size(), batches[i].spans.size());
    EXPECT_EQ(shifted[i].spans[0].end_time_unix_nano + 500 * kS, batches[i].spans[0].end_time_unix_nano);
    EXPECT_EQ(shifted[i].spans[0].start_time_unix_nano + 500 * kS, batches[i].spans[0].start_time_unix_nano);
  }
}

TEST(NezhaStretchTest, ExportsAreInSendTimeOrderAcrossPodsAndSignals) {
  Stretch s;
  std::vector<SpanRow> spans;
  std::vector<LogRow> logs;
  for (int i = 0; i < 60; ++i) {
    char id[17];
    std::snprintf(id, sizeof id, "%016x", i + 1);
    const std::string pod = i % 3 == 0 ? "ts-a-service-1-2" : i % 3 == 1 ? "ts-b-service-1-2" : "ts-c-service-1-2";
    spans.push_back(Row(kTrace, id, "root", pod, "/x", (2000 + i) * kS, (2000 + i) * kS + 10));
    LogRow l;
    l.time_ns = (2000 + i) * kS + 5;
    l.pod = pod;
    l.body = "12:00:00.000 INFO x";
    l.severity_number = 9;
    l.severity_text = "INFO";
    l.trace_id = kTrace;
    l.span_id = id;
    logs.push_back(l);
  }
  s.AddSpans(spans, [](uint64_t) { return true; });
  s.AddLogs(logs, [](uint64_t) { return true; });
  EXPECT_EQ(s.stats().logs, 60u);
  const auto batches = s.Export(0);
  // Each batch is sent no earlier than its newest item, and never before an earlier batch.
  uint64_t previous_newest = 0;
  size_t spans_seen = 0, logs_seen = 0;
  for (const auto& b : batches) {
    uint64_t newest = 0;
    for (const auto& span : b.spans) newest = std::max(newest, span.end_time_unix_nano);
    for (const auto& l : b.logs) {
      newest = std::max(newest, l.time_unix_nano);
      EXPECT_EQ(l.severity_number, 9);
      EXPECT_FALSE(model::IsZero(l.trace_id));
    }
    EXPECT_TRUE(b.spans.empty() || b.logs.empty());  // one signal per export
    EXPECT_GT(newest + 5 * kS, previous_newest);
    previous_newest = std::max(previous_newest, newest);
    spans_seen += b.spans.size();
    logs_seen += b.logs.size();
  }
  EXPECT_EQ(spans_seen, 60u);
  EXPECT_EQ(logs_seen, 60u);
}

TEST(NezhaStretchTest, MetricRowsBecomeGaugesWithUnits) {
  MetricTable t;
  t.source = "ts-a-service-1-2";
  t.columns = {"CpuUsage(m)",         "MemoryUsage(Mi)", "NetworkReceiveBytes", "PodServerLatencyP90(s)",
               "NodeCpuUsageRate(%)", "Mystery"};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  t.rows.push_back({60 * kS, {250, 2, 100, nan, 9, 1}});
  t.rows.push_back({120 * kS, {500, 2, 100, 0.5, 9, 1}});
  Stretch s;
  s.AddMetrics(t, [](uint64_t time) { return time >= 60 * kS; });
  EXPECT_EQ(s.stats().metric_rows, 2u);
  EXPECT_EQ(s.stats().metric_points, 7u);
  EXPECT_EQ(s.stats().missing_values, 1u);
  EXPECT_EQ(s.stats().unknown_columns, 1u);  // Mystery; Node* is left out on purpose
  const auto batches = s.Export(0);
  ASSERT_EQ(batches.size(), 2u);
  const auto& second = batches[1];
  EXPECT_EQ(second.resources[0].service_name, "ts-a-service");
  ASSERT_EQ(second.metrics.size(), 4u);
  EXPECT_EQ(second.metrics[0].name, "k8s.pod.cpu.usage");
  EXPECT_EQ(second.metrics[0].type, model::MetricType::kGauge);
  EXPECT_DOUBLE_EQ(second.metrics[0].points[0].value, 0.5);  // cores
  EXPECT_EQ(second.metrics[0].points[0].time_unix_nano, 120 * kS);
  EXPECT_DOUBLE_EQ(second.metrics[1].points[0].value, 2.0 * 1024 * 1024);
  EXPECT_EQ(second.metrics[1].unit, "By");
  EXPECT_EQ(model::StringAttribute(second.metrics[2].points[0].attributes, "network.io.direction"), "receive");
  EXPECT_EQ(second.metrics[3].name, "pod.server.latency.p90");
  EXPECT_EQ(batches[0].metrics.size(), 3u);  // the NaN latency gave no point

  MetricTable front;
  front.source = "Frontend";
  front.front = true;
  front.columns = {"SuccessRate(%)", "LatencyP99(s)"};
  front.rows.push_back({60 * kS, {0, 0.9}});
  Stretch f;
  f.AddMetrics(front, [](uint64_t) { return true; });
  const auto fb = f.Export(0);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fb[0].resources[0].service_name, "Frontend");
  EXPECT_EQ(model::StringAttribute(fb[0].resources[0].attributes, "k8s.pod.name"), "");
  EXPECT_EQ(fb[0].metrics[1].name, "service.latency.p99");
}

}  // namespace
}  // namespace augur::eval::nezha
