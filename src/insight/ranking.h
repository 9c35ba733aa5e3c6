// Root-cause ranking for one group of anomalies (see correlator.h for the
// rules in words). Pure function of the anomalies, the events near them and
// the topology; it writes evidence as sentences so every conclusion can be
// read back.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "insight/ranking_differential.h"
#include "insight/topology_view.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"

namespace augur::insight {

struct RankingOptions {
  uint64_t event_lookback_ns = 0;
  uint64_t event_slack_ns = 0;
  uint64_t split_baseline_ns = 0;
  // Where time grew near the group since its first onset, anomaly or not
  // (ranking_differential.h); hops 0 turns the stage off.
  DifferentialOptions differential;
};

// Events of `service` with time in [onset - lookback, onset + slack], oldest first.
using EventLookup =
    std::function<std::vector<const model::ChangeEvent*>(const std::string& service, uint64_t onset_ns)>;

struct Ranking {
  model::RootCause root_cause;
  std::vector<model::CauseCandidate> candidates;  // best first, at most 10
  // anomaly id → (role, reason)
  std::map<std::string, std::pair<std::string, std::string>> roles;
  // Events on the root cause (its service, or the service calling the
  // dependency), nearest to the onset first; then other events of the group.
  std::vector<model::ChangeEvent> cause_events;
  std::vector<model::ChangeEvent> other_events;
  // Where the added time went, when known: "+330 ms", for the summary.
  double self_delta_ms = 0, downstream_delta_ms = 0, self_before_ms = 0;
  bool has_split = false;
  uint64_t onset_ns = 0;  // earliest onset of the root cause's anomalies
  // When the root cause is a service's network (its callers' calls slowed
  // down while its server time did not): the sentence saying so, else "".
  std::string network;
};

// How a change at `change_ns` stands to an onset at `onset_ns`, in words:
// "12 s after", "3 min before", or "at the time of" within 5 s (onsets are
// estimated to the start of a 5 s bucket, so closer than that is "at").
std::string OnsetGap(uint64_t change_ns, uint64_t onset_ns);

// The node an anomaly measures: its (service, operation), or the dependency
// behind a client-span series' uninstrumented peer.
NodeRef NodeOf(const model::Anomaly& a, const TopologyView& topology);
// Whether two anomalies belong to one incident by topology (not time).
bool Linked(const model::Anomaly& a, const model::Anomaly& b, const TopologyView& topology);

// `data_stopped`: ids of anomalies that are the data stopping, not the
// system (data_stop.h). They have no say in onset order, the candidates'
// scores or the differential stage's start; their services are listed
// after the others (score 0) unless nothing else is in the group, and
// their role is contextual.
Ranking Rank(const std::vector<model::Anomaly>& anomalies, const EventLookup& events, const TopologyView& topology,
             const RankingOptions& options, uint64_t now_ns, const std::set<std::string>& data_stopped = {});

}  // namespace augur::insight
