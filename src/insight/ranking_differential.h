// The differential stage of root-cause ranking: where did time grow on the
// part of the graph an insight involves, anomaly or not?
//
// Detectors speak only for series busy enough to test; at a few requests
// per operation per bucket most services raise nothing, even the one that
// broke. The topology still holds every operation's self time and every
// call's duration, so the ranking compares each service near the insight
// (the services of its anomalies, and their callers and callees up to
// `hops` hops) between a reference window before the insight's start and
// the time since:
//  - self time per operation (server, consumer and internal spans: its own
//    code, its children's time left out): a service whose own time rose;
//  - the calls A → B, client-observed, against B's server time for the
//    operations those calls reach: time added between them, blamed on the
//    end the slow calls share (B, reached slowly by several callers, or A,
//    whose calls to several services slowed down; B on a tie). When too
//    few calls A → B came before the start to compare, the calls since
//    still speak if most of their time is spent on the way (the gap
//    between A's wait and B's server time is at least `min_ratio` times
//    B's server time and `min_rise_ms`) and, in the few calls before, it
//    was not: a network round trip is normally a few ms in any system.
// A rise counts only when it is clear: enough requests on both sides, and
// larger than both a factor (relative) and a floor in ms (absolute).
//
// Pure: a function of the view and the times given; bounded by max_services.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "insight/topology_view.h"

namespace augur::insight {

struct DifferentialOptions {
  uint64_t reference_ns = 5 * 60'000'000'000ULL;  // the window before the insight's start
  uint64_t min_requests = 5;                      // on each side
  double min_ratio = 2.0;                         // after >= ratio × before
  double min_rise_ms = 5.0;                       // and after - before >= this
  int hops = 2;                                   // callers and callees of the anomalies' nodes
  size_t max_services = 64;
};

// One clear rise, blamed on `service`.
struct Rise {
  std::string service;
  std::string operation;  // self time: its operation; calls into it: the operation reached; else ""
  std::string caller;     // calls: the caller (== service when its own side is blamed); "" for self time
  double before_ms = 0, after_ms = 0;
  uint64_t before_count = 0, after_count = 0;
  // Calls: the callee's server time for those calls, before and after.
  double server_before_ms = 0, server_after_ms = 0;
  // Calls too few before the start to compare durations, judged by the gap
  // between the caller's wait and the callee's server time instead.
  bool gap_only = false;
  std::string sentence;  // the evidence, in words
  // after / before (before floored at 0.1 ms): how clear the rise is.
  double Ratio() const;
  // The time it adds to each request, in ms: self time after - before;
  // for calls, the rise of the time on the way (client minus server), at
  // least 0.
  double AddedMs() const;
};

// Services reachable from `seeds` through Callers and Callees in at most
// `hops` hops (the seeds' own services included), in order of discovery,
// dependencies left out, at most `max_services`.
std::vector<std::string> Neighbourhood(const std::vector<NodeRef>& seeds, const TopologyView& topology, int hops,
                                       size_t max_services);

// Services whose operations `node` reaches through Callees within `hops`
// hops, other than its own (dependencies left out).
std::vector<std::string> ServicesBelow(const NodeRef& node, const TopologyView& topology, int hops);

// The clearest rise per service near `seeds`, reference [start - reference,
// start) against [start, now), largest ratio first (ties by name). A seed
// without an operation (a service-wide anomaly: logs, pod metrics) stands
// for the operations its service ran in those windows (SelfTimes).
std::vector<Rise> FindRises(const std::vector<NodeRef>& seeds, const TopologyView& topology, uint64_t start_ns,
                            uint64_t now_ns, const DifferentialOptions& options);

}  // namespace augur::insight
