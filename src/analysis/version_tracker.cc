#include "analysis/version_tracker.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "analysis/series.h"
#include "analysis/stable_id.h"

namespace augur::analysis {

namespace {

constexpr std::string_view kTelemetry = "telemetry";

// The event-time range of the items of each resource of a batch.
struct Range {
  uint64_t first = std::numeric_limits<uint64_t>::max();
  uint64_t last = 0;
  void Add(uint64_t t) {
    if (t == 0) return;
    first = std::min(first, t);
    last = std::max(last, t);
  }
  bool empty() const { return last == 0; }
};

std::vector<Range> ResourceRanges(const model::Batch& batch) {
  std::vector<Range> r(batch.resources.size());
  const auto at = [&](uint32_t i) -> Range* { return i < r.size() ? &r[i] : nullptr; };
  for (const model::Span& s : batch.spans) {
    if (Range* x = at(s.resource_index)) {
      x->Add(s.start_time_unix_nano != 0 ? s.start_time_unix_nano : s.end_time_unix_nano);
      x->Add(s.end_time_unix_nano);
    }
  }
  for (const model::Metric& m : batch.metrics) {
    if (Range* x = at(m.resource_index)) {
      for (const model::MetricPoint& p : m.points) x->Add(p.time_unix_nano);
    }
  }
  for (const model::LogRecord& l : batch.logs) {
    if (Range* x = at(l.resource_index)) x->Add(l.time_unix_nano != 0 ? l.time_unix_nano : l.observed_time_unix_nano);
  }
  return r;
}

}  // namespace

VersionTracker::VersionTracker(VersionTrackerOptions options) : options_(std::move(options)) {
  options_.max_versions = std::max<size_t>(options_.max_versions, 2);
}

void VersionTracker::Add(const model::Batch& batch, std::vector<model::ChangeEvent>* out) {
  const std::vector<Range> ranges = ResourceRanges(batch);
  std::vector<size_t> order;
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (!ranges[i].empty()) order.push_back(i);
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return std::tie(ranges[a].first, a) < std::tie(ranges[b].first, b); });
  for (size_t i : order) {
    const model::Resource& res = batch.resources[i];
    newest_ns_ = std::max(newest_ns_, ranges[i].last);
    std::vector<Change> changes;
    for (const std::string& attribute : options_.attributes) {
      const model::AnyValue* v = model::FindAttribute(res.attributes, attribute);
      if (v == nullptr) continue;
      const std::string value = AttributeString(*v);
      if (value.empty()) continue;
      Change c;
      if (See(res.service_name, attribute, value, ranges[i].first, ranges[i].last, &c)) changes.push_back(c);
    }
    if (!changes.empty()) {
      out->push_back(MakeEvent(res.service_name, changes));
      ++stats_.events;
    }
  }
}

bool VersionTracker::See(const std::string& service, const std::string& attribute, const std::string& value,
                         uint64_t first_ns, uint64_t last_ns, Change* change) {
  Pair* pair = FindPair(service, attribute, last_ns);
  if (pair == nullptr) return false;
  if (pair->current.empty()) {  // the baseline
    pair->current = value;
    Remember(pair, value, last_ns);
    return false;
  }
  if (value == pair->current) {
    Remember(pair, value, last_ns);
    return false;
  }
  auto known = pair->versions.find(value);
  if (known == pair->versions.end()) {
    *change = {attribute, pair->current, value, first_ns, false};
    pair->current = value;
    Remember(pair, value, last_ns);
    return true;
  }
  // A known version that is not current: does it take over?
  Version& v = known->second;
  const uint64_t current_last = pair->versions[pair->current].last_ns;
  if (first_ns > current_last) {
    if (v.since_ns <= current_last) {
      v.since_ns = first_ns;
      v.sightings = 1;
    } else if (first_ns > v.last_ns && v.sightings < UINT32_MAX) {
      ++v.sightings;
    }
  }
  v.last_ns = std::max(v.last_ns, last_ns);
  if (v.sightings < 2 || last_ns < current_last + options_.rollback_quiet_ns) return false;
  *change = {attribute, pair->current, value, v.since_ns, true};
  pair->current = value;
  return true;
}

VersionTracker::Pair* VersionTracker::FindPair(const std::string& service, const std::string& attribute,
                                               uint64_t time_ns) {
  auto key = std::make_pair(service, attribute);
  auto it = pairs_.find(key);
  if (it != pairs_.end()) return &it->second;
  if (pairs_.size() >= options_.max_tracked && (!swept_ || time_ns >= last_sweep_ns_ + options_.idle_ns / 8)) {
    swept_ = true;
    last_sweep_ns_ = time_ns;
    for (auto p = pairs_.begin(); p != pairs_.end();) {
      uint64_t last = 0;
      for (const auto& [_, v] : p->second.versions) last = std::max(last, v.last_ns);
      if (last + options_.idle_ns <= newest_ns_) {
        p = pairs_.erase(p);
        ++stats_.expired;
      } else {
        ++p;
      }
    }
  }
  if (pairs_.size() >= options_.max_tracked) {
    ++stats_.overflow;
    return nullptr;
  }
  return &pairs_.emplace(std::move(key), Pair{}).first->second;
}

void VersionTracker::Remember(Pair* pair, const std::string& value, uint64_t last_ns) {
  auto it = pair->versions.find(value);
  if (it == pair->versions.end()) {
    if (pair->versions.size() >= options_.max_versions) {
      // Forget the version seen least recently (never the current one).
      auto oldest = pair->versions.end();
      for (auto v = pair->versions.begin(); v != pair->versions.end(); ++v) {
        if (v->first == pair->current) continue;
        if (oldest == pair->versions.end() || v->second.last_ns < oldest->second.last_ns) oldest = v;
      }
      if (oldest != pair->versions.end()) pair->versions.erase(oldest);
    }
    it = pair->versions.emplace(value, Version{}).first;
  }
  it->second.last_ns = std::max(it->second.last_ns, last_ns);
}

model::ChangeEvent VersionTracker::MakeEvent(const std::string& service, const std::vector<Change>& changes) const {
  const Change& first = changes.front();
  model::ChangeEvent e;
  e.type = model::ChangeType::kDeployment;
  e.service = service;
  e.time_ns = first.time_ns;
  e.version = first.new_value;
  e.previous_version = first.old_value;
  e.source = std::string(kTelemetry);
  e.sources = {std::string(kTelemetry)};
  StableId id;
  id.Mix(service).Mix(first.attribute).Mix(first.new_value);
  if (first.rollback) id.Mix("rollback").Mix(first.old_value).Mix(first.time_ns);
  e.id = id.Id("ev-");
  e.description = first.attribute + " of " + service + (first.rollback ? " went back from " : " changed from ") +
                  first.old_value + " to " + first.new_value;
  for (size_t i = 1; i < changes.size(); ++i) {
    e.description += ", " + changes[i].attribute + " from " + changes[i].old_value + " to " + changes[i].new_value;
  }
  e.description += " (seen in telemetry)";
  for (const Change& c : changes) e.changes.push_back({c.attribute, c.old_value, c.new_value});
  return e;
}

VersionTrackerStats VersionTracker::stats() const {
  VersionTrackerStats s = stats_;
  s.tracked = pairs_.size();
  return s;
}

void VersionTracker::SaveState(StateWriter* w) const {
  w->Put(newest_ns_);
  w->Put(last_sweep_ns_);
  w->Put(static_cast<uint8_t>(swept_));
  w->Put(static_cast<uint32_t>(pairs_.size()));
  for (const auto& [key, pair] : pairs_) {
    w->PutString(key.first);
    w->PutString(key.second);
    w->PutString(pair.current);
    w->Put(static_cast<uint32_t>(pair.versions.size()));
    for (const auto& [value, v] : pair.versions) {
      w->PutString(value);
      w->Put(v.last_ns);
      w->Put(v.since_ns);
      w->Put(v.sightings);
    }
  }
}

void VersionTracker::LoadState(StateReader* r) {
  pairs_.clear();
  newest_ns_ = r->Get<uint64_t>();
  last_sweep_ns_ = r->Get<uint64_t>();
  swept_ = r->GetBool();
  const size_t n = r->ReadCount(16);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    std::string service = r->GetString();
    std::string attribute = r->GetString();
    Pair pair;
    pair.current = r->GetString();
    const size_t nv = r->ReadCount(24);
    for (size_t j = 0; j < nv && !r->failed(); ++j) {
      std::string value = r->GetString();
      Version v;
      v.last_ns = r->Get<uint64_t>();
      v.since_ns = r->Get<uint64_t>();
      v.sightings = r->Get<uint32_t>();
      pair.versions.emplace(std::move(value), v);
    }
    pairs_.emplace(std::make_pair(std::move(service), std::move(attribute)), std::move(pair));
  }
}

}  // namespace augur::analysis
