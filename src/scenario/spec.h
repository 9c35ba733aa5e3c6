// ScenarioSpec: what the scenario generator simulates. A small serverless
// app (an API gateway in front of functions that read and write one table),
// its traffic, its latencies, the faults injected into it and the
// deployments made to it. Plain values; copy freely.
//
//   client ──> gateway ──(HTTP)──> function ──(db call)──> table
//              SERVER "POST /items"  SERVER "POST /items"    CLIENT "DynamoDB.PutItem"
//              CLIENT "POST /items"  (one function per route)
//
// Every route is served by one function; all functions share one table.
// Services are the gateway and the functions; the table is a dependency
// (it emits nothing, the functions' CLIENT spans describe it).
//
// Time: Unix ns of event time. Durations in ns unless the name says ms.
// The generator (generator.h) is deterministic: the same spec (seed
// included) gives the same exports, bit for bit (its random numbers are its
// own, see random.h; only libm's exp/log/cos could differ in the last bit
// between platforms).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/change_event.h"
#include "model/telemetry.h"

namespace augur::scenario {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;

// The time one hop spends on its own (excluding the calls it makes), in ms:
// log-normal with the given median and 99th percentile. With probability
// tail_probability a draw is multiplied by a Pareto factor (minimum 1,
// shape tail_alpha; alpha 1.5 gives a tail much heavier than the
// log-normal's); every draw is capped at max_ms.
struct LatencyModel {
  double median_ms = 10;
  double p99_ms = 20;  // >= median_ms
  double tail_probability = 0;
  double tail_alpha = 1.5;  // > 0
  double max_ms = 30'000;
};

// One route of the gateway and the function behind it.
struct FunctionSpec {
  std::string name = "writer";  // service.name and faas.name
  std::string version = "1";    // service.version and faas.version until a deployment
  std::string method = "POST";  // HTTP method of the route
  std::string route = "/items";
  std::string table_operation = "PutItem";  // the one table call it makes per request
  double rate_per_s = 5;                    // mean requests per second (Poisson)
  LatencyModel self{.median_ms = 25, .p99_ms = 50};
  LatencyModel table{.median_ms = 8, .p99_ms = 20};  // the table call, seen from the function
  double memory_mb = 90;                             // level of the process.memory.usage gauge
};

enum class FaultKind : uint8_t {
  kLatency = 0,  // adds U(latency_min_ms, latency_max_ms) to the target's own time
  kErrors = 1,   // each request to the target fails with error_probability
};

// A fault: from start_ns until end_ns (0: to the end of the scenario).
// The target is a service (the gateway or a function: its own time, before
// the call it makes, like the article's sleep before the write) or the table
// (each call to it, from every function).
struct Fault {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  std::string target{};
  FaultKind kind = FaultKind::kLatency;
  double latency_min_ms = 0;
  double latency_max_ms = 0;
  double error_probability = 0;

  bool ActiveAt(uint64_t t) const { return t >= start_ns && (end_ns == 0 || t < end_ns); }
};

// A deployment of a new version of a service at time_ns. From then on the
// service's resource carries the new service.version (and faas.version for
// a function), and its cumulative counters start again from 0 (a new
// process). A request uses the version current when the service began
// handling it. With carries_fault, the deployment brings `fault` with it:
// it starts at time_ns on this service and lasts until the service's next
// deployment (a rollback or a fix), whatever fault.start_ns, end_ns and
// target say.
struct Deployment {
  uint64_t time_ns = 0;
  std::string service{};
  std::string version{};
  std::vector<model::ConfigChange> changes{};  // e.g. {INJECT_LATENCY, false, true}
  bool carries_fault = false;
  Fault fault{};
};

// How the services' OTel SDKs export. Each service exports each signal
// every interval, at its own phase (drawn from the seed in [0, interval)),
// everything of that signal that completed since its last export (spans by
// end time, logs by time), in completion order, like a BatchSpanProcessor
// on its schedule. More than max_batch items make several exports at the
// same instant. An interval of 0 turns that signal off.
struct ExportSpec {
  uint64_t span_interval_ns = 5 * kSecond;
  uint64_t log_interval_ns = 5 * kSecond;
  uint64_t metric_interval_ns = 60 * kSecond;
  size_t max_batch = 512;
};

struct ScenarioSpec {
  uint64_t seed = 1;
  uint64_t start_ns = 0;     // first request (no earlier than this)
  uint64_t duration_ns = 0;  // requests arrive in [start_ns, start_ns + duration_ns)

  // Daily swing of every route's rate: rate × (1 + amplitude × sin(2π (t - 06:00 UTC) / 1 day)),
  // busiest at 12:00 UTC. 0 ≤ amplitude < 1.
  double daily_amplitude = 0;

  std::string gateway = "gateway";  // service.name of the gateway
  std::string gateway_version = "1";
  LatencyModel gateway_self{.median_ms = 3, .p99_ms = 8};
  LatencyModel network{.median_ms = 1, .p99_ms = 3};  // each way between gateway and function
  double gateway_memory_mb = 60;

  std::string table = "items";  // db.namespace, aws.dynamodb.table_names
  std::string db_system = "dynamodb";
  std::string table_address = "dynamodb.eu-west-1.amazonaws.com";

  std::string environment = "dev";  // deployment.environment.name
  std::string cloud_region = "eu-west-1";
  std::string cloud_account = "123456789012";

  std::vector<FunctionSpec> functions;
  std::vector<Fault> faults;
  std::vector<Deployment> deployments;
  ExportSpec exports;
  bool logs = true;     // a few log records per request (ERROR lines on failures)
  bool metrics = true;  // process.memory.usage gauge, faas.invocations cumulative sum
};

// Checks names (unique, non-empty), rates, latency models, fault targets
// and deployments.
Status Validate(const ScenarioSpec& spec);

// The article's app (gateway, writer POST /items at 5 req/s, reader GET
// /items/{id} at 1 req/s, one DynamoDB table "items") from start_ns for
// duration_ns, with no faults and no deployments.
ScenarioSpec ServerlessApp(uint64_t seed, uint64_t start_ns, uint64_t duration_ns);

// The article's experiment on that app: at deploy_ns the writer goes from
// version 1 to 2 with INJECT_LATENCY false → true, which adds a U(150, 500)
// ms sleep before each write from then on.
ScenarioSpec InjectLatencyExperiment(uint64_t seed, uint64_t start_ns, uint64_t duration_ns, uint64_t deploy_ns);

// What really happened, for scoring: every fault (those carried by
// deployments resolved: start, end, target) by start time, and the
// deployments by time.
struct GroundTruth {
  std::vector<Fault> faults;
  std::vector<Deployment> deployments;
};
GroundTruth TruthOf(const ScenarioSpec& spec);

// A span series of the app, as the analysis keys it (service, span name,
// kind, and for CLIENT spans the peer it names).
struct SpanSeries {
  std::string service{};
  std::string operation{};
  model::SpanKind kind = model::SpanKind::kServer;
  std::string peer{};  // CLIENT spans only
  bool operator==(const SpanSeries&) const = default;
};

// The names the generator gives spans: a route's server spans (and the
// gateway's call) are "<method> <route>"; a table call is
// "DynamoDB.<operation>" for DynamoDB, else "<operation> <table>"; the
// table's peer is "<db_system>/<table>", a function's is its name.
std::string RouteSpanName(const FunctionSpec& function);
std::string TableSpanName(const ScenarioSpec& spec, const FunctionSpec& function);
std::string TablePeer(const ScenarioSpec& spec);

// Every span series the app produces.
std::vector<SpanSeries> AllSpanSeries(const ScenarioSpec& spec);
// The span series whose duration (latency fault) or errors (error fault)
// the fault changes: the target's own spans and every span that waits for
// them.
std::vector<SpanSeries> AffectedSpanSeries(const ScenarioSpec& spec, const Fault& fault);

}  // namespace augur::scenario
