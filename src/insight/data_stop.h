// DataStops: telling "the data stopped" from "the traffic stopped".
//
// When an exporter, a collector or the load in front of a system stops,
// the request counts of many operations fall to zero at the same moment.
// That is no sign of where a fault began, yet it is usually the earliest
// onset around: ranked by onset order, the silence would win over the
// cause. A traffic anomaly that fell to zero (observed 0) is a data stop
// when at least `min_series` such falls (itself included), on at least
// `min_services` services, begin within `together` of each other: one
// service losing its traffic is a fact about that service; many at once
// are a fact about the data. The ranking then gives such anomalies no say
// in onset order or in the candidates' scores (ranking.h).
//
// Remembers the recent falls to zero seen by the correlator, across all
// insights (the falls of one stop may be grouped apart), at most
// `max_remembered` (the oldest forgotten first; overflow counted).
// Plain value, not thread-safe: owned by the correlator.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "model/anomaly.h"

namespace augur::insight {

struct DataStopOptions {
  uint64_t together_ns = 30'000'000'000ULL;  // falls starting this close are one moment
  size_t min_series = 3;
  size_t min_services = 2;
  size_t max_remembered = 4096;
};

// A traffic anomaly whose count or rate fell to zero.
bool FellToZero(const model::Anomaly& a);

class DataStops {
 public:
  explicit DataStops(DataStopOptions options = {});

  // Remembers `a` when it fell to zero (an update of a known id replaces
  // it). Returns the ids of the remembered falls that are data stops now
  // and were not before (`a` among them, or others it completed a quorum
  // for), so that the insights holding them can be ranked again.
  std::vector<std::string> Add(const model::Anomaly& a);
  // Whether the anomaly with this id is part of a data stop.
  bool Stopped(const std::string& anomaly_id) const { return stopped_.count(anomaly_id) > 0; }
  const std::set<std::string>& stopped() const { return stopped_; }

  uint64_t forgotten() const { return forgotten_; }

 private:
  struct Fall {
    std::string id, service, series;
    uint64_t onset_ns = 0;
  };
  bool Quorum(uint64_t onset_ns) const;

  DataStopOptions options_;
  std::deque<Fall> falls_;  // in arrival order
  std::set<std::string> stopped_;
  uint64_t forgotten_ = 0;
};

}  // namespace augur::insight
