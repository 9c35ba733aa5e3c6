// Correlator: anomalies + change events + topology → insights.
//
// Grouping. Each anomaly sits on a node: its (service, operation), and
// for a client-span series whose `peer` is not itself an instrumented
// service, also that dependency. Two anomalies are linked when their nodes
// are the same, or one calls the other directly (TopologyView), or one of
// them is service-wide (no operation) on the other's service, or on a
// service that calls it or that it calls directly (a service's logs and
// its pods' metrics name no operation: errors logged by a caller belong
// with the callee that failed them). A new anomaly joins the open insight
// (of the same type: forecasts make PROACTIVE insights of their own)
// holding an anomaly it is linked to that had activity near it: an onset,
// raise, update or end within `group_window` of the new onset. Being
// still ongoing is not enough: a level shift raised hours ago that never
// ended (the new level persists) would otherwise make its insight the home
// of every later fault on its node; such a later anomaly opens an insight
// of its own. Nor does an insight grow for ever by chaining: it takes new
// anomalies only while they start within `incident_window` of its first
// raise (a cause's symptoms follow it within minutes). Without this bound, anomalies a few minutes apart on
// a busy shared service keep one insight open for an hour, and every later
// incident that touches that service joins it instead of opening its own.
// When it links to several open insights, they were one incident seen
// from two sides: the younger ones merge into the oldest (one that was
// already reported is closed with a note naming the insight that took it
// over).
// Linking by operation, not by service, keeps two faults behind one
// gateway apart: the gateway's POST symptom links to the writer, its GET
// symptom to the reader. After an anomaly joins, the insight is ranked
// again, so an early symptom that opened it gives way to its cause.
//
// Ranking. Every node with an anomaly in the insight is a candidate; its
// score adds up evidence, each piece recorded as a sentence:
//  - onset order: earlier onsets score higher (a cause precedes its
//    symptoms); only onsets of things getting worse count: a latency fall
//    (a service answering faster) earns no onset credit when anything in
//    the group got worse;
//  - self time (latency): where the added time is spent. When the node's
//    own time grew by most of the increase, the node is the cause; when its
//    downstream time grew instead, the cause is below it and the node is
//    penalised;
//  - graph position: a node with an anomalous callee of the same kind is
//    likely a symptom of it, unless its self time says otherwise;
//  - network: when a client-span series' calls to an instrumented service
//    slow down while that service's server time (of the operations those
//    calls reach) does not, the time is spent between them: the callee (its
//    network) is a candidate even with no anomaly of its own, and the
//    caller is penalised;
//  - own evidence: a slow node whose own CPU use rose, or that logged
//    errors (ERROR/FATAL patterns, error keywords, 5xx), weighs as a cause,
//    and like grown self time this outweighs a slow callee; so does a node
//    whose CPU rose and that logged errors without slowing down;
//  - errors travel up: a node that logged errors while a service it calls
//    directly logged errors too, no later (within a minute: log counts are
//    per minute), is penalised, so the deepest erring service leads;
//  - differential (ranking_differential.h): every service near the
//    insight's anomalies is compared between the minutes before its first
//    onset and the time since; a clear rise of its own (self) time, or of
//    the calls to it while its server time stayed (or, with too few calls
//    before to compare, calls that spend most of their time on the way to
//    it), is evidence and makes it a candidate even with no anomaly of its
//    own (traffic too thin for its detectors); a service-wide anomaly
//    (logs, pod metrics) is placed by the operations its service ran; a
//    slow node whose own time did not grow above it is penalised;
//  - magnitude: a rise, and a network finding, weigh in proportion to the
//    time they add per request next to the largest such addition in the
//    group (a clear +7 ms from busy calls explains nothing of calls that
//    gained a second on the way to another service);
//  - errors: the deepest node whose errors rose;
//  - data stops: request counts of several services falling to zero at
//    once are the data stopping (an exporter, the collector, the load),
//    not a fault; such anomalies stay in their insight as context but have
//    no say in the ranking (data_stop.h);
//  - change events: a change on the node's service (or on the service that
//    owns a dependency call) in [onset - event_lookback, onset + event_slack]
//    weighs most, the closer the stronger.
// Confidence is the winner's share of the positive scores, so a lone
// candidate with no supporting evidence does not read as certain.
// The winner's anomalies are causal, the rest contextual (with the reason).
//
// Lifecycle: ONGOING while any anomaly is ongoing; CLOSED once all of them
// ended and `close_after` of event time passed with no new one (AdvanceTo),
// end_ns = the last anomaly's end. A closed insight never reopens: a later
// anomaly starts a new one.
//
// Output: TakeInsights() returns each insight that changed since the last
// call (full records, revision incremented), in id order. Deterministic: no
// clock, no I/O; the same calls give the same insights and ids.
//
// Bounds: open insights, anomalies per insight, events remembered per
// service and services with events are capped; overflow is counted.
// Not thread-safe; owned by the analysis thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "insight/data_stop.h"
#include "insight/topology_view.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"

namespace augur::insight {

struct CorrelatorOptions {
  uint64_t group_window_ns = 10 * 60'000'000'000ULL;
  // An insight takes new anomalies only while they start within this long
  // of its first raise; a later one opens an insight of its own.
  uint64_t incident_window_ns = 10 * 60'000'000'000ULL;
  uint64_t event_lookback_ns = 30 * 60'000'000'000ULL;  // a change this long before an onset may have caused it
  uint64_t event_slack_ns = 60'000'000'000ULL;          // events recorded a little after the onset (clock skew)
  uint64_t close_after_ns = 2 * 60'000'000'000ULL;
  // Window before the onset that self time is compared against.
  uint64_t split_baseline_ns = 15 * 60'000'000'000ULL;
  size_t max_open_insights = 1000;
  size_t max_anomalies_per_insight = 100;
  size_t max_events_per_service = 64;
  size_t max_event_services = 10'000;
  // Many request counts falling to zero at once: the data stopped.
  DataStopOptions data_stop;
};

struct CorrelatorStats {
  uint64_t insights_opened = 0;
  uint64_t insights_closed = 0;
  uint64_t insights_merged = 0;  // one incident first seen as two: the younger merged into the older
  uint64_t anomalies_grouped = 0;
  uint64_t anomalies_dropped = 0;  // an insight full, or too many open insights
  uint64_t events_seen = 0;
  uint64_t events_dropped = 0;
  uint64_t data_stop_falls_forgotten = 0;  // DataStops::forgotten()
};

class Correlator {
 public:
  explicit Correlator(CorrelatorOptions options = {});

  // A change event, explicit or inferred (the store's merged record). An
  // event with a known id replaces the old one. Open insights it may explain
  // are ranked again.
  void OnEvent(const model::ChangeEvent& event, const TopologyView& topology);
  // An anomaly raised, updated or ended (same id when it changes).
  void OnAnomaly(const model::Anomaly& anomaly, const TopologyView& topology);
  // Event time moved on: closes insights whose anomalies all ended long enough ago.
  void AdvanceTo(uint64_t now_ns);

  void TakeInsights(std::vector<model::Insight>* out);

  std::string SaveState() const;
  Status LoadState(std::string_view bytes);

  CorrelatorStats stats() const;

 private:
  struct Open {
    model::Insight insight;
    uint64_t last_activity_ns = 0;  // latest onset/raise/end of its anomalies
    bool dirty = false;
    bool emitted = false;  // TakeInsights has returned it at least once
  };
  void Absorb(Open* into, Open* from);
  Open* FindGroup(const model::Anomaly& a, const TopologyView& topology);
  // Whether `member` had activity (its onset, raise, update or end) within
  // group_window of a's onset.
  bool Near(const model::Anomaly& a, const model::Anomaly& member) const;
  // Whether a starts within incident_window of the insight's first raise.
  bool InIncidentWindow(const model::Anomaly& a, const model::Insight& in) const;
  void Rank(Open* open, const TopologyView& topology);
  std::vector<const model::ChangeEvent*> EventsNear(const std::string& service, uint64_t onset_ns) const;

  CorrelatorOptions options_;
  std::map<std::string, Open> open_;                               // by insight id: ONGOING ones
  std::map<std::string, std::string> insight_of_;                  // anomaly id → insight id (open insights)
  std::map<std::string, std::vector<model::ChangeEvent>> events_;  // by service, time order
  std::vector<model::Insight> changed_;                            // closed or changed since TakeInsights
  DataStops data_stops_;                                           // rebuilt from the open insights on LoadState
  CorrelatorStats stats_;
};

}  // namespace augur::insight
