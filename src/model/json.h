// JSON views of the model, as the query API shows them and the store keeps
// attributes.
//
// Attributes become a JSON object {"key": value}: strings, bools, integers and
// doubles map to their JSON kinds, arrays to arrays, key-value lists to
// objects, and bytes to {"bytes": "<base64>"}. Non-finite doubles become the
// strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
// Thread-safe: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/telemetry.h"

namespace augur::model {

nlohmann::json ToJson(const AnyValue& value);
nlohmann::json ToJson(const Attributes& attributes);
// Inverse of ToJson(Attributes); an empty or malformed document yields no attributes.
AnyValue AnyValueFromJson(const nlohmann::json& json);
Attributes AttributesFromJson(const nlohmann::json& json);

// Full records, with RFC 3339 times, hex ids and names for enums. Spans and
// logs carry "service" (their resource's service name).
nlohmann::json SpanToJson(const Batch& batch, const Span& span);
nlohmann::json LogToJson(const Batch& batch, const LogRecord& log);
nlohmann::json MetricPointToJson(const Batch& batch, const Metric& metric, const MetricPoint& point);
nlohmann::json ResourceToJson(const Resource& resource);

// Analysis results and change events, as GET /api/v1/anomalies and
// /api/v1/events show them (docs/api.md). An anomaly's "end_time" is null
// while it is ongoing; "forecast" is present for kind "forecast" only.
nlohmann::json AnomalyToJson(const Anomaly& anomaly);
nlohmann::json ChangeEventToJson(const ChangeEvent& event);

// An event as a client posts it (POST /api/v1/events). "service" is
// required; "type" is one of the ChangeType names (DEPLOYMENT when absent);
// "time" is an RFC 3339 string or an integer Unix time in s, ms or ns (0
// when absent: the caller decides); "changes" is an array of {"key", "old",
// "new"} strings, key required. Absent and null optional fields read as
// empty; unknown fields are ignored. Lengths are bounded (kMaxEventId bytes
// for the id, kMaxEventText for other strings, kMaxEventChanges changes,
// kMaxEventSources sources). InvalidArgument says which field is wrong and why.
inline constexpr size_t kMaxEventId = 256;
inline constexpr size_t kMaxEventText = 64 * 1024;
inline constexpr size_t kMaxEventChanges = 1000;
inline constexpr size_t kMaxEventSources = 16;
StatusOr<ChangeEvent> ChangeEventFromJson(const nlohmann::json& json);

}  // namespace augur::model
