// EventClock: fixed-width event-time buckets and a watermark.
//
// Time comes only from telemetry (Unix ns). The watermark is the highest
// event time seen minus the allowed lateness, or a time the caller moved it
// to with AdvanceTo(), whichever is later; it never goes back. A bucket
// [start, start + width) is closed once end <= watermark. An item whose
// bucket is already closed is late: Admit() refuses it and counts it, and
// the caller drops it (we never reopen or amend an emitted bucket, so what
// was emitted stays the truth and a replay can reproduce it).
//
// Why admit-then-advance per item: an item is judged against the watermark
// of the items before it, so an item at most `allowed_lateness` older than
// everything before it is never late. Then the closed buckets depend only on
// the items and their order, not on how they were cut into batches; with
// disorder within the lateness bound they depend on the items alone.
//
// AdvanceTo(t) is for a live mode whose sources went quiet: the caller (who
// may read a clock) decides when; a replay that does not call it at the same
// points may differ only in what becomes late afterwards.
//
// Not thread-safe; owned by one analysis thread. 40 bytes.
#pragma once

#include <cstdint>
#include <optional>

namespace augur::analysis {

struct ClockOptions {
  uint64_t bucket_width_ns = 10'000'000'000;      // 10 s
  uint64_t allowed_lateness_ns = 30'000'000'000;  // 30 s
};

struct ClockStats {
  uint64_t admitted = 0;
  uint64_t late = 0;     // refused: their bucket had closed
  uint64_t no_time = 0;  // refused: time 0 ("not set" in OTLP)
};

class EventClock {
 public:
  explicit EventClock(ClockOptions options = {});

  // The start of the bucket `time_ns` falls in, if it is still open; then
  // the watermark moves up to time_ns - lateness. nullopt for a late item or
  // time 0 (counted in stats()).
  std::optional<uint64_t> Admit(uint64_t time_ns);

  // Moves the watermark up to `time_ns` (never back).
  void AdvanceTo(uint64_t time_ns);

  // Whether the bucket starting at `bucket_start_ns` is closed.
  // (Written so that it cannot overflow near the end of time.)
  bool Closed(uint64_t bucket_start_ns) const {
    return watermark_ >= bucket_start_ns && watermark_ - bucket_start_ns >= options_.bucket_width_ns;
  }

  uint64_t BucketStart(uint64_t time_ns) const { return time_ns - time_ns % options_.bucket_width_ns; }
  uint64_t watermark() const { return watermark_; }  // 0 until the first item
  const ClockOptions& options() const { return options_; }
  const ClockStats& stats() const { return stats_; }

 private:
  ClockOptions options_;
  uint64_t watermark_ = 0;
  ClockStats stats_;
};

}  // namespace augur::analysis
