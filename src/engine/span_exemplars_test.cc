#include "engine/span_exemplars.h"

#include <gtest/gtest.h>

#include <set>

namespace augur::engine {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kMs = 1'000'000ULL;
constexpr uint64_t kT0 = 1'767'225'600 * kSecond;

model::TraceId Trace(uint32_t n) {
  model::TraceId id{};
  id[0] = 1;
  id[12] = static_cast<uint8_t>(n >> 24);
  id[13] = static_cast<uint8_t>(n >> 16);
  id[14] = static_cast<uint8_t>(n >> 8);
  id[15] = static_cast<uint8_t>(n);
  return id;
}

uint32_t Number(const model::TraceId& id) {
  return (uint32_t{id[12]} << 24) | (uint32_t{id[13]} << 16) | (uint32_t{id[14]} << 8) | id[15];
}

class Spans {
 public:
  Spans() { batch_.resources.push_back(model::Resource{{}, "writer", ""}); }
  // A span of `operation` with trace `n`, ending at `end`, lasting `ms`.
  Spans& Add(uint32_t n, uint64_t end, uint64_t ms, bool error = false, std::string operation = "POST /items") {
    model::Span s;
    s.trace_id = Trace(n);
    s.name = std::move(operation);
    s.kind = model::SpanKind::kServer;
    s.start_time_unix_nano = end - ms * kMs;
    s.end_time_unix_nano = end;
    if (error) s.status_code = model::StatusCode::kError;
    batch_.spans.push_back(std::move(s));
    return *this;
  }
  const model::Batch& batch() const { return batch_; }

 private:
  model::Batch batch_;
};

std::vector<uint32_t> Numbers(const std::vector<Exemplar>& v) {
  std::vector<uint32_t> out;
  for (const auto& e : v) out.push_back(Number(e.trace_id));
  return out;
}

ExemplarQuery Slow(uint64_t from, uint64_t to, uint64_t min_ms, size_t max) {
  return {.service = "writer",
          .operation = "POST /items",
          .from_ns = from,
          .to_ns = to,
          .failing = false,
          .min_duration_ns = min_ms * kMs,
          .max = max};
}

TEST(SpanExemplars, KeepsTheSlowestOfEachSliceNewestSliceFirst) {
  SpanExemplars ex({.slice_ns = kMinute, .slices_per_operation = 10, .slow_per_slice = 2, .failing_per_slice = 2});
  Spans s;
  // Minute 0: durations 10..50 ms; minute 1: 100, 5, 300 ms.
  for (uint32_t i = 1; i <= 5; ++i) s.Add(i, kT0 + i * kSecond, 10 * i);
  s.Add(11, kT0 + kMinute + 1 * kSecond, 100).Add(12, kT0 + kMinute + 2 * kSecond, 5);
  s.Add(13, kT0 + kMinute + 3 * kSecond, 300);
  ex.Add(s.batch());
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, 0, 0, 10))), (std::vector<uint32_t>{13, 11, 5, 4}));
  // A bound keeps only the spans above it.
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, 0, 45, 10))), (std::vector<uint32_t>{13, 11, 5}));
  // At most `max`, newest slice first.
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, 0, 0, 1))), (std::vector<uint32_t>{13}));
  // The window: only minute 0.
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, kT0 + kMinute - 1, 0, 10))), (std::vector<uint32_t>{5, 4}));
  // Another operation or service knows nothing.
  auto q = Slow(kT0, 0, 0, 10);
  q.operation = "GET /items/{id}";
  EXPECT_TRUE(ex.Find(q).empty());
}

TEST(SpanExemplars, FailingSpansAreKeptApartFromSlowOnes) {
  SpanExemplars ex({.slice_ns = kMinute, .slices_per_operation = 10, .slow_per_slice = 1, .failing_per_slice = 2});
  Spans s;
  s.Add(1, kT0 + 1 * kSecond, 500);      // slow, fine
  s.Add(2, kT0 + 2 * kSecond, 3, true);  // fast, failed
  s.Add(3, kT0 + 3 * kSecond, 4, true);  // fast, failed
  s.Add(4, kT0 + 4 * kSecond, 5, true);  // over failing_per_slice
  ex.Add(s.batch());
  auto q = Slow(kT0, 0, 0, 10);
  q.failing = true;
  EXPECT_EQ(Numbers(ex.Find(q)), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, 0, 0, 10))), (std::vector<uint32_t>{1}));
}

TEST(SpanExemplars, HttpFiveHundredOnAServerSpanIsAFailure) {
  SpanExemplars ex;
  model::Batch b;
  b.resources.push_back(model::Resource{{}, "gateway", ""});
  model::Span s;
  s.trace_id = Trace(7);
  s.name = "POST /items";
  s.kind = model::SpanKind::kServer;
  s.start_time_unix_nano = kT0;
  s.end_time_unix_nano = kT0 + kMs;
  s.attributes.push_back({"http.response.status_code", {int64_t{502}}});
  b.spans.push_back(s);
  ex.Add(b);
  ExemplarQuery q{.service = "gateway", .operation = "POST /items", .from_ns = kT0, .failing = true};
  EXPECT_EQ(Numbers(ex.Find(q)), (std::vector<uint32_t>{7}));
}

TEST(SpanExemplars, BoundsHoldAndOverflowIsCounted) {
  SpanExemplars ex({.slice_ns = kMinute,
                    .slices_per_operation = 3,
                    .slow_per_slice = 2,
                    .failing_per_slice = 1,
                    .max_operations = 4});
  Spans s;
  uint32_t n = 1;
  for (int minute = 0; minute < 10; ++minute) {
    for (int i = 0; i < 50; ++i) s.Add(n++, kT0 + minute * kMinute + i * kSecond, 1 + i % 7, i % 3 == 0);
  }
  for (int op = 0; op < 6; ++op) s.Add(n++, kT0 + 9 * kMinute, 1, false, "op" + std::to_string(op));
  ex.Add(s.batch());
  EXPECT_EQ(ex.operations(), 4u);
  EXPECT_EQ(ex.stats().operations_overflow, 3u);  // "POST /items" + 3 others fit, 3 do not
  // Three slices of two slow spans each remain, the newest.
  const auto slow = ex.Find(Slow(kT0, 0, 0, 100));
  EXPECT_EQ(slow.size(), 6u);
  for (const auto& e : slow) EXPECT_GE(e.end_ns, kT0 + 7 * kMinute);
  // A span older than every kept slice is late, and counted.
  Spans late;
  late.Add(n++, kT0 + kSecond, 1000);
  ex.Add(late.batch());
  EXPECT_EQ(ex.stats().late, 1u);
  EXPECT_EQ(ex.Find(Slow(kT0, 0, 0, 100)).size(), 6u);
}

TEST(SpanExemplars, IdleOperationsMakeRoomForNewOnes) {
  SpanExemplars ex({.slice_ns = kMinute, .slices_per_operation = 2, .max_operations = 1});
  Spans a;
  a.Add(1, kT0, 10, false, "old");
  ex.Add(a.batch());
  Spans b;
  b.Add(2, kT0 + 10 * kMinute, 10, false, "new");
  ex.Add(b.batch());
  EXPECT_EQ(ex.stats().operations_dropped, 1u);
  EXPECT_EQ(ex.stats().operations_overflow, 0u);
  auto q = Slow(kT0, 0, 0, 5);
  q.operation = "new";
  EXPECT_EQ(Numbers(ex.Find(q)), (std::vector<uint32_t>{2}));
}

TEST(SpanExemplars, ALateSpanJoinsItsSlice) {
  SpanExemplars ex({.slice_ns = kMinute, .slices_per_operation = 5, .slow_per_slice = 1});
  Spans s;
  s.Add(1, kT0 + 2 * kMinute, 10).Add(2, kT0 + 10 * kSecond, 700).Add(3, kT0 + kMinute, 20);
  ex.Add(s.batch());
  EXPECT_EQ(Numbers(ex.Find(Slow(kT0, 0, 0, 10))), (std::vector<uint32_t>{1, 3, 2}));
  EXPECT_EQ(ex.stats().late, 0u);
}

TEST(SpanExemplars, SaveAndLoadKeepEverything) {
  SpanExemplars ex;
  Spans s;
  for (uint32_t i = 1; i <= 40; ++i) s.Add(i, kT0 + i * 7 * kSecond, (i * 37) % 101, i % 5 == 0);
  ex.Add(s.batch());
  const std::string bytes = ex.SaveState();
  SpanExemplars back;
  ASSERT_TRUE(back.LoadState(bytes).ok());
  EXPECT_EQ(back.SaveState(), bytes);
  EXPECT_EQ(Numbers(back.Find(Slow(kT0, 0, 0, 100))), Numbers(ex.Find(Slow(kT0, 0, 0, 100))));
  // Damaged bytes change nothing.
  EXPECT_FALSE(back.LoadState(bytes.substr(0, bytes.size() - 3)).ok());
  EXPECT_FALSE(back.LoadState("nonsense").ok());
  EXPECT_EQ(back.SaveState(), bytes);
}

}  // namespace
}  // namespace augur::engine
