// Refusal of telemetry stamped far in the future.
//
// augur's analysis runs on event time: a watermark follows the newest
// telemetry timestamp. One span stamped next year (a wrong clock, a bug in
// a client) would move the watermark there and make every later item "late"
// for everyone. Analysis cannot tell (it has no clock), so the receivers,
// which may read the wall clock, refuse such items one by one, as invalid
// items with a partial_success message that says what was wrong.
//
// Pure: the caller passes the limit (its wall clock plus the allowed skew).
#pragma once

#include <cstdint>

#include "otlp/decode.h"

namespace augur::otlp {

// Removes from result->batch every span whose end time, metric point whose
// time, and log record whose time (or observed time when time is 0) is
// after `limit_unix_nano`; adds them to result->rejected and names the
// problem in result->error_message. Returns how many were removed.
int64_t RejectFutureItems(DecodeResult* result, uint64_t limit_unix_nano);

}  // namespace augur::otlp
