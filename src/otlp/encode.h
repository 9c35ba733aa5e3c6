// Encoding of the internal model back into OTLP protobuf export requests:
// the inverse of Decode (decode.h), for tools that send telemetry to an
// OTLP endpoint (augur replay, benchmarks, tests).
//
// Items are grouped by (resource, scope) in the order they first appear, so
// Decode(Encode(batch)) gives the batch back (resources and scopes that no
// item refers to are dropped). Thread-safe: pure functions.
#pragma once

#include <string>

#include "model/telemetry.h"

namespace augur::otlp {

// Serialized ExportTraceServiceRequest / ExportMetricsServiceRequest /
// ExportLogsServiceRequest with the batch's spans / metrics / logs.
std::string EncodeTraces(const model::Batch& batch);
std::string EncodeMetrics(const model::Batch& batch);
std::string EncodeLogs(const model::Batch& batch);

}  // namespace augur::otlp
