// The analysis API: anomalies augur found, the insights it made of them
// (with users' feedback on them), and change events (deployments,
// configuration changes) that clients post and augur infers from
// telemetry. docs/api.md describes every route.
//
// The wall clock is read here, at the API boundary, and nowhere deeper: an
// event posted without a time happened "now". Tests pass their own clock.
//
// Threads: handlers run on the API server's threads; the store's methods
// they call are safe from any thread. So do the hooks (below).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "http/server.h"
#include "logs/log_analyzer.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "store/store.h"
#include "topology/topology.h"

namespace augur::api {

// Unix ns; by default the system clock.
using WallClock = std::function<uint64_t()>;
uint64_t SystemNowUnixNano();

struct AnalysisRoutesOptions {
  WallClock now = SystemNowUnixNano;
  // Hooks that tell the running engine what came in through the API, so it
  // need not poll the store. Each is called once the store has committed,
  // before the client gets its answer, on an API server thread (several
  // may run at once): keep them quick and thread-safe, e.g. hand the item
  // to the analysis thread. Empty hooks are not called.
  //
  // After POST /api/v1/events: the event as stored (merged, store.h).
  std::function<void(const model::ChangeEvent& event)> on_event;
  // After PUT /api/v1/insights/{id}/feedback: the updated insight and the
  // feedback given (USEFUL, NOT_USEFUL, TOO_SENSITIVE, INCORRECT).
  std::function<void(const model::Insight& insight, const std::string& feedback)> on_feedback;
  // GET /api/v1/topology: the service graph over buckets starting in
  // [from, to) (0 = the engine's default window), served as
  // topology::ToJson writes it. No route when empty.
  std::function<topology::Topology(uint64_t from_unix_nano, uint64_t to_unix_nano)> topology;
  // GET /api/v1/logs/patterns?service=&from=&to=&limit=: the patterns of
  // `service` ("" = all) seen in [from, to] (to 0 = no end), at most `limit`
  // (0 = the hook's default), served as {"patterns": [...]}. No route when
  // empty.
  std::function<std::vector<logs::PatternInfo>(const std::string& service, uint64_t from_unix_nano,
                                               uint64_t to_unix_nano, size_t limit)>
      patterns;
};

// GET /api/v1/anomalies, /api/v1/anomalies/{id}, /api/v1/events,
// /api/v1/events/{id}; POST /api/v1/events; and the insight routes
// (insight_api.h).
void RegisterAnalysisRoutes(http::Server* server, store::Store* store, AnalysisRoutesOptions options = {});

}  // namespace augur::api
