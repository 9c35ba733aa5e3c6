#include "engine/engine.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/hex.h"
#include "insight/topology_view.h"

namespace augur::engine {

// The correlator's window on the topology builder.
class Engine::View final : public insight::TopologyView {
 public:
  explicit View(const topology::TopologyBuilder& t) : t_(t) {}

  std::vector<insight::NodeRef> Callees(const std::string& service, const std::string& operation) const override {
    std::vector<insight::NodeRef> out;
    for (const auto& l : t_.LinksFrom(service, operation)) {
      if (l.client_operation != operation) out.push_back({l.caller_service, l.client_operation, false});
      const bool dependency = l.callee_kind != topology::NodeKind::kService;
      out.push_back({l.callee, dependency ? "" : l.callee_operation, dependency});
    }
    return out;
  }
  std::vector<insight::NodeRef> Callers(const std::string& service, const std::string& operation) const override {
    std::vector<insight::NodeRef> out;
    for (const auto& l : t_.LinksTo(service, operation)) {
      out.push_back({l.caller_service, l.caller_operation, false});
      out.push_back({l.caller_service, l.client_operation, false});
    }
    return out;
  }
  std::string ServiceBehindPeer(const std::string& service, const std::string& peer) const override {
    return t_.ServiceBehindPeer(service, peer);
  }
  insight::TimeSplit Split(const std::string& service, const std::string& operation, uint64_t from_ns,
                           uint64_t to_ns) const override {
    auto w = t_.OperationWindow(service, operation, model::SpanKind::kServer, from_ns, to_ns);
    if (w.cell.count == 0) w = t_.OperationWindow(service, operation, std::nullopt, from_ns, to_ns);
    insight::TimeSplit s;
    s.count = w.cell.count;
    if (s.count > 0) {
      s.self_ms = w.cell.a.Quantile(0.5);
      s.downstream_ms = w.cell.b.empty() ? 0 : w.cell.b.Quantile(0.5);
    }
    return s;
  }
  std::vector<insight::OperationTime> SelfTimes(const std::string& service, uint64_t from_ns,
                                                uint64_t to_ns) const override {
    std::vector<insight::OperationTime> out;
    for (const auto& [operation, kind] : t_.OperationsOf(service)) {
      if (kind == model::SpanKind::kClient || kind == model::SpanKind::kProducer) continue;
      const auto w = t_.OperationWindow(service, operation, kind, from_ns, to_ns);
      if (w.cell.count == 0) continue;
      if (!out.empty() && out.back().operation == operation) continue;  // one name, two kinds: the first
      out.push_back({operation, w.cell.count, w.cell.a.Quantile(0.5)});
    }
    return out;
  }
  std::vector<std::string> ServicesCalledBy(const std::string& service) const override {
    std::vector<std::string> out;
    for (const auto& [operation, kind] : t_.OperationsOf(service)) {
      for (const auto& l : t_.LinksFrom(service, operation)) {
        if (l.callee_kind == topology::NodeKind::kService && l.callee != service) out.push_back(l.callee);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  insight::CallTime CallsBetween(const std::string& caller, const std::string& callee, uint64_t from_ns,
                                 uint64_t to_ns) const override {
    const auto w = t_.EdgeWindow(caller, callee, std::nullopt, from_ns, to_ns);
    insight::CallTime c;
    c.count = w.cell.count;
    if (c.count > 0) c.median_ms = w.cell.a.Quantile(0.5);
    return c;
  }

 private:
  const topology::TopologyBuilder& t_;
};

namespace {

// The engine never takes the topology's closed points (see GraphOptions).
topology::TopologyOptions WithoutClosedPoints(topology::TopologyOptions o) {
  o.closed_points = false;
  return o;
}

}  // namespace

Engine::Engine(EngineOptions options)
    : analyzer_(options.analyzer),
      saturation_(options.saturation),
      logs_(options.logs),
      operation_lines_(options.operation_lines),
      topology_(WithoutClosedPoints(options.topology)),
      correlator_(options.correlator),
      exemplars_(options.exemplars) {}

void Engine::Add(const model::Batch& batch) {
  // Topology first, so the correlator sees this batch's traces' self time.
  topology_.Add(batch);
  analyzer_.Add(batch);
  saturation_.Add(batch);
  if (!batch.spans.empty()) exemplars_.Add(batch);
  if (!batch.logs.empty()) logs_.Add(batch);
  // Right after logs_.Add: it reads the template ids that call gave.
  if (!batch.spans.empty() || !batch.logs.empty()) operation_lines_.Add(batch, logs_);
  Correlate();
}

void Engine::AdvanceTo(uint64_t time_ns) {
  topology_.AdvanceTo(time_ns);
  analyzer_.AdvanceTo(time_ns);
  logs_.AdvanceTo(time_ns);
  operation_lines_.AdvanceTo(time_ns, logs_);
  Correlate();
}

void Engine::Correlate() {
  const View view(topology_);
  // Deployments before anomalies: an anomaly raised in this batch may be
  // explained by a version first seen in it.
  const size_t first_event = inferred_.size();
  analyzer_.TakeInferredEvents(&inferred_);
  for (size_t i = first_event; i < inferred_.size(); ++i) correlator_.OnEvent(inferred_[i], view);
  const size_t first_anomaly = anomalies_.size();
  analyzer_.TakeAnomalies(&anomalies_);
  saturation_.TakeAnomalies(&anomalies_);
  logs_.TakeAnomalies(&anomalies_);
  operation_lines_.TakeAnomalies(&anomalies_);
  for (size_t i = first_anomaly; i < anomalies_.size(); ++i) correlator_.OnAnomaly(anomalies_[i], view);
  correlator_.AdvanceTo(analyzer_.watermark());
}

void Engine::AddEvent(const model::ChangeEvent& event) {
  correlator_.OnEvent(event, View(topology_));
}

void Engine::ApplyFeedback(const model::Insight& insight, std::string_view feedback) {
  if (feedback != "TOO_SENSITIVE") return;
  for (const auto& a : insight.anomalies) analyzer_.SetSensitivity(a.anomaly.series, detect::Sensitivity::kLow);
}

void Engine::TakeAnomalies(std::vector<model::Anomaly>* out) {
  for (auto& a : anomalies_) out->push_back(std::move(a));
  anomalies_.clear();
}

void Engine::TakeInferredEvents(std::vector<model::ChangeEvent>* out) {
  for (auto& e : inferred_) out->push_back(std::move(e));
  inferred_.clear();
}

void Engine::TakeInsights(std::vector<model::Insight>* out) {
  constexpr uint64_t kBefore = 2 * 60'000'000'000ULL;
  constexpr size_t kMaxSnippets = 10;
  const size_t first = out->size();
  correlator_.TakeInsights(out);
  for (size_t i = first; i < out->size(); ++i) {
    model::Insight& in = (*out)[i];
    if (in.anomalies.empty()) continue;  // a merged-away insight keeps what it had
    const uint64_t from = in.start_ns > kBefore ? in.start_ns - kBefore : 0;
    // Lines from before the onset may explain it; traces from before it were
    // not the slow or failing ones (a minute's slowest span then is normal).
    in.log_snippets =
        logs_.Snippets(in.root_cause.service, from, in.end_ns, TraceRefsFor(in, in.start_ns), kMaxSnippets);
  }
}

namespace {

// Nanoseconds per unit of a latency anomaly's values; 0 when not a time.
uint64_t NsPerUnit(std::string_view unit) {
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "us") return 1'000;
  if (unit == "ns") return 1;
  return 0;
}

// What to look for on one operation: its slow spans (above `bound` ns; 0 =
// the slowest of each minute) or its failing ones.
struct Wanted {
  std::string service, operation;
  bool failing = false;
  uint64_t bound = 0;
};

// The operation's wants from the insight's anomalies on it, slow first
// (failing first when `errors_first`), or none when it has no latency or
// error anomaly there.
void WantsOf(const model::Insight& in, const std::string& service, const std::string& operation, bool errors_first,
             std::vector<Wanted>* out) {
  bool slow = false, failing = false;
  uint64_t bound = 0;  // the lowest known bar: the most inclusive
  for (const model::InsightAnomaly& ia : in.anomalies) {
    const model::Anomaly& a = ia.anomaly;
    if (a.series.service != service || a.series.operation != operation || a.direction != "up") continue;
    if (a.kind == "errors") failing = true;
    if (a.kind != "latency") continue;
    slow = true;
    const uint64_t per = NsPerUnit(a.unit);
    const bool quantile = a.quantity == "p50" || a.quantity == "p90" || a.quantity == "p99";
    if (quantile && per != 0 && a.expected_high > 0) {
      const auto bar = static_cast<uint64_t>(a.expected_high * static_cast<double>(per));
      bound = bound == 0 ? bar : std::min(bound, bar);
    }
  }
  const Wanted s{service, operation, false, bound}, f{service, operation, true, 0};
  if (errors_first && failing) out->push_back(f);
  if (slow) out->push_back(s);
  if (!errors_first && failing) out->push_back(f);
}

}  // namespace

std::vector<logs::TraceRef> Engine::TraceRefsFor(const model::Insight& in, uint64_t from_ns) const {
  constexpr size_t kPerOperation = 4;
  constexpr size_t kMaxTraces = 16;
  const model::RootCause& rc = in.root_cause;
  std::vector<Wanted> wants;
  if (!rc.operation.empty()) {
    WantsOf(in, rc.service, rc.operation, rc.kind == "errors", &wants);
    if (wants.empty() && (rc.kind == "latency" || rc.kind == "errors")) {
      wants.push_back({rc.service, rc.operation, rc.kind == "errors", 0});
    }
  }
  for (const model::InsightAnomaly& ia : in.anomalies) {
    const model::Anomaly& a = ia.anomaly;
    if (ia.role != "causal" || a.series.operation.empty() || (a.kind != "latency" && a.kind != "errors")) continue;
    const bool known = std::any_of(wants.begin(), wants.end(), [&](const Wanted& w) {
      return w.service == a.series.service && w.operation == a.series.operation;
    });
    if (!known) WantsOf(in, a.series.service, a.series.operation, a.kind == "errors", &wants);
  }

  std::vector<logs::TraceRef> refs;
  for (const Wanted& w : wants) {
    if (refs.size() >= kMaxTraces) break;
    const ExemplarQuery q{.service = w.service,
                          .operation = w.operation,
                          .from_ns = from_ns,
                          .to_ns = in.end_ns,
                          .failing = w.failing,
                          .min_duration_ns = w.bound,
                          .max = std::min(kPerOperation, kMaxTraces - refs.size())};
    const std::string label = std::string(w.failing ? "a failing " : "a slow ") + w.operation +
                              (w.service == rc.service ? "" : " on " + w.service);
    for (const Exemplar& e : exemplars_.Find(q)) {
      std::string hex = HexEncode(e.trace_id);
      const bool dup = std::any_of(refs.begin(), refs.end(), [&](const auto& r) { return r.trace_id_hex == hex; });
      if (!dup) refs.push_back({std::move(hex), label});
    }
  }
  return refs;
}

topology::Topology Engine::Topology(uint64_t from_ns, uint64_t to_ns) const {
  return topology_.Snapshot(from_ns, to_ns);
}

namespace {

nlohmann::json::binary_t Binary(const std::string& bytes) {
  return nlohmann::json::binary_t(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

// The bytes of binary part `name`, or nullopt when it is absent or not binary.
std::optional<std::string_view> Part(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_binary()) return std::nullopt;
  const auto& b = it->get_binary();
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

std::string Engine::SaveState() const {
  // One opaque part per component, each versioned by its owner.
  const nlohmann::json j = {{"format", "augur.engine"},
                            {"version", 1},
                            {"analyzer", Binary(analyzer_.SaveState())},
                            {"topology", Binary(topology_.SaveState())},
                            {"saturation", Binary(saturation_.SaveState())},
                            {"logs", Binary(logs_.SaveState())},
                            {"operation_lines", Binary(operation_lines_.SaveState())},
                            {"exemplars", Binary(exemplars_.SaveState())},
                            {"correlator", correlator_.SaveState()}};
  const std::vector<uint8_t> bytes = nlohmann::json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Status Engine::LoadState(std::string_view bytes) {
  const auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "augur.engine" || j.value("version", 0) != 1) {
    return Status::InvalidArgument("not an augur engine state (format augur.engine, version 1)");
  }
  const auto analyzer = Part(j, "analyzer"), topology = Part(j, "topology"), saturation = Part(j, "saturation");
  if (!analyzer || !topology || !saturation || !j.contains("correlator") || !j["correlator"].is_string()) {
    return Status::InvalidArgument("engine state lacks a part");
  }
  if (Status s = analyzer_.LoadState(*analyzer); !s.ok()) return s;
  if (Status s = topology_.LoadState(*topology); !s.ok()) return s;
  if (Status s = saturation_.LoadState(*saturation); !s.ok()) return s;
  // Logs came later: a state without them starts the log analysis afresh.
  if (const auto logs = Part(j, "logs")) {
    if (Status s = logs_.LoadState(*logs); !s.ok()) return s;
  }
  // And the operations' log lines: without them, shares are learned afresh.
  if (const auto lines = Part(j, "operation_lines")) {
    if (Status s = operation_lines_.LoadState(*lines); !s.ok()) return s;
  }
  // So did the exemplars; without them, snippets lack trace lines until
  // live spans refill them (minutes).
  if (const auto exemplars = Part(j, "exemplars")) {
    if (Status s = exemplars_.LoadState(*exemplars); !s.ok()) return s;
  }
  return correlator_.LoadState(j["correlator"].get<std::string>());
}

std::vector<OverflowTotal> Engine::Overflows() const {
  const analysis::AnalyzerStats a = analyzer_.stats();
  const topology::TopologyStats t = topology_.stats();
  const logs::LogAnalyzerStats l = logs_.stats();
  const insight::CorrelatorStats c = correlator_.stats();
  const ExemplarStats e = exemplars_.stats();
  const logs::OperationLinesStats ol = operation_lines_.stats();
  return {
      {"red", "series", a.red.series_overflow},
      {"metrics", "series", a.metrics.series_overflow},
      {"detectors", "series", a.detector_overflow},
      {"detectors", "sensitivities", a.sensitivity_overflow},
      {"versions", "changes", a.version_overflow},
      {"saturation", "series", saturation_.stats().series_overflow},
      {"traces", "spans", t.traces.spans_overflow},
      {"traces", "traces_completed_early", t.traces.traces_forced},
      {"topology", "operations", t.graph.operation_overflow},
      {"topology", "edges", t.graph.edge_overflow},
      {"topology", "points", t.graph.points_dropped},
      {"topology", "names", t.name_overflow},
      {"topology", "links", t.link_overflow},
      {"logs", "records", l.records_dropped},
      {"logs", "templates_squeezed", l.template_squeezes},
      {"logs", "anomalies_suppressed", l.suppressed},
      {"logs", "incidents", l.incidents_overflow},
      {"logs", "fields", l.fields_overflow},
      {"logs", "numeric_series", l.numeric_overflow},
      {"operation_lines", "pending", ol.pending_overflow},
      {"operation_lines", "operations", ol.operations_overflow},
      {"operation_lines", "templates", ol.templates_overflow},
      {"operation_lines", "anomalies_suppressed", ol.suppressed},
      {"exemplars", "operations", e.operations_overflow},
      {"insight", "anomalies", c.anomalies_dropped},
      {"insight", "events", c.events_dropped},
      {"insight", "data_stop_falls", c.data_stop_falls_forgotten},
  };
}

}  // namespace augur::engine
