// `augur replay`: generates a named scenario (scenario/catalog.h) and sends
// it to a running augur over OTLP/HTTP (protobuf) with its historical
// timestamps, as fast as augur takes it (or paced), posting the scenario's
// deployments as change events through the API when asked, at the moment
// the replay reaches them. The way to see augur work on a recorded-like
// incident in seconds, and the feed of the console and CLI tests.
//
// 429/503 answers are retried after a pause (augur's backpressure); other
// errors stop the replay.
#pragma once

#include <cstdint>
#include <string>

#include "cli/api_client.h"
#include "common/status.h"

namespace augur::cli {

struct ReplayOptions {
  std::string scenario = "article";
  uint64_t seed = 1;
  uint64_t start_ns = 0;  // 0: so that the fault ends at the wall clock's now
  uint64_t baseline_ns = 4 * 3'600'000'000'000ULL;
  uint64_t fault_ns = 3'600'000'000'000ULL;
  bool post_events = false;  // post deployments to /api/v1/events (as a deploy tool would)
  double speed = 0;          // 0: as fast as possible; else event-time seconds per wall second
  bool quiet = false;
};

struct ReplayResult {
  uint64_t exports = 0, spans = 0, points = 0, logs = 0, retries = 0, events_posted = 0;
  uint64_t start_ns = 0, onset_ns = 0, end_ns = 0;
};

StatusOr<ReplayResult> Replay(const ReplayOptions& options, ApiClient* otlp, ApiClient* api);

}  // namespace augur::cli
