#include "scenario/spec.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace augur::scenario {

namespace {

Status CheckLatency(const LatencyModel& m, const std::string& what) {
  if (!(m.median_ms > 0) || !(m.p99_ms >= m.median_ms) || !std::isfinite(m.p99_ms)) {
    return Status::InvalidArgument(what + ": latency needs 0 < median_ms <= p99_ms");
  }
  if (!(m.tail_probability >= 0 && m.tail_probability <= 1) || !(m.tail_alpha > 0) || !(m.max_ms > 0)) {
    return Status::InvalidArgument(what + ": tail_probability in [0, 1], tail_alpha > 0 and max_ms > 0");
  }
  return Status::OK();
}

Status CheckFault(const Fault& f, const std::string& what) {
  if (f.kind == FaultKind::kLatency && !(f.latency_min_ms >= 0 && f.latency_max_ms >= f.latency_min_ms)) {
    return Status::InvalidArgument(what + ": latency fault needs 0 <= latency_min_ms <= latency_max_ms");
  }
  if (f.kind == FaultKind::kErrors && !(f.error_probability >= 0 && f.error_probability <= 1)) {
    return Status::InvalidArgument(what + ": error_probability must be in [0, 1]");
  }
  return Status::OK();
}

}  // namespace

Status Validate(const ScenarioSpec& spec) {
  if (spec.duration_ns == 0) return Status::InvalidArgument("duration_ns must be > 0");
  if (!(spec.daily_amplitude >= 0 && spec.daily_amplitude < 1)) {
    return Status::InvalidArgument("daily_amplitude must be in [0, 1)");
  }
  if (spec.functions.empty()) return Status::InvalidArgument("at least one function is needed");
  std::set<std::string> names = {spec.gateway};
  if (spec.gateway.empty() || spec.table.empty()) return Status::InvalidArgument("gateway and table need names");
  Status s = CheckLatency(spec.gateway_self, spec.gateway);
  if (s.ok()) s = CheckLatency(spec.network, "network");
  if (!s.ok()) return s;
  for (const FunctionSpec& f : spec.functions) {
    if (f.name.empty() || !names.insert(f.name).second) {
      return Status::InvalidArgument("function names must be non-empty and unique: '" + f.name + "'");
    }
    if (!(f.rate_per_s >= 0) || !std::isfinite(f.rate_per_s)) {
      return Status::InvalidArgument(f.name + ": rate_per_s must be >= 0");
    }
    if (s = CheckLatency(f.self, f.name); !s.ok()) return s;
    if (s = CheckLatency(f.table, f.name + " -> " + spec.table); !s.ok()) return s;
  }
  if (names.count(spec.table) != 0) return Status::InvalidArgument("the table's name is also a service's");
  names.insert(spec.table);
  for (const Fault& f : spec.faults) {
    if (names.count(f.target) == 0) return Status::InvalidArgument("fault target '" + f.target + "' is unknown");
    if (f.end_ns != 0 && f.end_ns <= f.start_ns) return Status::InvalidArgument("fault ends before it starts");
    if (s = CheckFault(f, "fault on " + f.target); !s.ok()) return s;
  }
  for (const Deployment& d : spec.deployments) {
    if (d.service == spec.table || names.count(d.service) == 0) {
      return Status::InvalidArgument("deployment of unknown service '" + d.service + "'");
    }
    if (d.version.empty()) return Status::InvalidArgument("deployment of " + d.service + " needs a version");
    if (d.carries_fault) {
      if (s = CheckFault(d.fault, "fault of deployment " + d.version); !s.ok()) return s;
    }
  }
  const ExportSpec& e = spec.exports;
  if (e.span_interval_ns == 0 && e.log_interval_ns == 0 && e.metric_interval_ns == 0) {
    return Status::InvalidArgument("every signal is off");
  }
  if (e.max_batch == 0) return Status::InvalidArgument("max_batch must be > 0");
  return Status::OK();
}

ScenarioSpec ServerlessApp(uint64_t seed, uint64_t start_ns, uint64_t duration_ns) {
  ScenarioSpec spec;
  spec.seed = seed;
  spec.start_ns = start_ns;
  spec.duration_ns = duration_ns;
  FunctionSpec writer;  // defaults: POST /items, PutItem, 5 req/s (hey -q 5), 25 ms (p99 50 ms)
  FunctionSpec reader{.name = "reader",
                      .method = "GET",
                      .route = "/items/{id}",
                      .table_operation = "GetItem",
                      .rate_per_s = 1,
                      .self = {.median_ms = 12, .p99_ms = 30},
                      .table = {.median_ms = 5, .p99_ms = 12},
                      .memory_mb = 80};
  spec.functions = {writer, reader};
  return spec;
}

ScenarioSpec InjectLatencyExperiment(uint64_t seed, uint64_t start_ns, uint64_t duration_ns, uint64_t deploy_ns) {
  ScenarioSpec spec = ServerlessApp(seed, start_ns, duration_ns);
  Deployment d{.time_ns = deploy_ns,
               .service = "writer",
               .version = "2",
               .changes = {{.key = "INJECT_LATENCY", .old_value = "false", .new_value = "true"}},
               .carries_fault = true,
               .fault = {.kind = FaultKind::kLatency, .latency_min_ms = 150, .latency_max_ms = 500}};
  spec.deployments.push_back(d);
  return spec;
}

GroundTruth TruthOf(const ScenarioSpec& spec) {
  GroundTruth truth;
  truth.faults = spec.faults;
  truth.deployments = spec.deployments;
  std::stable_sort(truth.deployments.begin(), truth.deployments.end(),
                   [](const Deployment& a, const Deployment& b) { return a.time_ns < b.time_ns; });
  for (size_t i = 0; i < truth.deployments.size(); ++i) {
    const Deployment& d = truth.deployments[i];
    if (!d.carries_fault) continue;
    Fault f = d.fault;
    f.target = d.service;
    f.start_ns = d.time_ns;
    f.end_ns = 0;
    for (size_t j = i + 1; j < truth.deployments.size(); ++j) {
      if (truth.deployments[j].service == d.service) {
        f.end_ns = truth.deployments[j].time_ns;
        break;
      }
    }
    if (f.end_ns == 0 || f.end_ns > f.start_ns) truth.faults.push_back(f);
  }
  std::stable_sort(truth.faults.begin(), truth.faults.end(),
                   [](const Fault& a, const Fault& b) { return a.start_ns < b.start_ns; });
  return truth;
}

std::string RouteSpanName(const FunctionSpec& function) {
  return function.method + " " + function.route;
}

std::string TableSpanName(const ScenarioSpec& spec, const FunctionSpec& function) {
  if (spec.db_system == "dynamodb") return "DynamoDB." + function.table_operation;
  return function.table_operation + " " + spec.table;
}

std::string TablePeer(const ScenarioSpec& spec) {
  return spec.db_system + "/" + spec.table;
}

namespace {

// The spans of one route: gateway server, gateway client, function server, table client.
std::vector<SpanSeries> RouteSeries(const ScenarioSpec& spec, const FunctionSpec& f) {
  std::string route = RouteSpanName(f);
  return {{spec.gateway, route, model::SpanKind::kServer, ""},
          {spec.gateway, route, model::SpanKind::kClient, f.name},
          {f.name, route, model::SpanKind::kServer, ""},
          {f.name, TableSpanName(spec, f), model::SpanKind::kClient, TablePeer(spec)}};
}

}  // namespace

std::vector<SpanSeries> AllSpanSeries(const ScenarioSpec& spec) {
  std::vector<SpanSeries> out;
  for (const FunctionSpec& f : spec.functions) {
    std::vector<SpanSeries> r = RouteSeries(spec, f);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::vector<SpanSeries> AffectedSpanSeries(const ScenarioSpec& spec, const Fault& fault) {
  std::vector<SpanSeries> out;
  for (const FunctionSpec& f : spec.functions) {
    std::vector<SpanSeries> r = RouteSeries(spec, f);
    // How deep in the route the fault sits: everything above it waits for it.
    size_t depth = 0;
    if (fault.target == spec.gateway) {
      depth = 1;  // the gateway's own time: only its server span
    } else if (fault.target == f.name) {
      depth = 3;
    } else if (fault.target == spec.table) {
      depth = 4;
    }
    // An error in the gateway fails its server span; an error in a function
    // also fails the gateway's call and answer; a table error all four.
    out.insert(out.end(), r.begin(), r.begin() + depth);
  }
  return out;
}

}  // namespace augur::scenario
