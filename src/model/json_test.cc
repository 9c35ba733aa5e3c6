#include "model/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace augur::model {
namespace {

using nlohmann::json;

// Keys in key order: objects come back sorted (see json.cc).
Attributes AllKinds() {
  return {
      {"array", {ArrayValue{{int64_t{1}}, {std::string("two")}, {ArrayValue{{true}, {}}}}}},
      {"bool", {false}},
      {"bytes", {Bytes{0, 1, 2, 0xfe, 0xff}}},
      {"double", {2.5}},
      {"empty", {}},
      {"empty_array", {ArrayValue{}}},
      {"empty_bytes", {Bytes{}}},
      {"empty_kvlist", {Attributes{}}},
      {"int", {int64_t{-42}}},
      {"int_max", {std::numeric_limits<int64_t>::max()}},
      {"int_min", {std::numeric_limits<int64_t>::min()}},
      {"kvlist", {Attributes{{"a", {int64_t{1}}}, {"nested", {Attributes{{"deep", {ArrayValue{{1.25}}}}}}}}}},
      {"small_double", {1e-300}},
      {"string", {std::string("héllo \"quoted\"\n")}},
      {"whole_double", {3.0}},
  };
}

TEST(JsonTest, AttributesRoundTripThroughText) {
  const Attributes attrs = AllKinds();
  const std::string text = ToJson(attrs).dump();
  EXPECT_EQ(AttributesFromJson(json::parse(text)), attrs);
}

TEST(JsonTest, ValueShapes) {
  EXPECT_EQ(ToJson(AnyValue{}), json(nullptr));
  EXPECT_EQ(ToJson(AnyValue{int64_t{7}}).dump(), "7");
  EXPECT_EQ(ToJson(AnyValue{3.0}).dump(), "3.0");
  EXPECT_EQ(ToJson(AnyValue{Bytes{'h', 'i'}}).dump(), R"({"bytes":"aGk="})");
  EXPECT_EQ(ToJson(AnyValue{Bytes{'a', 'b', 'c'}}).dump(), R"({"bytes":"YWJj"})");
  EXPECT_EQ(ToJson(AnyValue{Bytes{'a'}}).dump(), R"({"bytes":"YQ=="})");
  EXPECT_EQ(ToJson(Attributes{{"k", {ArrayValue{{true}}}}}).dump(), R"({"k":[true]})");
}

TEST(JsonTest, BytesOfEveryLengthRoundTrip) {
  Bytes b;
  for (int n = 0; n < 40; ++n) {
    EXPECT_EQ(AnyValueFromJson(ToJson(AnyValue{b})), AnyValue{b}) << n;
    b.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
  // Unpadded base64 is accepted too.
  EXPECT_EQ(AnyValueFromJson(json::parse(R"({"bytes":"aGk"})")), (AnyValue{Bytes{'h', 'i'}}));
}

TEST(JsonTest, NonFiniteDoubles) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(ToJson(AnyValue{nan}), json("NaN"));
  EXPECT_EQ(ToJson(AnyValue{inf}), json("Infinity"));
  EXPECT_EQ(ToJson(AnyValue{-inf}), json("-Infinity"));

  const Attributes back = AttributesFromJson(json::parse(ToJson(Attributes{{"n", {nan}}, {"p", {inf}}}).dump()));
  ASSERT_EQ(back.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<double>(back[0].value.value));
  EXPECT_TRUE(std::isnan(std::get<double>(back[0].value.value)));
  EXPECT_EQ(back[1].value, AnyValue{inf});
}

TEST(JsonTest, ObjectsComeBackInKeyOrder) {
  const Attributes attrs = {{"zeta", {int64_t{1}}}, {"alpha", {int64_t{2}}}};
  const Attributes back = AttributesFromJson(ToJson(attrs));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].key, "alpha");
  EXPECT_EQ(back[1].key, "zeta");
}

TEST(JsonTest, ForeignJson) {
  EXPECT_TRUE(AttributesFromJson(json()).empty());
  EXPECT_TRUE(AttributesFromJson(json::array({1, 2})).empty());
  EXPECT_TRUE(AttributesFromJson(json("text")).empty());
  // Non-negative integers parse as unsigned; too large for int64 becomes a double.
  EXPECT_EQ(AnyValueFromJson(json::parse("5")), AnyValue{int64_t{5}});
  EXPECT_EQ(AnyValueFromJson(json::parse("18446744073709551615")), AnyValue{18446744073709551615.0});
  // "bytes" that is not base64 stays a key-value list.
  EXPECT_EQ(AnyValueFromJson(json::parse(R"({"bytes":"not base64!"})")),
            (AnyValue{Attributes{{"bytes", {std::string("not base64!")}}}}));
}

Batch SampleBatch() {
  Batch b;
  b.resources.push_back(
      {{{"service.name", {std::string("writer")}}, {"service.version", {std::string("1")}}}, "writer", ""});
  b.scopes.push_back({"io.augur.test", "0.1", {}});
  return b;
}

TEST(JsonTest, SpanShape) {
  Batch b = SampleBatch();
  Span s;
  s.trace_id = {0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff};
  s.span_id = {0xaa, 0, 0, 0, 0, 0, 0, 0x01};
  s.flags = 1;
  s.name = "GET /items";
  s.kind = SpanKind::kServer;
  s.start_time_unix_nano = 1'700'000'000'000'000'000ULL;
  s.end_time_unix_nano = s.start_time_unix_nano + 12'500'000;
  s.attributes = {{"http.route", {std::string("/items")}}};
  s.status_code = StatusCode::kError;
  s.status_message = "boom";
  s.events.push_back({s.start_time_unix_nano + 1'000'000, "retry", {{"n", {int64_t{2}}}}});
  SpanLink link;
  link.trace_id[0] = 9;
  link.span_id[7] = 9;
  link.trace_state = "x=1";
  s.links.push_back(link);
  const json j = SpanToJson(b, s);
  const json want = json::parse(R"({
    "trace_id": "010200000000000000000000000000ff", "span_id": "aa00000000000001", "parent_span_id": "",
    "trace_state": "", "flags": 1, "name": "GET /items", "kind": "SERVER", "service": "writer",
    "start_time": "2023-11-14T22:13:20Z", "end_time": "2023-11-14T22:13:20.012500Z", "duration_ms": 12.5,
    "attributes": {"http.route": "/items"}, "status": {"code": "ERROR", "message": "boom"},
    "events": [{"time": "2023-11-14T22:13:20.001Z", "name": "retry", "attributes": {"n": 2}}],
    "links": [{"trace_id": "09000000000000000000000000000000", "span_id": "0000000000000009",
               "trace_state": "x=1", "attributes": {}}],
    "scope": {"name": "io.augur.test", "version": "0.1"},
    "resource": {"service.name": "writer", "service.version": "1"}})");
  EXPECT_EQ(j, want) << j.dump(2);
}

TEST(JsonTest, LogShape) {
  Batch b = SampleBatch();
  LogRecord l;
  l.observed_time_unix_nano = 1'700'000'000'000'000'000ULL;
  l.severity_number = 17;
  l.severity_text = "ERROR";
  l.body = {Attributes{{"msg", {std::string("timeout")}}}};
  l.span_id[0] = 1;
  l.event_name = "db.timeout";
  const json j = LogToJson(b, l);
  const json want = json::parse(R"({
    "time": "", "observed_time": "2023-11-14T22:13:20Z", "service": "writer",
    "severity_number": 17, "severity_text": "ERROR", "severity": "ERROR",
    "body": {"msg": "timeout"}, "attributes": {}, "trace_id": "", "span_id": "0100000000000000",
    "flags": 0, "event_name": "db.timeout",
    "scope": {"name": "io.augur.test", "version": "0.1"},
    "resource": {"service.name": "writer", "service.version": "1"}})");
  EXPECT_EQ(j, want) << j.dump(2);
}

TEST(JsonTest, MetricPointShapes) {
  Batch b = SampleBatch();
  Metric m;
  m.name = "http.server.duration";
  m.description = "d";
  m.unit = "ms";
  m.type = MetricType::kHistogram;
  m.temporality = Temporality::kCumulative;
  MetricPoint p;
  p.start_time_unix_nano = 1'700'000'000'000'000'000ULL;
  p.time_unix_nano = p.start_time_unix_nano + 60'000'000'000ULL;
  HistogramValue h;
  h.count = 10;
  h.has_sum = h.has_min = h.has_max = true;
  h.sum = 35;
  h.min = 1;
  h.max = 9;
  h.explicit_bounds = {0, 5, 10};
  h.bucket_counts = {0, 6, 4, 0};
  p.distribution = h;
  const json want = json::parse(R"({
    "service": "writer", "name": "http.server.duration", "description": "d", "unit": "ms",
    "type": "histogram", "temporality": "cumulative", "monotonic": false,
    "start_time": "2023-11-14T22:13:20Z", "time": "2023-11-14T22:14:20Z", "attributes": {}, "flags": 0,
    "histogram": {"count": 10, "sum": 35.0, "min": 1.0, "max": 9.0,
                  "explicit_bounds": [0.0, 5.0, 10.0], "bucket_counts": [0, 6, 4, 0]},
    "scope": {"name": "io.augur.test", "version": "0.1"},
    "resource": {"service.name": "writer", "service.version": "1"}})");
  json j = MetricPointToJson(b, m, p);
  EXPECT_EQ(j, want) << j.dump(2);

  ExponentialHistogramValue e;
  e.count = 3;
  e.scale = 2;
  e.zero_count = 1;
  e.positive_offset = -1;
  e.positive_bucket_counts = {1, 1};
  p.distribution = e;
  j = MetricPointToJson(b, m, p);
  EXPECT_EQ(j["exponential_histogram"], json::parse(R"({"count": 3, "scale": 2, "zero_count": 1,
      "zero_threshold": 0.0, "positive": {"offset": -1, "bucket_counts": [1, 1]},
      "negative": {"offset": 0, "bucket_counts": []}})"));
  EXPECT_FALSE(j.contains("value"));

  SummaryValue s;
  s.count = 10;
  s.sum = 35;
  s.quantiles = {{0.99, 9.0}};
  p.distribution = s;
  j = MetricPointToJson(b, m, p);
  EXPECT_EQ(j["summary"],
            json::parse(R"({"count": 10, "sum": 35.0, "quantiles": [{"quantile": 0.99, "value": 9.0}]})"));

  m.type = MetricType::kSum;
  m.monotonic = true;
  p.distribution = std::monostate{};
  p.value = 3.5;
  j = MetricPointToJson(b, m, p);
  EXPECT_EQ(j["value"], json(3.5));
  EXPECT_EQ(j["monotonic"], json(true));
  EXPECT_FALSE(j.contains("histogram"));
  p.value = 4;
  p.is_int = true;
  EXPECT_EQ(MetricPointToJson(b, m, p)["value"].dump(), "4");
  p.value = std::numeric_limits<double>::quiet_NaN();
  p.is_int = false;
  EXPECT_EQ(MetricPointToJson(b, m, p)["value"], json("NaN"));
}

TEST(JsonTest, ResourceShape) {
  const Batch b = SampleBatch();
  EXPECT_EQ(ResourceToJson(b.resources[0]),
            json::parse(R"({"attributes": {"service.name": "writer", "service.version": "1"}})"));
}

TEST(JsonTest, OutOfRangeIndexesDoNotCrash) {
  const Batch empty;
  Span s;
  s.resource_index = 3;
  s.scope_index = 3;
  const json j = SpanToJson(empty, s);
  EXPECT_EQ(j["service"], json(""));
  EXPECT_EQ(j["scope"]["name"], json(""));
}

}  // namespace
}  // namespace augur::model
