#include "topology/trace_assembler.h"

#include <gtest/gtest.h>

#include <vector>

namespace augur::topology {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kBase = 1'700'000'000 * kS;

struct RecordingSink : TraceSink {
  std::vector<std::vector<uint64_t>> traces;  // span ids per completed trace
  std::vector<size_t> late_sizes;             // trace size when a late span came
  std::vector<uint64_t> watermarks;
  void OnTrace(std::vector<SpanRecord>& spans) override {
    std::vector<uint64_t> ids;
    for (const auto& s : spans) ids.push_back(s.span_id);
    traces.push_back(ids);
  }
  void OnLateSpan(std::vector<SpanRecord>& spans) override { late_sizes.push_back(spans.size()); }
  void OnWatermark(uint64_t w) override { watermarks.push_back(w); }
};

model::TraceId Tid(uint8_t n) {
  model::TraceId id{};
  id[15] = n;
  return id;
}

SpanRecord Span(uint64_t id, uint64_t end_s) {
  SpanRecord r;
  r.span_id = id;
  r.start_ns = kBase + end_s * kS - kS / 2;
  r.end_ns = kBase + end_s * kS;
  return r;
}

AssemblerOptions Options() {
  AssemblerOptions o;
  o.allowed_lateness_ns = 10 * kS;
  o.quiet_ns = 5 * kS;
  o.recent_ns = 60 * kS;
  return o;
}

TEST(TraceAssemblerTest, CompletesWhenQuietInEventTime) {
  RecordingSink sink;
  TraceAssembler a(Options(), &sink);
  a.Add(Tid(1), Span(1, 0));
  a.Add(Tid(1), Span(2, 3));   // newest end of trace 1: t = 3 s
  a.Add(Tid(2), Span(3, 17));  // watermark 7 s: trace 1 due at 8 s
  EXPECT_TRUE(sink.traces.empty());
  a.Add(Tid(2), Span(4, 18));  // watermark 8 s
  ASSERT_EQ(sink.traces.size(), 1u);
  EXPECT_EQ(sink.traces[0], (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(a.watermark(), kBase + 8 * kS);
  EXPECT_EQ(a.stats().traces_completed, 1u);
  EXPECT_EQ(a.stats().open_traces, 1u);
  EXPECT_EQ(a.stats().open_spans, 2u);
  a.Flush();
  EXPECT_EQ(sink.traces.size(), 2u);
  EXPECT_EQ(a.stats().open_spans, 0u);
}

TEST(TraceAssemblerTest, AdvanceToCompletesIdleTraces) {
  RecordingSink sink;
  TraceAssembler a(Options(), &sink);
  a.Add(Tid(1), Span(1, 0));
  a.AdvanceTo(kBase + 4 * kS);
  EXPECT_TRUE(sink.traces.empty());
  a.AdvanceTo(kBase + 5 * kS);
  EXPECT_EQ(sink.traces.size(), 1u);
  a.AdvanceTo(kBase);  // never back
  EXPECT_EQ(a.watermark(), kBase + 5 * kS);
}

TEST(TraceAssemblerTest, LateSpanJoinsTheRecentTrace) {
  RecordingSink sink;
  TraceAssembler a(Options(), &sink);
  a.Add(Tid(1), Span(1, 0));
  a.AdvanceTo(kBase + 5 * kS);
  ASSERT_EQ(sink.traces.size(), 1u);
  a.Add(Tid(1), Span(2, 1));
  EXPECT_EQ(sink.late_sizes, (std::vector<size_t>{2}));
  EXPECT_EQ(a.stats().late_spans, 1u);
  EXPECT_EQ(sink.traces.size(), 1u);
  // After recent_ns the trace is forgotten: a span for it starts a new one.
  a.AdvanceTo(kBase + 66 * kS);
  EXPECT_EQ(a.stats().recent_traces, 0u);
  a.Add(Tid(1), Span(3, 70));
  EXPECT_EQ(a.stats().late_spans, 1u);
  EXPECT_EQ(a.stats().open_traces, 1u);
}

TEST(TraceAssemblerTest, BoundsAreCountedNotExceeded) {
  RecordingSink sink;
  AssemblerOptions o = Options();
  o.max_open_traces = 2;
  o.max_spans_per_trace = 3;
  o.max_recent_traces = 1;
  TraceAssembler a(o, &sink);
  for (uint64_t i = 0; i < 5; ++i) a.Add(Tid(1), Span(i + 1, 0));
  EXPECT_EQ(a.stats().spans_overflow, 2u);
  a.Add(Tid(2), Span(10, 1));
  a.Add(Tid(3), Span(20, 2));  // full: trace 1 (due first) is forced out
  EXPECT_EQ(a.stats().traces_forced, 1u);
  ASSERT_EQ(sink.traces.size(), 1u);
  EXPECT_EQ(sink.traces[0], (std::vector<uint64_t>{1, 2, 3}));
  a.Add(Tid(4), Span(30, 2));  // forces trace 2; recent keeps only it, trace 1 is released
  EXPECT_EQ(a.stats().traces_forced, 2u);
  EXPECT_EQ(a.stats().recent_traces, 1u);
  EXPECT_EQ(a.stats().open_traces, 2u);
  a.Add(Tid(1), Span(4, 2));  // trace 1 no longer known: a new trace, not late
  EXPECT_EQ(a.stats().late_spans, 0u);
}

TEST(TraceAssemblerTest, OpenSpansAreBounded) {
  RecordingSink sink;
  AssemblerOptions o = Options();
  o.max_open_spans = 3;
  TraceAssembler a(o, &sink);
  a.Add(Tid(1), Span(1, 0));
  a.Add(Tid(2), Span(2, 1));
  a.Add(Tid(2), Span(3, 1));
  EXPECT_EQ(a.stats().open_spans, 3u);
  a.Add(Tid(2), Span(4, 1));  // full: trace 1, due first, goes
  EXPECT_EQ(a.stats().traces_forced, 1u);
  EXPECT_EQ(a.stats().open_spans, 3u);
  a.Add(Tid(2), Span(5, 1));  // full again: trace 2 itself goes, and this span is late
  EXPECT_EQ(a.stats().traces_forced, 2u);
  EXPECT_EQ(a.stats().open_spans, 0u);
  EXPECT_EQ(sink.late_sizes, (std::vector<size_t>{4}));
}

TEST(TraceAssemblerTest, OldSpanOfNewTraceCompletesAtOnce) {
  RecordingSink sink;
  TraceAssembler a(Options(), &sink);
  a.Add(Tid(1), Span(1, 100));  // watermark 90 s
  a.Add(Tid(2), Span(2, 20));   // due at 25 s, long passed
  ASSERT_EQ(sink.traces.size(), 1u);
  EXPECT_EQ(sink.traces[0], (std::vector<uint64_t>{2}));
}

}  // namespace
}  // namespace augur::topology
