#include "scenario/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace augur::scenario {
namespace {

constexpr uint64_t kStart = 1'700'000'000 * kSecond;  // 2023-11-14T22:13:20Z

// A span with what the export said about it.
struct SeenSpan {
  model::Span span;
  std::string service;  // the export's
  std::string resource_service;
  std::string version;       // service.version of its resource
  std::string faas_version;  // faas.version, "" for the gateway
  uint64_t export_time_ns = 0;
};

struct ScenarioRun {
  std::vector<Export> exports;
  std::vector<SeenSpan> spans;
  std::vector<model::LogRecord> logs;
  GroundTruth truth;
  GeneratorStats stats;
};

ScenarioRun RunScenario(const ScenarioSpec& spec) {
  ScenarioRun run;
  auto g = Generator::Create(spec);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return run;
  run.truth = (*g)->truth();
  Export e;
  while ((*g)->Next(&e)) {
    for (const model::Span& s : e.batch.spans) {
      const model::Resource& r = e.batch.resources.at(s.resource_index);
      run.spans.push_back({s, e.service, r.service_name,
                           std::string(model::StringAttribute(r.attributes, "service.version")),
                           std::string(model::StringAttribute(r.attributes, "faas.version")), e.export_time_ns});
    }
    for (const model::LogRecord& l : e.batch.logs) run.logs.push_back(l);
    run.exports.push_back(std::move(e));
  }
  run.stats = (*g)->stats();
  return run;
}

std::string Key(const model::TraceId& id) {
  return std::string(id.begin(), id.end());
}

double DurationMs(const model::Span& s) {
  return static_cast<double>(s.end_time_unix_nano - s.start_time_unix_nano) / 1e6;
}

// service/name/kind → the span of each trace.
using ByTrace = std::map<std::string, std::map<std::string, const SeenSpan*>>;
ByTrace IndexByTrace(const ScenarioRun& run) {
  ByTrace out;
  for (const SeenSpan& s : run.spans) {
    out[Key(s.span.trace_id)][s.service + "/" + s.span.name + "/" + model::SpanKindName(s.span.kind)] = &s;
  }
  return out;
}

TEST(GeneratorTest, SameSeedSameExportsOtherSeedOthers) {
  ScenarioSpec spec = InjectLatencyExperiment(42, kStart, 10 * kMinute, kStart + 5 * kMinute);
  ScenarioRun a = RunScenario(spec), b = RunScenario(spec);
  ASSERT_EQ(a.exports.size(), b.exports.size());
  ASSERT_FALSE(a.exports.empty());
  for (size_t i = 0; i < a.exports.size(); ++i) {
    EXPECT_EQ(a.exports[i].export_time_ns, b.exports[i].export_time_ns);
    EXPECT_EQ(a.exports[i].service, b.exports[i].service);
    ASSERT_TRUE(a.exports[i].batch.spans == b.exports[i].batch.spans) << "export " << i;
    ASSERT_TRUE(a.exports[i].batch.logs == b.exports[i].batch.logs) << "export " << i;
    ASSERT_TRUE(a.exports[i].batch.metrics == b.exports[i].batch.metrics) << "export " << i;
  }
  spec.seed = 43;
  ScenarioRun c = RunScenario(spec);
  ASSERT_FALSE(c.spans.empty());
  EXPECT_NE(a.spans.front().span.trace_id, c.spans.front().span.trace_id);
  EXPECT_NE(a.stats.requests, 0u);
}

TEST(GeneratorTest, TracesNestAndIdsAreConsistent) {
  ScenarioSpec spec = ServerlessApp(3, kStart, 10 * kMinute);
  spec.faults.push_back(
      {.start_ns = kStart + 5 * kMinute, .target = "items", .kind = FaultKind::kErrors, .error_probability = 0.2});
  spec.faults.push_back(
      {.start_ns = kStart + 2 * kMinute, .target = "reader", .kind = FaultKind::kErrors, .error_probability = 0.2});
  ScenarioRun run = RunScenario(spec);
  std::map<std::string, std::vector<const SeenSpan*>> traces;
  std::set<std::string> span_ids;
  for (const SeenSpan& s : run.spans) {
    traces[Key(s.span.trace_id)].push_back(&s);
    EXPECT_TRUE(span_ids.insert(std::string(s.span.span_id.begin(), s.span.span_id.end())).second);
    EXPECT_LT(s.span.start_time_unix_nano, s.span.end_time_unix_nano);
    EXPECT_EQ(s.service, s.resource_service);
  }
  EXPECT_EQ(traces.size(), run.stats.requests);
  size_t full = 0, short_traces = 0;
  for (const auto& [id, spans] : traces) {
    int roots = 0;
    for (const SeenSpan* s : spans) {
      if (model::IsZero(s->span.parent_span_id)) {
        ++roots;
        EXPECT_EQ(s->service, "gateway");
        EXPECT_EQ(s->span.kind, model::SpanKind::kServer);
        continue;
      }
      auto parent = std::find_if(spans.begin(), spans.end(),
                                 [&](const SeenSpan* p) { return p->span.span_id == s->span.parent_span_id; });
      ASSERT_NE(parent, spans.end()) << "orphan span " << s->span.name;
      EXPECT_GE(s->span.start_time_unix_nano, (*parent)->span.start_time_unix_nano);
      EXPECT_LE(s->span.end_time_unix_nano, (*parent)->span.end_time_unix_nano);
      // A server span's parent is the caller's client span in another service.
      if (s->span.kind == model::SpanKind::kServer) {
        EXPECT_EQ((*parent)->span.kind, model::SpanKind::kClient);
        EXPECT_NE((*parent)->service, s->service);
      }
    }
    EXPECT_EQ(roots, 1);
    (spans.size() == 4 ? full : short_traces) += 1;
  }
  EXPECT_GT(full, 0u);
  EXPECT_GT(short_traces, 0u);  // reader errors fail before the table call
  // Every log belongs to a span of the same trace.
  std::set<std::pair<std::string, std::string>> known;
  for (const SeenSpan& s : run.spans) {
    known.insert({Key(s.span.trace_id), std::string(s.span.span_id.begin(), s.span.span_id.end())});
  }
  ASSERT_FALSE(run.logs.empty());
  for (const model::LogRecord& l : run.logs) {
    EXPECT_TRUE(known.count({Key(l.trace_id), std::string(l.span_id.begin(), l.span_id.end())}));
  }
}

TEST(GeneratorTest, ExportsFollowEachServicesSchedule) {
  ScenarioSpec spec = ServerlessApp(5, kStart, 20 * kMinute);
  spec.functions[0].rate_per_s = 40;
  spec.exports.max_batch = 100;  // 40 req/s × 5 s = 200 spans per export: split
  ScenarioRun run = RunScenario(spec);
  std::map<std::pair<std::string, Signal>, std::vector<uint64_t>> times;
  uint64_t last = 0;
  size_t split = 0;
  for (const Export& e : run.exports) {
    EXPECT_GE(e.export_time_ns, last);
    last = e.export_time_ns;
    EXPECT_LE(e.batch.ItemCount(), 100u);
    std::vector<uint64_t>& t = times[{e.service, e.signal}];
    if (!t.empty() && t.back() == e.export_time_ns) ++split;
    t.push_back(e.export_time_ns);
    for (const model::Resource& r : e.batch.resources) EXPECT_EQ(r.service_name, e.service);
    for (const model::Span& s : e.batch.spans) {
      // Ended in the interval before this export.
      EXPECT_LT(s.end_time_unix_nano, e.export_time_ns);
      EXPECT_GE(s.end_time_unix_nano + spec.exports.span_interval_ns, e.export_time_ns);
    }
    for (const model::LogRecord& l : e.batch.logs) EXPECT_LT(l.time_unix_nano, e.export_time_ns);
  }
  EXPECT_GT(split, 0u);
  std::set<uint64_t> phases;
  for (const auto& [key, t] : times) {
    for (size_t i = 1; i < t.size(); ++i) {
      uint64_t gap = t[i] - t[i - 1];
      uint64_t interval =
          key.second == Signal::kMetrics ? spec.exports.metric_interval_ns : spec.exports.span_interval_ns;
      EXPECT_TRUE(gap == 0 || gap % interval == 0) << key.first << " " << SignalName(key.second);
    }
    if (key.second == Signal::kTraces) phases.insert(t.front() % spec.exports.span_interval_ns);
  }
  EXPECT_EQ(phases.size(), 3u) << "each service exports at its own phase";
  EXPECT_EQ(run.stats.spans, run.spans.size());
  EXPECT_EQ(run.spans.size(), 4 * run.stats.requests) << "everything is exported in the end";
}

TEST(GeneratorTest, RateIsRoughlyRightAndSwingsDaily) {
  ScenarioSpec spec = ServerlessApp(7, kStart, kHour);
  spec.logs = false;
  spec.metrics = false;
  ScenarioRun run = RunScenario(spec);
  size_t writes = 0, reads = 0;
  for (const SeenSpan& s : run.spans) {
    if (s.service == "writer" && s.span.kind == model::SpanKind::kServer) ++writes;
    if (s.service == "reader" && s.span.kind == model::SpanKind::kServer) ++reads;
  }
  // Poisson: 18000 ± 134 and 3600 ± 60; 4 standard deviations.
  EXPECT_NEAR(static_cast<double>(writes), 18000, 540);
  EXPECT_NEAR(static_cast<double>(reads), 3600, 240);

  // One day with a ±60% swing, busiest at 12:00 UTC, quietest at 00:00.
  const uint64_t midnight = kStart - kStart % kDay + kDay;
  ScenarioSpec day = ServerlessApp(7, midnight, kDay);
  day.functions.resize(1);
  day.functions[0].rate_per_s = 1;
  day.daily_amplitude = 0.6;
  day.logs = false;
  day.metrics = false;
  day.exports.span_interval_ns = 60 * kSecond;
  ScenarioRun d = RunScenario(day);
  std::vector<double> per_hour(24);
  for (const SeenSpan& s : d.spans) {
    if (s.service == "writer" && s.span.kind == model::SpanKind::kServer) {
      per_hour[(s.span.start_time_unix_nano - midnight) / kHour] += 1;
    }
  }
  double noon = per_hour[11] + per_hour[12], night = per_hour[23] + per_hour[0];
  EXPECT_GT(noon, 2.5 * night);  // expected ratio 1.6 / 0.4 ≈ 4 at the extremes
  double total = 0;
  for (double h : per_hour) total += h;
  EXPECT_NEAR(total, 86400, 5 * std::sqrt(86400.0));
}

TEST(GeneratorTest, LatencyFaultSlowsTheTargetAndItsCallersOnly) {
  const uint64_t onset = kStart + 10 * kMinute;
  ScenarioSpec healthy = ServerlessApp(11, kStart, 20 * kMinute);
  ScenarioSpec faulty = healthy;
  faulty.faults.push_back({.start_ns = onset, .target = "writer", .latency_min_ms = 150, .latency_max_ms = 500});
  ScenarioRun h = RunScenario(healthy), f = RunScenario(faulty);
  ByTrace hb = IndexByTrace(h), fb = IndexByTrace(f);
  ASSERT_EQ(hb.size(), fb.size()) << "same arrivals and ids with or without the fault";
  size_t slowed = 0, unchanged = 0;
  for (const auto& [trace, spans] : hb) {
    const auto& other = fb.at(trace);
    ASSERT_EQ(spans.size(), other.size());
    auto writer = spans.find("writer/POST /items/SERVER");
    bool hit = writer != spans.end() && writer->second->span.start_time_unix_nano >= onset;
    for (const auto& [name, s] : spans) {
      double added = DurationMs(other.at(name)->span) - DurationMs(s->span);
      bool waits_for_writer = name == "writer/POST /items/SERVER" || name == "gateway/POST /items/SERVER" ||
                              name == "gateway/POST /items/CLIENT";
      if (hit && waits_for_writer) {
        EXPECT_GE(added, 149.99) << name;
        EXPECT_LE(added, 500.01) << name;
        ++slowed;
      } else {
        EXPECT_NEAR(added, 0, 1e-6) << name;
        ++unchanged;
      }
    }
  }
  EXPECT_GT(slowed, 3 * 5 * 500u);  // ~3 spans × 5 req/s × 600 s
  EXPECT_GT(unchanged, slowed);
}

TEST(GeneratorTest, TableFaultSlowsEveryCallToIt) {
  const uint64_t onset = kStart + 5 * kMinute;
  ScenarioSpec healthy = ServerlessApp(12, kStart, 10 * kMinute);
  ScenarioSpec faulty = healthy;
  faulty.faults.push_back(
      {.start_ns = onset, .end_ns = onset + kMinute, .target = "items", .latency_min_ms = 40, .latency_max_ms = 60});
  ScenarioRun h = RunScenario(healthy), f = RunScenario(faulty);  // ByTrace points into them
  ByTrace hb = IndexByTrace(h), fb = IndexByTrace(f);
  size_t slowed = 0;
  for (const auto& [trace, spans] : hb) {
    for (const auto& [name, s] : spans) {
      double added = DurationMs(fb.at(trace).at(name)->span) - DurationMs(s->span);
      if (s->span.kind == model::SpanKind::kClient && s->service != "gateway") {
        bool in_window = s->span.start_time_unix_nano >= onset && s->span.start_time_unix_nano < onset + kMinute;
        if (in_window) {
          EXPECT_GE(added, 39.99);
          EXPECT_LE(added, 60.01);
          ++slowed;
        } else {
          EXPECT_NEAR(added, 0, 1e-6);
        }
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(slowed), 6 * 60, 6 * 15);  // (5 + 1) req/s × 60 s, both functions
}

TEST(GeneratorTest, ErrorFaultFailsRequestsAndLogsTimeouts) {
  const uint64_t onset = kStart + 5 * kMinute;
  ScenarioSpec spec = ServerlessApp(13, kStart, 10 * kMinute);
  spec.faults.push_back({.start_ns = onset, .target = "items", .kind = FaultKind::kErrors, .error_probability = 0.3});
  ScenarioRun run = RunScenario(spec);
  size_t calls_after = 0, failed_after = 0, failed_before = 0, gateway_502 = 0;
  for (const SeenSpan& s : run.spans) {
    bool after = s.span.start_time_unix_nano >= onset;
    bool error = s.span.status_code == model::StatusCode::kError;
    if (s.span.kind == model::SpanKind::kClient && s.service != "gateway") {
      if (after) {
        ++calls_after;
        failed_after += error;
      } else {
        failed_before += error;
      }
    }
    if (s.service == "gateway" && model::IsZero(s.span.parent_span_id) && error) {
      const model::AnyValue* code = model::FindAttribute(s.span.attributes, "http.response.status_code");
      ASSERT_NE(code, nullptr);
      gateway_502 += std::get<int64_t>(code->value) == 502;
    }
  }
  EXPECT_EQ(failed_before, 0u);
  EXPECT_NEAR(static_cast<double>(failed_after) / static_cast<double>(calls_after), 0.3, 0.03);
  EXPECT_EQ(gateway_502, failed_after);
  EXPECT_EQ(run.stats.failed_requests, failed_after);
  size_t timeout_lines = 0;
  for (const model::LogRecord& l : run.logs) {
    if (l.severity_text == "ERROR" && std::get<std::string>(l.body.value).find("timeout") != std::string::npos) {
      ++timeout_lines;
      EXPECT_GE(l.time_unix_nano, onset);
    }
  }
  EXPECT_EQ(timeout_lines, failed_after);
}

TEST(GeneratorTest, DeploymentChangesTheVersionFromItsTime) {
  const uint64_t deploy = kStart + 7 * kMinute + 123'456'789;
  ScenarioSpec spec = InjectLatencyExperiment(17, kStart, 15 * kMinute, deploy);
  ScenarioRun run = RunScenario(spec);
  ASSERT_EQ(run.truth.faults.size(), 1u);
  EXPECT_EQ(run.truth.faults[0].start_ns, deploy);
  size_t old_v = 0, new_v = 0, mixed_batches = 0;
  for (const SeenSpan& s : run.spans) {
    if (s.service == "writer") {
      // A request uses the version current when the function began it.
      bool after = s.span.kind == model::SpanKind::kServer ? s.span.start_time_unix_nano >= deploy : s.version == "2";
      EXPECT_EQ(s.version, after ? "2" : "1");
      EXPECT_EQ(s.faas_version, s.version);
      (after ? new_v : old_v) += 1;
      if (s.span.kind == model::SpanKind::kServer) {
        double ms = DurationMs(s.span);
        if (after) {
          EXPECT_GE(ms, 150);
        }
      }
    } else {
      EXPECT_EQ(s.version, "1") << s.service;
    }
  }
  EXPECT_GT(old_v, 1000u);
  EXPECT_GT(new_v, 1000u);
  for (const Export& e : run.exports) mixed_batches += e.batch.resources.size() > 1;
  EXPECT_LE(mixed_batches, 2u);  // only the writer's exports right at the deployment

  // faas.invocations restarts at the deployment, with the deployment as its start time.
  double last_before = -1;
  bool saw_after = false;
  for (const Export& e : run.exports) {
    for (const model::Metric& m : e.batch.metrics) {
      if (e.service != "writer" || m.name != "faas.invocations") continue;
      const model::MetricPoint& p = m.points.at(0);
      if (p.time_unix_nano < deploy) {
        EXPECT_EQ(p.start_time_unix_nano, kStart);
        EXPECT_GT(p.value, last_before);
        last_before = p.value;
      } else if (!saw_after) {
        saw_after = true;
        EXPECT_EQ(p.start_time_unix_nano, deploy);
        EXPECT_LT(p.value, last_before);
        EXPECT_EQ(StringAttribute(e.batch.resources.at(m.resource_index).attributes, "faas.version"), "2");
      }
    }
  }
  EXPECT_GT(last_before, 1000);
  EXPECT_TRUE(saw_after);
}

TEST(GeneratorTest, InvocationCounterCountsTheFunctionsRequests) {
  ScenarioSpec spec = ServerlessApp(19, kStart, 30 * kMinute);
  ScenarioRun run = RunScenario(spec);
  std::vector<uint64_t> starts;
  for (const SeenSpan& s : run.spans) {
    if (s.service == "reader" && s.span.kind == model::SpanKind::kServer) starts.push_back(s.span.start_time_unix_nano);
  }
  size_t checked = 0, memory_points = 0;
  for (const Export& e : run.exports) {
    for (const model::Metric& m : e.batch.metrics) {
      if (m.name == "process.memory.usage") {
        ++memory_points;
        EXPECT_EQ(m.type, model::MetricType::kGauge);
        EXPECT_GT(m.points.at(0).value, 1e7);
      }
      if (e.service != "reader" || m.name != "faas.invocations") continue;
      const uint64_t t = m.points.at(0).time_unix_nano;
      double expected =
          static_cast<double>(std::count_if(starts.begin(), starts.end(), [&](uint64_t s) { return s < t; }));
      EXPECT_EQ(m.points.at(0).value, expected);
      ++checked;
    }
  }
  EXPECT_GE(checked, 30u);
  EXPECT_GE(memory_points, 3 * 30u);
}

TEST(GeneratorTest, RejectsAnInvalidSpec) {
  ScenarioSpec spec = ServerlessApp(1, kStart, kHour);
  spec.faults.push_back({.target = "nowhere"});
  EXPECT_FALSE(Generator::Create(spec).ok());
  EXPECT_FALSE(Generate(spec, [](Export&) {}).ok());
}

}  // namespace
}  // namespace augur::scenario
