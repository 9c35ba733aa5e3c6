// SpanExemplars: the trace ids of the slowest and of the failing spans of
// each (service, operation), so that an insight can show the log lines of
// the requests that went wrong ("same trace as a slow POST /items").
//
// Spans are kept by event-time slice (slice_ns wide, by span end time). Per
// operation, a ring of the last slices_per_operation slices that saw spans
// holds, per slice, its slow_per_slice slowest spans and its first
// failing_per_slice failing spans (status ERROR, or a SERVER span answering
// HTTP 5xx, as the RED series count errors). A top-k per slice rather than
// over the whole ring: an hour-long slowdown must not hide the exemplars of
// its last minutes behind those of its first, since the log lines that share
// their traces are the recent ones (logs::LogAnalyzer keeps the latest lines
// of each service).
//
// Find() answers "traces of the slow (above a duration bound) or failing
// spans of (service, operation) ending in [from, to], at most N": newest
// slice first, then slowest first within a slice, for the reason above.
//
// Bounds: operations in all (max_operations; when full, operations idle for
// longer than the ring spans are dropped, and spans of further operations
// are counted and skipped), slices per operation, spans per slice. Memory is
// at most max_operations × slices_per_operation × (slow + failing) × 32
// bytes plus the names: about 5 MB with the defaults.
//
// Pure and deterministic: no clock, no I/O; time is the spans' end time.
// SaveState/LoadState carry everything across restarts. Not thread-safe; one
// owner (the Engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"

namespace augur::engine {

struct ExemplarOptions {
  uint64_t slice_ns = 60'000'000'000ULL;
  size_t slices_per_operation = 30;
  size_t slow_per_slice = 3;
  size_t failing_per_slice = 2;
  size_t max_operations = 1'024;
};

struct ExemplarStats {
  uint64_t spans = 0;                // spans seen with a valid time
  uint64_t skipped = 0;              // no trace id, or no end / end before start
  uint64_t operations_dropped = 0;   // idle operations dropped to make room
  uint64_t operations_overflow = 0;  // spans of operations refused: max_operations
  uint64_t late = 0;                 // spans older than every slice the ring holds
};

// One span kept as an example.
struct Exemplar {
  model::TraceId trace_id{};
  uint64_t end_ns = 0;
  uint64_t duration_ns = 0;
};

struct ExemplarQuery {
  std::string service;
  std::string operation;
  uint64_t from_ns = 0;
  uint64_t to_ns = 0;    // 0: no end
  bool failing = false;  // failing spans; else slow ones
  // Slow spans only: kept only when longer than this (0: the slowest of
  // each slice, whatever their duration).
  uint64_t min_duration_ns = 0;
  size_t max = 5;
};

class SpanExemplars {
 public:
  explicit SpanExemplars(ExemplarOptions options = {});

  // Keeps the batch's spans that are among the slowest or the first failing
  // ones of their operation's slice.
  void Add(const model::Batch& batch);

  // See the header comment. Distinct trace ids; newest slice first.
  std::vector<Exemplar> Find(const ExemplarQuery& query) const;

  std::string SaveState() const;
  // On bad bytes returns InvalidArgument and leaves this unchanged.
  Status LoadState(std::string_view bytes);

  const ExemplarStats& stats() const { return stats_; }
  size_t operations() const { return ops_.size(); }
  uint64_t watermark() const { return watermark_; }

 private:
  struct Slice {
    uint64_t index = 0;             // end time / slice_ns
    std::vector<Exemplar> slow;     // slowest first
    std::vector<Exemplar> failing;  // in arrival order
  };
  struct Operation {
    std::deque<Slice> slices;  // oldest first
    uint64_t last_ns = 0;      // newest span end seen
  };

  Operation* Lookup(std::string_view service, std::string_view operation);
  Slice* SliceFor(Operation& op, uint64_t index);
  void Keep(Slice& slice, const Exemplar& e, bool failed);
  void DropIdle();

  ExemplarOptions options_;
  ExemplarStats stats_;
  // Key: service + '\0' + operation.
  std::unordered_map<std::string, Operation> ops_;
  uint64_t watermark_ = 0;
  std::string key_scratch_;
};

}  // namespace augur::engine
