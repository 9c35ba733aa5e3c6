// Conversions between Unix nanoseconds and RFC 3339 UTC strings.
//
// augur keeps every timestamp as uint64 nanoseconds since the Unix epoch
// (the OTLP representation). The API speaks RFC 3339 UTC
// ("2026-11-24T01:38:16.123456789Z"); query parameters also accept plain
// integers (Unix seconds, milliseconds or nanoseconds, told apart by size).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augur {

// Formats with as many fractional digits as needed (none, 3, 6 or 9).
std::string FormatRfc3339(uint64_t unix_nanos);

// Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" or an integer timestamp.
StatusOr<uint64_t> ParseTimestamp(std::string_view text);

}  // namespace augur
