#include "insight/ranking.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

namespace augur::insight {
namespace {

constexpr double kNsPerSecond = 1e9;
constexpr uint64_t kMinuteNs = 60'000'000'000ULL;

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), ms >= 100 || ms <= -100 ? "%.0f ms" : "%.1f ms", ms);
  return buf;
}

std::string Seconds(uint64_t ns) {
  const double s = static_cast<double>(ns) / kNsPerSecond;
  char buf[32];
  if (s < 120) {
    std::snprintf(buf, sizeof(buf), "%.0f s", s);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f min", s / 60);
  }
  return buf;
}

// Latency and errors travel up a call chain; other kinds do not.
bool Propagates(const std::string& kind) {
  return kind == "latency" || kind == "errors";
}

NodeRef OwnNode(const model::Anomaly& a) {
  return {a.series.service, a.series.operation, false};
}

bool Calls(const NodeRef& from, const NodeRef& to, const TopologyView& topology) {
  if (from.dependency) return false;
  for (const NodeRef& c : topology.Callees(from.service, from.operation)) {
    if (c == to) return true;
    // A callee named without an operation stands for any operation of it.
    if (!c.dependency && !to.dependency && c.service == to.service && (c.operation.empty() || to.operation.empty())) {
      return true;
    }
  }
  return false;
}

// Calls(from, to) for a node of anomaly `x`. A client-span series measures
// the calls to one peer only, while its span name may be shared by calls
// to many (instrumentations name client spans "HTTP POST"): it reaches its
// own service's operations and its peer, not everything its name calls.
bool CallsAs(const model::Anomaly& x, const NodeRef& from, const NodeRef& to, const TopologyView& topology) {
  if (!Calls(from, to, topology)) return false;
  const std::string_view peer = x.series.Attribute("peer");
  if (peer.empty() || (!to.dependency && to.service == x.series.service)) return true;
  if (to.dependency) return to.service == peer;
  return to.service == topology.ServiceBehindPeer(x.series.service, std::string(peer));
}

// Whether node a (of anomaly x) and node b (of anomaly y) are one node or
// one calls the other.
bool Adjacent(const model::Anomaly& x, const NodeRef& a, const model::Anomaly& y, const NodeRef& b,
              const TopologyView& topology) {
  if (a == b) return true;
  if (!a.dependency && !b.dependency && a.service == b.service && (a.operation.empty() || b.operation.empty())) {
    return true;
  }
  return CallsAs(x, a, b, topology) || CallsAs(y, b, a, topology);
}

struct Candidate {
  NodeRef node;           // service-level key: {service, "", false} or {dependency, "", true}
  std::string owner;      // the service whose spans show the node (dependency: the caller)
  std::string operation;  // the operation of its strongest anomaly
  std::vector<const model::Anomaly*> anomalies;
  uint64_t onset_ns = UINT64_MAX;
  uint64_t worse_onset_ns = UINT64_MAX;  // of its anomalies other than latency falls
  double score = 0;
  std::vector<std::pair<double, std::string>> evidence;  // (weight, sentence)
  std::vector<const model::ChangeEvent*> events;
  bool has_split = false;
  double self_delta = 0, down_delta = 0, self_before = 0;
  // Client-span anomalies of callers whose added time is spent on this
  // service's network (NetworkFinding), and the sentence saying so.
  std::vector<const model::Anomaly*> via_network;
  std::string network_sentence, network_operation;
  double network_added_ms = 0;  // the largest time its callers' calls gained on the way
  // The differential stage's clearest rise on this service, if any.
  std::optional<Rise> rise;
  void Add(double weight, std::string sentence) {
    score += weight;
    evidence.emplace_back(weight, std::move(sentence));
  }
};

std::string ChangeText(const model::ChangeEvent& e) {
  std::string text;
  for (const auto& c : e.changes) {
    if (!text.empty()) text += ", ";
    text += c.key + " " + (c.old_value.empty() ? "?" : c.old_value) + " → " + c.new_value;
  }
  return text;
}

// A client-span latency rise toward an instrumented service whose own
// SERVER time did not rise with it: the added time is spent between the
// two, on the callee's network (or its connection, its queue before the
// server span starts).
struct NetworkFinding {
  const model::Anomaly* client = nullptr;
  std::string caller, callee, callee_operation;
  double client_delta_ms = 0;
  double server_before_ms = 0, server_after_ms = 0;
};

std::optional<NetworkFinding> FindNetwork(const model::Anomaly& x, const TopologyView& topology,
                                          const RankingOptions& options, uint64_t now_ns) {
  const std::string_view peer = x.series.Attribute("peer");
  if (x.kind != "latency" || x.direction != "up" || peer.empty()) return std::nullopt;
  NetworkFinding f;
  f.client = &x;
  f.caller = x.series.service;
  f.callee = topology.ServiceBehindPeer(x.series.service, std::string(peer));
  if (f.callee.empty() || f.callee == f.caller) return std::nullopt;
  const uint64_t onset = x.onset_ns;
  const uint64_t from = onset > options.split_baseline_ns ? onset - options.split_baseline_ns : 0;
  double client_before_ms = x.before;
  if (x.quantity == "slow_share") {
    // A share of slow calls (the form a sparse series' anomaly takes) says
    // how many, not how much: the calls' median before and after the
    // onset, as the caller saw them, from as many calls on each side as
    // the differential stage wants. (All of the caller's calls to the
    // callee: a change in their mix of operations moves it too, which the
    // server side below, measured per operation, does not see.)
    const CallTime before = topology.CallsBetween(f.caller, f.callee, from, onset);
    const CallTime after = topology.CallsBetween(f.caller, f.callee, onset, std::max(now_ns, onset + 1));
    const uint64_t enough = std::max<uint64_t>(options.differential.min_requests, 1);
    if (before.count < enough || after.count < enough) return std::nullopt;
    client_before_ms = before.median_ms;
    f.client_delta_ms = after.median_ms - before.median_ms;
  } else if (x.unit == "ms") {
    f.client_delta_ms = x.observed - x.before;
  } else {
    return std::nullopt;
  }
  // A rise the size of noise says nothing about where it went.
  if (f.client_delta_ms < std::max(2.0, 0.2 * client_before_ms)) return std::nullopt;
  // The callee's server operations that these calls reach, measured before
  // and after the onset (self + downstream: all of its server time).
  bool measured = false;
  double worst = -1e300;
  for (const NodeRef& c : topology.Callees(x.series.service, x.series.operation)) {
    if (c.dependency || c.service != f.callee || c.operation.empty()) continue;
    const TimeSplit before = topology.Split(c.service, c.operation, from, onset);
    const TimeSplit after = topology.Split(c.service, c.operation, onset, std::max(now_ns, onset + 1));
    if (before.count == 0 || after.count == 0) continue;
    const double b = before.self_ms + before.downstream_ms, a = after.self_ms + after.downstream_ms;
    if (!measured || a - b > worst) {
      worst = a - b;
      f.server_before_ms = b;
      f.server_after_ms = a;
      f.callee_operation = c.operation;
    }
    measured = true;
  }
  // Unknown server time is no evidence; a server that slowed down by a
  // good part of the rise explains it itself.
  if (!measured || worst > 0.25 * f.client_delta_ms) return std::nullopt;
  return f;
}

// A latency fall: the service answers faster than it did.
bool GotFaster(const model::Anomaly& a) {
  return a.kind == "latency" && a.direction == "down";
}

bool LatencyUp(const model::Anomaly& a) {
  return a.kind == "latency" && a.direction == "up";
}

// A rise in the CPU use of the service's own processes (k8s.pod.cpu.*,
// process.cpu.*, container.cpu.* ...).
bool CpuRise(const model::Anomaly& a) {
  return (a.kind == "metric_level" || a.kind == "metric_spike") && a.direction == "up" &&
         a.series.metric.find("cpu") != std::string::npos;
}

// Errors the service wrote in its own logs: a new or rising ERROR/FATAL
// pattern, error keywords, 5xx status codes.
bool ErrorLogs(const model::Anomaly& a) {
  if (a.direction != "up" || a.series.metric.rfind("log.", 0) != 0) return false;
  if (a.series.metric == "log.keyword") return true;
  if (a.series.metric == "log.http_code") return a.series.Attribute("status_class") == "5xx";
  const std::string_view severity = a.series.Attribute("severity");
  return severity == "ERROR" || severity == "FATAL";
}

// The services `service` calls directly, from the operations it ran in
// [from, to): those its requests near the insight went through (a
// service-wide anomaly, such as its logs, names no operation).
std::set<std::string> ServicesCalledInWindow(const std::string& service, const TopologyView& topology, uint64_t from_ns,
                                             uint64_t to_ns) {
  std::set<std::string> out;
  for (const OperationTime& op : topology.SelfTimes(service, from_ns, to_ns)) {
    for (const NodeRef& c : topology.Callees(service, op.operation)) {
      if (!c.dependency && c.service != service) out.insert(c.service);
    }
  }
  return out;
}

// Whether `caller` calls `callee` directly, from any of its operations.
bool CallsService(const std::string& caller, const std::string& callee, const TopologyView& topology) {
  const std::vector<std::string> called = topology.ServicesCalledBy(caller);
  return std::binary_search(called.begin(), called.end(), callee);
}

// How strongly a change at `event_ns` may explain an onset at `onset_ns`.
// Closer is stronger: full weight within a minute before, half at ~5 min.
// A change recorded after the onset is allowed for clock skew only, and
// fades ten times faster: a rollback 30 s after the onset did not cause it,
// the deployment 3 s before did.
double EventWeight(uint64_t event_ns, uint64_t onset_ns) {
  const double gap_s = (static_cast<double>(onset_ns) - static_cast<double>(event_ns)) / kNsPerSecond;
  return gap_s >= 0 ? 2.0 / (1.0 + gap_s / 300.0) : 2.0 / (1.0 - gap_s / 30.0);
}

}  // namespace

std::string OnsetGap(uint64_t change_ns, uint64_t onset_ns) {
  const double s = (static_cast<double>(onset_ns) - static_cast<double>(change_ns)) / kNsPerSecond;
  if (std::abs(s) < 5) return "at the time of";
  return Seconds(static_cast<uint64_t>(std::abs(s) * kNsPerSecond)) + (s >= 0 ? " after" : " before");
}

NodeRef NodeOf(const model::Anomaly& a, const TopologyView& topology) {
  const std::string_view peer = a.series.Attribute("peer");
  if (!peer.empty() && topology.ServiceBehindPeer(a.series.service, std::string(peer)).empty()) {
    return {std::string(peer), "", true};
  }
  return OwnNode(a);
}

bool Linked(const model::Anomaly& a, const model::Anomaly& b, const TopologyView& topology) {
  const NodeRef na = NodeOf(a, topology), nb = NodeOf(b, topology);
  const NodeRef oa = OwnNode(a), ob = OwnNode(b);
  for (const NodeRef* x : {&na, &oa}) {
    for (const NodeRef* y : {&nb, &ob}) {
      if (Adjacent(a, *x, b, *y, topology)) return true;
    }
  }
  // A service-wide anomaly (no operation: its logs, its pods' metrics)
  // links to anomalies on the services its service calls directly, or that
  // call it: errors logged by a caller and the callee that failed them are
  // one incident.
  for (const auto* pair : {&a, &b}) {
    const model::Anomaly& wide = *pair;
    const model::Anomaly& other = pair == &a ? b : a;
    if (!wide.series.operation.empty() || wide.series.service == other.series.service) continue;
    if (CallsService(wide.series.service, other.series.service, topology) ||
        CallsService(other.series.service, wide.series.service, topology)) {
      return true;
    }
  }
  // A client call to an instrumented service links to that service.
  for (const auto* pair : {&a, &b}) {
    const model::Anomaly& client = *pair;
    const model::Anomaly& other = pair == &a ? b : a;
    const std::string_view peer = client.series.Attribute("peer");
    if (peer.empty()) continue;
    if (topology.ServiceBehindPeer(client.series.service, std::string(peer)) == other.series.service) return true;
  }
  return false;
}

namespace {

Ranking RankEvidence(const std::vector<model::Anomaly>& anomalies, const EventLookup& events,
                     const TopologyView& topology, const RankingOptions& options, uint64_t now_ns) {
  Ranking r;
  if (anomalies.empty()) return r;

  // Candidates: one per service or dependency.
  std::map<NodeRef, Candidate> candidates;
  std::vector<NodeRef> node_of(anomalies.size());
  uint64_t first_onset = UINT64_MAX;
  // Onset order counts the onsets of things getting worse: a service that
  // got faster (a latency fall) is more often answering less or failing
  // its callers' requests early than the start of an incident.
  uint64_t first_worse = UINT64_MAX;
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const model::Anomaly& a = anomalies[i];
    NodeRef n = NodeOf(a, topology);
    node_of[i] = n;
    NodeRef key = n.dependency ? NodeRef{n.service, "", true} : NodeRef{n.service, "", false};
    // A client call into an instrumented service is a symptom seen at the
    // caller; it stays the caller's candidate (the graph rule penalises it).
    Candidate& c = candidates[key];
    c.node = key;
    c.owner = a.series.service;
    c.anomalies.push_back(&a);
    c.onset_ns = std::min(c.onset_ns, a.onset_ns);
    first_onset = std::min(first_onset, a.onset_ns);
    if (!GotFaster(a)) {
      c.worse_onset_ns = std::min(c.worse_onset_ns, a.onset_ns);
      first_worse = std::min(first_worse, a.onset_ns);
    }
  }

  // Calls whose added time is spent on the callee's network make the
  // callee a candidate, even when nothing of its own looks anomalous.
  std::map<const model::Anomaly*, std::string> network_callee;  // client anomaly → callee
  for (const model::Anomaly& a : anomalies) {
    const std::optional<NetworkFinding> f = FindNetwork(a, topology, options, now_ns);
    if (!f) continue;
    const NodeRef key{f->callee, "", false};
    Candidate& c = candidates[key];
    c.node = key;
    c.owner = f->callee;
    c.via_network.push_back(&a);
    c.onset_ns = std::min(c.onset_ns, a.onset_ns);
    if (c.network_sentence.empty()) {
      c.network_operation = f->callee_operation;
      c.network_sentence = "calls from " + f->caller + " to " + f->callee + " take +" + Ms(f->client_delta_ms) +
                           " on the client side while " + f->callee + "'s server time is unchanged (" +
                           Ms(f->server_before_ms) + " → " + Ms(f->server_after_ms) +
                           "): the time is spent between them, on " + f->callee + "'s network";
    }
    network_callee[&a] = f->callee;
    c.network_added_ms =
        std::max(c.network_added_ms, f->client_delta_ms - std::max(0.0, f->server_after_ms - f->server_before_ms));
  }

  // Where time grew around the group since it started, anomaly or not: a
  // service whose own time (or the way to it) grew clearly is a candidate
  // even when its traffic is too thin for its detectors to speak.
  std::vector<std::string> rising;  // services with a rise, largest first
  if (options.differential.hops > 0) {
    std::vector<NodeRef> seeds;
    for (const model::Anomaly& a : anomalies) seeds.push_back(OwnNode(a));
    for (Rise& rise : FindRises(seeds, topology, first_onset, now_ns, options.differential)) {
      const NodeRef key{rise.service, "", false};
      Candidate& c = candidates[key];
      if (c.anomalies.empty() && c.via_network.empty()) {
        c.node = key;
        c.owner = rise.service;
        c.onset_ns = first_onset;
      }
      rising.push_back(rise.service);
      c.rise = std::move(rise);
    }
  }

  // Time evidence (a rise, a slow way to a service) weighs by the time it
  // adds next to the largest such addition in the group: where calls take
  // +1 s on the way to one service, another's +7 ms explains nothing of
  // the incident, however clear it is (a busy series makes +7 ms clear;
  // the calls that gained a second may be too few for their detector).
  double largest_added_ms = 0;
  std::string largest_added_at;
  for (const auto& [key, c] : candidates) {
    const double added = std::max(c.rise ? c.rise->AddedMs() : 0.0, c.network_added_ms);
    if (added > largest_added_ms) {
      largest_added_ms = added;
      largest_added_at = c.owner;
    }
  }
  // In proportion to the largest addition: it is the share of the
  // incident's added time that the evidence accounts for.
  auto time_weight = [&](double added_ms) {
    return largest_added_ms > 0 ? std::clamp(added_ms / largest_added_ms, 0.0, 1.0) : 1.0;
  };
  auto share_note = [&](double added_ms, const std::string& owner) {
    if (owner == largest_added_at || time_weight(added_ms) >= 1) return std::string();
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", 100 * time_weight(added_ms));
    return " (+" + Ms(added_ms) + ", " + pct + " of the +" + Ms(largest_added_ms) + " added at " + largest_added_at +
           ")";
  };

  // Services that logged errors, and when they began: errors travel up a
  // call chain (a caller logs the failure of its call), so a service whose
  // callee logged errors too, no later, is likely passing them on.
  std::map<std::string, uint64_t> error_onset;
  for (const model::Anomaly& a : anomalies) {
    if (!ErrorLogs(a)) continue;
    auto [it, added] = error_onset.emplace(a.series.service, a.onset_ns);
    if (!added) it->second = std::min(it->second, a.onset_ns);
  }
  const uint64_t calls_from =
      first_onset > options.differential.reference_ns ? first_onset - options.differential.reference_ns : 0;

  for (auto& [key, c] : candidates) {
    // The strongest anomaly names the operation, preferring server-side ones.
    const model::Anomaly* best = nullptr;
    for (const model::Anomaly* a : c.anomalies) {
      const bool server = a->series.Attribute("peer").empty();
      const bool best_server = best != nullptr && best->series.Attribute("peer").empty();
      if (best == nullptr || (server && !best_server) || (server == best_server && a->score > best->score)) best = a;
    }
    if (best == nullptr && !c.via_network.empty()) {  // known only by its callers' calls (network)
      best = c.via_network.front();
      c.operation = c.network_operation;
    } else if (best != nullptr) {
      c.operation = best->series.operation;
    } else {  // known only by the differential stage
      c.operation = c.rise->operation;
    }
    // The detector's own confidence is the floor of the evidence.
    c.score = best != nullptr ? best->score : 0;

    // Onset order: a cause precedes its symptoms (buckets are 5-10 s, so
    // onsets within one bucket tie).
    // When nothing got worse, the onsets as they are.
    const bool any_worse = first_worse != UINT64_MAX;
    const uint64_t own_onset = any_worse ? c.worse_onset_ns : c.onset_ns;
    const uint64_t earliest = any_worse ? first_worse : first_onset;
    if (best != nullptr && own_onset != UINT64_MAX) {
      const double lag_s = static_cast<double>(own_onset - earliest) / kNsPerSecond;
      c.Add(std::exp(-lag_s / 30.0),
            lag_s < 1 ? "its anomaly started first"
                      : "its anomaly started " + Seconds(own_onset - earliest) + " after the first one");
    }

    // Graph position: an anomalous callee of the same kind explains this node.
    int explained_by = 0;
    std::string callee_name;
    for (size_t j = 0; j < anomalies.size(); ++j) {
      const model::Anomaly& y = anomalies[j];
      if (!Propagates(y.kind)) continue;
      for (const model::Anomaly* x : c.anomalies) {
        if (x == &y || x->kind != y.kind || x->direction != y.direction) continue;
        const NodeRef nx = NodeOf(*x, topology);
        if (nx == node_of[j]) continue;
        bool calls = CallsAs(*x, OwnNode(*x), node_of[j], topology) || CallsAs(*x, nx, node_of[j], topology);
        const std::string_view peer = x->series.Attribute("peer");
        if (!calls && !peer.empty() &&
            topology.ServiceBehindPeer(x->series.service, std::string(peer)) == y.series.service) {
          calls = true;
        }
        if (calls) {
          ++explained_by;
          callee_name = node_of[j].dependency ? node_of[j].service : y.series.service;
          break;
        }
      }
    }

    // Self time: where the added time went.
    bool self_grew = false;
    if (!key.dependency) {
      for (const model::Anomaly* a : c.anomalies) {
        if (a->kind != "latency" || !a->series.Attribute("peer").empty()) continue;
        const uint64_t onset = a->onset_ns;
        const uint64_t from = onset > options.split_baseline_ns ? onset - options.split_baseline_ns : 0;
        const TimeSplit before = topology.Split(a->series.service, a->series.operation, from, onset);
        const TimeSplit after =
            topology.Split(a->series.service, a->series.operation, onset, std::max(now_ns, onset + 1));
        if (before.count == 0 || after.count == 0) continue;
        c.has_split = true;
        c.self_before = before.self_ms;
        c.self_delta = after.self_ms - before.self_ms;
        c.down_delta = after.downstream_ms - before.downstream_ms;
        const double grown = std::max(c.self_delta, 0.0) + std::max(c.down_delta, 0.0);
        if (grown <= 0) break;
        if (c.self_delta > 0.5 * grown && c.self_delta > std::max(2.0, 0.1 * before.self_ms)) {
          self_grew = true;
          c.Add(1.5, "the added time is spent inside " + c.owner + " itself (self time " + Ms(before.self_ms) + " → " +
                         Ms(after.self_ms) + ")");
        } else if (c.down_delta > 0.5 * grown) {
          c.Add(-1.0, "the added time is spent in its calls (downstream time +" + Ms(c.down_delta) +
                          "), not in its own code");
        }
        break;
      }
    }
    // The differential stage: its own time, or the way to it, grew clearly
    // since the group started (like self time, and more the clearer the
    // rise; not counted twice when the self-time split said so already).
    bool own_rise = false;
    if (c.rise && !self_grew) {
      own_rise = c.rise->caller.empty();
      const double added = c.rise->AddedMs();
      c.Add((1.5 + 0.5 * std::min(1.0, std::log10(std::max(c.rise->Ratio(), 1.0)) / 2)) * time_weight(added),
            c.rise->sentence + share_note(added, c.owner));
    }
    // Evidence of its own next to its slowness: its CPU use rose, or it
    // logged errors (or both, without slowing down). A slow service whose
    // own resources or logs changed is more likely where the time goes than
    // one that only waits on others, so, like its self time, this outweighs
    // a slow callee.
    bool own_evidence = false;
    if (!key.dependency) {
      bool slow = self_grew || own_rise;
      const model::Anomaly *cpu = nullptr, *errors = nullptr;
      for (const model::Anomaly* a : c.anomalies) {
        slow = slow || (LatencyUp(*a) && a->series.Attribute("peer").empty());
        if (cpu == nullptr && CpuRise(*a)) cpu = a;
        if (errors == nullptr && ErrorLogs(*a)) errors = a;
      }
      if (slow && cpu != nullptr) c.Add(1.0, "its CPU use rose while it slowed down: " + cpu->explanation);
      if (slow && errors != nullptr) c.Add(1.0, "it logged errors while it slowed down: " + errors->explanation);
      // Not slow, but its CPU rose and it logged errors: two signals of its
      // own (a starved process fails requests it cannot serve in time).
      if (!slow && cpu != nullptr && errors != nullptr) {
        c.Add(1.0, "its CPU use rose while it logged errors: " + cpu->explanation);
      }
      own_evidence = (slow && (cpu != nullptr || errors != nullptr)) || (cpu != nullptr && errors != nullptr);
    }

    // A slow node none of whose own time grew, above a service whose own
    // time did: it waits on that service.
    std::string rising_below;
    if (!self_grew && !own_evidence && !own_rise && explained_by == 0) {
      for (const model::Anomaly* a : c.anomalies) {
        if (!Propagates(a->kind) || a->direction != "up") continue;
        for (const std::string& below : ServicesBelow(OwnNode(*a), topology, options.differential.hops)) {
          if (below != c.owner && std::find(rising.begin(), rising.end(), below) != rising.end() &&
              (rising_below.empty() || std::find(rising.begin(), rising.end(), below) <
                                           std::find(rising.begin(), rising.end(), rising_below))) {
            rising_below = below;
          }
        }
      }
    }

    // It logged errors, and so did a service it calls, no later (log counts
    // are per minute, so within a minute counts as no later): the errors
    // started below it.
    std::string erring_callee;
    if (auto mine = error_onset.find(c.owner); !key.dependency && mine != error_onset.end() && error_onset.size() > 1) {
      for (const std::string& callee :
           ServicesCalledInWindow(c.owner, topology, calls_from, std::max(now_ns, first_onset + 1))) {
        auto theirs = error_onset.find(callee);
        if (theirs != error_onset.end() && theirs->second <= mine->second + kMinuteNs) {
          erring_callee = callee;
          break;
        }
      }
    }

    // Calls of its own whose time went to the callee's network.
    std::string slow_network;
    for (const model::Anomaly* x : c.anomalies) {
      if (auto it = network_callee.find(x); it != network_callee.end()) slow_network = it->second;
    }
    if (explained_by > 0 && !self_grew && !own_evidence) {
      c.Add(-1.0, "it calls " + callee_name + ", which shows the same kind of anomaly");
    } else if (!slow_network.empty() && !self_grew && !own_evidence) {
      c.Add(-1.0, "its calls to " + slow_network + " slowed down on the way, not in its own code");
    } else if (!rising_below.empty()) {
      c.Add(-1.0, "it calls " + rising_below + ", where the time rose while its own did not");
    } else if (!erring_callee.empty() && !self_grew && !own_rise) {
      c.Add(-1.0, "it calls " + erring_callee + ", which logged errors too: errors travel up to the callers");
    } else if (explained_by == 0 && !c.anomalies.empty()) {
      // For a service known only by its logs, "the same anomaly" below it
      // means nothing (logs do not travel up a call chain); that nothing it
      // calls got worse does: an error it logs may be a call of its own
      // that failed, whatever the callee's anomaly is. (A callee that got
      // faster or lost traffic may only be answering its failing caller
      // less.)
      const bool logs_only = std::all_of(c.anomalies.begin(), c.anomalies.end(),
                                         [](const model::Anomaly* a) { return a->kind.starts_with("log_"); });
      std::string anomalous_callee;
      if (logs_only && !key.dependency) {
        for (const std::string& callee :
             ServicesCalledInWindow(c.owner, topology, calls_from, std::max(now_ns, first_onset + 1))) {
          auto it = candidates.find(NodeRef{callee, "", false});
          if (it == candidates.end()) continue;
          const auto& theirs = it->second.anomalies;
          const bool worse = std::any_of(theirs.begin(), theirs.end(), [](const model::Anomaly* a) {
            return !GotFaster(*a) && !(a->kind == "traffic" && a->direction == "down");
          });
          if (worse || !it->second.via_network.empty()) {
            anomalous_callee = callee;
            break;
          }
        }
      }
      if (anomalous_callee.empty()) c.Add(0.5, "nothing it calls shows the same anomaly");
    }
    if (!c.via_network.empty()) {
      c.Add(1.5 * time_weight(c.network_added_ms), c.network_sentence + share_note(c.network_added_ms, c.owner));
    }

    // Change events shortly before the onset.
    const std::string event_service = key.dependency ? key.service : c.owner;
    c.events = events(event_service, c.onset_ns);
    if (key.dependency) {  // a change of the calling service may also explain its calls
      for (const model::ChangeEvent* e : events(c.owner, c.onset_ns)) c.events.push_back(e);
    }
    double best_event = 0;
    std::string best_sentence;
    for (const model::ChangeEvent* e : c.events) {
      const double weight = EventWeight(e->time_ns, c.onset_ns) * (key.dependency && e->service == c.owner ? 0.5 : 1.0);
      if (weight > best_event) {
        best_event = weight;
        const std::string what = std::string(model::ChangeTypeName(e->type)) + " " + e->id + " of " + e->service;
        const std::string diff = ChangeText(*e);
        best_sentence =
            "it started " + OnsetGap(e->time_ns, c.onset_ns) + " " + what + (diff.empty() ? "" : " (" + diff + ")");
      }
    }
    if (best_event > 0) c.Add(best_event, best_sentence);
  }

  // The winner; ties go to the earlier onset, then the name (deterministic).
  const Candidate* win = nullptr;
  double positive = 0;
  for (const auto& [key, c] : candidates) {
    positive += std::max(c.score, 0.0);
    if (win == nullptr || c.score > win->score + 1e-9 ||
        (std::abs(c.score - win->score) <= 1e-9 && c.onset_ns < win->onset_ns)) {
      win = &c;
    }
  }
  std::vector<const Candidate*> order;
  for (const auto& [key, c] : candidates) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const Candidate* x, const Candidate* y) {
    if (std::abs(x->score - y->score) > 1e-9) return x->score > y->score;
    return x->onset_ns < y->onset_ns;
  });
  for (const Candidate* c : order) {
    if (r.candidates.size() >= 10) break;
    r.candidates.push_back({c->owner, c->operation, c->node.dependency ? c->node.service : std::string(), c->score});
  }
  model::RootCause& rc = r.root_cause;
  rc.service = win->owner;
  rc.operation = win->operation;
  rc.dependency = win->node.dependency ? win->node.service : "";
  rc.kind = !win->anomalies.empty()     ? win->anomalies.front()->kind
            : !win->via_network.empty() ? win->via_network.front()->kind
                                        : "latency";  // a rise of time found by the differential stage
  for (const model::Anomaly* a : win->anomalies) {
    if (a->score > 0 && Propagates(a->kind)) {
      rc.kind = a->kind;
      break;
    }
  }
  if (rc.kind == "metric_level" || rc.kind == "metric_spike") rc.kind = "metric";
  rc.confidence = positive > 0 ? std::clamp(std::max(win->score, 0.0) / positive, 0.05, 0.99) : 0.05;
  auto evidence = win->evidence;
  std::stable_sort(evidence.begin(), evidence.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (const auto& [w, sentence] : evidence) {
    if (w > 0) rc.evidence.push_back(sentence);
  }
  r.has_split = win->has_split;
  r.self_delta_ms = win->self_delta;
  r.downstream_delta_ms = win->down_delta;
  r.self_before_ms = win->self_before;
  r.onset_ns = win->onset_ns;
  r.network = win->network_sentence;

  // Roles.
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const model::Anomaly& a = anomalies[i];
    const NodeRef key =
        node_of[i].dependency ? NodeRef{node_of[i].service, "", true} : NodeRef{node_of[i].service, "", false};
    if (key == win->node) {
      r.roles[a.id] = {"causal", "on the probable root cause"};
    } else if (std::find(win->via_network.begin(), win->via_network.end(), &a) != win->via_network.end()) {
      r.roles[a.id] = {"causal", "calls into " + win->owner + " whose time is spent on its network"};
    } else {
      const std::string where = win->node.dependency ? win->node.service : win->owner;
      r.roles[a.id] = {"contextual", Propagates(a.kind) ? "a symptom: " + a.series.service + " depends on " + where
                                                        : "seen alongside the root cause"};
    }
  }

  // Events: the cause's first, nearest to the onset; then others of the group.
  std::set<std::string> seen;
  std::vector<const model::ChangeEvent*> cause = win->events;
  std::stable_sort(cause.begin(), cause.end(), [&](const auto* x, const auto* y) {
    return EventWeight(x->time_ns, win->onset_ns) > EventWeight(y->time_ns, win->onset_ns);
  });
  for (const auto* e : cause) {
    if (seen.insert(e->id).second) r.cause_events.push_back(*e);
  }
  for (const auto& [key, c] : candidates) {
    for (const auto* e : c.events) {
      if (seen.insert(e->id).second) r.other_events.push_back(*e);
    }
  }
  return r;
}

}  // namespace

Ranking Rank(const std::vector<model::Anomaly>& anomalies, const EventLookup& events, const TopologyView& topology,
             const RankingOptions& options, uint64_t now_ns, const std::set<std::string>& data_stopped) {
  std::vector<model::Anomaly> kept;
  std::vector<const model::Anomaly*> stopped;
  for (const model::Anomaly& a : anomalies) {
    if (data_stopped.count(a.id) > 0) {
      stopped.push_back(&a);
    } else {
      kept.push_back(a);
    }
  }
  // A group of nothing but a data stop is ranked as it is: there is
  // nothing else to say, and the silence is what there is to report.
  if (stopped.empty() || kept.empty()) return RankEvidence(anomalies, events, topology, options, now_ns);
  Ranking r = RankEvidence(kept, events, topology, options, now_ns);
  std::set<std::string> listed;
  for (const model::CauseCandidate& c : r.candidates) listed.insert(c.dependency.empty() ? c.service : c.dependency);
  for (const model::Anomaly* a : stopped) {
    r.roles[a->id] = {"contextual", "the data stopped: request counts of several services fell to zero at once"};
    if (r.candidates.size() >= 10 || !listed.insert(a->series.service).second) continue;
    r.candidates.push_back({a->series.service, a->series.operation, "", 0.0});
  }
  return r;
}

}  // namespace augur::insight
