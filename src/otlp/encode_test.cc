#include "otlp/encode.h"

#include <gtest/gtest.h>

#include "otlp/decode.h"

namespace augur::otlp {
namespace {

model::Batch Sample() {
  model::Batch b;
  model::Resource r;
  r.attributes = {{"service.name", {std::string("writer")}}, {"n", {int64_t{3}}}};
  r.service_name = "writer";
  b.resources = {r};
  model::Scope sc;
  sc.name = "lib";
  sc.version = "1.0";
  b.scopes = {sc};
  model::Span s;
  s.trace_id.fill(1);
  s.span_id.fill(2);
  s.parent_span_id.fill(3);
  s.name = "POST /items";
  s.kind = model::SpanKind::kServer;
  s.start_time_unix_nano = 1'700'000'000'000'000'000;
  s.end_time_unix_nano = s.start_time_unix_nano + 5'000'000;
  s.attributes = {{"http.response.status_code", {int64_t{500}}},
                  {"list", {model::ArrayValue{{true}, {1.5}}}},
                  {"map", {model::Attributes{{"k", {std::string("v")}}}}}};
  s.events = {{s.start_time_unix_nano + 1, "exception", {{"x", {std::string("y")}}}}};
  s.status_code = model::StatusCode::kError;
  s.status_message = "boom";
  b.spans = {s};
  model::Metric gauge;
  gauge.name = "process.memory.usage";
  gauge.unit = "By";
  gauge.type = model::MetricType::kGauge;
  model::MetricPoint p;
  p.time_unix_nano = s.end_time_unix_nano;
  p.value = 42;
  p.is_int = true;
  gauge.points = {p};
  model::Metric histogram;
  histogram.name = "latency";
  histogram.type = model::MetricType::kHistogram;
  histogram.temporality = model::Temporality::kCumulative;
  model::MetricPoint hp;
  hp.time_unix_nano = p.time_unix_nano;
  hp.start_time_unix_nano = 1;
  model::HistogramValue h;
  h.count = 3;
  h.has_sum = true;
  h.sum = 30;
  h.explicit_bounds = {5, 10};
  h.bucket_counts = {1, 1, 1};
  hp.distribution = h;
  histogram.points = {hp};
  b.metrics = {gauge, histogram};
  model::LogRecord l;
  l.time_unix_nano = p.time_unix_nano;
  l.severity_number = 17;
  l.severity_text = "ERROR";
  l.body = {std::string("timeout writing item")};
  l.trace_id = s.trace_id;
  l.span_id = s.span_id;
  b.logs = {l};
  return b;
}

TEST(Encode, DecodeGivesTheBatchBack) {
  const model::Batch in = Sample();
  auto traces = Decode(Signal::kTraces, Encoding::kProtobuf, EncodeTraces(in));
  ASSERT_TRUE(traces.ok());
  EXPECT_EQ(traces->rejected, 0);
  ASSERT_EQ(traces->batch.spans.size(), 1u);
  EXPECT_EQ(traces->batch.spans[0], in.spans[0]);
  EXPECT_EQ(traces->batch.resources, in.resources);
  EXPECT_EQ(traces->batch.scopes, in.scopes);

  auto metrics = Decode(Signal::kMetrics, Encoding::kProtobuf, EncodeMetrics(in));
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->batch.metrics, in.metrics);

  auto logs = Decode(Signal::kLogs, Encoding::kProtobuf, EncodeLogs(in));
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->batch.logs, in.logs);
}

TEST(Encode, ItemsOfTwoResourcesAreGroupedUnderEach) {
  model::Batch in = Sample();
  in.resources.push_back(in.resources[0]);
  in.resources[1].service_name = "reader";
  in.resources[1].attributes[0].value = {std::string("reader")};
  model::Span second = in.spans[0];
  second.resource_index = 1;
  second.span_id.fill(9);
  in.spans = {in.spans[0], second, in.spans[0]};
  auto out = Decode(Signal::kTraces, Encoding::kProtobuf, EncodeTraces(in));
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->batch.resources.size(), 2u);
  ASSERT_EQ(out->batch.spans.size(), 3u);
  // The writer's two spans come first (one ResourceSpans), then the reader's.
  EXPECT_EQ(out->batch.resources[out->batch.spans[2].resource_index].service_name, "reader");
}

}  // namespace
}  // namespace augur::otlp
