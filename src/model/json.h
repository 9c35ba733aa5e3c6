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

}  // namespace augur::model
