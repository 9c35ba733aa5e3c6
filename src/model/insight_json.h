// JSON of insights: the view GET /api/v1/insights serves (docs/api.md), and
// its inverse, which the correlator uses to save its open insights across
// restarts. Times are RFC 3339 with nanoseconds, so the round trip is exact.
// Thread-safe: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/insight.h"

namespace augur::model {

nlohmann::json InsightToJson(const Insight& insight);
// A shorter view for lists: no anomalies' details, events or snippets, only counts.
nlohmann::json InsightSummaryToJson(const Insight& insight);

// Inverses of InsightToJson and AnomalyToJson (json.h). InvalidArgument on
// a document they did not write.
StatusOr<Insight> InsightFromJson(const nlohmann::json& json);
StatusOr<Anomaly> AnomalyFromJson(const nlohmann::json& json);

}  // namespace augur::model
