#include "scenario/request.h"

#include <algorithm>
#include <cmath>

#include "common/hex.h"

namespace augur::scenario {

namespace {

// Stream ids of the shared streams (see random.h); fault streams are
// kFaultStreams + request index.
constexpr uint64_t kLatencyStream = 2;
constexpr uint64_t kIdStream = 3;
constexpr uint64_t kFaultStreams = uint64_t{1} << 40;

constexpr uint8_t kSeverityInfo = 9;
constexpr uint8_t kSeverityError = 17;

uint64_t Ns(double ms) {
  return std::max<uint64_t>(1000, static_cast<uint64_t>(std::llround(ms * 1e6)));
}

model::KeyValue Str(std::string key, std::string value) {
  return {std::move(key), {std::move(value)}};
}
model::KeyValue Int(std::string key, int64_t value) {
  return {std::move(key), {value}};
}
model::KeyValue Bool(std::string key, bool value) {
  return {std::move(key), {value}};
}

// An RFC 4122 version 4 UUID from 16 random bytes.
std::string Uuid(std::array<uint8_t, 16> b) {
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string h = HexEncode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// "/items/{id}" → "/items/<id>": the concrete path of a templated route.
std::string PathOf(const std::string& route, const std::string& id) {
  std::string path = route;
  size_t open = path.find('{');
  size_t close = path.find('}', open);
  if (open != std::string::npos && close != std::string::npos) path.replace(open, close - open + 1, id);
  return path;
}

}  // namespace

RequestSimulator::RequestSimulator(const ScenarioSpec& spec, const ServiceCatalog& services,
                                   const std::vector<Fault>& faults)
    : spec_(spec),
      services_(services),
      faults_(faults),
      latency_rng_(spec.seed, kLatencyStream),
      id_rng_(spec.seed, kIdStream) {
  warm_.resize(services.size());
  for (size_t s = 0; s < services.size(); ++s) warm_[s].assign(services.version_count(s), false);
}

RequestSimulator::Effect RequestSimulator::FaultsOn(const std::string& target, uint64_t t, Rng* rng) const {
  Effect e;
  for (const Fault& f : faults_) {
    // Draw for every fault, in force or not, so each fault's draws do not
    // depend on the others' windows.
    double u = rng->Uniform();
    if (f.target != target || !f.ActiveAt(t)) continue;
    if (f.kind == FaultKind::kLatency) {
      e.added_ms += f.latency_min_ms + (f.latency_max_ms - f.latency_min_ms) * u;
    } else if (u < f.error_probability) {
      e.fails = true;
    }
  }
  return e;
}

void RequestSimulator::Log(uint32_t service, uint32_t version, uint64_t t, bool error, std::string body,
                           const model::Span& span, RequestTelemetry* out) const {
  if (!spec_.logs) return;
  PendingLog p{.service = service, .version = version};
  p.log.time_unix_nano = t;
  p.log.observed_time_unix_nano = t;
  p.log.severity_number = error ? kSeverityError : kSeverityInfo;
  p.log.severity_text = error ? "ERROR" : "INFO";
  p.log.body.value = std::move(body);
  p.log.trace_id = span.trace_id;
  p.log.span_id = span.span_id;
  p.log.flags = 1;
  out->logs.push_back(std::move(p));
}

void RequestSimulator::Simulate(uint64_t index, size_t function, uint64_t t0, RequestTelemetry* out) {
  const FunctionSpec& fn = spec_.functions[function];
  const uint32_t fn_service = static_cast<uint32_t>(function + 1);
  const std::string route_name = RouteSpanName(fn);

  // Fixed draws per request (see the header).
  const double gw_self = latency_rng_.Latency(spec_.gateway_self);
  const double net_in = latency_rng_.Latency(spec_.network);
  const double net_out = latency_rng_.Latency(spec_.network);
  const double fn_self = latency_rng_.Latency(fn.self);
  const double table_ms = latency_rng_.Latency(fn.table);
  const model::TraceId trace_id = id_rng_.Id<16>();
  const model::SpanId gw_server_id = id_rng_.Id<8>();
  const model::SpanId gw_client_id = id_rng_.Id<8>();
  const model::SpanId fn_server_id = id_rng_.Id<8>();
  const model::SpanId table_id = id_rng_.Id<8>();
  const std::string item_id = Uuid(id_rng_.Id<16>());
  const std::string invocation_id = Uuid(id_rng_.Id<16>());
  Rng fault_rng(spec_.seed, kFaultStreams + index);

  const std::string path = fn.method == "POST" ? fn.route : PathOf(fn.route, item_id);
  const std::string host = spec_.gateway + ".execute-api." + spec_.cloud_region + ".amazonaws.com";
  const uint32_t gw_version = static_cast<uint32_t>(services_.VersionAt(ServiceCatalog::kGateway, t0));

  auto new_span = [&](const model::SpanId& id, const model::SpanId& parent, std::string name, model::SpanKind kind,
                      uint64_t start, uint64_t end) {
    model::Span s;
    s.trace_id = trace_id;
    s.span_id = id;
    s.parent_span_id = parent;
    s.flags = 0x101;  // sampled, remote-parent flags known
    s.name = std::move(name);
    s.kind = kind;
    s.start_time_unix_nano = start;
    s.end_time_unix_nano = end;
    return s;
  };
  auto http_server_attrs = [&](model::Span* s, int status) {
    s->attributes.push_back(Str("http.request.method", fn.method));
    s->attributes.push_back(Str("http.route", fn.route));
    s->attributes.push_back(Str("url.path", path));
    s->attributes.push_back(Str("url.scheme", "https"));
    s->attributes.push_back(Int("http.response.status_code", status));
  };

  // Gateway: its own time before the call (faults included), then the call.
  Effect gw = FaultsOn(spec_.gateway, t0, &fault_rng);
  const uint64_t c0 = t0 + Ns(gw_self / 2 + gw.added_ms);
  int gw_status = 200;
  uint64_t gw_end = 0;
  if (gw.fails) {
    gw_status = 500;
    gw_end = c0 + Ns(gw_self / 2);
  } else {
    // Function: its own time (faults first, as the article's sleep), the table call, the rest.
    const uint64_t f0 = c0 + Ns(net_in);
    const uint32_t fn_version = static_cast<uint32_t>(services_.VersionAt(fn_service, f0));
    out->invocations.push_back({.service = fn_service, .version = fn_version, .start_ns = f0});
    const bool cold = !warm_[fn_service][fn_version];
    warm_[fn_service][fn_version] = true;
    Effect fe = FaultsOn(fn.name, f0, &fault_rng);
    const uint64_t call0 = f0 + Ns(fe.added_ms + fn_self / 2);
    int fn_status = 200;
    uint64_t f1 = 0;
    std::string error_message;
    if (fe.fails) {
      fn_status = 500;
      f1 = call0;
      error_message = "handler failed: injected error";
    } else {
      Effect te = FaultsOn(spec_.table, call0, &fault_rng);
      const uint64_t call1 = call0 + Ns(table_ms + te.added_ms);
      model::Span call =
          new_span(table_id, fn_server_id, TableSpanName(spec_, fn), model::SpanKind::kClient, call0, call1);
      call.attributes = {Str("db.system", spec_.db_system),
                         Str("db.namespace", spec_.table),
                         Str("db.operation.name", fn.table_operation),
                         Str("rpc.system", "aws-api"),
                         Str("rpc.service", "DynamoDB"),
                         Str("rpc.method", fn.table_operation),
                         {"aws.dynamodb.table_names", {model::ArrayValue{{spec_.table}}}},
                         Str("server.address", spec_.table_address),
                         Int("server.port", 443)};
      if (te.fails) {
        call.status_code = model::StatusCode::kError;
        call.status_message = "Read timeout on endpoint URL: \"https://" + spec_.table_address + "/\"";
        call.attributes.push_back(Str("error.type", "ReadTimeoutError"));
        fn_status = 500;
        error_message = fn.table_operation + " on " + spec_.table + " failed: timeout";
      }
      f1 = call1 + Ns(fn_self / 2);
      if (!te.fails) {
        Log(fn_service, fn_version, call1, false,
            (fn.method == "POST" ? "put item " : "got item ") + item_id + " in " + spec_.table, call, out);
      }
      out->spans.push_back({fn_service, fn_version, ScopeId::kSdkClient, std::move(call)});
    }
    model::Span server = new_span(fn_server_id, gw_client_id, route_name, model::SpanKind::kServer, f0, f1);
    server.attributes = {Str("faas.trigger", "http"), Str("faas.invocation_id", invocation_id),
                         Bool("faas.coldstart", cold),
                         Str("cloud.resource_id", "arn:aws:lambda:" + spec_.cloud_region + ":" + spec_.cloud_account +
                                                      ":function:" + fn.name)};
    http_server_attrs(&server, fn_status);
    if (fn_status >= 500) {
      server.status_code = model::StatusCode::kError;
      server.status_message = error_message;
      server.events.push_back({.time_unix_nano = f1,
                               .name = "exception",
                               .attributes = {Str("exception.type", fe.fails ? "RuntimeError" : "ReadTimeoutError"),
                                              Str("exception.message", error_message)}});
      Log(fn_service, fn_version, f1, true, error_message, server, out);
    }
    // The gateway's call to the function.
    const uint64_t c1 = f1 + Ns(net_out);
    model::Span client = new_span(gw_client_id, gw_server_id, route_name, model::SpanKind::kClient, c0, c1);
    client.attributes = {Str("http.request.method", fn.method),
                         Str("url.full", "https://" + fn.name + ".lambda-url." + spec_.cloud_region + ".on.aws" + path),
                         Str("server.address", fn.name + ".lambda-url." + spec_.cloud_region + ".on.aws"),
                         Int("server.port", 443),
                         Str("peer.service", fn.name),
                         Str("faas.invoked_name", fn.name),
                         Str("faas.invoked_provider", "aws"),
                         Str("faas.invoked_region", spec_.cloud_region),
                         Int("http.response.status_code", fn_status)};
    if (fn_status >= 500) {
      client.status_code = model::StatusCode::kError;
      client.attributes.push_back(Str("error.type", std::to_string(fn_status)));
    }
    out->spans.push_back({fn_service, fn_version, ScopeId::kFunction, std::move(server)});
    out->spans.push_back({ServiceCatalog::kGateway, gw_version, ScopeId::kGateway, std::move(client)});
    gw_status = fn_status >= 500 ? 502 : 200;
    gw_end = c1 + Ns(gw_self / 2);
  }

  model::Span root = new_span(gw_server_id, model::SpanId{}, route_name, model::SpanKind::kServer, t0, gw_end);
  root.flags = 0x1;
  http_server_attrs(&root, gw_status);
  root.attributes.push_back(Str("server.address", host));
  root.attributes.push_back(Str("user_agent.original", "hey/0.0.1"));
  if (gw_status >= 500) root.status_code = model::StatusCode::kError;
  const double total_ms = static_cast<double>(gw_end - t0) / 1e6;
  Log(ServiceCatalog::kGateway, gw_version, gw_end, gw_status >= 500,
      fn.method + " " + path + " " + std::to_string(gw_status) + " " + std::to_string(std::lround(total_ms)) + " ms",
      root, out);
  out->spans.push_back({ServiceCatalog::kGateway, gw_version, ScopeId::kGateway, std::move(root)});
}

}  // namespace augur::scenario
