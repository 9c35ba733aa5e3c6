#include "model/event_merge.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace augur::model {
namespace {

bool IsInferred(const model::ChangeEvent& e) {
  return e.source == kTelemetrySource;
}

void AddSource(const std::string& source, std::vector<std::string>* sources) {
  if (!source.empty() && std::find(sources->begin(), sources->end(), source) == sources->end()) {
    sources->push_back(source);
  }
}

}  // namespace

std::string DerivedEventId(const model::ChangeEvent& event) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  const auto mix = [&h](std::string_view part) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    // A separator no field can fake: fields may hold any byte but each is
    // followed by its length.
    for (size_t n = part.size(), i = 0; i < 8; ++i, n >>= 8) {
      h ^= n & 0xff;
      h *= 0x100000001b3ULL;
    }
  };
  mix(model::ChangeTypeName(event.type));
  mix(event.service);
  mix(std::to_string(event.time_ns));
  mix(event.version);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("ev-") + hex;
}

bool IsVersionedDeployment(const model::ChangeEvent& event) {
  return event.type == model::ChangeType::kDeployment && !event.version.empty();
}

bool MayBeSameDeployment(const model::ChangeEvent& a, const model::ChangeEvent& b) {
  if (!IsVersionedDeployment(a) || !IsVersionedDeployment(b)) return false;
  if (a.service != b.service || a.version != b.version) return false;
  const uint64_t apart = a.time_ns > b.time_ns ? a.time_ns - b.time_ns : b.time_ns - a.time_ns;
  return apart <= kDeploymentMergeWindowNs;
}

const model::ChangeEvent* FindSameDeployment(std::span<const model::ChangeEvent> events,
                                             const model::ChangeEvent& incoming) {
  const auto apart = [&](const model::ChangeEvent& e) {
    return e.time_ns > incoming.time_ns ? e.time_ns - incoming.time_ns : incoming.time_ns - e.time_ns;
  };
  const auto other_version_between = [&](const model::ChangeEvent& e) {
    const uint64_t lo = std::min(e.time_ns, incoming.time_ns), hi = std::max(e.time_ns, incoming.time_ns);
    for (const auto& o : events) {
      if (IsVersionedDeployment(o) && o.service == incoming.service && o.version != incoming.version &&
          o.time_ns > lo && o.time_ns < hi) {
        return true;
      }
    }
    return false;
  };
  const model::ChangeEvent* best = nullptr;
  for (const auto& e : events) {
    if (!MayBeSameDeployment(e, incoming) || other_version_between(e)) continue;
    if (best == nullptr || apart(e) < apart(*best)) best = &e;
  }
  return best;
}

void NormalizeSources(model::ChangeEvent* event) {
  std::vector<std::string> sources;
  for (const auto& s : event->sources) AddSource(s, &sources);
  AddSource(event->source, &sources);
  event->sources = std::move(sources);
}

model::ChangeEvent MergeEvents(const model::ChangeEvent& stored, const model::ChangeEvent& incoming) {
  model::ChangeEvent out = stored;
  if (IsInferred(stored) && !IsInferred(incoming)) {
    out.id = incoming.id;
    out.source = incoming.source;
    out.description = incoming.description;
    out.changes = incoming.changes;
    if (!incoming.previous_version.empty()) out.previous_version = incoming.previous_version;
  } else if (IsInferred(stored) == IsInferred(incoming)) {
    if (!incoming.source.empty()) out.source = incoming.source;
    if (!incoming.description.empty()) out.description = incoming.description;
    if (!incoming.changes.empty()) out.changes = incoming.changes;
    if (!incoming.previous_version.empty()) out.previous_version = incoming.previous_version;
  } else if (out.previous_version.empty()) {  // stored explicit, incoming inferred
    out.previous_version = incoming.previous_version;
  }
  if (out.time_ns == 0 || (incoming.time_ns != 0 && incoming.time_ns < out.time_ns)) out.time_ns = incoming.time_ns;
  for (const auto& s : incoming.sources) AddSource(s, &out.sources);
  AddSource(incoming.source, &out.sources);
  return out;
}

}  // namespace augur::model
