#include "insight/correlator.h"

#include <algorithm>
#include <cstdio>

#include "insight/narrative.h"
#include "insight/ranking.h"
#include "model/event_merge.h"

namespace augur::insight {
namespace {

std::string InsightId(const std::string& anomaly_id) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : "insight:" + anomaly_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "in-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string TypeOf(const model::Anomaly& a) {
  return a.kind == "forecast" ? "PROACTIVE" : "REACTIVE";
}

uint64_t ActivityOf(const model::Anomaly& a) {
  return std::max({a.onset_ns, a.detected_ns, a.end_ns, a.updated_ns});
}

}  // namespace

bool Correlator::Near(const model::Anomaly& a, const model::Anomaly& member) const {
  // A member that is merely still ongoing is not near: an anomaly raised
  // hours ago whose new level persists would otherwise hold its insight
  // open for every later fault on its node. The new anomaly spans its
  // onset to its raise, but no more than one window before the raise: a
  // slow drift's change point may be estimated hours back, which would make
  // it near everything of those hours.
  const uint64_t w = options_.group_window_ns;
  const uint64_t a_to = std::max(a.onset_ns, a.detected_ns);
  const uint64_t a_from = std::max(a.onset_ns, a_to > w ? a_to - w : 0);
  return a_from <= ActivityOf(member) + w && member.onset_ns <= a_to + w;
}

bool Correlator::InIncidentWindow(const model::Anomaly& a, const model::Insight& in) const {
  // The new anomaly's start, as Near places it (a change point estimated
  // long before the raise counts from one window before the raise).
  const uint64_t w = options_.group_window_ns;
  const uint64_t a_to = std::max(a.onset_ns, a.detected_ns);
  const uint64_t a_from = std::max(a.onset_ns, a_to > w ? a_to - w : 0);
  return a_from <= in.detected_ns + options_.incident_window_ns;
}

Correlator::Correlator(CorrelatorOptions options) : options_(options), data_stops_(options.data_stop) {}

std::vector<const model::ChangeEvent*> Correlator::EventsNear(const std::string& service, uint64_t onset_ns) const {
  std::vector<const model::ChangeEvent*> out;
  auto it = events_.find(service);
  if (it == events_.end()) return out;
  const uint64_t from = onset_ns > options_.event_lookback_ns ? onset_ns - options_.event_lookback_ns : 0;
  const uint64_t to = onset_ns + options_.event_slack_ns;
  for (const auto& e : it->second) {
    if (e.time_ns >= from && e.time_ns <= to) out.push_back(&e);
  }
  return out;
}

Correlator::Open* Correlator::FindGroup(const model::Anomaly& a, const TopologyView& topology) {
  std::vector<Open*> linked;
  const std::string type = TypeOf(a);
  for (auto& [id, open] : open_) {
    if (open.insight.type != type) continue;
    if (a.onset_ns + options_.group_window_ns < open.insight.start_ns) continue;
    if (a.onset_ns > open.last_activity_ns + options_.group_window_ns) continue;
    if (!InIncidentWindow(a, open.insight)) continue;
    for (const auto& member : open.insight.anomalies) {
      if (Near(a, member.anomaly) && Linked(a, member.anomaly, topology)) {
        linked.push_back(&open);
        break;
      }
    }
  }
  if (linked.empty()) return nullptr;
  // The oldest insight takes the anomaly; other insights it links to are
  // the same incident seen from another side, and are merged into it.
  std::stable_sort(linked.begin(), linked.end(), [](const Open* x, const Open* y) {
    return std::tie(x->insight.start_ns, x->insight.id) < std::tie(y->insight.start_ns, y->insight.id);
  });
  Open* keep = linked.front();
  for (size_t i = 1; i < linked.size(); ++i) Absorb(keep, linked[i]);
  std::erase_if(open_, [](const auto& entry) { return entry.second.insight.id.empty(); });
  return keep;
}

void Correlator::Absorb(Open* into, Open* from) {
  for (auto& m : from->insight.anomalies) {
    if (into->insight.anomalies.size() >= options_.max_anomalies_per_insight) {
      ++stats_.anomalies_dropped;
      insight_of_.erase(m.anomaly.id);
      continue;
    }
    insight_of_[m.anomaly.id] = into->insight.id;
    into->insight.anomalies.push_back(std::move(m));
  }
  into->last_activity_ns = std::max(into->last_activity_ns, from->last_activity_ns);
  into->insight.detected_ns = std::min(into->insight.detected_ns, from->insight.detected_ns);
  ++stats_.insights_merged;
  if (from->emitted) {
    // Users may have seen it: it ends here, saying where it went.
    model::Insight gone = std::move(from->insight);
    gone.anomalies.clear();
    gone.status = "CLOSED";
    gone.end_ns = std::max(gone.start_ns, into->last_activity_ns);
    gone.name = "Merged into " + into->insight.id + ": " + gone.name;
    gone.summary =
        "This incident turned out to be part of insight " + into->insight.id + ", which now holds its anomalies.";
    ++gone.revision;
    changed_.push_back(std::move(gone));
  }
  from->insight.id.clear();  // marks it for removal by the caller
}

void Correlator::OnAnomaly(const model::Anomaly& a, const TopologyView& topology) {
  // Falls to zero that became a data stop with this one: the insights that
  // already hold them are ranked again without them.
  std::set<std::string> rerank;
  for (const std::string& id : data_stops_.Add(a)) {
    if (auto it = insight_of_.find(id); id != a.id && it != insight_of_.end()) rerank.insert(it->second);
  }
  for (const std::string& id : rerank) Rank(&open_.at(id), topology);
  Open* open = nullptr;
  if (auto it = insight_of_.find(a.id); it != insight_of_.end()) {
    open = &open_.at(it->second);
    for (auto& member : open->insight.anomalies) {
      if (member.anomaly.id == a.id) member.anomaly = a;
    }
  } else {
    open = FindGroup(a, topology);
    if (open == nullptr) {
      if (open_.size() >= options_.max_open_insights) {
        ++stats_.anomalies_dropped;
        return;
      }
      const std::string id = InsightId(a.id);
      open = &open_[id];
      open->insight.id = id;
      open->insight.type = TypeOf(a);
      open->insight.start_ns = a.onset_ns;
      open->insight.detected_ns = a.detected_ns;
      ++stats_.insights_opened;
    } else if (open->insight.anomalies.size() >= options_.max_anomalies_per_insight) {
      ++stats_.anomalies_dropped;
      return;
    }
    open->insight.anomalies.push_back({a, "", ""});
    insight_of_[a.id] = open->insight.id;
    ++stats_.anomalies_grouped;
  }
  open->last_activity_ns = std::max(open->last_activity_ns, ActivityOf(a));
  Rank(open, topology);
}

void Correlator::OnEvent(const model::ChangeEvent& event, const TopologyView& topology) {
  ++stats_.events_seen;
  auto it = events_.find(event.service);
  if (it == events_.end()) {
    if (events_.size() >= options_.max_event_services) {
      ++stats_.events_dropped;
      return;
    }
    it = events_.emplace(event.service, std::vector<model::ChangeEvent>{}).first;
  }
  auto& list = it->second;
  // The same change reported twice (an inferred deployment and the
  // explicit event, in either order) is one event, merged by the store's
  // rule so both sides name it alike.
  model::ChangeEvent merged = event;
  auto same_id = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.id == event.id; });
  if (same_id != list.end()) {
    list.erase(same_id);
  } else if (const model::ChangeEvent* partner = model::FindSameDeployment(list, event)) {
    merged = model::MergeEvents(*partner, event);
    list.erase(list.begin() + (partner - list.data()));
  }
  list.insert(std::upper_bound(list.begin(), list.end(), merged,
                               [](const auto& x, const auto& y) { return x.time_ns < y.time_ns; }),
              merged);
  if (list.size() > options_.max_events_per_service) {
    list.erase(list.begin());  // the oldest
    ++stats_.events_dropped;
  }
  // Open insights this event may explain are ranked again.
  for (auto& [id, open] : open_) {
    bool near = false;
    for (const auto& member : open.insight.anomalies) {
      const model::Anomaly& a = member.anomaly;
      const bool involved = a.series.service == event.service || a.series.Attribute("peer") == event.service;
      if (involved && event.time_ns <= a.onset_ns + options_.event_slack_ns &&
          event.time_ns + options_.event_lookback_ns >= a.onset_ns) {
        near = true;
      }
    }
    if (near) Rank(&open, topology);
  }
}

void Correlator::Rank(Open* open, const TopologyView& topology) {
  model::Insight& in = open->insight;
  std::vector<model::Anomaly> anomalies;
  anomalies.reserve(in.anomalies.size());
  for (const auto& m : in.anomalies) anomalies.push_back(m.anomaly);
  RankingOptions ro{options_.event_lookback_ns, options_.event_slack_ns, options_.split_baseline_ns, {}};
  const EventLookup lookup = [this](const std::string& service, uint64_t onset) { return EventsNear(service, onset); };
  const Ranking r = insight::Rank(anomalies, lookup, topology, ro, open->last_activity_ns, data_stops_.stopped());

  in.root_cause = r.root_cause;
  in.candidates = r.candidates;
  for (auto& m : in.anomalies) {
    auto role = r.roles.find(m.anomaly.id);
    if (role != r.roles.end()) std::tie(m.role, m.reason) = role->second;
  }
  in.related_events = r.cause_events;
  in.related_events.insert(in.related_events.end(), r.other_events.begin(), r.other_events.end());
  in.start_ns = UINT64_MAX;
  in.updated_ns = 0;
  for (const auto& a : anomalies) {
    in.start_ns = std::min(in.start_ns, a.onset_ns);
    in.updated_ns = std::max(in.updated_ns, ActivityOf(a));
  }
  Narrate(r, &in);
  open->dirty = true;
}

CorrelatorStats Correlator::stats() const {
  CorrelatorStats s = stats_;
  s.data_stop_falls_forgotten = data_stops_.forgotten();
  return s;
}

void Correlator::AdvanceTo(uint64_t now_ns) {
  for (auto it = open_.begin(); it != open_.end();) {
    model::Insight& in = it->second.insight;
    uint64_t last_end = 0;
    bool ongoing = false;
    for (const auto& m : in.anomalies) {
      ongoing = ongoing || m.anomaly.ongoing();
      last_end = std::max(last_end, m.anomaly.end_ns);
    }
    if (ongoing || now_ns < last_end + options_.close_after_ns ||
        now_ns < it->second.last_activity_ns + options_.close_after_ns) {
      ++it;
      continue;
    }
    in.status = "CLOSED";
    in.end_ns = last_end;
    in.updated_ns = std::max(in.updated_ns, last_end);
    ++in.revision;
    for (const auto& m : in.anomalies) insight_of_.erase(m.anomaly.id);
    changed_.push_back(std::move(in));
    ++stats_.insights_closed;
    it = open_.erase(it);
  }
}

void Correlator::TakeInsights(std::vector<model::Insight>* out) {
  for (auto& [id, open] : open_) {
    if (!open.dirty) continue;
    open.dirty = false;
    open.emitted = true;
    ++open.insight.revision;
    changed_.push_back(open.insight);
  }
  std::stable_sort(changed_.begin(), changed_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (auto& in : changed_) out->push_back(std::move(in));
  changed_.clear();
}

}  // namespace augur::insight
