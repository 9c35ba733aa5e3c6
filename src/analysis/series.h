// Series identity and points: what analysis hands to the detectors.
//
// A series is named by a SeriesKey (metric name, service, operation and a
// few attributes, sorted by key so equal series compare equal). Points carry
// event time (Unix ns) and a value in the series' own unit; RED duration
// points also carry their bucket's sketch, so the caller can count requests
// above the detector's reference (ToLatencyPoint).
//
// SeriesTable bounds the number of series anything keeps state for.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/sketch.h"
#include "analysis/state_codec.h"
#include "detect/points.h"
#include "model/series_key.h"
#include "model/telemetry.h"

namespace augur::analysis {

using SeriesKey = model::SeriesKey;

struct SeriesPoint {
  SeriesKey key;
  uint64_t time_ns = 0;  // RED: bucket start; OTLP metrics: the point's time
  double value = 0;
  std::optional<DDSketch> sketch;  // RED span.duration only: the bucket's durations
  // OTLP metrics: the unit of `value` for display ("ms", "By/s"; see
  // metric_series.h); "" for RED points and dimensionless metrics.
  std::string unit;
  bool operator==(const SeriesPoint&) const = default;
};

// An attribute value as a key string: strings as is, numbers and bools in
// their shortest form, anything else "" (arrays and maps are not identities).
std::string AttributeString(const model::AnyValue& value);

// The detector's latency point for one span.duration point, counting the
// requests slower than `reference` (the detector's Reference(); 0 → slow
// unknown) from the sketch. count 0 when the point has no sketch.
detect::LatencyPoint ToLatencyPoint(const SeriesPoint& p, double reference);

// Per-series state with a cap. Find() returns the state of `key`, creating
// it if there is room. When the table is full it first forgets series idle
// (no Find) for idle_ns of event time, at most once per idle_ns/8 of event
// time so an overflowing stream costs O(log n) per item; a forgotten state
// whose `bool idle() const` is false (it still holds something to emit) is
// kept aside for TakeRetired(). Which series are forgotten depends only on
// the keys and times passed to Find, in order (not on when the owner emits),
// so a replay forgets the same ones. Still full: nullptr, counted in
// overflow(). std::map so iteration (and so output) is deterministic.
template <typename V>
class SeriesTable {
 private:
  struct Entry {
    V value{};
    uint64_t last_ns = 0;
  };

 public:
  // A series' place in the table, for an owner that looks the same keys up
  // again and again (RedAggregator, per batch): Touch(slot, t) is Find(key,
  // t) without the key comparisons. A slot stays valid until the table next
  // forgets series or is decoded, which changes epoch().
  using Slot = Entry*;

  SeriesTable(size_t max_series, uint64_t idle_ns) : max_(max_series), idle_ns_(idle_ns) {}

  V* Find(const SeriesKey& key, uint64_t time_ns) {
    Slot slot = FindSlot(key, time_ns);
    return slot ? &slot->value : nullptr;
  }
  // As Find, but the slot (nullptr when full).
  Slot FindSlot(const SeriesKey& key, uint64_t time_ns) {
    auto it = map_.find(key);
    if (it == map_.end()) {
      if (map_.size() >= max_) Expire(time_ns);
      if (map_.size() >= max_) {
        ++overflow_;
        return nullptr;
      }
      it = map_.emplace(key, Entry{}).first;
    }
    Touch(&it->second, time_ns);
    return &it->second;
  }
  static V* Touch(Slot slot, uint64_t time_ns) {
    slot->last_ns = std::max(slot->last_ns, time_ns);
    return &slot->value;
  }
  uint64_t epoch() const { return epoch_; }

  template <typename F>  // f(const SeriesKey&, V&)
  void ForEach(F&& f) {
    for (auto& [k, e] : map_) f(k, e.value);
  }

  // Moves the forgotten states that were not idle to *out.
  void TakeRetired(std::vector<std::pair<SeriesKey, V>>* out) {
    for (auto& r : retired_) out->push_back(std::move(r));
    retired_.clear();
  }

  // Saved state: every entry with its last time, and the sweep schedule, so
  // a loaded table forgets exactly what the saved one would have. The owner
  // encodes one state with put(StateWriter*, const V&) and decodes it with
  // get(StateReader*, V*). States retired but not yet taken are not saved:
  // save after TakeRetired(). Decode replaces the contents; on a damaged
  // input it sets r->failed() and leaves the table in an unspecified but
  // valid state (the owner discards it).
  template <typename Put>
  void Encode(StateWriter* w, Put&& put) const {
    w->Put(static_cast<uint8_t>(swept_));
    w->Put(last_sweep_ns_);
    w->Put(static_cast<uint32_t>(map_.size()));
    for (const auto& [k, e] : map_) {
      w->PutKey(k);
      w->Put(e.last_ns);
      put(w, e.value);
    }
  }
  template <typename Get>
  void Decode(StateReader* r, Get&& get) {
    ++epoch_;
    map_.clear();
    retired_.clear();
    swept_ = r->GetBool();
    last_sweep_ns_ = r->template Get<uint64_t>();
    const size_t n = r->ReadCount(20);
    for (size_t i = 0; i < n && !r->failed(); ++i) {
      SeriesKey k = r->GetKey();
      Entry e;
      e.last_ns = r->template Get<uint64_t>();
      get(r, &e.value);
      map_.emplace(std::move(k), std::move(e));
    }
  }

  size_t size() const { return map_.size(); }
  uint64_t overflow() const { return overflow_; }  // items refused because the table was full
  uint64_t expired() const { return expired_; }    // series forgotten as idle

 private:
  void Expire(uint64_t now_ns) {
    if (swept_ && now_ns < last_sweep_ns_ + idle_ns_ / 8) return;
    ++epoch_;
    swept_ = true;
    last_sweep_ns_ = now_ns;
    for (auto it = map_.begin(); it != map_.end();) {
      if (it->second.last_ns + idle_ns_ <= now_ns) {
        if (!it->second.value.idle()) retired_.emplace_back(it->first, std::move(it->second.value));
        it = map_.erase(it);
        ++expired_;
      } else {
        ++it;
      }
    }
  }

  size_t max_;
  uint64_t idle_ns_;
  std::map<SeriesKey, Entry> map_;
  std::vector<std::pair<SeriesKey, V>> retired_;
  uint64_t overflow_ = 0;
  uint64_t expired_ = 0;
  bool swept_ = false;
  uint64_t last_sweep_ns_ = 0;
  uint64_t epoch_ = 0;  // bumped whenever entries may have been erased
};

}  // namespace augur::analysis
