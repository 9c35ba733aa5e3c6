#include "scenario/catalog.h"

namespace augur::scenario {
namespace {

Fault LatencyFault(uint64_t start, std::string target, double lo, double hi) {
  Fault f;
  f.start_ns = start;
  f.target = std::move(target);
  f.kind = FaultKind::kLatency;
  f.latency_min_ms = lo;
  f.latency_max_ms = hi;
  return f;
}

}  // namespace

std::vector<std::string_view> ScenarioNames() {
  return {"article",         "table-latency", "deploy-errors", "harmless-deploy",
          "fault-no-deploy", "two-faults",    "healthy-day"};
}

StatusOr<ScenarioSpec> NamedScenario(std::string_view name, uint64_t seed, uint64_t start_ns, uint64_t baseline_ns,
                                     uint64_t fault_ns) {
  const uint64_t onset = start_ns + baseline_ns;
  const uint64_t total = baseline_ns + fault_ns;
  if (name == "article") return InjectLatencyExperiment(seed, start_ns, total, onset);
  if (name == "healthy-day") {
    ScenarioSpec spec = ServerlessApp(seed, start_ns, baseline_ns);
    spec.daily_amplitude = 0.5;
    for (auto& f : spec.functions) {
      f.self.tail_probability = 0.01;
      f.self.tail_alpha = 1.5;
    }
    return spec;
  }
  ScenarioSpec spec = ServerlessApp(seed, start_ns, total);
  if (name == "table-latency") {
    spec.faults.push_back(LatencyFault(onset, spec.table, 150, 500));
  } else if (name == "fault-no-deploy") {
    spec.faults.push_back(LatencyFault(onset, "writer", 150, 500));
  } else if (name == "two-faults") {
    spec.faults.push_back(LatencyFault(onset, "writer", 200, 600));
    spec.faults.push_back(LatencyFault(onset + 20 * kMinute, "reader", 200, 600));
  } else if (name == "deploy-errors" || name == "harmless-deploy") {
    Deployment d;
    d.time_ns = onset;
    d.service = "writer";
    d.version = "2";
    if (name == "deploy-errors") {
      d.changes = {{"TABLE_NAME", "items", "items-v2"}};
      d.carries_fault = true;
      d.fault.kind = FaultKind::kErrors;
      d.fault.error_probability = 0.3;
    } else {
      d.changes = {{"LOG_LEVEL", "info", "debug"}};
    }
    spec.deployments.push_back(d);
  } else {
    std::string known;
    for (auto n : ScenarioNames()) known += (known.empty() ? "" : ", ") + std::string(n);
    return Status::InvalidArgument("unknown scenario '" + std::string(name) + "'; known: " + known);
  }
  return spec;
}

}  // namespace augur::scenario
