// How a span ended, by the OpenTelemetry semantic conventions, in one place
// for everything that counts errors (RED series, topology, exemplars).
#pragma once

#include <cstdint>

#include "model/telemetry.h"

namespace augur::model {

// The span's HTTP response status code (http.response.status_code, or the
// older http.status_code; an int or a numeric string), or 0 when it has none.
int64_t HttpStatusCode(const Attributes& attributes);

// Whether the span failed: status ERROR, or a SERVER span that answered
// with HTTP 5xx (the HTTP conventions leave 4xx to the client's side).
bool IsFailedSpan(const Span& span);

}  // namespace augur::model
