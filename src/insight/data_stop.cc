#include "insight/data_stop.h"

#include <algorithm>

namespace augur::insight {
namespace {

uint64_t Gap(uint64_t a, uint64_t b) {
  return a > b ? a - b : b - a;
}

}  // namespace

bool FellToZero(const model::Anomaly& a) {
  return a.kind == "traffic" && a.direction == "down" && a.observed <= 0;
}

DataStops::DataStops(DataStopOptions options) : options_(options) {}

bool DataStops::Quorum(uint64_t onset_ns) const {
  std::set<std::string> series, services;
  for (const Fall& f : falls_) {
    if (Gap(f.onset_ns, onset_ns) > options_.together_ns) continue;
    series.insert(f.series);
    services.insert(f.service);
  }
  return series.size() >= options_.min_series && services.size() >= options_.min_services;
}

std::vector<std::string> DataStops::Add(const model::Anomaly& a) {
  std::vector<std::string> now_stopped;
  if (!FellToZero(a)) {
    // An update that no longer reads zero (a partial recovery) is no fall;
    // one that was a stop stays one (its onset did not change).
    return now_stopped;
  }
  // Looked up only for falls: every anomaly passes through here.
  auto known = std::find_if(falls_.begin(), falls_.end(), [&](const Fall& f) { return f.id == a.id; });
  if (known != falls_.end()) {
    known->onset_ns = a.onset_ns;
  } else {
    if (falls_.size() >= options_.max_remembered) {
      stopped_.erase(falls_.front().id);
      falls_.pop_front();
      ++forgotten_;
    }
    falls_.push_back({a.id, a.series.service, a.series.ToString(), a.onset_ns});
  }
  // Only falls near this one can have reached a quorum through it.
  for (const Fall& f : falls_) {
    if (stopped_.count(f.id) > 0 || Gap(f.onset_ns, a.onset_ns) > 2 * options_.together_ns) continue;
    if (Quorum(f.onset_ns)) {
      stopped_.insert(f.id);
      now_stopped.push_back(f.id);
    }
  }
  return now_stopped;
}

}  // namespace augur::insight
