#include "engine/engine.h"

#include <gtest/gtest.h>

#include <string_view>

#include "scenario/generator.h"
#include "scenario/spec.h"

namespace augur::engine {
namespace {

using scenario::kHour;
using scenario::kSecond;

constexpr uint64_t kStart = 1'767'225'600 * kSecond;

// Runs the article's experiment, restarting the engine (save → load) at
// `restart_at` exports when non-zero; returns every insight revision.
std::vector<model::Insight> RunExperiment(size_t restart_at) {
  const auto spec = scenario::InjectLatencyExperiment(3, kStart, 3 * kHour, kStart + 2 * kHour);
  auto engine = std::make_unique<Engine>();
  std::vector<model::Insight> insights;
  size_t n = 0;
  EXPECT_TRUE(scenario::Generate(spec, [&](scenario::Export& e) {
                if (restart_at != 0 && n++ == restart_at) {
                  const std::string state = engine->SaveState();
                  engine = std::make_unique<Engine>();
                  EXPECT_TRUE(engine->LoadState(state).ok());
                }
                engine->Add(e.batch);
                engine->TakeInsights(&insights);
              }).ok());
  return insights;
}

TEST(Engine, ARestartDoesNotRelearn) {
  const auto straight = RunExperiment(0);
  ASSERT_FALSE(straight.empty());
  // Restart an hour in (~720 span exports and more): the detectors keep
  // what they learned, so the fault is found the same way.
  const auto restarted = RunExperiment(2000);
  ASSERT_EQ(restarted.size(), straight.size());
  EXPECT_EQ(restarted.back().root_cause, straight.back().root_cause);
  EXPECT_EQ(restarted.back().start_ns, straight.back().start_ns);
}

TEST(Engine, RefusesStateItDidNotWrite) {
  Engine e;
  EXPECT_FALSE(e.LoadState("nonsense").ok());
}

uint64_t OverflowOf(const std::vector<OverflowTotal>& totals, std::string_view component, std::string_view what) {
  for (const OverflowTotal& o : totals) {
    if (component == o.component && what == o.what) return o.total;
  }
  ADD_FAILURE() << "no overflow entry " << component << "/" << what;
  return 0;
}

TEST(Engine, CountsWhatItsFullTablesRefuse) {
  EngineOptions options;
  options.analyzer.red.max_series = 2;  // the experiment has three services' operations
  options.topology.max_operations = 1;
  Engine engine(options);
  const auto before = engine.Overflows();
  ASSERT_FALSE(before.empty());
  for (const OverflowTotal& o : before) EXPECT_EQ(o.total, 0u) << o.component << "/" << o.what;

  const auto spec = scenario::ServerlessApp(3, kStart, 10 * 60 * kSecond);
  ASSERT_TRUE(scenario::Generate(spec, [&](scenario::Export& e) { engine.Add(e.batch); }).ok());
  const auto after = engine.Overflows();
  ASSERT_EQ(after.size(), before.size());  // same entries, same order, always
  EXPECT_GT(OverflowOf(after, "red", "series"), 0u);
  EXPECT_GT(OverflowOf(after, "topology", "operations"), 0u);
  EXPECT_EQ(OverflowOf(after, "topology", "edges"), 0u);
}

// The engine never takes the topology's closed points, so none are queued:
// a queue of one point is not overflowed by ten minutes of closed buckets
// (before, every closed bucket past the queue's bound was counted dropped).
TEST(Engine, QueuesNoClosedTopologyPoints) {
  EngineOptions options;
  options.topology.max_pending_points = 1;
  Engine engine(options);
  const auto spec = scenario::ServerlessApp(3, kStart, 10 * 60 * kSecond);
  ASSERT_TRUE(scenario::Generate(spec, [&](scenario::Export& e) { engine.Add(e.batch); }).ok());
  EXPECT_GT(engine.topology_stats().graph.calls_recorded, 0u);
  EXPECT_EQ(OverflowOf(engine.Overflows(), "topology", "points"), 0u);
}

// A shop whose GET /cart writes two lines in each of its spans, two a
// second; the first line stops after `stop_s` while the calls go on.
// Returns the anomalies of the operation-share rule.
std::vector<model::Anomaly> LineStops(EngineOptions options, int stop_s, int end_s) {
  Engine engine(options);
  std::vector<model::Anomaly> all, out;
  uint64_t id = 0;
  for (int s = 0; s < end_s; ++s) {
    model::Batch b;
    b.resources.emplace_back();
    b.resources.back().service_name = "shop";
    const uint64_t t = kStart + static_cast<uint64_t>(s) * kSecond;
    for (int i = 0; i < 2; ++i) {
      model::Span span;
      ++id;
      for (int k = 0; k < 8; ++k) span.trace_id[k] = span.span_id[k] = static_cast<uint8_t>(id >> (8 * k));
      span.name = "GET /cart";
      span.kind = model::SpanKind::kServer;
      span.start_time_unix_nano = t + static_cast<uint64_t>(i) * 400'000'000;
      span.end_time_unix_nano = span.start_time_unix_nano + 20'000'000;
      for (const char* body : {"cart loaded from the session store", "cart priced with the current tariff"}) {
        if (s >= stop_s && body[5] == 'l') continue;
        model::LogRecord r;
        r.time_unix_nano = span.start_time_unix_nano + 5'000'000;
        r.severity_number = 9;
        r.body.value = std::string(body);
        r.trace_id = span.trace_id;
        r.span_id = span.span_id;
        b.logs.push_back(r);
      }
      b.spans.push_back(std::move(span));
    }
    engine.Add(b);
    engine.TakeAnomalies(&all);
  }
  for (const auto& a : all) {
    if (a.detector == "operation_share") out.push_back(a);
  }
  return out;
}

TEST(Engine, ALogLineThatStopsWhileItsOperationGoesOnIsAnAnomaly) {
  const auto found = LineStops({}, 720, 840);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].series.service, "shop");
  EXPECT_EQ(found[0].kind, "log_rate");
  EXPECT_EQ(found[0].direction, "down");
  EXPECT_LT(found[0].onset_ns, kStart + 720 * kSecond);
  EXPECT_TRUE(LineStops({}, 100'000, 840).empty());  // the line never stops
  EngineOptions off;
  off.operation_lines.enabled = false;
  EXPECT_TRUE(LineStops(off, 720, 840).empty());
}

}  // namespace
}  // namespace augur::engine
