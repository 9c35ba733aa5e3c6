// VersionTracker: deployments inferred from telemetry.
//
// For each (service, attribute), attribute one of options.attributes on the
// resource (service.version, faas.version), it remembers the versions seen
// (at most max_versions, the one seen least recently forgotten first) and
// which one is current. Each batch's resources that carry telemetry are
// looked at once each, in order of their earliest item time:
//  - the first version ever seen of a (service, attribute) is the baseline,
//    no event: augur cannot tell whether it has just changed;
//  - a version never seen before (or forgotten) becomes current: a
//    deployment, at the earliest item time of that resource in the batch
//    (span start, point time, log time);
//  - a known version that is not current (old instances during a rolling
//    deploy, late batches) changes nothing, unless it takes over: once it
//    was seen at two different times after the current version's last
//    sighting, and the current version has not been seen for
//    rollback_quiet_ns of event time, it is current again (a rollback, also
//    a deployment), at its first sighting after the other's last. Requiring
//    a silence of the newer version keeps a rolling deploy (both versions
//    live) from flapping; requiring two sightings keeps two rarely reporting
//    instances on different versions from flapping.
// Attributes of one resource that change together (service.version and
// faas.version) make one event listing both changes.
//
// Event ids: a new version's is "ev-" + 16 hex digits of FNV-1a 64 of
// (service, attribute, version), so a replay infers the same id; a
// rollback's also hashes the replaced version and its time (a rollback to
// 1.0.0 is not the deployment of 1.0.0 months ago).
//
// Bounds: at most max_tracked (service, attribute) pairs; when full, pairs
// not seen for idle_ns of event time are forgotten to make room (at most
// once per idle_ns / 8); still full: the pair is not tracked, counted in
// stats().overflow.
//
// Not thread-safe; owned by the Analyzer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/state_codec.h"
#include "model/change_event.h"
#include "model/telemetry.h"

namespace augur::analysis {

struct VersionTrackerOptions {
  std::vector<std::string> attributes = {"service.version", "faas.version"};
  size_t max_tracked = 10'000;  // (service, attribute) pairs
  size_t max_versions = 16;     // versions remembered per pair
  uint64_t rollback_quiet_ns = 10 * 60'000'000'000ULL;
  uint64_t idle_ns = 7 * 24 * 3'600'000'000'000ULL;
};

struct VersionTrackerStats {
  uint64_t events = 0;    // deployments inferred
  uint64_t overflow = 0;  // resources whose pair could not be tracked: max_tracked reached
  uint64_t expired = 0;   // pairs forgotten as idle
  uint64_t tracked = 0;   // pairs now
};

class VersionTracker {
 public:
  explicit VersionTracker(VersionTrackerOptions options = {});

  // Looks at the resources of `batch` that carry spans, metric points or
  // logs; appends the deployments they show to *out.
  void Add(const model::Batch& batch, std::vector<model::ChangeEvent>* out);

  VersionTrackerStats stats() const;

  // Saved state: the pairs and their versions (not the stats). LoadState
  // replaces them; on damaged input it sets r->failed() (the owner then
  // discards this tracker).
  void SaveState(StateWriter* w) const;
  void LoadState(StateReader* r);

 private:
  struct Version {
    uint64_t last_ns = 0;    // newest item time seen
    uint64_t since_ns = 0;   // first sighting after the current version's last (0: none)
    uint32_t sightings = 0;  // sightings at distinct, later times since since_ns
  };
  struct Pair {
    std::string current;
    std::map<std::string, Version> versions;
  };
  struct Change {
    std::string attribute, old_value, new_value;
    uint64_t time_ns = 0;
    bool rollback = false;
  };
  // What seeing `value` of `attribute` in [first_ns, last_ns] did, if anything.
  bool See(const std::string& service, const std::string& attribute, const std::string& value, uint64_t first_ns,
           uint64_t last_ns, Change* change);
  Pair* FindPair(const std::string& service, const std::string& attribute, uint64_t time_ns);
  void Remember(Pair* pair, const std::string& value, uint64_t last_ns);
  model::ChangeEvent MakeEvent(const std::string& service, const std::vector<Change>& changes) const;

  VersionTrackerOptions options_;
  std::map<std::pair<std::string, std::string>, Pair> pairs_;  // (service, attribute)
  uint64_t newest_ns_ = 0;                                     // newest item time seen
  uint64_t last_sweep_ns_ = 0;
  bool swept_ = false;
  VersionTrackerStats stats_;
};

}  // namespace augur::analysis
