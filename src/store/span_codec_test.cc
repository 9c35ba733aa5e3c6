#include "store/span_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "store/temp_store_test.h"  // Numbered

namespace augur::store {
namespace {

using model::AnyValue;
using model::ArrayValue;
using model::Attributes;
using model::Bytes;
using model::Span;

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;

model::TraceId TraceOf(uint8_t n) {
  model::TraceId id{};
  id[0] = 0x5a;
  id[15] = n;
  return id;
}

model::SpanId SpanIdOf(uint8_t n) {
  model::SpanId id{};
  id[7] = n;
  return id;
}

double NanWithPayload(uint64_t payload) {
  const uint64_t bits = 0x7ff8000000000000ULL | payload;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// Every kind of value, in an order that is not sorted, with a duplicate key.
Attributes Everything() {
  static constexpr char kBinary[] = "nul\0inside \xff\xfe not utf-8";
  return {
      {"s", {std::string("plain")}},
      {"", {std::string("")}},
      {"binary-ish", {std::string(kBinary, sizeof kBinary - 1)}},
      {"empty", {}},
      {"t", {true}},
      {"f", {false}},
      {"i.min", {std::numeric_limits<int64_t>::min()}},
      {"i.max", {std::numeric_limits<int64_t>::max()}},
      {"i.neg", {int64_t{-1}}},
      {"d.neg0", {-0.0}},
      {"d.nan", {NanWithPayload(0x12345)}},
      {"d.-nan", {-NanWithPayload(1)}},
      {"d.inf", {-std::numeric_limits<double>::infinity()}},
      {"d.denormal", {5e-324}},
      {"d.max", {std::numeric_limits<double>::max()}},
      {"bytes", {Bytes{0, 1, 0x80, 0xff}}},
      {"bytes.empty", {Bytes{}}},
      {"array", {ArrayValue{{int64_t{1}}, {std::string("two")}, {ArrayValue{}}, {ArrayValue{{true}, {}}}}}},
      {"kvlist", {Attributes{{"z", {int64_t{1}}}, {"a", {Attributes{{"deep", {Bytes{7}}}}}}, {"z", {2.5}}}}},
      {"s", {std::string("duplicate key, kept in place")}},
  };
}

Span FullSpan(uint8_t trace, uint8_t n, uint64_t start) {
  Span s;
  s.resource_index = 3;  // not stored: comes back 0
  s.scope_index = 4;
  s.trace_id = TraceOf(trace);
  s.span_id = SpanIdOf(n);
  s.parent_span_id = SpanIdOf(static_cast<uint8_t>(n + 100));
  s.trace_state = "vendor=x,other=y";
  s.flags = 0xffffffff;
  s.name = "GET /items/{id}";
  s.kind = model::SpanKind::kConsumer;
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = start + 5'000'000'000ULL;
  s.attributes = Everything();
  s.events = {{start + 10, "exception", {{"exception.message", {std::string("boom")}}}},
              {start - 10, "before the start", {}},
              {0, "no time", Everything()}};
  model::SpanLink link;
  link.trace_id = TraceOf(200);
  link.span_id = SpanIdOf(200);
  link.trace_state = "a=b";
  link.flags = 0x101;
  link.attributes = Everything();
  model::SpanLink bare;
  s.links = {link, bare};
  s.status_code = model::StatusCode::kError;
  s.status_message = "timeout";
  return s;
}

Span BareSpan(uint8_t trace, uint8_t n, uint64_t start) {
  Span s;
  s.trace_id = TraceOf(trace);
  s.span_id = SpanIdOf(n);
  s.start_time_unix_nano = start;
  s.end_time_unix_nano = start + 1;
  return s;
}

std::string Encode(const std::vector<Span>& spans, uint64_t base) {
  SpanBlockBuilder builder;
  builder.Reset(base);
  for (const Span& s : spans) builder.Add(s);
  std::string block;
  builder.Finish(&block);
  return block;
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Which spans Decode() decodes: those of `trace` (when set) starting in
// [from, to].
struct Filter {
  const model::TraceId* trace = nullptr;
  uint64_t from = 0;
  uint64_t to = UINT64_MAX;
};

StatusOr<std::vector<Span>> Decode(const std::string& block, const Filter& filter = {}) {
  SpanBlockReader reader(AsBytes(block));
  std::vector<Span> out;
  while (reader.Next()) {
    if ((filter.trace != nullptr && reader.trace_id() != *filter.trace) || reader.start_time() < filter.from ||
        reader.start_time() > filter.to) {
      continue;
    }
    if (!reader.Decode(&out.emplace_back())) break;
  }
  if (!reader.status().ok()) return reader.status();
  return out;
}

// Spans equal bit for bit: same encoding (operator== fails on NaN, and
// passes -0.0 for 0.0), then field by field for what the encoding would not
// show (resource and scope indexes, which are not stored).
void ExpectExactlyEqual(const std::vector<Span>& got, const std::vector<Span>& want) {
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(Encode(got, 0), Encode(want, 0));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].resource_index, 0u);
    EXPECT_EQ(got[i].scope_index, 0u);
    EXPECT_EQ(got[i].trace_id, want[i].trace_id) << i;
    EXPECT_EQ(got[i].start_time_unix_nano, want[i].start_time_unix_nano) << i;
  }
}

TEST(SpanCodecTest, RoundTripIsExact) {
  std::vector<Span> spans = {FullSpan(1, 1, kT0 + 100), BareSpan(2, 2, kT0), FullSpan(1, 3, kT0 + 50)};
  const std::string block = Encode(spans, kT0);
  auto got = Decode(block);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectExactlyEqual(*got, spans);
  // Apart from NaN, operator== agrees (with indexes reset).
  for (Span& s : spans) s.resource_index = s.scope_index = 0;
  EXPECT_EQ((*got)[1], spans[1]);
  const AnyValue& nan = (*got)[0].attributes[10].value;
  ASSERT_TRUE(std::holds_alternative<double>(nan.value));
  uint64_t bits;
  std::memcpy(&bits, &std::get<double>(nan.value), sizeof bits);
  EXPECT_EQ(bits, 0x7ff8000000000000ULL | 0x12345);
  EXPECT_TRUE(std::signbit(std::get<double>((*got)[0].attributes[9].value.value)));  // -0.0
}

TEST(SpanCodecTest, ExtremeTimesRoundTrip) {
  // Wrapping differences carry any times, whatever the base.
  std::vector<Span> spans;
  for (uint64_t t : {uint64_t{0}, uint64_t{1}, kT0, UINT64_MAX, UINT64_MAX / 2 + 1}) {
    Span s = BareSpan(1, 1, t);
    s.end_time_unix_nano = ~t;
    s.events = {{t ^ 0x5555, "e", {}}};
    spans.push_back(s);
  }
  for (uint64_t base : {uint64_t{0}, kT0, UINT64_MAX}) {
    auto got = Decode(Encode(spans, base));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, spans) << base;
  }
}

TEST(SpanCodecTest, EmptyBlock) {
  auto got = Decode(Encode({}, kT0));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST(SpanCodecTest, BuilderTracksTracesAndTimesAndResets) {
  SpanBlockBuilder builder;
  builder.Reset(kT0);
  for (uint8_t trace : {3, 1, 3, 2, 1}) builder.Add(BareSpan(trace, trace, kT0 + 10 * trace));
  EXPECT_EQ(builder.span_count(), 5u);
  EXPECT_EQ(builder.trace_ids(), (std::vector<model::TraceId>{TraceOf(3), TraceOf(1), TraceOf(2)}));
  EXPECT_EQ(builder.min_start(), kT0 + 10);
  EXPECT_EQ(builder.max_start(), kT0 + 30);
  builder.Reset(kT0);
  builder.Add(BareSpan(9, 9, kT0 + 5));
  EXPECT_EQ(builder.span_count(), 1u);
  EXPECT_EQ(builder.trace_ids(), (std::vector<model::TraceId>{TraceOf(9)}));
  EXPECT_EQ(builder.min_start(), kT0 + 5);
  EXPECT_EQ(builder.max_start(), kT0 + 5);
  std::string block;
  builder.Finish(&block);
  auto got = Decode(block);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].trace_id, TraceOf(9));
}

TEST(SpanCodecTest, FiltersByTraceAndTime) {
  std::vector<Span> spans;
  for (uint8_t i = 0; i < 100; ++i)
    spans.push_back(i % 3 == 0 ? FullSpan(i % 7, i, kT0 + i) : BareSpan(i % 7, i, kT0 + i));
  const std::string block = Encode(spans, kT0);

  const model::TraceId three = TraceOf(3);
  auto trace = Decode(block, {&three});
  ASSERT_TRUE(trace.ok());
  std::vector<Span> want;
  for (const Span& s : spans) {
    if (s.trace_id == three) want.push_back(s);
  }
  ExpectExactlyEqual(*trace, want);

  auto range = Decode(block, {nullptr, kT0 + 10, kT0 + 20});  // inclusive
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 11u);
  EXPECT_EQ(range->front().start_time_unix_nano, kT0 + 10);
  EXPECT_EQ(range->back().start_time_unix_nano, kT0 + 20);

  auto both = Decode(block, {&three, kT0 + 10, kT0 + 20});
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);  // i = 10, 17
  EXPECT_EQ(both->front().span_id, SpanIdOf(10));

  const model::TraceId absent = TraceOf(99);
  auto none = Decode(block, {&absent});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SpanCodecTest, ManyTracesInOneBlock) {
  std::vector<Span> spans;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    Span s = BareSpan(0, 0, kT0 + rng() % 1000);
    for (auto& b : s.trace_id) b = static_cast<uint8_t>(rng());
    spans.push_back(s);
  }
  const std::string block = Encode(spans, kT0);
  auto got = Decode(block);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, spans);
  auto one = Decode(block, {&spans[1234].trace_id});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0], spans[1234]);
}

AnyValue Nested(int levels) {
  AnyValue v{std::string("leaf")};
  for (int i = 0; i < levels; ++i) {
    if (i % 2 == 0) {
      v = AnyValue{ArrayValue{v}};
    } else {
      v = AnyValue{Attributes{{"k", v}}};
    }
  }
  return v;
}

TEST(SpanCodecTest, NestingUpToTheLimitRoundTripsAndDeeperIsStoredEmpty) {
  Span s = BareSpan(1, 1, kT0);
  s.attributes = {{"ok", Nested(kMaxValueDepth)}, {"deep", Nested(kMaxValueDepth + 1)}};
  auto got = Decode(Encode({s}, kT0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].attributes[0], s.attributes[0]);
  // The outermost kMaxValueDepth levels are kept; the level below is empty.
  const AnyValue* v = &(*got)[0].attributes[1].value;
  for (int i = 0; i < kMaxValueDepth; ++i) {
    if (const auto* a = std::get_if<ArrayValue>(&v->value)) {
      ASSERT_EQ(a->size(), 1u);
      v = &(*a)[0];
    } else {
      const auto& kvs = std::get<Attributes>(v->value);
      ASSERT_EQ(kvs.size(), 1u);
      v = &kvs[0].value;
    }
  }
  EXPECT_TRUE(std::holds_alternative<std::monostate>(v->value));
}

// --- Corrupt data ---

void ExpectCorrupt(const std::string& block, const std::string& message_part = "") {
  auto got = Decode(block);
  ASSERT_FALSE(got.ok()) << "decoded " << got->size() << " spans";
  EXPECT_EQ(got.status().code(), Status::Code::kIOError);
  EXPECT_NE(got.status().message().find(message_part), std::string::npos) << got.status().message();
}

TEST(SpanCodecTest, EveryTruncationIsAnError) {
  const std::string block = Encode({FullSpan(1, 1, kT0), BareSpan(2, 2, kT0 + 1)}, kT0);
  for (size_t n = 0; n < block.size(); ++n) ExpectCorrupt(block.substr(0, n));
}

// Offsets in a block of spans of one trace, starting at kT0 (a 9-byte
// varint): version, base time, span count, trace count, trace id, shared
// count, shared length, then the first span's length.
constexpr size_t kSpanCountAt = 10;
constexpr size_t kTraceCountAt = 11;
constexpr size_t kSharedCountAt = 28;
constexpr size_t kSharedLengthAt = 29;
constexpr size_t kFirstSpanAt = 30;  // when nothing is shared

std::string Varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>(v | 0x80));
  out.push_back(static_cast<char>(v));
  return out;
}

TEST(SpanCodecTest, SpecificCorruptions) {
  const std::string good = Encode({BareSpan(1, 1, kT0)}, kT0);
  ASSERT_TRUE(Decode(good).ok());
  ASSERT_EQ(good[kSharedCountAt], 0);
  ASSERT_EQ(good[kFirstSpanAt], static_cast<char>(good.size() - kFirstSpanAt - 1));

  std::string version = good;
  version[0] = 2;
  ExpectCorrupt(version, "span block version 2 unknown");
  ExpectCorrupt(good + "x", "data after the last span");

  std::string many_spans = good;
  many_spans[kSpanCountAt] = 100;
  ExpectCorrupt(many_spans, "count exceeds the data");
  std::string huge_varint = good.substr(0, kSpanCountAt) + std::string(9, '\xff') + '\x7f';
  ExpectCorrupt(huge_varint, "varint overflows 64 bits");
  std::string many_traces = good;
  many_traces[kTraceCountAt] = 2;
  ExpectCorrupt(many_traces);
  std::string shared_count = good;
  shared_count[kSharedCountAt] = 1;
  ExpectCorrupt(shared_count, "shared attribute count exceeds their length");

  // The span body: its length byte, then its trace index.
  std::string bad_trace = good;
  bad_trace[kFirstSpanAt + 1] = 1;
  ExpectCorrupt(bad_trace, "trace index out of range");
  std::string short_span = good;
  short_span[kFirstSpanAt] = static_cast<char>(short_span[kFirstSpanAt] - 1);
  ExpectCorrupt(short_span);
  std::string long_span = good;
  long_span[kFirstSpanAt] = static_cast<char>(long_span[kFirstSpanAt] + 1);
  long_span += '\0';
  ExpectCorrupt(long_span, "span longer than its fields");
}

TEST(SpanCodecTest, BadValuesAreErrors) {
  Span s = BareSpan(1, 1, kT0);
  s.attributes = {{"k", {ArrayValue{{true}}}}};  // not shared: inline
  const std::string good = Encode({s}, kT0);
  // The span ends: ref 0, "k", array tag, count 1, true tag, no events, no
  // links.
  const size_t array = good.size() - 5;
  ASSERT_EQ(good.substr(array - 3), std::string("\0\1k\7\1\3\0\0", 8));
  std::string bad_tag = good;
  bad_tag[array + 2] = 9;
  ExpectCorrupt(bad_tag, "unknown value tag");

  // Arrays nested deeper than the limit, as no encoder writes them.
  std::string body = good.substr(kFirstSpanAt + 1, array - kFirstSpanAt - 1);
  for (int i = 0; i < kMaxValueDepth + 1; ++i) body += "\x07\x01";  // an array of one value
  body += '\0';                                                     // empty
  body += good.substr(good.size() - 2);                             // events, links
  ExpectCorrupt(good.substr(0, kFirstSpanAt) + Varint(body.size()) + body, "values nested too deeply");
}

TEST(SpanCodecTest, BadSharedAttributesAreErrors) {
  Span s = BareSpan(1, 1, kT0);
  s.attributes = {{"k", {true}}};
  const std::string good = Encode({s, s}, kT0);  // the second span's "k" is shared
  ASSERT_EQ(good[kSharedCountAt], 1);
  ASSERT_EQ(good.substr(kSharedLengthAt, 4), std::string("\3\1k\3", 4));  // length 3: "k", true
  std::string bad_tag = good;
  bad_tag[kSharedLengthAt + 3] = 9;
  ExpectCorrupt(bad_tag, "unknown value tag");
  // The second span's reference is its last byte but two.
  std::string bad_ref = good;
  bad_ref[bad_ref.size() - 3] = 2;
  ExpectCorrupt(bad_ref, "shared attribute out of range");
}

TEST(SpanCodecTest, RandomCorruptionNeverCrashes) {
  std::vector<Span> spans = {FullSpan(1, 1, kT0), BareSpan(2, 2, kT0 + 1), FullSpan(2, 3, kT0 + 2)};
  const std::string good = Encode(spans, kT0);
  std::mt19937 rng(1);
  const model::TraceId two = TraceOf(2);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string block = good;
    for (int flips = 1 + i % 4; flips > 0; --flips) {
      block[rng() % block.size()] = static_cast<char>(rng());
    }
    const Filter filter = i % 2 == 0 ? Filter{} : Filter{&two, kT0, kT0 + 1};
    if (!Decode(block, filter).ok()) ++errors;
  }
  EXPECT_GT(errors, 0);
}

// --- Shared attributes ---

Span WebSpan(uint32_t n) {
  Span s = BareSpan(static_cast<uint8_t>(n % 5), static_cast<uint8_t>(n), kT0 + n);
  s.attributes = {{"http.request.method", {std::string("GET")}},
                  {"http.response.status_code", {int64_t{200 + n % 2}}},
                  {"url.path", {"/items/" + std::to_string(n)}},  // unique
                  {"server.address", {std::string("checkout.svc.cluster.local")}},
                  {"retry", {false}},
                  {"ratio", {0.25}}};
  return s;
}

TEST(SpanCodecTest, RepeatedAttributesAreStoredOnce) {
  std::vector<Span> spans;
  size_t one_by_one = 0;
  for (uint32_t n = 0; n < 200; ++n) {
    spans.push_back(WebSpan(n));
    one_by_one += Encode({spans.back()}, kT0).size();
  }
  const std::string block = Encode(spans, kT0);
  EXPECT_LT(block.size(), one_by_one / 2);
  auto got = Decode(block);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectExactlyEqual(*got, spans);
}

TEST(SpanCodecTest, SharingKeepsOrderAndBits) {
  // Attributes move between positions, equal-comparing doubles differ in
  // bits, and the same key comes with values of different kinds.
  std::vector<Span> spans;
  for (uint32_t n = 0; n < 50; ++n) {
    Span s = BareSpan(1, static_cast<uint8_t>(n), kT0);
    s.attributes = {{"zero", {n % 2 == 0 ? 0.0 : -0.0}},
                    {"nan", {NanWithPayload(n % 3)}},
                    {"v", n % 3 == 0   ? AnyValue{int64_t{1}}
                          : n % 3 == 1 ? AnyValue{1.0}
                                       : AnyValue{std::string("1")}},
                    {"b", {Bytes{1, 2}}},
                    {"empty", {}}};
    if (n % 4 == 1) std::rotate(s.attributes.begin(), s.attributes.begin() + 2, s.attributes.end());
    if (n % 5 == 2) s.attributes.erase(s.attributes.begin());
    s.events = {{kT0, "e", {{"exception.type", {std::string("Timeout")}}}}};
    model::SpanLink link;
    link.attributes = {{"link.kind", {std::string("follows")}}};
    s.links = {link};
    spans.push_back(s);
  }
  auto got = Decode(Encode(spans, kT0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectExactlyEqual(*got, spans);
}

TEST(SpanCodecTest, LargeAndManyDistinctAttributesStayExact) {
  std::vector<Span> spans;
  for (uint32_t n = 0; n < 300; ++n) {
    Span s = BareSpan(1, static_cast<uint8_t>(n), kT0);
    // Too large to share, and more distinct ones than there are candidates.
    s.attributes = {{"sql", {std::string(SpanBlockBuilder::kMaxSharedBytes, 's')}}};
    for (uint32_t i = 0; i < 40; ++i) s.attributes.push_back({Numbered("k", i), {int64_t(n * 40 + i) % 9000}});
    spans.push_back(s);
  }
  auto got = Decode(Encode(spans, kT0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectExactlyEqual(*got, spans);
}

}  // namespace
}  // namespace augur::store
