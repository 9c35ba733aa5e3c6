#include "insight/ranking_differential.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

namespace augur::insight {
namespace {

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), ms >= 100 || ms <= -100 ? "%.0f ms" : "%.1f ms", ms);
  return buf;
}

// What a walk over the graph found: services in order of discovery, and
// the calls between services with the callee operations they reach.
struct Walk {
  std::vector<std::string> services;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> calls;  // (caller, callee) → operations
};

Walk Explore(const std::vector<NodeRef>& seeds, const TopologyView& topology, int hops, size_t max_services) {
  Walk w;
  std::set<std::string> known;
  auto add_service = [&](const std::string& s) {
    if (s.empty() || known.count(s) > 0 || w.services.size() >= max_services) return;
    known.insert(s);
    w.services.push_back(s);
  };
  // Nodes are operations; the walk is bounded by the services it may hold
  // (a node of a service beyond the cap is not followed).
  std::set<NodeRef> seen;
  std::vector<NodeRef> frontier;
  for (const NodeRef& n : seeds) {
    if (n.dependency) continue;
    add_service(n.service);
    if (known.count(n.service) > 0 && seen.insert(n).second) frontier.push_back(n);
  }
  for (int hop = 0; hop < hops && !frontier.empty(); ++hop) {
    std::vector<NodeRef> next;
    auto visit = [&](const NodeRef& n) {
      if (n.dependency) return;
      add_service(n.service);
      if (known.count(n.service) > 0 && seen.insert(n).second) next.push_back(n);
    };
    for (const NodeRef& n : frontier) {
      if (n.operation.empty()) continue;  // a service-level node names no calls
      for (const NodeRef& c : topology.Callees(n.service, n.operation)) {
        if (!c.dependency && c.service != n.service) w.calls[{n.service, c.service}].insert(c.operation);
        visit(c);
      }
      for (const NodeRef& p : topology.Callers(n.service, n.operation)) {
        if (!p.dependency && p.service != n.service) w.calls[{p.service, n.service}].insert(n.operation);
        visit(p);
      }
    }
    frontier = std::move(next);
  }
  return w;
}

bool Clear(double before, double after, uint64_t before_count, uint64_t after_count, const DifferentialOptions& o) {
  return before_count >= o.min_requests && after_count >= o.min_requests && after >= o.min_ratio * before &&
         after - before >= o.min_rise_ms;
}

// Calls A → B too few before the start to compare their durations (a
// light load, or calls that began with the incident): the gap between what
// A waits and what B's server spends, the time on the way, is normally a
// round trip of a few ms in any system. Calls that spend most of their time
// on the way (the gap at least `min_ratio` times the server's time and at
// least `min_rise_ms`), on at least `min_requests` calls, whose gap was not
// that large in the calls seen before (if any), were slowed on the way.
bool GapRise(const CallTime& before, const CallTime& after, double server_before_ms, uint64_t server_before_count,
             double server_after_ms, const DifferentialOptions& o) {
  if (after.count < o.min_requests) return false;
  const double gap_after = after.median_ms - server_after_ms;
  if (gap_after < o.min_rise_ms || gap_after < o.min_ratio * server_after_ms) return false;
  if (before.count == 0 || server_before_count == 0) return true;
  const double gap_before = std::max(before.median_ms - server_before_ms, 0.0);
  return gap_after >= o.min_ratio * gap_before && gap_after - gap_before >= o.min_rise_ms;
}

}  // namespace

double Rise::Ratio() const {
  return after_ms / std::max(before_ms, 0.1);
}

double Rise::AddedMs() const {
  if (caller.empty()) return std::max(0.0, after_ms - before_ms);
  return std::max(0.0, (after_ms - server_after_ms) - (before_ms - server_before_ms));
}

std::vector<std::string> Neighbourhood(const std::vector<NodeRef>& seeds, const TopologyView& topology, int hops,
                                       size_t max_services) {
  return Explore(seeds, topology, hops, max_services).services;
}

std::vector<std::string> ServicesBelow(const NodeRef& node, const TopologyView& topology, int hops) {
  std::vector<std::string> out;
  if (node.dependency || node.operation.empty()) return out;
  std::set<NodeRef> seen{node};
  std::vector<NodeRef> frontier{node};
  for (int hop = 0; hop < hops && !frontier.empty(); ++hop) {
    std::vector<NodeRef> next;
    for (const NodeRef& n : frontier) {
      if (n.operation.empty()) continue;
      for (const NodeRef& c : topology.Callees(n.service, n.operation)) {
        if (c.dependency || !seen.insert(c).second) continue;
        next.push_back(c);
        if (c.service != node.service && std::find(out.begin(), out.end(), c.service) == out.end()) {
          out.push_back(c.service);
        }
      }
    }
    frontier = std::move(next);
  }
  return out;
}

std::vector<Rise> FindRises(const std::vector<NodeRef>& seeds, const TopologyView& topology, uint64_t start_ns,
                            uint64_t now_ns, const DifferentialOptions& options) {
  const uint64_t from = start_ns > options.reference_ns ? start_ns - options.reference_ns : 0;
  const uint64_t to = std::max(now_ns, start_ns + 1);
  // A service-wide seed (its logs, its pods' metrics) names no operation,
  // so no calls: the walk starts from the operations its service ran in
  // the two windows instead.
  std::vector<NodeRef> nodes;
  for (const NodeRef& n : seeds) {
    if (n.dependency || !n.operation.empty()) {
      nodes.push_back(n);
      continue;
    }
    std::set<std::string> ran;
    for (const OperationTime& t : topology.SelfTimes(n.service, from, to)) ran.insert(t.operation);
    if (ran.empty()) nodes.push_back(n);
    for (const std::string& op : ran) nodes.push_back({n.service, op, false});
  }
  const Walk walk = Explore(nodes, topology, options.hops, options.max_services);
  std::map<std::string, Rise> best;  // per service
  auto keep = [&](Rise r) {
    auto it = best.find(r.service);
    if (it == best.end() || r.Ratio() > it->second.Ratio()) best[r.service] = std::move(r);
  };

  // Self time: the service's own code got slower.
  for (const std::string& s : walk.services) {
    const std::vector<OperationTime> before = topology.SelfTimes(s, from, start_ns);
    const std::vector<OperationTime> after = topology.SelfTimes(s, start_ns, to);
    for (const OperationTime& a : after) {
      auto b = std::find_if(before.begin(), before.end(),
                            [&](const OperationTime& x) { return x.operation == a.operation; });
      if (b == before.end() || !Clear(b->self_ms, a.self_ms, b->count, a.count, options)) continue;
      Rise r;
      r.service = s;
      r.operation = a.operation;
      r.before_ms = b->self_ms;
      r.after_ms = a.self_ms;
      r.before_count = b->count;
      r.after_count = a.count;
      r.sentence = "self time of " + s + "'s " + a.operation + " rose from " + Ms(b->self_ms) + " to " + Ms(a.self_ms) +
                   " (" + std::to_string(b->count) + " → " + std::to_string(a.count) +
                   " requests): its own code, not its calls";
      keep(std::move(r));
    }
  }

  // Calls: the caller waits longer while the callee's server time did not
  // grow with it. The time is added on the way; which end of it is slow is
  // the end the slow calls have in common: a callee reached slowly by
  // several callers, or a caller whose calls to several callees all slowed
  // down (its own network). Ties go to the callee.
  std::vector<Rise> slow_calls;
  std::map<std::string, std::set<std::string>> slow_ends;  // service → the other ends of its slow calls
  for (const auto& [edge, operations] : walk.calls) {
    const auto& [caller, callee] = edge;
    const CallTime before = topology.CallsBetween(caller, callee, from, start_ns);
    const CallTime after = topology.CallsBetween(caller, callee, start_ns, to);
    const bool clear = Clear(before.median_ms, after.median_ms, before.count, after.count, options);
    // Too few calls before to compare durations: the gap between the
    // client and the server may still speak (GapRise).
    if (!clear && (before.count >= options.min_requests || after.count < options.min_requests)) continue;
    const double rise = after.median_ms - before.median_ms;
    bool measured = false;
    double worst = 0, server_before = 0, server_after = 0;
    uint64_t server_before_count = 0;
    std::string operation;
    for (const std::string& op : operations) {
      if (op.empty()) continue;
      const TimeSplit b = topology.Split(callee, op, from, start_ns);
      const TimeSplit a = topology.Split(callee, op, start_ns, to);
      if (a.count == 0 || (clear && b.count == 0)) continue;
      const double bt = b.self_ms + b.downstream_ms, at = a.self_ms + a.downstream_ms;
      if (!measured || (b.count > 0 ? at - bt : at) > worst) {
        worst = b.count > 0 ? at - bt : at;
        server_before = bt;
        server_after = at;
        server_before_count = b.count;
        operation = op;
      }
      measured = true;
    }
    if (!measured) continue;  // unknown server time is no evidence
    if (clear) {
      // A server that slowed down by a good part of the rise explains it
      // itself (its self time speaks).
      if (worst > 0.25 * rise) continue;
    } else if (!GapRise(before, after, server_before, server_before_count, server_after, options)) {
      continue;
    }
    Rise r;
    r.service = callee;
    r.operation = operation;
    r.caller = caller;
    r.before_ms = before.median_ms;
    r.after_ms = after.median_ms;
    r.before_count = before.count;
    r.after_count = after.count;
    r.server_before_ms = server_before;
    r.server_after_ms = server_after;
    r.gap_only = !clear;
    slow_ends[caller].insert(callee);
    slow_ends[callee].insert(caller);
    slow_calls.push_back(std::move(r));
  }
  for (Rise& r : slow_calls) {
    const std::string callee = r.service;
    const size_t out_of_caller = slow_ends[r.caller].size(), into_callee = slow_ends[callee].size();
    std::string where = "on the way to " + callee;
    if (out_of_caller > into_callee) {
      r.service = r.caller;  // its calls to several services slowed down: its side of the way
      r.operation.clear();
      where = "on " + r.caller + "'s side: its calls to or from " + std::to_string(out_of_caller) +
              " services slowed down this way";
    }
    if (r.gap_only) {
      r.sentence = "calls from " + r.caller + " to " + callee + " took " + Ms(r.after_ms) + " (" +
                   std::to_string(r.after_count) + " calls; " + std::to_string(r.before_count) +
                   " before, too few to compare) while " + callee + "'s server time was " + Ms(r.server_after_ms) +
                   ": most of the time is added " + where;
    } else {
      r.sentence = "calls from " + r.caller + " to " + callee + " rose from " + Ms(r.before_ms) + " to " +
                   Ms(r.after_ms) + " (" + std::to_string(r.before_count) + " → " + std::to_string(r.after_count) +
                   " calls) while " + callee + "'s server time did not (" + Ms(r.server_before_ms) + " → " +
                   Ms(r.server_after_ms) + "): the time is added " + where;
    }
    keep(std::move(r));
  }

  std::vector<Rise> out;
  for (auto& [service, r] : best) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const Rise& x, const Rise& y) { return x.Ratio() > y.Ratio(); });
  return out;
}

}  // namespace augur::insight
