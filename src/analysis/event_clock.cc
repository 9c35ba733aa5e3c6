#include "analysis/event_clock.h"

#include <algorithm>

namespace augur::analysis {

EventClock::EventClock(ClockOptions options) : options_(options) {
  // A zero width would divide by zero; one nanosecond is the finest bucket.
  options_.bucket_width_ns = std::max<uint64_t>(options_.bucket_width_ns, 1);
}

std::optional<uint64_t> EventClock::Admit(uint64_t time_ns) {
  if (time_ns == 0) {
    ++stats_.no_time;
    return std::nullopt;
  }
  uint64_t start = BucketStart(time_ns);
  if (Closed(start)) {
    ++stats_.late;
    return std::nullopt;
  }
  ++stats_.admitted;
  if (time_ns > options_.allowed_lateness_ns) AdvanceTo(time_ns - options_.allowed_lateness_ns);
  return start;
}

void EventClock::AdvanceTo(uint64_t time_ns) {
  watermark_ = std::max(watermark_, time_ns);
}

}  // namespace augur::analysis
