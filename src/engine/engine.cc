#include "engine/engine.h"

#include <nlohmann/json.hpp>
#include <optional>

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

 private:
  const topology::TopologyBuilder& t_;
};

Engine::Engine(EngineOptions options)
    : analyzer_(options.analyzer),
      saturation_(options.saturation),
      logs_(options.logs),
      topology_(options.topology),
      correlator_(options.correlator) {}

void Engine::Add(const model::Batch& batch) {
  // Topology first, so the correlator sees this batch's traces' self time.
  topology_.Add(batch);
  analyzer_.Add(batch);
  saturation_.Add(batch);
  if (!batch.logs.empty()) logs_.Add(batch);
  Correlate();
}

void Engine::AdvanceTo(uint64_t time_ns) {
  topology_.AdvanceTo(time_ns);
  analyzer_.AdvanceTo(time_ns);
  logs_.AdvanceTo(time_ns);
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
    in.log_snippets =
        logs_.Snippets(in.root_cause.service, from, in.end_ns, std::vector<logs::TraceRef>{}, kMaxSnippets);
  }
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
  return correlator_.LoadState(j["correlator"].get<std::string>());
}

}  // namespace augur::engine
