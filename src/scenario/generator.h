// Generator: the telemetry of a scenario (spec.h) as the app's OTel SDKs
// would export it, one export at a time, in arrival order.
//
// Each service runs one exporter per signal, every ExportSpec interval at
// its own phase. A trace (log) export holds that service's spans (log
// records) that ended (were written) since its previous export, oldest
// first, split at max_batch; nothing is sent for an empty interval, as a
// BatchSpanProcessor does. A metric export holds the service's
// process.memory.usage gauge (bytes) and, for a function, its
// faas.invocations cumulative sum (restarting from 0 at each deployment).
// Each item points at the resource of its service's version (two resources
// in one batch around a deployment: spans of requests begun before it and
// after it).
//
// Exports come in export-time order (ties: gateway first, then functions in
// spec order; traces, metrics, logs). Telemetry timestamps are the
// scenario's historical times; export_time_ns is when the SDK would send.
// After the last arrival the trace and log exporters run until everything
// is sent; metrics stop at the end of the scenario.
//
// Memory: generated incrementally, holding only the requests whose items
// have not been exported yet (about rate × (interval + request duration)),
// so a day or a month costs no more memory than a minute.
//
// Deterministic: the same spec gives the same exports (see spec.h).
// Not thread-safe; one per run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/telemetry.h"
#include "scenario/spec.h"

namespace augur::scenario {

enum class Signal : uint8_t { kTraces = 0, kMetrics = 1, kLogs = 2 };
const char* SignalName(Signal signal);  // "traces", "metrics", "logs"

struct Export {
  uint64_t export_time_ns = 0;
  std::string service;
  Signal signal = Signal::kTraces;
  model::Batch batch;
};

struct GeneratorStats {
  uint64_t requests = 0;
  uint64_t failed_requests = 0;  // the gateway answered 5xx
  uint64_t spans = 0;
  uint64_t logs = 0;
  uint64_t points = 0;
  uint64_t exports = 0;
};

class Generator {
 public:
  // InvalidArgument when Validate(spec) fails.
  static StatusOr<std::unique_ptr<Generator>> Create(ScenarioSpec spec);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // The next export; false once the scenario is over.
  bool Next(Export* out);

  const ScenarioSpec& spec() const;
  const GroundTruth& truth() const;  // known from the start
  GeneratorStats stats() const;

 private:
  struct Impl;
  explicit Generator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs a whole scenario, calling sink with every export in order.
Status Generate(ScenarioSpec spec, const std::function<void(Export&)>& sink);

}  // namespace augur::scenario
