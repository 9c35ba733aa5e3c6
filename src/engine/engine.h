// Engine: the whole of augur's analysis, pure. Telemetry and change events
// in; anomalies, inferred deployments and insights out.
//
//   Batch ──┬─> topology::TopologyBuilder ── traces, service graph, self time ──┐ (TopologyView)
//           ├─> analysis::Analyzer ── anomalies, inferred deployments ──────────┤
//           ├─> analysis::Saturation ── forecasts (proactive anomalies) ─────────┤
//           ├─> logs::LogAnalyzer ── templates, log anomalies, snippets ────────┤
//           │     └─> logs::OperationLines ── (with the spans) a line that stops ┤
//           │         while its operation goes on                              │
//           └─> SpanExemplars ── traces of slow and failing spans ──────────────┤ (the snippets' traces)
//   change events (API, CLI) ───────────────────────────────────────────────────┴─> insight::Correlator ─> insights
//
// The analysis stage (ingest/analysis_stage.h) runs one Engine on its
// thread for `augur serve`; scenario tests and benchmarks run one directly
// on generated telemetry, so they exercise exactly the production code.
//
// Same input, same output: no clock, no I/O; the only time is event time.
// Not thread-safe; one owner thread (the stage guards it with a mutex for
// the API's topology snapshots).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/saturation.h"
#include "common/status.h"
#include "engine/span_exemplars.h"
#include "insight/correlator.h"
#include "logs/log_analyzer.h"
#include "logs/operation_lines.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "topology/topology_builder.h"

namespace augur::engine {

// What one bounded table of the analysis refused or forgot because it was
// full, as a total since the engine started (augur's /metrics shows each as
// augur_analysis_overflow_total{component, what}).
struct OverflowTotal {
  const char* component;  // "red", "topology", "logs", "insight", ...
  const char* what;       // what was not kept: "series", "edges", "anomalies", ...
  uint64_t total;
};

struct EngineOptions {
  analysis::AnalyzerOptions analyzer;
  analysis::SaturationOptions saturation;
  logs::LogAnalyzerOptions logs;
  logs::OperationLinesOptions operation_lines;
  topology::TopologyOptions topology;
  insight::CorrelatorOptions correlator;
  ExemplarOptions exemplars;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Add(const model::Batch& batch);
  // A change event as stored (explicit, or an inferred one after the
  // store merged it); the correlator relates it to anomalies near it.
  void AddEvent(const model::ChangeEvent& event);
  // Live mode, sources idle: moves event time on (see EventClock::AdvanceTo).
  void AdvanceTo(uint64_t time_ns);
  // User feedback on an insight: TOO_SENSITIVE lowers the sensitivity of
  // every series with an anomaly in it, for good (saved with the state).
  void ApplyFeedback(const model::Insight& insight, std::string_view feedback);

  // What changed since the last call of each.
  void TakeAnomalies(std::vector<model::Anomaly>* out);
  void TakeInferredEvents(std::vector<model::ChangeEvent>* out);
  // Insights carry log snippets of their root-cause service from two
  // minutes before their start (logs::LogAnalyzer::Snippets), preferring
  // the lines of traces whose spans were slow or failed after the start
  // (SpanExemplars):
  // those of the root cause's operation, then those of the causal
  // anomalies' operations. "Slow" is above the latency anomaly's expected
  // upper bound; without one (a root cause with no latency quantile
  // anomaly), the slowest spans of each minute. See TraceRefsFor.
  void TakeInsights(std::vector<model::Insight>* out);

  // Log patterns seen in [from, to] (GET /api/v1/logs/patterns).
  std::vector<logs::PatternInfo> Patterns(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                          size_t max) const {
    return logs_.Patterns(service, from_ns, to_ns, max);
  }
  // The topology over buckets starting in [from, to) (GET /api/v1/topology).
  topology::Topology Topology(uint64_t from_ns, uint64_t to_ns) const;

  std::string SaveState() const;
  // For a fresh Engine. On error the engine is half-loaded and must be
  // replaced by a fresh one (augur then relearns).
  Status LoadState(std::string_view bytes);

  uint64_t watermark() const { return analyzer_.watermark(); }
  analysis::AnalyzerStats analyzer_stats() const { return analyzer_.stats(); }
  topology::TopologyStats topology_stats() const { return topology_.stats(); }
  insight::CorrelatorStats correlator_stats() const { return correlator_.stats(); }
  // Every overflow counter of the parts, always the same entries in the same order.
  std::vector<OverflowTotal> Overflows() const;

 private:
  class View;
  void Correlate();
  // The traces whose log lines an insight's snippets should show.
  std::vector<logs::TraceRef> TraceRefsFor(const model::Insight& insight, uint64_t from_ns) const;

  analysis::Analyzer analyzer_;
  analysis::Saturation saturation_;
  logs::LogAnalyzer logs_;
  logs::OperationLines operation_lines_;  // reads logs_'s template ids: after it
  topology::TopologyBuilder topology_;
  insight::Correlator correlator_;
  SpanExemplars exemplars_;
  std::vector<model::Anomaly> anomalies_;  // taken from the analyzer, not yet by the caller
  std::vector<model::ChangeEvent> inferred_;
};

}  // namespace augur::engine
