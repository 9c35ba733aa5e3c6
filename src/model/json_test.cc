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

Anomaly SampleAnomaly() {
  Anomaly a;
  a.id = "an-0123456789abcdef";
  a.series = {"span.duration", "writer", "POST /items", {{"kind", "SERVER"}, {"peer", "db"}}};
  a.kind = "latency";
  a.direction = "up";
  a.quantity = "p90";
  a.unit = "ms";
  a.detector = "cusum";
  a.onset_ns = 1'700'000'000'000'000'001ULL;
  a.detected_ns = 1'700'000'030'000'000'000ULL;
  a.updated_ns = 1'700'000'040'000'000'000ULL;
  a.before = 41;
  a.observed = 380.5;
  a.expected_low = 30;
  a.expected_high = 55;
  a.score = 0.9;
  a.explanation = "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms";
  return a;
}

TEST(JsonTest, AnomalyShape) {
  Anomaly a = SampleAnomaly();
  json j = AnomalyToJson(a);
  EXPECT_EQ(j, json::parse(R"({
    "id": "an-0123456789abcdef",
    "series": {"metric": "span.duration", "service": "writer", "operation": "POST /items",
               "attributes": {"kind": "SERVER", "peer": "db"}},
    "kind": "latency", "direction": "up", "quantity": "p90", "unit": "ms", "detector": "cusum",
    "status": "ongoing",
    "onset_time": "2023-11-14T22:13:20.000000001Z", "detected_time": "2023-11-14T22:13:50Z",
    "end_time": null, "updated_time": "2023-11-14T22:14:00Z",
    "values": {"before": 41.0, "observed": 380.5, "expected_low": 30.0, "expected_high": 55.0},
    "score": 0.9,
    "explanation": "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms"})"));

  a.end_ns = a.updated_ns;
  a.kind = "forecast";
  a.limit = 100;
  a.predicted_ns = 1'700'003'600'000'000'000ULL;
  a.observed = std::numeric_limits<double>::quiet_NaN();
  j = AnomalyToJson(a);
  EXPECT_EQ(j["status"], json("closed"));
  EXPECT_EQ(j["end_time"], json("2023-11-14T22:14:00Z"));
  EXPECT_EQ(j["values"]["observed"], json("NaN"));
  EXPECT_EQ(j["forecast"], json::parse(R"({"limit": 100.0, "predicted_time": "2023-11-14T23:13:20Z"})"));
}

TEST(JsonTest, ChangeEventShape) {
  ChangeEvent e;
  e.id = "ev-00000000000000aa";
  e.type = ChangeType::kConfigChange;
  e.service = "writer";
  e.time_ns = 1'700'000'000'500'000'000ULL;
  e.version = "";
  e.source = "api";
  e.sources = {"api", "telemetry"};
  e.description = "pool size";
  e.changes = {{"db.pool.size", "10", "2"}};
  EXPECT_EQ(ChangeEventToJson(e), json::parse(R"({
    "id": "ev-00000000000000aa", "type": "CONFIG_CHANGE", "service": "writer",
    "time": "2023-11-14T22:13:20.500Z", "version": "", "previous_version": "",
    "source": "api", "sources": ["api", "telemetry"], "description": "pool size",
    "changes": [{"key": "db.pool.size", "old": "10", "new": "2"}]})"));
}

TEST(JsonTest, ChangeEventRoundTripsThroughItsJson) {
  ChangeEvent e;
  e.id = "ev-1";
  e.type = ChangeType::kSchemaChange;
  e.service = "db";
  e.time_ns = 1'700'000'000'123'456'789ULL;
  e.version = "v2";
  e.previous_version = "v1";
  e.source = "cli";
  e.sources = {"cli"};
  e.description = "add index";
  e.changes = {{"a", "", "1"}, {"b", "x", ""}};
  auto back = ChangeEventFromJson(json::parse(ChangeEventToJson(e).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(JsonTest, ChangeEventFromJsonDefaultsAndTimes) {
  auto e = ChangeEventFromJson(json::parse(R"({"service": "writer", "unknown": {"ignored": true}, "version": null})"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type, ChangeType::kDeployment);
  EXPECT_EQ(e->service, "writer");
  EXPECT_EQ(e->time_ns, 0u);
  EXPECT_EQ(e->id, "");
  EXPECT_TRUE(e->changes.empty());

  const uint64_t t = 1'700'000'000'000'000'000ULL;
  for (const char* time : {R"("2023-11-14T22:13:20Z")", "1700000000", "1700000000000", "1700000000000000000"}) {
    auto parsed = ChangeEventFromJson(json::parse(std::string(R"({"service": "s", "time": )") + time + "}"));
    ASSERT_TRUE(parsed.ok()) << time << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->time_ns, t) << time;
  }
}

TEST(JsonTest, ChangeEventFromJsonRejectsBadInput) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([1, 2])", "JSON object"},
      {R"({})", "service is required"},
      {R"({"service": ""})", "service is required"},
      {R"({"service": 7})", "service must be a string"},
      {R"({"service": "s", "type": "REBOOT"})", "type must be DEPLOYMENT"},
      {R"({"service": "s", "time": "yesterday"})", "time: "},
      {R"({"service": "s", "time": -5})", "time must be"},
      {R"({"service": "s", "time": 1.5})", "time must be"},
      {R"({"service": "s", "changes": {"a": "b"}})", "changes must be an array"},
      {R"({"service": "s", "changes": [{"key": "a", "new": 3}]})", "changes[0].new must be a string"},
      {R"({"service": "s", "changes": [{"key": "a"}, {"old": "x"}]})", "changes[1].key is required"},
      {R"({"service": "s", "changes": ["a"]})", "changes[0] must be an object"},
      {R"({"service": "s", "sources": ["a", 1]})", "sources must be an array of strings"},
      {R"({"service": "s", "description": ["x"]})", "description must be a string"},
  };
  for (const auto& [text, want] : cases) {
    auto e = ChangeEventFromJson(json::parse(text));
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(e.status().message().find(want), std::string::npos) << text << ": " << e.status().message();
  }
  json big = {{"service", "s"}, {"id", std::string(kMaxEventId + 1, 'x')}};
  EXPECT_FALSE(ChangeEventFromJson(big).ok());
  big = {{"service", "s"}, {"changes", json::array()}};
  for (size_t i = 0; i <= kMaxEventChanges; ++i) big["changes"].push_back({{"key", "k"}});
  auto e = ChangeEventFromJson(big);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("more than"), std::string::npos);
}

}  // namespace
}  // namespace augur::model
