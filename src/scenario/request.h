// RequestSimulator: the spans and log records of one request through the
// app, with the faults in force applied.
//
// Timeline of a request to route r arriving at t0 (every hop's own time is
// drawn from its LatencyModel and split half before, half after the call it
// makes):
//
//   gateway SERVER  [t0 ........................................... end]
//   gateway CLIENT      [c0 ....................................... ]
//   function SERVER          [f0 = c0 + network ................. ]      (+ network back)
//   table CLIENT                  [sleep][call .... ]
//
// Faults: a latency fault on a service adds to its time before its call (the
// article's sleep before the write); on the table, to each call. An error
// in the gateway answers 500 without calling the function; in a function,
// it fails before its table call (500, exception event, ERROR log); in the
// table, the call fails with a read timeout (ERROR log, the function
// answers 500). The gateway answers 502 when the function fails. A fault
// applies when the hop starts within it (the gateway's t0, the function's
// f0, the call's start); a service's version likewise.
//
// Random draws: base latencies and ids come from streams shared by all
// requests, always the same number per request, so a scenario with faults
// sees the same arrivals, base latencies and ids as without; fault draws
// come from a stream of their own per request.
//
// Not thread-safe; owned by the generator.
#pragma once

#include <cstdint>
#include <vector>

#include "model/telemetry.h"
#include "scenario/random.h"
#include "scenario/services.h"
#include "scenario/spec.h"

namespace augur::scenario {

// An item on its way to its service's exporter.
struct PendingSpan {
  uint32_t service = 0;
  uint32_t version = 0;
  ScopeId scope = ScopeId::kGateway;
  model::Span span{};  // resource_index and scope_index are set at export
};
struct PendingLog {
  uint32_t service = 0;
  uint32_t version = 0;
  model::LogRecord log{};
};
// A function invocation, for the faas.invocations counter.
struct Invocation {
  uint32_t service = 0;
  uint32_t version = 0;
  uint64_t start_ns = 0;
};

struct RequestTelemetry {
  std::vector<PendingSpan> spans;
  std::vector<PendingLog> logs;
  std::vector<Invocation> invocations;
  void Clear() {
    spans.clear();
    logs.clear();
    invocations.clear();
  }
};

class RequestSimulator {
 public:
  // Keeps references to all three; `faults` resolved (TruthOf).
  RequestSimulator(const ScenarioSpec& spec, const ServiceCatalog& services, const std::vector<Fault>& faults);

  // Appends request number `index` (to spec.functions[function], arriving at t0) to *out.
  void Simulate(uint64_t index, size_t function, uint64_t t0, RequestTelemetry* out);

 private:
  struct Effect {
    double added_ms = 0;
    bool fails = false;
  };
  // The faults on `target` in force at `t`, drawn from `rng`.
  Effect FaultsOn(const std::string& target, uint64_t t, Rng* rng) const;
  void Log(uint32_t service, uint32_t version, uint64_t t, bool error, std::string body, const model::Span& span,
           RequestTelemetry* out) const;

  const ScenarioSpec& spec_;
  const ServiceCatalog& services_;
  const std::vector<Fault>& faults_;
  Rng latency_rng_;
  Rng id_rng_;
  std::vector<std::vector<bool>> warm_;  // [service][version]: invoked before (faas.coldstart)
};

}  // namespace augur::scenario
