// TraceAssembler: groups spans into traces in a bounded buffer and decides,
// in event time, when a trace is complete.
//
// Event time: the watermark is the highest span end time seen minus
// allowed_lateness_ns (or a time given to AdvanceTo, whichever is later); it
// never goes back. A trace is complete once the watermark reaches its
// newest span end + quiet_ns: no span of it has ended for quiet_ns, as far
// as the (lateness-trailing) watermark can tell. Each span is added, then
// the watermark moves, then due traces complete, in deadline order, so what
// completes when depends only on the spans and their order, never on how
// they were cut into batches (or on a clock).
//
// Late spans: a completed trace stays known as "recent" for recent_ns of
// event time (bounded by max_recent_traces and max_recent_spans, oldest
// completed first out), with its spans. A span for a recent trace is late:
// counted, kept with the trace, and handed to the sink with the spans that
// came before it, so the sink can attribute it (its own self time and the
// calls it takes part in; see SpanTree). A span for a trace that is no
// longer recent starts a new trace (a fragment; indistinguishable from a
// new trace, by design of the bound).
//
// Bounds (overflow counted): at most max_open_traces open traces and
// max_open_spans spans in them (when full, the open trace due first is
// completed early, "forced"); at most max_spans_per_trace spans per trace
// (further spans are dropped). A released trace gives its vector back to a
// pool of slots, shrunk when it grew large, so steady state allocates little.
//
// Not thread-safe; owned by the TopologyBuilder. The sink is called from
// Add/AdvanceTo/Flush, must not call back into the assembler, and may
// change span flags (they stay with the recent trace).
#pragma once

#include <cstdint>
#include <deque>
#include <queue>
#include <vector>

#include "model/telemetry.h"
#include "topology/span_record.h"
#include "topology/trace_id_map.h"

namespace augur::topology {

struct AssemblerOptions {
  uint64_t allowed_lateness_ns = 10'000'000'000;  // as the analyzer's RED clock
  uint64_t quiet_ns = 5'000'000'000;              // an OTel SDK exports every 5 s
  size_t max_open_traces = 20'000;
  size_t max_open_spans = 500'000;  // 48 bytes each: ~24 MB
  size_t max_spans_per_trace = 2'000;
  uint64_t recent_ns = 60'000'000'000;
  size_t max_recent_traces = 20'000;
  size_t max_recent_spans = 200'000;
};

struct AssemblerStats {
  uint64_t spans = 0;             // offered
  uint64_t traces_completed = 0;  // including forced
  uint64_t traces_forced = 0;     // completed early to make room
  uint64_t spans_overflow = 0;    // dropped: trace at max_spans_per_trace (or recent buffer full)
  uint64_t late_spans = 0;        // for a recent (completed) trace; handed to the sink
  uint64_t open_traces = 0;       // now
  uint64_t open_spans = 0;        // now
  uint64_t recent_traces = 0;     // now
  uint64_t recent_spans = 0;      // now
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // A trace completed; spans in arrival order.
  virtual void OnTrace(std::vector<SpanRecord>& spans) = 0;
  // spans.back() arrived after its trace completed; the others came before.
  virtual void OnLateSpan(std::vector<SpanRecord>& spans) = 0;
  // The watermark moved up; the traces it completed have been delivered.
  virtual void OnWatermark(uint64_t watermark) = 0;
};

class TraceAssembler {
 public:
  TraceAssembler(AssemblerOptions options, TraceSink* sink);
  TraceAssembler(const TraceAssembler&) = delete;
  TraceAssembler& operator=(const TraceAssembler&) = delete;

  // `span` must have end_ns >= start_ns > 0; `trace` must not be all zero.
  void Add(const model::TraceId& trace, const SpanRecord& span);
  // Moves the watermark up to `time_ns` (live mode with idle sources; a
  // restart restoring its watermark).
  void AdvanceTo(uint64_t time_ns);
  // Completes every open trace now, in deadline order (end of a replay).
  void Flush();

  uint64_t watermark() const { return watermark_; }
  AssemblerStats stats() const;

 private:
  struct Trace {
    model::TraceId id{};
    std::vector<SpanRecord> spans;
    uint64_t max_end_ns = 0;
    uint64_t completed_ns = 0;  // watermark when it completed
    uint32_t generation = 0;    // bumped when the slot is released, so stale queue entries are recognised
    bool open = false;
  };
  struct Due {
    uint64_t time_ns;
    uint32_t slot;
    uint32_t generation;
    bool operator>(const Due& o) const { return time_ns != o.time_ns ? time_ns > o.time_ns : slot > o.slot; }
  };

  uint64_t Deadline(const Trace& t) const;
  uint32_t NewSlot();
  void Move(uint64_t time_ns);  // watermark up, then completions and expiry
  void CompleteDue();           // open traces whose deadline <= watermark
  bool CompleteFirst();         // the open trace due first; false if none
  void Complete(uint32_t slot);
  void ExpireRecent();
  void Release(uint32_t slot);

  AssemblerOptions options_;
  TraceSink* sink_;
  uint64_t watermark_ = 0;
  std::vector<Trace> slots_;
  std::vector<uint32_t> free_slots_;
  TraceIdMap index_;                                                   // open and recent traces
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;  // one entry per open trace
  std::deque<std::pair<uint32_t, uint32_t>> recent_;                   // (slot, generation), completion order
  AssemblerStats stats_;
};

}  // namespace augur::topology
