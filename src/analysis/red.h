// RedAggregator: request rate, errors and duration (RED) series from spans,
// in event-time buckets (EventClock).
//
// Which spans count, and why:
//  - SERVER and CONSUMER spans: the entry points of a service; their count,
//    errors and durations are the service's own RED.
//  - CLIENT spans that name their dependency: calls to a database, a queue,
//    another service. The dependency goes into the key as attribute `peer`,
//    from the first of: peer.service; db.system (+ "/" + db.namespace or
//    db.name); rpc.service (as rpc.system + "/" + rpc.service when both);
//    server.address (+ ":" + server.port); the old net.peer.name. A CLIENT
//    span naming no dependency is not counted (it would mix unrelated
//    calls into one series) but counted in stats.
//  - INTERNAL, PRODUCER and UNSPECIFIED spans are not requests: skipped.
//
// A span's event time is its end time (when the request completed, like a
// server-side metric would record it). Duration = end - start in
// milliseconds; a span missing either time, or ending before it starts, is
// skipped and counted (its duration is garbage, so its count would be too).
//
// Errors: status ERROR; or, on SERVER spans only, http.response.status_code
// (or the old http.status_code) >= 500, since instrumentations leave the
// status UNSET for 5xx sometimes. A 4xx is the client's fault, not the
// server's; on CLIENT spans instrumentations already set ERROR.
//
// Series: every counted span updates (service, span name, kind[, peer]) and,
// when the resource has service.version, the same key plus
// service.version, so a deployment can be compared with the one before.
// Each key yields three series per closed bucket, all stamped with the
// bucket start: span.requests (value = count), span.errors (value = error
// count) and span.duration (value = count, sketch = durations in ms).
// Buckets with no spans emit nothing (a gap, not a zero: a silent service
// and an idle one look the same here; the traffic detector decides).
//
// Bounds: at most max_series keys (each counted span needs up to two); a
// key idle for idle_ns of event time can be forgotten to make room (its
// buckets, all closed by then, are still emitted). Open buckets per key are
// bounded by the clock (late spans are refused): at most lateness / width
// + 2, provided the owner calls TakeClosed() after every Add() (closed
// buckets are held until then). Each open bucket holds one sketch of at
// most max_bins 8-byte bins (4 KiB at the default 512; a few hundred bytes
// for typical latencies, which span far fewer bins).
//
// Timestamps far in the future move the watermark and make everything after
// them late. Analysis cannot tell (it has no clock): the ingest side, which
// has one, must refuse items too far ahead of its wall clock.
//
// Not thread-safe; owned by one analysis thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/event_clock.h"
#include "analysis/series.h"
#include "analysis/sketch.h"
#include "analysis/state_codec.h"
#include "model/telemetry.h"

namespace augur::analysis {

struct RedOptions {
  ClockOptions clock;
  size_t max_series = 10'000;
  uint64_t idle_ns = 3'600'000'000'000;  // 1 h; raised to at least width + lateness
  double relative_accuracy = DDSketch::kDefaultAccuracy;
  uint32_t max_bins = 512;  // ~1% over a factor e^20 in ms: 1 µs .. hours
};

struct RedStats {
  uint64_t spans = 0;            // all spans offered
  uint64_t counted = 0;          // spans that went into at least one series
  uint64_t skipped_kind = 0;     // INTERNAL, PRODUCER, UNSPECIFIED
  uint64_t skipped_no_peer = 0;  // CLIENT without a dependency attribute
  uint64_t bad_duration = 0;     // end before start
  uint64_t late = 0;             // bucket already closed
  uint64_t no_time = 0;          // no timestamps
  uint64_t series_overflow = 0;  // series updates refused: max_series reached
  uint64_t series_expired = 0;   // idle series forgotten
  uint64_t series = 0;           // series (keys) known now
  uint64_t buckets_emitted = 0;  // (key, bucket) pairs emitted
};

class RedAggregator {
 public:
  explicit RedAggregator(RedOptions options = {});

  // Adds the batch's spans, in order. Items refer to batch.resources by
  // index; a span with an out-of-range index uses service "unknown_service".
  void Add(const model::Batch& batch);

  // Moves the watermark (live mode only; see EventClock::AdvanceTo).
  void AdvanceTo(uint64_t time_ns) { clock_.AdvanceTo(time_ns); }

  // Appends the points of every bucket closed by now to *out, ordered by
  // (bucket start, key, metric), and forgets those buckets. Output is the
  // same whatever the batch boundaries were (see EventClock).
  void TakeClosed(std::vector<SeriesPoint>* out);

  RedStats stats() const;
  uint64_t watermark() const { return clock_.watermark(); }

  // Saved state: the watermark, the series and their open buckets (so a
  // loaded aggregator emits what this one would have); not the stats. Save
  // after TakeClosed(). LoadState replaces everything but the options and
  // stats; on damaged input it sets r->failed() (the owner then discards
  // this aggregator).
  void SaveState(StateWriter* w) const;
  void LoadState(StateReader* r);

 private:
  struct Cell {
    uint64_t requests = 0;
    uint64_t errors = 0;
    DDSketch durations;
  };
  struct Buckets {
    std::map<uint64_t, Cell> open;  // by bucket start
    bool idle() const { return open.empty(); }
  };
  using Slot = SeriesTable<Buckets>::Slot;
  // The series one span updates: without and (when its resource has
  // service.version) with the version.
  struct SpanSeries {
    Slot plain = nullptr;
    Slot versioned = nullptr;
  };
  void Record(Buckets* b, uint64_t bucket, bool error, double duration_ms);

  RedOptions options_;
  EventClock clock_;
  SeriesTable<Buckets> table_;
  RedStats stats_;
  // Per batch: the series of (resource index, kind, span name, peer) seen
  // so far, so repeated spans skip building and comparing SeriesKeys (it
  // was a tenth of ingest's CPU). Cleared with every batch and whenever the
  // table forgets series; holds at most one entry per span of the batch.
  std::unordered_map<std::string, SpanSeries> batch_series_;
  uint64_t batch_series_epoch_ = 0;
  std::string lookup_;  // scratch: the cache key
  std::string peer_;    // scratch: a CLIENT span's dependency
};

}  // namespace augur::analysis
