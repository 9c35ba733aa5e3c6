// The query API: read-only JSON endpoints over the store, and augur's own
// /metrics. docs/api.md is the user-facing description of every route.
//
// Threads: handlers run on the API server's threads and call the store's
// query methods, which are safe from any thread.
#pragma once

#include "http/server.h"
#include "selfmon/metrics.h"
#include "store/store.h"

namespace augur::api {

// GET /api/v1/services, /api/v1/traces/{trace_id}, /api/v1/spans,
// /api/v1/logs, /api/v1/metrics, /api/v1/series (series_api.h), /metrics
// and /healthz.
void RegisterQueryRoutes(http::Server* server, store::Store* store, selfmon::Registry* metrics);

}  // namespace augur::api
