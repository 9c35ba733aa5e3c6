#include "otlp/time_guard.h"

#include <algorithm>
#include <string>

#include "common/time_format.h"

namespace augur::otlp {

int64_t RejectFutureItems(DecodeResult* result, uint64_t limit_unix_nano) {
  model::Batch& b = result->batch;
  const auto future = [limit_unix_nano](uint64_t t) { return t > limit_unix_nano; };
  int64_t removed = 0;
  removed += std::erase_if(b.spans, [&](const model::Span& s) { return future(s.end_time_unix_nano); });
  for (model::Metric& m : b.metrics) {
    removed += std::erase_if(m.points, [&](const model::MetricPoint& p) { return future(p.time_unix_nano); });
  }
  std::erase_if(b.metrics, [](const model::Metric& m) { return m.points.empty(); });
  removed += std::erase_if(b.logs, [&](const model::LogRecord& l) {
    return future(l.time_unix_nano != 0 ? l.time_unix_nano : l.observed_time_unix_nano);
  });
  if (removed == 0) return 0;
  result->rejected += removed;
  std::string message = std::to_string(removed) + " item(s) stamped after " + FormatRfc3339(limit_unix_nano) +
                        " (too far in the future; check the sender's clock)";
  result->error_message = result->error_message.empty() ? message : result->error_message + "; " + message;
  return removed;
}

}  // namespace augur::otlp
