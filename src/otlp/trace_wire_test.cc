// The wire decoder against the reference (protobuf's generated classes, then
// the same conversion): both must accept and refuse the same bodies and give
// the same batch, counts and messages for what they accept.

#include "otlp/trace_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/nested_value_test.h"
#include "otlp/protobuf_logging.h"

namespace augur::otlp {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ::testing::StartsWith;
namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;

// NaN != NaN, so batches holding NaN attributes would never compare equal:
// NaNs become strings naming their bits, in both batches alike.
void NormalizeValue(model::AnyValue* v);
void NormalizeAttributes(model::Attributes* kvs) {
  for (auto& kv : *kvs) NormalizeValue(&kv.value);
}
void NormalizeValue(model::AnyValue* v) {
  if (const double* d = std::get_if<double>(&v->value); d != nullptr && std::isnan(*d)) {
    uint64_t bits;
    std::memcpy(&bits, d, sizeof bits);
    v->value = "NaN bits " + std::to_string(bits);
  } else if (auto* array = std::get_if<model::ArrayValue>(&v->value)) {
    for (auto& e : *array) NormalizeValue(&e);
  } else if (auto* kvs = std::get_if<model::Attributes>(&v->value)) {
    NormalizeAttributes(kvs);
  }
}
void Normalize(model::Batch* batch) {
  for (auto& r : batch->resources) NormalizeAttributes(&r.attributes);
  for (auto& s : batch->scopes) NormalizeAttributes(&s.attributes);
  for (auto& span : batch->spans) {
    NormalizeAttributes(&span.attributes);
    for (auto& e : span.events) NormalizeAttributes(&e.attributes);
    for (auto& l : span.links) NormalizeAttributes(&l.attributes);
  }
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes.substr(0, 200)) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Decodes `body` both ways; returns whether both accepted it.
bool ExpectSameDecode(std::string_view body) {
  StatusOr<DecodeResult> want = DecodeViaMessages(Signal::kTraces, Encoding::kProtobuf, body);
  StatusOr<DecodeResult> got = DecodeTracesFromWire(body);
  EXPECT_EQ(want.ok(), got.ok()) << "reference: " << want.status().ToString() << "\nwire: " << got.status().ToString()
                                 << "\nbody (" << body.size() << " bytes): " << Hex(body);
  if (want.ok() != got.ok()) return false;
  if (!want.ok()) {
    EXPECT_EQ(got.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(got.status().message(), StartsWith("cannot parse ExportTraceServiceRequest protobuf: "));
    return false;
  }
  Normalize(&want->batch);
  Normalize(&got->batch);
  EXPECT_EQ(want->batch.resources, got->batch.resources) << Hex(body);
  EXPECT_EQ(want->batch.scopes, got->batch.scopes) << Hex(body);
  EXPECT_EQ(want->batch.spans, got->batch.spans) << Hex(body);
  EXPECT_EQ(want->rejected, got->rejected) << Hex(body);
  EXPECT_EQ(want->error_message, got->error_message) << Hex(body);
  return true;
}

// ---- Requests built with the generated classes ----

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Mostly valid UTF-8, including multi-byte characters.
std::string RandomText(std::mt19937_64& rng) {
  static const char* pieces[] = {"http.request.method",
                                 "GET",
                                 "/items/{id}",
                                 "é",
                                 "日本",
                                 "🙂",
                                 "",
                                 "x",
                                 "db.statement",
                                 "SELECT * FROM items WHERE id = $1"};
  std::string s;
  for (int n = static_cast<int>(rng() % 4); n > 0; --n) s += pieces[rng() % std::size(pieces)];
  return s;
}

void RandomValue(std::mt19937_64& rng, int nesting, common_pb::AnyValue* v) {
  switch (rng() % (nesting > 3 ? 6 : 9)) {
    case 0: v->set_string_value(RandomText(rng)); break;
    case 1: v->set_bool_value(rng() % 2 == 0); break;
    case 2: v->set_int_value(static_cast<int64_t>(rng())); break;
    case 3: {
      const uint64_t bits = rng() % 4 == 0 ? rng() : 0x3ff8000000000000ULL;  // random bits: NaNs too
      double d;
      std::memcpy(&d, &bits, sizeof d);
      v->set_double_value(d);
      break;
    }
    case 4: v->set_bytes_value(RandomBytes(rng, rng() % 5)); break;
    case 5: break;  // no value
    case 6:
    case 7: {
      auto* array = v->mutable_array_value();
      for (int n = static_cast<int>(rng() % 3); n > 0; --n) RandomValue(rng, nesting + 1, array->add_values());
      break;
    }
    default: {
      auto* list = v->mutable_kvlist_value();
      for (int n = static_cast<int>(rng() % 3); n > 0; --n) {
        auto* kv = list->add_values();
        kv->set_key(RandomText(rng));
        RandomValue(rng, nesting + 1, kv->mutable_value());
      }
    }
  }
}

void RandomAttributes(std::mt19937_64& rng, google::protobuf::RepeatedPtrField<common_pb::KeyValue>* out) {
  for (int n = static_cast<int>(rng() % 6); n > 0; --n) {
    auto* kv = out->Add();
    kv->set_key(RandomText(rng));
    if (rng() % 8 != 0) RandomValue(rng, 0, kv->mutable_value());
  }
}

// An id that is usually valid, sometimes empty, short or all zero.
std::string RandomId(std::mt19937_64& rng, size_t size) {
  switch (rng() % 12) {
    case 0: return "";
    case 1: return std::string(size, '\0');
    case 2: return RandomBytes(rng, size - 1);
    default: return RandomBytes(rng, size);
  }
}

ExportTraceServiceRequest RandomRequest(std::mt19937_64& rng) {
  ExportTraceServiceRequest request;
  for (int r = static_cast<int>(rng() % 3) + 1; r > 0; --r) {
    auto* rs = request.add_resource_spans();
    if (rng() % 4 != 0) RandomAttributes(rng, rs->mutable_resource()->mutable_attributes());
    if (rng() % 3 == 0) {
      auto* kv = rs->mutable_resource()->add_attributes();
      kv->set_key("service.name");
      kv->mutable_value()->set_string_value(RandomText(rng));
    }
    if (rng() % 2 == 0) rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
    if (rng() % 10 == 0) {
      auto* kv = rs->mutable_resource()->add_attributes();
      kv->set_key("deep");
      *kv->mutable_value() = NestedValue(33 + static_cast<int>(rng() % 3));
    }
    for (int s = static_cast<int>(rng() % 3); s > 0; --s) {
      auto* ss = rs->add_scope_spans();
      if (rng() % 2 == 0) {
        ss->mutable_scope()->set_name(RandomText(rng));
        ss->mutable_scope()->set_version("1.2.3");
        RandomAttributes(rng, ss->mutable_scope()->mutable_attributes());
      }
      if (rng() % 12 == 0) {
        auto* kv = ss->mutable_scope()->add_attributes();
        kv->set_key("deep");
        *kv->mutable_value() = NestedValue(31 + static_cast<int>(rng() % 4));
      }
      for (int i = static_cast<int>(rng() % 8); i > 0; --i) {
        auto* span = ss->add_spans();
        span->set_trace_id(RandomId(rng, 16));
        span->set_span_id(RandomId(rng, 8));
        if (rng() % 2 == 0) span->set_parent_span_id(RandomId(rng, 8));
        if (rng() % 4 == 0) span->set_trace_state("k=v");
        span->set_flags(static_cast<uint32_t>(rng() % 3 == 0 ? rng() : 1));
        span->set_name(RandomText(rng));
        span->set_kind(static_cast<trace_pb::Span::SpanKind>(rng() % 7));
        const uint64_t start = rng() % 20 == 0 ? 0 : 1'700'000'000'000'000'000ULL + rng() % 1000;
        span->set_start_time_unix_nano(start);
        span->set_end_time_unix_nano(rng() % 20 == 0 ? start - 1 : start + rng() % 1000);
        RandomAttributes(rng, span->mutable_attributes());
        if (rng() % 10 == 0) {
          auto* kv = span->add_attributes();
          kv->set_key("deep");
          *kv->mutable_value() = NestedValue(31 + static_cast<int>(rng() % 4));
        }
        span->set_dropped_attributes_count(static_cast<uint32_t>(rng() % 2));
        for (int e = static_cast<int>(rng() % 3); e > 0 && rng() % 2 == 0; --e) {
          auto* event = span->add_events();
          event->set_time_unix_nano(start + 5);
          event->set_name("exception");
          RandomAttributes(rng, event->mutable_attributes());
        }
        for (int l = static_cast<int>(rng() % 3); l > 0 && rng() % 2 == 0; --l) {
          auto* link = span->add_links();
          link->set_trace_id(RandomId(rng, 16));
          link->set_span_id(RandomId(rng, 8));
          link->set_trace_state("a=b");
          link->set_flags(static_cast<uint32_t>(rng()));
          RandomAttributes(rng, link->mutable_attributes());
        }
        if (rng() % 2 == 0) {
          span->mutable_status()->set_code(static_cast<trace_pb::Status::StatusCode>(rng() % 4));
          span->mutable_status()->set_message(RandomText(rng));
        }
      }
    }
  }
  return request;
}

class TraceWire : public ::testing::Test {
 protected:
  // protobuf logs the non-UTF-8 strings it refuses; keep the test output clean.
  static void SetUpTestSuite() { InstallProtobufLogHandler(); }
};

TEST_F(TraceWire, RandomRequestsDecodeAlike) {
  std::mt19937_64 rng(1);
  int accepted = 0, rejected_spans = 0;
  for (int n = 0; n < 500; ++n) {
    const std::string body = RandomRequest(rng).SerializeAsString();
    accepted += ExpectSameDecode(body);
    rejected_spans += static_cast<int>(DecodeTracesFromWire(body)->rejected);
    if (HasFailure()) break;
  }
  EXPECT_EQ(accepted, 500);
  EXPECT_GT(rejected_spans, 100);  // the generator did exercise rejections
}

// Every prefix of some bodies, and bytes flipped, inserted and deleted:
// whatever protobuf refuses, the wire reader refuses too, and what both
// accept decodes alike.
TEST_F(TraceWire, TruncatedAndGarbledBodiesDecodeAlike) {
  std::mt19937_64 rng(2);
  int accepted = 0, refused = 0;
  for (int n = 0; n < 40 && !HasFailure(); ++n) {
    const std::string body = RandomRequest(rng).SerializeAsString();
    for (size_t size = 0; size < body.size() && !HasFailure(); size += 1 + body.size() / 300) {
      (ExpectSameDecode(std::string_view(body).substr(0, size)) ? accepted : refused)++;
    }
    for (int m = 0; m < 300 && !HasFailure() && !body.empty(); ++m) {
      std::string garbled = body;
      for (int k = static_cast<int>(rng() % 3) + 1; k > 0; --k) {
        const size_t at = rng() % garbled.size();
        switch (rng() % 4) {
          case 0: garbled[at] = static_cast<char>(rng()); break;
          case 1: garbled[at] ^= static_cast<char>(1 << (rng() % 8)); break;
          case 2: garbled.insert(at, 1, static_cast<char>(rng())); break;
          default:
            if (garbled.size() > 1) garbled.erase(at, 1);
        }
      }
      (ExpectSameDecode(garbled) ? accepted : refused)++;
    }
  }
  // Both outcomes were exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

// ---- Bodies written by hand: what the generated classes never send ----

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
std::string Tag(uint32_t field, uint32_t type) {
  std::string s;
  PutVarint(uint64_t{field} << 3 | type, &s);
  return s;
}
std::string Len(uint32_t field, std::string_view payload) {
  std::string s = Tag(field, 2);
  PutVarint(payload.size(), &s);
  s += payload;
  return s;
}
std::string Varint(uint32_t field, uint64_t v) {
  std::string s = Tag(field, 0);
  PutVarint(v, &s);
  return s;
}
std::string Fixed64(uint32_t field, uint64_t v) {
  std::string s = Tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string Fixed32(uint32_t field, uint32_t v) {
  std::string s = Tag(field, 5);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

const std::string kTraceId = "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c";
const std::string kSpanId = "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74";

// A valid span's fields; `extra` is appended inside the span.
std::string SpanFields(std::string_view extra = "") {
  return Len(1, kTraceId) + Len(2, kSpanId) + Len(5, "GET") + Fixed64(7, 1000) + Fixed64(8, 2000) + std::string(extra);
}
// A request of one resource, one scope and these spans' fields.
std::string Request(const std::vector<std::string>& spans, std::string_view resource = "",
                    std::string_view scope = "") {
  std::string ss = scope.empty() ? "" : Len(1, scope);
  for (const auto& s : spans) ss += Len(2, s);
  std::string rs = resource.empty() ? "" : Len(1, resource);
  rs += Len(2, ss);
  return Len(1, rs);
}
std::string StringValue(std::string_view s) {
  return Len(1, s);
}
std::string Attribute(std::string_view key, std::string_view any_value) {
  return Len(9, Len(1, key) + Len(2, any_value));
}

TEST_F(TraceWire, HandWrittenBodiesDecodeAlike) {
  const std::string group = Tag(99, 3) + Varint(1, 5) + Tag(7, 3) + Tag(7, 4) + Tag(99, 4);
  const std::vector<std::string> bodies = {
      "",
      Request({SpanFields()}),
      // Unknown fields of every wire type, at every level, groups included.
      Request({SpanFields(Varint(99, 1) + Fixed64(98, 2) + Fixed32(97, 3) + Len(96, "x") + group)}),
      Varint(50, 1) + group + Request({SpanFields()}) + Fixed32(51, 7),
      Request({SpanFields()}, Len(1, Len(1, "service.name") + Len(2, StringValue("a"))) + group, group),
      // Known fields sent with another wire type are skipped as unknown.
      Request({SpanFields(Varint(9, 1) + Fixed32(7, 5) + Varint(16, 3) + Len(6, "x") + Len(15, "") + group)}),
      // A field sent twice: scalars, last wins; messages merge; oneof, last member.
      Request({SpanFields(Len(1, std::string(16, '\1')) + Len(5, "second") + Varint(6, 2) + Varint(6, 3))}),
      Request({SpanFields(Len(15, Varint(3, 2) + Len(2, "a")) + Len(15, Len(2, "b")))}),
      Request({SpanFields(Attribute("k", StringValue("a") + Varint(3, 7)) +
                          Attribute("k", Varint(3, 7) + StringValue("a")))}),
      Request({SpanFields(
          Len(9, Len(1, "k") + Len(2, Len(5, Len(1, StringValue("a")))) + Len(2, Len(5, Len(1, Varint(2, 1))))))}),
      Request({SpanFields(
          Len(9, Len(1, "k") + Len(2, Len(6, Len(1, Len(1, "a")))) + Len(2, Len(6, "")) + Len(2, Len(5, ""))))}),
      Request({SpanFields(Attribute("b", Varint(2, 300)) + Attribute("i", Varint(3, ~uint64_t{0})) +
                          Attribute("d", Fixed64(4, 0x7ff8000000000001ULL)) + Attribute("x", Len(7, "\xff\x00")))}),
      Request({SpanFields()}, Len(1, Len(1, "service.name") + Len(2, StringValue("a"))),
              Len(1, "scope") + Len(2, "1")) +
          Request({SpanFields()}),
      // The resource and scope after the spans, and in two parts.
      Len(1, Len(2, Len(2, SpanFields()) + Len(1, Len(1, "s1")) + Len(1, Len(2, "v"))) +
                 Len(1, Len(1, Len(1, "service.name") + Len(2, StringValue("late")))) +
                 Len(1, Len(1, Len(1, "host.name") + Len(2, StringValue("h")))) + Len(3, "url")),
      // Enums beyond their range, and beyond 32 bits.
      Request({SpanFields(Varint(6, 9) + Len(15, Varint(3, 7)))}),
      Request({SpanFields(Varint(6, (uint64_t{1} << 32) + 2) + Len(15, Varint(3, ~uint64_t{0})))}),
      // Not UTF-8 in a string field: refused; in a bytes or unknown field: fine.
      Request({SpanFields(Len(5, "\xc3\x28"))}),
      Request({SpanFields(Len(5, "\xed\xa0\x80"))}),      // a surrogate
      Request({SpanFields(Len(5, "\xc0\xaf"))}),          // overlong
      Request({SpanFields(Len(5, "\xf4\x90\x80\x80"))}),  // above U+10FFFF
      Request({SpanFields(Len(5, "\xf0\x9f\x99"))}),      // cut short
      Request({SpanFields(Len(5, "ok \xf0\x9f\x99\x82 \xe6\x97\xa5"))}),
      Request({SpanFields(Attribute("k\xff", StringValue("v")))}),
      Request({SpanFields(Attribute("k", Len(7, "\xff")) + Len(96, "\xff"))}),
      Request({SpanFields()}, "", Len(1, "\xff")),
      Len(1, Len(3, "\xff")),
      Len(1, Len(2, Len(3, "\xff"))),
      // Malformed framing.
      Tag(0, 0),
      Tag(0, 2) + "\x00",
      Tag(5, 4),
      Tag(5, 6),
      Tag(5, 7),
      Tag(5, 3),                                                     // group without its end
      Tag(5, 3) + Tag(6, 4),                                         // group ended by another field
      Tag(1, 2) + "\x80\x80\x80\x80\x80\x00",                        // a length of 6 bytes
      Tag(1, 2) + "\xff\xff\xff\xff\x0f",                            // a length of 4 GiB
      Varint(5, 1).substr(0, 1) + std::string(10, '\x80') + "\x01",  // an 11-byte varint
      Varint(5, 1).substr(0, 1) + std::string(9, '\xff') + "\x7f",   // a 10-byte one with bits beyond 64
      "\x88\x80\x80\x80\x80\x00",                                    // a 6-byte tag
      "\x8a\x80\x80\x80\x10" + std::string("\x00"),                  // a 5-byte tag that wraps to field 1
      Request({SpanFields(Tag(7, 1) + "abc")}),
      Request({SpanFields(Tag(16, 5) + "ab")}),
      Len(1, Len(2, Len(2, SpanFields()) + Tag(3, 2) + "\x05" + "ab")),
  };
  for (const std::string& body : bodies) ExpectSameDecode(body);
}

// Protobuf refuses messages nested more than 100 deep, counting groups;
// values nested more than 32 arrays reject their span. Both limits, around
// their edges, for attributes of spans, events, links, scopes and resources.
TEST_F(TraceWire, NestingLimitsDecodeAlike) {
  for (int levels = 28; levels <= 50; ++levels) {
    const std::string value = NestedValue(levels).SerializeAsString();
    const std::string kv = Len(1, "deep") + Len(2, value);
    ExpectSameDecode(Request({SpanFields(Len(9, kv))}));
    ExpectSameDecode(Request({SpanFields(Len(11, Len(3, kv))), SpanFields()}));
    ExpectSameDecode(Request({SpanFields(Len(13, Len(4, kv)))}));
    ExpectSameDecode(Request({SpanFields(), SpanFields()}, Len(1, kv)));
    ExpectSameDecode(Request({SpanFields()}, "", Len(3, kv)));
  }
  for (int levels = 90; levels <= 100; ++levels) {
    std::string group = Varint(1, 1);
    for (int i = 0; i < levels; ++i) group = Tag(20, 3) + group + Tag(20, 4);
    ExpectSameDecode(Request({SpanFields(group)}));
    ExpectSameDecode(group + Request({SpanFields()}));
  }
}

TEST_F(TraceWire, ErrorsSayWhatAndWhere) {
  StatusOr<DecodeResult> result = DecodeTracesFromWire(Request({SpanFields(Len(5, "\xc3\x28"))}));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr("string field is not UTF-8 at byte "));
  result = DecodeTracesFromWire("{\"resourceSpans\":[]}");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr("looks like JSON"));
}

}  // namespace
}  // namespace augur::otlp
