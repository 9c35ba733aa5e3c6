#include "otlp/decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/nested_value_test.h"

namespace augur::otlp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

// The ids of the OTLP specification's JSON example.
const std::string kTraceIdHex = "5b8efff798038103d269b633813fc60c";
const std::string kSpanIdHex = "eee19b7ec3c1b174";
const std::string kParentIdHex = "eee19b7ec3c1b173";
constexpr uint64_t kStart = 1544712660000000000;
constexpr uint64_t kEnd = 1544712661000000000;

std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

template <size_t N>
std::array<uint8_t, N> Id(std::string_view hex) {
  std::array<uint8_t, N> id{};
  const std::string bytes = Bytes(hex);
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

void AddString(google::protobuf::RepeatedPtrField<common_pb::KeyValue>* attributes, const std::string& key,
               const std::string& value) {
  auto* kv = attributes->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

model::AnyValue Str(std::string s) {
  return model::AnyValue{std::move(s)};
}

DecodeResult MustDecode(Signal signal, Encoding encoding, std::string_view body) {
  StatusOr<DecodeResult> result = Decode(signal, encoding, body);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return {};
  return std::move(result).value();
}

void ExpectSameBatch(const model::Batch& a, const model::Batch& b) {
  EXPECT_EQ(a.resources, b.resources);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.spans, b.spans);
  EXPECT_EQ(a.metrics, b.metrics);
  EXPECT_EQ(a.logs, b.logs);
}

// ---- Traces ----

trace_pb::Span* AddValidSpan(ExportTraceServiceRequest* request) {
  if (request->resource_spans_size() == 0) request->add_resource_spans()->add_scope_spans();
  auto* span = request->mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans();
  span->set_trace_id(Bytes(kTraceIdHex));
  span->set_span_id(Bytes(kSpanIdHex));
  span->set_name("GET");
  span->set_start_time_unix_nano(kStart);
  span->set_end_time_unix_nano(kEnd);
  return span;
}

// The span of kTraceJson, built with the generated classes.
ExportTraceServiceRequest TraceRequest() {
  ExportTraceServiceRequest request;
  auto* rs = request.add_resource_spans();
  rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  AddString(rs->mutable_resource()->mutable_attributes(), "service.name", "writer");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("x");
  ss->mutable_scope()->set_version("1.2");
  auto* span = ss->add_spans();
  span->set_trace_id(Bytes(kTraceIdHex));
  span->set_span_id(Bytes(kSpanIdHex));
  span->set_parent_span_id(Bytes(kParentIdHex));
  span->set_trace_state("k=v");
  span->set_flags(1);
  span->set_name("GET");
  span->set_kind(trace_pb::Span::SPAN_KIND_SERVER);
  span->set_start_time_unix_nano(kStart);
  span->set_end_time_unix_nano(kEnd);
  AddString(span->mutable_attributes(), "http.method", "GET");
  auto* attributes = span->mutable_attributes();
  auto* kv = attributes->Add();
  kv->set_key("http.status_code");
  kv->mutable_value()->set_int_value(200);
  kv = attributes->Add();
  kv->set_key("ratio");
  kv->mutable_value()->set_double_value(0.5);
  kv = attributes->Add();
  kv->set_key("ok");
  kv->mutable_value()->set_bool_value(true);
  kv = attributes->Add();
  kv->set_key("raw");
  kv->mutable_value()->set_bytes_value(std::string("\x01\xff", 2));
  kv = attributes->Add();
  kv->set_key("list");
  auto* array = kv->mutable_value()->mutable_array_value();
  array->add_values()->set_string_value("a");
  array->add_values()->set_int_value(7);
  kv = attributes->Add();
  kv->set_key("map");
  AddString(kv->mutable_value()->mutable_kvlist_value()->mutable_values(), "inner", "v");
  kv = attributes->Add();
  kv->set_key("empty");
  kv->mutable_value();
  auto* event = span->add_events();
  event->set_time_unix_nano(kStart + 5);
  event->set_name("exception");
  AddString(event->mutable_attributes(), "exception.type", "E");
  auto* link = span->add_links();
  link->set_trace_id(Bytes(kTraceIdHex));
  link->set_span_id(Bytes(kParentIdHex));
  link->set_trace_state("a=b");
  link->set_flags(257);
  AddString(link->mutable_attributes(), "l", "x");
  span->mutable_status()->set_code(trace_pb::Status::STATUS_CODE_ERROR);
  span->mutable_status()->set_message("boom");
  return request;
}

// TraceRequest() as the OTel JS SDK sends it.
const char* kTraceJson = R"({"resourceSpans":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"writer"}}],"droppedAttributesCount":0},
  "schemaUrl":"https://opentelemetry.io/schemas/1.21.0",
  "scopeSpans":[{"scope":{"name":"x","version":"1.2"},"spans":[{
    "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
    "parentSpanId":"EEE19B7EC3C1B173","traceState":"k=v","flags":1,"name":"GET","kind":2,
    "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,
    "attributes":[
      {"key":"http.method","value":{"stringValue":"GET"}},
      {"key":"http.status_code","value":{"intValue":"200"}},
      {"key":"ratio","value":{"doubleValue":0.5}},
      {"key":"ok","value":{"boolValue":true}},
      {"key":"raw","value":{"bytesValue":"Af8="}},
      {"key":"list","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":7}]}}},
      {"key":"map","value":{"kvlistValue":{"values":[{"key":"inner","value":{"stringValue":"v"}}]}}},
      {"key":"empty","value":{}}],
    "droppedAttributesCount":0,
    "events":[{"timeUnixNano":"1544712660000000005","name":"exception",
      "attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}],
    "links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b173",
      "traceState":"a=b","flags":257,"attributes":[{"key":"l","value":{"stringValue":"x"}}]}],
    "status":{"code":2,"message":"boom"}}]}]}]})";

void ExpectTraceRequestDecoded(const DecodeResult& result) {
  EXPECT_EQ(result.rejected, 0);
  EXPECT_EQ(result.error_message, "");
  const model::Batch& batch = result.batch;
  ASSERT_EQ(batch.resources.size(), 1u);
  EXPECT_EQ(batch.resources[0].service_name, "writer");
  EXPECT_EQ(batch.resources[0].schema_url, "https://opentelemetry.io/schemas/1.21.0");
  ASSERT_EQ(batch.scopes.size(), 1u);
  EXPECT_EQ(batch.scopes[0].name, "x");
  EXPECT_EQ(batch.scopes[0].version, "1.2");
  ASSERT_EQ(batch.spans.size(), 1u);
  const model::Span& span = batch.spans[0];
  EXPECT_EQ(span.resource_index, 0u);
  EXPECT_EQ(span.scope_index, 0u);
  EXPECT_EQ(span.trace_id, Id<16>(kTraceIdHex));
  EXPECT_EQ(span.span_id, Id<8>(kSpanIdHex));
  EXPECT_EQ(span.parent_span_id, Id<8>(kParentIdHex));
  EXPECT_EQ(span.trace_state, "k=v");
  EXPECT_EQ(span.flags, 1u);
  EXPECT_EQ(span.name, "GET");
  EXPECT_EQ(span.kind, model::SpanKind::kServer);
  EXPECT_EQ(span.start_time_unix_nano, kStart);
  EXPECT_EQ(span.end_time_unix_nano, kEnd);
  const model::Attributes want = {
      {"http.method", Str("GET")},
      {"http.status_code", {int64_t{200}}},
      {"ratio", {0.5}},
      {"ok", {true}},
      {"raw", {model::Bytes{1, 255}}},
      {"list", {model::ArrayValue{Str("a"), {int64_t{7}}}}},
      {"map", {model::Attributes{{"inner", Str("v")}}}},
      {"empty", {}},
  };
  EXPECT_EQ(span.attributes, want);
  ASSERT_EQ(span.events.size(), 1u);
  EXPECT_EQ(span.events[0].time_unix_nano, kStart + 5);
  EXPECT_EQ(span.events[0].name, "exception");
  EXPECT_EQ(span.events[0].attributes, (model::Attributes{{"exception.type", Str("E")}}));
  ASSERT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.links[0].trace_id, Id<16>(kTraceIdHex));
  EXPECT_EQ(span.links[0].span_id, Id<8>(kParentIdHex));
  EXPECT_EQ(span.links[0].trace_state, "a=b");
  EXPECT_EQ(span.links[0].flags, 257u);
  EXPECT_EQ(span.links[0].attributes, (model::Attributes{{"l", Str("x")}}));
  EXPECT_EQ(span.status_code, model::StatusCode::kError);
  EXPECT_EQ(span.status_message, "boom");
}

TEST(DecodeTraces, Protobuf) {
  ExpectTraceRequestDecoded(MustDecode(Signal::kTraces, Encoding::kProtobuf, TraceRequest().SerializeAsString()));
}

TEST(DecodeTraces, FromProtoMatchesDecode) {
  const DecodeResult a = FromProto(TraceRequest());
  const DecodeResult b = MustDecode(Signal::kTraces, Encoding::kProtobuf, TraceRequest().SerializeAsString());
  ExpectSameBatch(a.batch, b.batch);
}

TEST(DecodeTraces, Json) {
  ExpectTraceRequestDecoded(MustDecode(Signal::kTraces, Encoding::kJson, kTraceJson));
}

TEST(DecodeTraces, JsonAndProtobufAgree) {
  const DecodeResult json = MustDecode(Signal::kTraces, Encoding::kJson, kTraceJson);
  const DecodeResult proto = FromProto(TraceRequest());
  ExpectSameBatch(json.batch, proto.batch);
}

TEST(DecodeTraces, JsonSnakeCaseKeysAndEnumNames) {
  const char* json = R"({"resource_spans":[{"resource":{"attributes":[
    {"key":"service.name","value":{"string_value":"writer"}}]},
    "scope_spans":[{"scope":{"name":"x"},"spans":[{
      "trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
      "parent_span_id":"","name":"GET","kind":"SPAN_KIND_CLIENT",
      "start_time_unix_nano":"1544712660000000000","end_time_unix_nano":"1544712661000000000",
      "status":{"code":"STATUS_CODE_OK"}}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  const model::Span& span = result.batch.spans[0];
  EXPECT_EQ(span.trace_id, Id<16>(kTraceIdHex));
  EXPECT_EQ(span.span_id, Id<8>(kSpanIdHex));
  EXPECT_TRUE(model::IsZero(span.parent_span_id));
  EXPECT_EQ(span.kind, model::SpanKind::kClient);
  EXPECT_EQ(span.status_code, model::StatusCode::kOk);
  EXPECT_EQ(result.batch.resources[0].service_name, "writer");
}

TEST(DecodeTraces, JsonIgnoresUnknownFields) {
  const char* json = R"({"futureTopLevel":{"a":[1,{"b":null}]},"resourceSpans":[{"resource":{"attributes":[],
    "newField":"x"},"scopeSpans":[{"scope":{"name":"x","extra":[[]]},"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET",
      "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000",
      "somethingNew":{"deep":{"er":true}},"alsoNew":[1,2,3]}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  EXPECT_EQ(result.rejected, 0);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  EXPECT_EQ(result.batch.spans[0].name, "GET");
}

TEST(DecodeTraces, JsonIntValueAsStringOrNumber) {
  const char* json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
      "startTimeUnixNano":1544712660000000000,"endTimeUnixNano":"1544712661000000000",
      "attributes":[{"key":"s","value":{"intValue":"-9223372036854775808"}},
                    {"key":"n","value":{"intValue":42}}]}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  EXPECT_EQ(result.batch.spans[0].attributes, (model::Attributes{{"s", {INT64_MIN}}, {"n", {int64_t{42}}}}));
  EXPECT_EQ(result.batch.spans[0].start_time_unix_nano, kStart);
}

TEST(DecodeTraces, JsonEscapedStringsSurvive) {
  const char* json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
      "startTimeUnixNano":"1","endTimeUnixNano":"2",
      "name":"q\"b\\s\/\n\t\u0001\u00e9\ud83d\ude00"}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  EXPECT_EQ(result.batch.spans[0].name, "q\"b\\s/\n\t\x01\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(DecodeTraces, MissingServiceNameIsUnknownService) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  const DecodeResult result = FromProto(request);
  ASSERT_EQ(result.batch.resources.size(), 1u);
  EXPECT_EQ(result.batch.resources[0].service_name, "unknown_service");
}

TEST(DecodeTraces, OneScopePerScopeSpansAndOnlyUsedContexts) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  // The same scope again, in a second ScopeSpans: its own model::Scope.
  auto* again = request.mutable_resource_spans(0)->add_scope_spans();
  *again = request.resource_spans(0).scope_spans(0);
  // A resource whose only span is invalid adds no resource or scope.
  auto* empty = request.add_resource_spans();
  AddString(empty->mutable_resource()->mutable_attributes(), "service.name", "ghost");
  empty->add_scope_spans()->add_spans()->set_name("invalid");
  // A third resource with a valid span.
  auto* third = request.add_resource_spans();
  AddString(third->mutable_resource()->mutable_attributes(), "service.name", "third");
  *third->add_scope_spans()->add_spans() = request.resource_spans(0).scope_spans(0).spans(0);

  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1);
  const model::Batch& batch = result.batch;
  ASSERT_EQ(batch.resources.size(), 2u);
  EXPECT_EQ(batch.resources[1].service_name, "third");
  ASSERT_EQ(batch.scopes.size(), 3u);
  ASSERT_EQ(batch.spans.size(), 3u);
  EXPECT_EQ(batch.spans[0].resource_index, 0u);
  EXPECT_EQ(batch.spans[0].scope_index, 0u);
  EXPECT_EQ(batch.spans[1].resource_index, 0u);
  EXPECT_EQ(batch.spans[1].scope_index, 1u);
  EXPECT_EQ(batch.spans[2].resource_index, 1u);
  EXPECT_EQ(batch.spans[2].scope_index, 2u);
}

// ---- Span rejections ----

struct SpanCase {
  const char* name;
  void (*mutate)(trace_pb::Span*);
  const char* problem;
};

class SpanRejection : public ::testing::TestWithParam<SpanCase> {};

TEST_P(SpanRejection, RejectsOnlyTheBadSpan) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  GetParam().mutate(AddValidSpan(&request));
  AddValidSpan(&request)->set_name("last");
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1);
  EXPECT_EQ(result.error_message,
            std::string("rejected 1 span: resource_spans[0].scope_spans[0].spans[1]: ") + GetParam().problem);
  ASSERT_EQ(result.batch.spans.size(), 2u);
  EXPECT_EQ(result.batch.spans[1].name, "last");
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SpanRejection,
    ::testing::Values(
        SpanCase{"ShortTraceId", [](trace_pb::Span* s) { s->set_trace_id("12345"); }, "trace_id has 5 bytes, want 16"},
        SpanCase{"NoTraceId", [](trace_pb::Span* s) { s->clear_trace_id(); }, "trace_id has 0 bytes, want 16"},
        SpanCase{"ZeroTraceId", [](trace_pb::Span* s) { s->set_trace_id(std::string(16, '\0')); },
                 "trace_id is all zero"},
        SpanCase{"LongSpanId", [](trace_pb::Span* s) { s->set_span_id("123456789"); }, "span_id has 9 bytes, want 8"},
        SpanCase{"ZeroSpanId", [](trace_pb::Span* s) { s->set_span_id(std::string(8, '\0')); }, "span_id is all zero"},
        SpanCase{"BadParent", [](trace_pb::Span* s) { s->set_parent_span_id("123"); },
                 "parent_span_id has 3 bytes, want 0 or 8"},
        SpanCase{"EndBeforeStart", [](trace_pb::Span* s) { s->set_end_time_unix_nano(kStart - 1); },
                 "end_time_unix_nano is before start"},
        SpanCase{"NoStart",
                 [](trace_pb::Span* s) {
                   s->set_start_time_unix_nano(0);
                   s->set_end_time_unix_nano(0);
                 },
                 "start_time_unix_nano is 0"}),
    [](const ::testing::TestParamInfo<SpanCase>& info) { return std::string(info.param.name); });

TEST(DecodeTraces, EqualStartAndEndIsValid) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request)->set_end_time_unix_nano(kStart);
  EXPECT_EQ(FromProto(request).rejected, 0);
}

TEST(DecodeTraces, BadLinkIdsBecomeAbsent) {
  ExportTraceServiceRequest request;
  auto* link = AddValidSpan(&request)->add_links();
  link->set_trace_id("short");
  link->set_span_id(Bytes(kSpanIdHex));
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 0);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  ASSERT_EQ(result.batch.spans[0].links.size(), 1u);
  EXPECT_TRUE(model::IsZero(result.batch.spans[0].links[0].trace_id));
  EXPECT_EQ(result.batch.spans[0].links[0].span_id, Id<8>(kSpanIdHex));
}

TEST(DecodeTraces, ErrorMessageNamesFirstFiveProblems) {
  ExportTraceServiceRequest request;
  for (int i = 0; i < 1000; ++i) AddValidSpan(&request)->set_trace_id("bad");
  AddValidSpan(&request);
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1000);
  EXPECT_EQ(result.batch.spans.size(), 1u);
  EXPECT_THAT(result.error_message,
              StartsWith("rejected 1000 spans: resource_spans[0].scope_spans[0].spans[0]: trace_id has 3 bytes, "
                         "want 16; resource_spans[0].scope_spans[0].spans[1]: "));
  EXPECT_THAT(result.error_message, HasSubstr("spans[4]: "));
  EXPECT_THAT(result.error_message, ::testing::Not(HasSubstr("spans[5]: ")));
  EXPECT_THAT(result.error_message, ::testing::EndsWith("; ..."));
  EXPECT_LT(result.error_message.size(), 500u);
}

TEST(DecodeTraces, JsonBadHexIdRejectsOnlyThatSpan) {
  const char* json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1","endTimeUnixNano":"1"},
      {"traceId":"not hex at all, but 32 chars!!!!","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1","endTimeUnixNano":"1"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17","startTimeUnixNano":"1","endTimeUnixNano":"1"},
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"xx",
       "startTimeUnixNano":"1","endTimeUnixNano":"1"}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  EXPECT_EQ(result.rejected, 3);
  EXPECT_EQ(result.batch.spans.size(), 1u);
  EXPECT_THAT(result.error_message, HasSubstr("spans[1]: trace_id has 1 bytes, want 16"));
  EXPECT_THAT(result.error_message, HasSubstr("spans[2]: span_id has 1 bytes, want 8"));
  EXPECT_THAT(result.error_message, HasSubstr("spans[3]: parent_span_id has 1 bytes, want 0 or 8"));
}

TEST(DecodeTraces, JsonBadHexInLinkKeepsSpan) {
  const char* json = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1","endTimeUnixNano":"1",
       "links":[{"traceId":"zz","spanId":"eee19b7ec3c1b174"}]}]}]}]})";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  EXPECT_EQ(result.rejected, 0);
  ASSERT_EQ(result.batch.spans.size(), 1u);
  EXPECT_TRUE(model::IsZero(result.batch.spans[0].links[0].trace_id));
  EXPECT_EQ(result.batch.spans[0].links[0].span_id, Id<8>(kSpanIdHex));
}

// ---- Nesting ----

TEST(DecodeNesting, ValuesUpTo32LevelsAreKept) {
  ExportTraceServiceRequest request;
  auto* kv = AddValidSpan(&request)->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(32);
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kProtobuf, request.SerializeAsString());
  EXPECT_EQ(result.rejected, 0);
  ASSERT_EQ(result.batch.spans.size(), 1u);
}

TEST(DecodeNesting, DeeperValuesRejectTheItem) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  auto* kv = AddValidSpan(&request)->add_events()->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(33);
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kProtobuf, request.SerializeAsString());
  EXPECT_EQ(result.rejected, 1);
  EXPECT_EQ(result.batch.spans.size(), 1u);
  EXPECT_THAT(result.error_message, HasSubstr("spans[1]: attribute value nested deeper than 32 levels"));
}

TEST(DecodeNesting, DeepKvlistInLogBodyRejectsTheLog) {
  common_pb::AnyValue value;
  value.set_int_value(1);
  for (int i = 0; i < 40; ++i) {
    common_pb::AnyValue outer;
    auto* kv = outer.mutable_kvlist_value()->add_values();
    kv->set_key("k");
    *kv->mutable_value() = std::move(value);
    value = std::move(outer);
  }
  ExportLogsServiceRequest request;
  auto* logs = request.add_resource_logs()->add_scope_logs();
  *logs->add_log_records()->mutable_body() = value;
  logs->add_log_records();
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1);
  EXPECT_EQ(result.batch.logs.size(), 1u);
}

TEST(DecodeNesting, DeepResourceAttributeRejectsAllItsItems) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  AddValidSpan(&request);
  auto* kv = request.mutable_resource_spans(0)->mutable_resource()->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(40);
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 2);
  EXPECT_TRUE(result.batch.spans.empty());
  EXPECT_TRUE(result.batch.resources.empty());
  EXPECT_EQ(result.error_message,
            "rejected 2 spans: resource_spans[0].resource: attribute value nested deeper than 32 levels");
}

TEST(DecodeNesting, DeepScopeAttributeRejectsAllItsItems) {
  ExportTraceServiceRequest request;
  AddValidSpan(&request);
  auto* kv = request.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_scope()->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(40);
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1);
  EXPECT_THAT(result.error_message, HasSubstr("resource_spans[0].scope_spans[0].scope: attribute value"));
}

TEST(DecodeNesting, ProtobufBeyondParserLimitIsInvalid) {
  ExportTraceServiceRequest request;
  auto* kv = AddValidSpan(&request)->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(200);
  StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kProtobuf, request.SerializeAsString());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
}

TEST(DecodeNesting, DeepJsonIsInvalidNotACrash) {
  for (const std::string& opener : {std::string("["), std::string("{\"a\":")}) {
    std::string json;
    for (int i = 0; i < 100000; ++i) json += opener;
    StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, json);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(result.status().message(), HasSubstr("nested deeper than 100 levels"));
  }
}

TEST(DecodeNesting, JsonValuesAsDeepAsTheDocumentLimitAllows) {
  // 9 levels of request structure, then 3 per nested array value.
  std::string value = R"({"stringValue":"core"})";
  const int levels = 30;
  for (int i = 0; i < levels; ++i) value = R"({"arrayValue":{"values":[)" + value + "]}}";
  const std::string json =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",)"
      R"("spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1","endTimeUnixNano":"1","attributes":[{"key":"deep","value":)" +
      value + "}]}]}]}]}";
  const DecodeResult result = MustDecode(Signal::kTraces, Encoding::kJson, json);
  EXPECT_EQ(result.rejected, 0);
  EXPECT_EQ(result.batch.spans.size(), 1u);
}

// ---- Broken bodies ----

TEST(DecodeErrors, TruncatedProtobuf) {
  const std::string body = TraceRequest().SerializeAsString();
  for (size_t size : {body.size() - 1, body.size() / 2, size_t{3}}) {
    StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kProtobuf, body.substr(0, size));
    ASSERT_FALSE(result.ok()) << size;
    EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(result.status().message(), StartsWith("cannot parse ExportTraceServiceRequest protobuf: "));
  }
}

TEST(DecodeErrors, JsonSentAsProtobufGetsAHint) {
  StatusOr<DecodeResult> result = Decode(Signal::kMetrics, Encoding::kProtobuf, kTraceJson);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), StartsWith("cannot parse ExportMetricsServiceRequest protobuf: "));
  EXPECT_THAT(result.status().message(), HasSubstr("looks like JSON"));
}

TEST(DecodeErrors, EmptyProtobufIsAnEmptyRequest) {
  const DecodeResult result = MustDecode(Signal::kLogs, Encoding::kProtobuf, "");
  EXPECT_EQ(result.batch.ItemCount(), 0u);
  EXPECT_EQ(result.rejected, 0);
}

TEST(DecodeErrors, BrokenJsonSaysWhere) {
  StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, R"({"resourceSpans":[{"resource":)");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(result.status().message(), StartsWith("cannot parse ExportTraceServiceRequest JSON: "));
  EXPECT_THAT(result.status().message(), HasSubstr("line 1, column 31"));
  EXPECT_THAT(result.status().message(), HasSubstr("(byte 31)"));

  result = Decode(Signal::kLogs, Encoding::kJson, R"({"resourceLogs":[}]})");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("(byte 18)"));
}

TEST(DecodeErrors, JsonErrorMessagesAreShortAndAscii) {
  const std::string json = "{\"resourceSpans\":\"" + std::string(100000, 'a') + "\xff\"}";
  StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, json);
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.status().message().size(), 500u);
  for (char c : result.status().message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
}

TEST(DecodeErrors, JsonOfWrongShape) {
  for (const char* json :
       {"[]", "3", R"({"resourceSpans":3})", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":5}]}]}]})",
        R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"x"}]}]}]})"}) {
    StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, json);
    ASSERT_FALSE(result.ok()) << json;
    EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(result.status().message(), StartsWith("cannot parse ExportTraceServiceRequest JSON: ")) << json;
  }
  StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, "[]");
  EXPECT_EQ(result.status().message(), "cannot parse ExportTraceServiceRequest JSON: Root element must be a message.");
  result =
      Decode(Signal::kTraces, Encoding::kJson, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":5}]}]}]})");
  EXPECT_THAT(result.status().message(), HasSubstr("resource_spans[0].scope_spans[0].spans[0].trace_id"));
}

TEST(DecodeErrors, JsonUnknownEnumNameIsUnspecified) {
  const DecodeResult result =
      MustDecode(Signal::kTraces, Encoding::kJson, R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","startTimeUnixNano":"1",
      "endTimeUnixNano":"1","kind":"SPAN_KIND_FROM_THE_FUTURE"}]}]}]})");
  ASSERT_EQ(result.batch.spans.size(), 1u);
  EXPECT_EQ(result.batch.spans[0].kind, model::SpanKind::kUnspecified);
}

// ---- Metrics ----

template <typename Point>
void SetPointBasics(Point* point) {
  point->set_start_time_unix_nano(kStart);
  point->set_time_unix_nano(kEnd);
  AddString(point->mutable_attributes(), "host", "a");
}

ExportMetricsServiceRequest MetricsRequest() {
  ExportMetricsServiceRequest request;
  auto* rm = request.add_resource_metrics();
  AddString(rm->mutable_resource()->mutable_attributes(), "service.name", "meter");
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("m");

  auto* gauge = sm->add_metrics();
  gauge->set_name("temperature");
  gauge->set_description("air");
  gauge->set_unit("Cel");
  auto* gp = gauge->mutable_gauge()->add_data_points();
  SetPointBasics(gp);
  gp->set_as_double(21.5);
  gp->set_flags(1);

  auto* sum = sm->add_metrics();
  sum->set_name("requests");
  sum->mutable_sum()->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  sum->mutable_sum()->set_is_monotonic(true);
  SetPointBasics(sum->mutable_sum()->add_data_points());
  sum->mutable_sum()->mutable_data_points(0)->set_as_int(-42);
  SetPointBasics(sum->mutable_sum()->add_data_points());
  sum->mutable_sum()->mutable_data_points(1)->set_as_int(43);

  auto* histogram = sm->add_metrics();
  histogram->set_name("latency");
  histogram->mutable_histogram()->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_DELTA);
  auto* hp = histogram->mutable_histogram()->add_data_points();
  SetPointBasics(hp);
  hp->set_count(6);
  hp->set_sum(12.5);
  hp->set_max(9);
  for (double b : {1.0, 5.0}) hp->add_explicit_bounds(b);
  for (uint64_t c : {1, 2, 3}) hp->add_bucket_counts(c);

  auto* exponential = sm->add_metrics();
  exponential->set_name("sizes");
  exponential->mutable_exponential_histogram()->set_aggregation_temporality(
      metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* ep = exponential->mutable_exponential_histogram()->add_data_points();
  SetPointBasics(ep);
  ep->set_count(10);
  ep->set_sum(100);
  ep->set_min(0.5);
  ep->set_scale(-2);
  ep->set_zero_count(1);
  ep->set_zero_threshold(0.001);
  ep->mutable_positive()->set_offset(-3);
  for (uint64_t c : {4, 5}) ep->mutable_positive()->add_bucket_counts(c);
  ep->mutable_negative()->set_offset(2);
  ep->mutable_negative()->add_bucket_counts(0);

  auto* summary = sm->add_metrics();
  summary->set_name("rpc");
  auto* sp = summary->mutable_summary()->add_data_points();
  SetPointBasics(sp);
  sp->set_count(3);
  sp->set_sum(9);
  auto* q = sp->add_quantile_values();
  q->set_quantile(0.5);
  q->set_value(2);
  q = sp->add_quantile_values();
  q->set_quantile(1);
  q->set_value(5);
  return request;
}

const char* kMetricsJson = R"({"resourceMetrics":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"meter"}}]},"scopeMetrics":[{"scope":{"name":"m"},"metrics":[
  {"name":"temperature","description":"air","unit":"Cel","gauge":{"dataPoints":[
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],"asDouble":21.5,"flags":1}]}},
  {"name":"requests","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],"asInt":"-42"},
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],"asInt":43,
     "exemplars":[{"timeUnixNano":"1544712660500000000","asDouble":1,
       "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}},
  {"name":"latency","histogram":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","dataPoints":[
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],
     "count":"6","sum":12.5,"max":9,"explicitBounds":[1,5],"bucketCounts":["1",2,"3"]}]}},
  {"name":"sizes","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],
     "count":"10","sum":100,"min":0.5,"scale":-2,"zeroCount":"1","zeroThreshold":0.001,
     "positive":{"offset":-3,"bucketCounts":["4","5"]},"negative":{"offset":2,"bucketCounts":["0"]}}]}},
  {"name":"rpc","summary":{"dataPoints":[
    {"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000",
     "attributes":[{"key":"host","value":{"stringValue":"a"}}],"count":"3","sum":9,
     "quantileValues":[{"quantile":0.5,"value":2},{"quantile":1,"value":5}]}]}}]}]}]})";

void ExpectMetricsRequestDecoded(const DecodeResult& result) {
  EXPECT_EQ(result.rejected, 0);
  const model::Batch& batch = result.batch;
  ASSERT_EQ(batch.resources.size(), 1u);
  EXPECT_EQ(batch.resources[0].service_name, "meter");
  ASSERT_EQ(batch.metrics.size(), 5u);
  EXPECT_EQ(batch.PointCount(), 6u);
  const model::Attributes host = {{"host", Str("a")}};

  const model::Metric& gauge = batch.metrics[0];
  EXPECT_EQ(gauge.name, "temperature");
  EXPECT_EQ(gauge.description, "air");
  EXPECT_EQ(gauge.unit, "Cel");
  EXPECT_EQ(gauge.type, model::MetricType::kGauge);
  EXPECT_EQ(gauge.temporality, model::Temporality::kUnspecified);
  ASSERT_EQ(gauge.points.size(), 1u);
  EXPECT_EQ(gauge.points[0].start_time_unix_nano, kStart);
  EXPECT_EQ(gauge.points[0].time_unix_nano, kEnd);
  EXPECT_EQ(gauge.points[0].attributes, host);
  EXPECT_EQ(gauge.points[0].value, 21.5);
  EXPECT_FALSE(gauge.points[0].is_int);
  EXPECT_EQ(gauge.points[0].flags, 1u);

  const model::Metric& sum = batch.metrics[1];
  EXPECT_EQ(sum.type, model::MetricType::kSum);
  EXPECT_EQ(sum.temporality, model::Temporality::kCumulative);
  EXPECT_TRUE(sum.monotonic);
  ASSERT_EQ(sum.points.size(), 2u);
  EXPECT_EQ(sum.points[0].value, -42);
  EXPECT_TRUE(sum.points[0].is_int);
  EXPECT_EQ(sum.points[1].value, 43);

  const model::Metric& histogram = batch.metrics[2];
  EXPECT_EQ(histogram.type, model::MetricType::kHistogram);
  EXPECT_EQ(histogram.temporality, model::Temporality::kDelta);
  ASSERT_EQ(histogram.points.size(), 1u);
  model::HistogramValue want_histogram;
  want_histogram.count = 6;
  want_histogram.has_sum = true;
  want_histogram.sum = 12.5;
  want_histogram.has_max = true;
  want_histogram.max = 9;
  want_histogram.explicit_bounds = {1, 5};
  want_histogram.bucket_counts = {1, 2, 3};
  EXPECT_EQ(std::get<model::HistogramValue>(histogram.points[0].distribution), want_histogram);

  const model::Metric& exponential = batch.metrics[3];
  EXPECT_EQ(exponential.type, model::MetricType::kExponentialHistogram);
  EXPECT_EQ(exponential.temporality, model::Temporality::kCumulative);
  model::ExponentialHistogramValue want_exponential;
  want_exponential.count = 10;
  want_exponential.has_sum = true;
  want_exponential.sum = 100;
  want_exponential.has_min = true;
  want_exponential.min = 0.5;
  want_exponential.scale = -2;
  want_exponential.zero_count = 1;
  want_exponential.zero_threshold = 0.001;
  want_exponential.positive_offset = -3;
  want_exponential.positive_bucket_counts = {4, 5};
  want_exponential.negative_offset = 2;
  want_exponential.negative_bucket_counts = {0};
  ASSERT_EQ(exponential.points.size(), 1u);
  EXPECT_EQ(std::get<model::ExponentialHistogramValue>(exponential.points[0].distribution), want_exponential);

  const model::Metric& summary = batch.metrics[4];
  EXPECT_EQ(summary.type, model::MetricType::kSummary);
  model::SummaryValue want_summary;
  want_summary.count = 3;
  want_summary.sum = 9;
  want_summary.quantiles = {{0.5, 2}, {1, 5}};
  ASSERT_EQ(summary.points.size(), 1u);
  EXPECT_EQ(std::get<model::SummaryValue>(summary.points[0].distribution), want_summary);
  EXPECT_EQ(summary.points[0].attributes, host);
}

TEST(DecodeMetrics, Protobuf) {
  ExpectMetricsRequestDecoded(MustDecode(Signal::kMetrics, Encoding::kProtobuf, MetricsRequest().SerializeAsString()));
}

TEST(DecodeMetrics, Json) {
  ExpectMetricsRequestDecoded(MustDecode(Signal::kMetrics, Encoding::kJson, kMetricsJson));
}

TEST(DecodeMetrics, JsonAndProtobufAgree) {
  ExpectSameBatch(MustDecode(Signal::kMetrics, Encoding::kJson, kMetricsJson).batch, FromProto(MetricsRequest()).batch);
}

TEST(DecodeMetrics, RejectsBadPointsKeepsTheRest) {
  ExportMetricsServiceRequest request = MetricsRequest();
  auto* metrics = request.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_metrics();
  // The sum's first point loses its time; the histogram's only point gets a
  // bucket too many, so the histogram is dropped.
  metrics->Mutable(1)->mutable_sum()->mutable_data_points(0)->set_time_unix_nano(0);
  metrics->Mutable(2)->mutable_histogram()->mutable_data_points(0)->add_bucket_counts(9);
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 2);
  EXPECT_EQ(result.error_message,
            "rejected 2 data points: resource_metrics[0].scope_metrics[0].metrics[1].data_points[0]: "
            "time_unix_nano is 0; resource_metrics[0].scope_metrics[0].metrics[2].data_points[0]: histogram has 4 "
            "bucket_counts for 2 explicit_bounds, want 3");
  ASSERT_EQ(result.batch.metrics.size(), 4u);
  EXPECT_EQ(result.batch.metrics[1].name, "requests");
  ASSERT_EQ(result.batch.metrics[1].points.size(), 1u);
  EXPECT_EQ(result.batch.metrics[1].points[0].value, 43);
  EXPECT_EQ(result.batch.metrics[2].name, "sizes");
}

TEST(DecodeMetrics, HistogramBoundsMustIncrease) {
  for (const std::vector<double>& bounds : std::vector<std::vector<double>>{{1, 1}, {2, 1}, {1, NAN}}) {
    ExportMetricsServiceRequest request = MetricsRequest();
    auto* point = request.mutable_resource_metrics(0)
                      ->mutable_scope_metrics(0)
                      ->mutable_metrics(2)
                      ->mutable_histogram()
                      ->mutable_data_points(0);
    point->clear_explicit_bounds();
    for (double b : bounds) point->add_explicit_bounds(b);
    const DecodeResult result = FromProto(request);
    EXPECT_EQ(result.rejected, 1);
    EXPECT_THAT(result.error_message, HasSubstr("explicit_bounds[1] is not greater than the bound before it"));
  }
}

TEST(DecodeMetrics, HistogramWithoutBucketsIsValid) {
  ExportMetricsServiceRequest request = MetricsRequest();
  auto* point = request.mutable_resource_metrics(0)
                    ->mutable_scope_metrics(0)
                    ->mutable_metrics(2)
                    ->mutable_histogram()
                    ->mutable_data_points(0);
  point->clear_bucket_counts();
  point->clear_explicit_bounds();
  EXPECT_EQ(FromProto(request).rejected, 0);
  point->add_explicit_bounds(3);  // bounds without counts: fine as well
  EXPECT_EQ(FromProto(request).rejected, 0);
}

TEST(DecodeMetrics, MetricWithoutDataIsRejected) {
  ExportMetricsServiceRequest request;
  auto* metrics = request.add_resource_metrics()->add_scope_metrics();
  metrics->add_metrics()->set_name("nothing");
  metrics->add_metrics()->mutable_gauge();  // data, but no points: dropped, nothing to count
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 1);
  EXPECT_EQ(result.error_message,
            "rejected 1 data point: resource_metrics[0].scope_metrics[0].metrics[0]: metric has no data");
  EXPECT_TRUE(result.batch.metrics.empty());
  EXPECT_TRUE(result.batch.resources.empty());
  EXPECT_TRUE(result.batch.scopes.empty());
}

TEST(DecodeMetrics, DeepResourceAttributeCountsAllPoints) {
  ExportMetricsServiceRequest request = MetricsRequest();
  auto* kv = request.mutable_resource_metrics(0)->mutable_resource()->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = NestedValue(33);
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 6);
  EXPECT_TRUE(result.batch.metrics.empty());
}

// ---- Logs ----

ExportLogsServiceRequest LogsRequest() {
  ExportLogsServiceRequest request;
  auto* rl = request.add_resource_logs();
  AddString(rl->mutable_resource()->mutable_attributes(), "service.name", "logger");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("l");
  AddString(sl->mutable_scope()->mutable_attributes(), "scope.attr", "s");
  auto* log = sl->add_log_records();
  log->set_time_unix_nano(kStart);
  log->set_observed_time_unix_nano(kEnd);
  log->set_severity_number(logs_pb::SEVERITY_NUMBER_WARN);
  log->set_severity_text("WARN");
  log->mutable_body()->set_string_value("disk almost full");
  AddString(log->mutable_attributes(), "disk", "/dev/sda");
  log->set_flags(1);
  log->set_trace_id(Bytes(kTraceIdHex));
  log->set_span_id(Bytes(kSpanIdHex));
  log->set_event_name("disk.full");
  auto* bare = sl->add_log_records();  // no ids, no times: valid
  bare->mutable_body()->mutable_kvlist_value();
  return request;
}

const char* kLogsJson = R"({"resourceLogs":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"logger"}}]},"scopeLogs":[{"scope":{"name":"l",
  "attributes":[{"key":"scope.attr","value":{"stringValue":"s"}}]},"logRecords":[
  {"timeUnixNano":"1544712660000000000","observedTimeUnixNano":"1544712661000000000","severityNumber":13,
   "severityText":"WARN","body":{"stringValue":"disk almost full"},
   "attributes":[{"key":"disk","value":{"stringValue":"/dev/sda"}}],"flags":1,
   "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","eventName":"disk.full"},
  {"body":{"kvlistValue":{}},"traceId":"","spanId":""}]}]}]})";

void ExpectLogsRequestDecoded(const DecodeResult& result) {
  EXPECT_EQ(result.rejected, 0);
  const model::Batch& batch = result.batch;
  ASSERT_EQ(batch.resources.size(), 1u);
  EXPECT_EQ(batch.resources[0].service_name, "logger");
  ASSERT_EQ(batch.scopes.size(), 1u);
  EXPECT_EQ(batch.scopes[0].attributes, (model::Attributes{{"scope.attr", Str("s")}}));
  ASSERT_EQ(batch.logs.size(), 2u);
  const model::LogRecord& log = batch.logs[0];
  EXPECT_EQ(log.time_unix_nano, kStart);
  EXPECT_EQ(log.observed_time_unix_nano, kEnd);
  EXPECT_EQ(log.severity_number, 13);
  EXPECT_EQ(log.severity_text, "WARN");
  EXPECT_EQ(log.body, Str("disk almost full"));
  EXPECT_EQ(log.attributes, (model::Attributes{{"disk", Str("/dev/sda")}}));
  EXPECT_EQ(log.flags, 1u);
  EXPECT_EQ(log.trace_id, Id<16>(kTraceIdHex));
  EXPECT_EQ(log.span_id, Id<8>(kSpanIdHex));
  EXPECT_EQ(log.event_name, "disk.full");
  const model::LogRecord& bare = batch.logs[1];
  EXPECT_TRUE(model::IsZero(bare.trace_id));
  EXPECT_TRUE(model::IsZero(bare.span_id));
  EXPECT_EQ(bare.body, model::AnyValue{model::Attributes{}});
}

TEST(DecodeLogs, Protobuf) {
  ExpectLogsRequestDecoded(MustDecode(Signal::kLogs, Encoding::kProtobuf, LogsRequest().SerializeAsString()));
}

TEST(DecodeLogs, Json) {
  ExpectLogsRequestDecoded(MustDecode(Signal::kLogs, Encoding::kJson, kLogsJson));
}

TEST(DecodeLogs, JsonAndProtobufAgree) {
  ExpectSameBatch(MustDecode(Signal::kLogs, Encoding::kJson, kLogsJson).batch, FromProto(LogsRequest()).batch);
}

TEST(DecodeLogs, RejectsBadIds) {
  ExportLogsServiceRequest request = LogsRequest();
  auto* records = request.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records();
  records->Add()->set_trace_id("12345");
  records->Add()->set_span_id("123");
  records->Add()->set_trace_id(std::string(16, '\0'));  // all zero: absent, valid
  const DecodeResult result = FromProto(request);
  EXPECT_EQ(result.rejected, 2);
  EXPECT_EQ(result.error_message,
            "rejected 2 log records: resource_logs[0].scope_logs[0].log_records[2]: trace_id has 5 bytes, want 0 "
            "or 16; resource_logs[0].scope_logs[0].log_records[3]: span_id has 3 bytes, want 0 or 8");
  EXPECT_EQ(result.batch.logs.size(), 3u);
}

// ---- Responses ----

TEST(Responses, FullSuccessIsEmpty) {
  for (Signal signal : {Signal::kTraces, Signal::kMetrics, Signal::kLogs}) {
    EXPECT_EQ(EncodeResponse(signal, Encoding::kProtobuf, 0, ""), "");
    EXPECT_EQ(EncodeResponse(signal, Encoding::kJson, 0, ""), "{}");
  }
}

TEST(Responses, PartialSuccessProtobuf) {
  ExportTraceServiceResponse traces;
  ASSERT_TRUE(traces.ParseFromString(EncodeResponse(Signal::kTraces, Encoding::kProtobuf, 2, "two bad")));
  EXPECT_EQ(traces.partial_success().rejected_spans(), 2);
  EXPECT_EQ(traces.partial_success().error_message(), "two bad");

  ExportMetricsServiceResponse metrics;
  ASSERT_TRUE(metrics.ParseFromString(EncodeResponse(Signal::kMetrics, Encoding::kProtobuf, 3, "m")));
  EXPECT_EQ(metrics.partial_success().rejected_data_points(), 3);

  ExportLogsServiceResponse logs;
  ASSERT_TRUE(logs.ParseFromString(EncodeResponse(Signal::kLogs, Encoding::kProtobuf, 0, "just a warning")));
  ASSERT_TRUE(logs.has_partial_success());
  EXPECT_EQ(logs.partial_success().rejected_log_records(), 0);
  EXPECT_EQ(logs.partial_success().error_message(), "just a warning");
}

TEST(Responses, PartialSuccessJson) {
  EXPECT_EQ(EncodeResponse(Signal::kTraces, Encoding::kJson, 2, "bad \"ids\""),
            R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad \"ids\""}})");
  EXPECT_EQ(EncodeResponse(Signal::kMetrics, Encoding::kJson, 1, "x"),
            R"({"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"x"}})");
  EXPECT_EQ(EncodeResponse(Signal::kLogs, Encoding::kJson, 5, "y"),
            R"({"partialSuccess":{"rejectedLogRecords":"5","errorMessage":"y"}})");
}

TEST(Responses, ErrorStatus) {
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(EncodeErrorStatus(Encoding::kProtobuf, 3, "cannot parse")));
  EXPECT_EQ(status.code(), 3);
  EXPECT_EQ(status.message(), "cannot parse");
  EXPECT_EQ(EncodeErrorStatus(Encoding::kJson, 8, "queue full"), R"({"code":8,"message":"queue full"})");
}

TEST(Responses, DecodeErrorRoundTripsThroughJsonStatus) {
  StatusOr<DecodeResult> result = Decode(Signal::kTraces, Encoding::kJson, "{\"a\":\"\xff\xfe\"}");
  ASSERT_FALSE(result.ok());
  const std::string body = EncodeErrorStatus(Encoding::kJson, 3, result.status().message());
  EXPECT_THAT(body, StartsWith(R"({"code":3,"message":"cannot parse ExportTraceServiceRequest JSON: )"));
}

TEST(SignalNames, All) {
  EXPECT_STREQ(SignalName(Signal::kTraces), "traces");
  EXPECT_STREQ(SignalName(Signal::kMetrics), "metrics");
  EXPECT_STREQ(SignalName(Signal::kLogs), "logs");
}

}  // namespace
}  // namespace augur::otlp
