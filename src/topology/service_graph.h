// ServiceGraph: what the completed traces say, kept per event-time bucket.
//
//  - Operations (service, span name, span kind): per bucket of the span's
//    end time, the span count, errors, error origins, and sketches of self
//    time and downstream time (ms), see SpanTree.
//  - Edges (caller service → service or dependency, operation): per bucket
//    of the call's end time, calls, errors and a duration sketch (ms); and
//    since the edge was first seen, total calls, errors and durations.
//
// Buckets close in event time, aligned with analysis::EventClock (bucket
// starts are multiples of the width; a bucket is closed once watermark -
// start >= width + close_delay_ns). The delay covers the trace assembler's
// quiet time plus how long a trace may go on after one of its spans ended
// (TopologyOptions::trace_hold_ns): a span is measured only when its trace
// completes. A measurement for a closed bucket is late: it is dropped from
// the buckets and counted (an edge's totals still count it). Closed buckets
// never change, so what TakeClosed() emitted stays the truth.
//
// Each closed bucket becomes one point per operation and per edge that had
// spans in it (TakeClosed), and stays queryable in the History for a while
// (OperationWindow, EdgeWindow, Snapshot).
//
// Bounds: at most max_operations operations and max_edges edges (new ones
// beyond are dropped, counted); one whose history has aged out completely
// is forgotten (with its totals). At most max_pending_points points wait
// for TakeClosed (more are dropped, counted): call it after every Add.
//
// Determinism: state depends only on the Record/AdvanceTo calls in order;
// output is ordered by names, never by ids or hash order.
//
// Not thread-safe; owned by the TopologyBuilder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/sketch.h"
#include "common/status.h"
#include "model/telemetry.h"
#include "topology/history.h"
#include "topology/names.h"
#include "topology/span_tree.h"
#include "topology/state_codec.h"
#include "topology/topology.h"

namespace augur::topology {

struct GraphOptions {
  HistoryOptions history;
  uint64_t close_delay_ns = 0;
  size_t max_operations = 2'000;
  size_t max_edges = 2'000;
  size_t max_pending_points = 20'000;
  // Whether closed buckets become points for TakeClosed. Off for an owner
  // that never takes them (the engine: its readers query the history), so
  // that each closed bucket is not copied into a queue that only fills up
  // and then counts every later bucket as dropped.
  bool closed_points = true;
};

// One closed bucket of one operation.
struct OperationPoint {
  uint64_t time_ns = 0;  // bucket start
  std::string service, operation;
  model::SpanKind kind = model::SpanKind::kUnspecified;
  uint64_t count = 0, errors = 0, error_origins = 0;
  analysis::DDSketch self_ms, downstream_ms;
};

// One closed bucket of one edge.
struct EdgePoint {
  uint64_t time_ns = 0;  // bucket start
  std::string from, to;
  NodeKind to_kind = NodeKind::kService;
  std::string operation;
  uint64_t calls = 0, errors = 0;
  analysis::DDSketch duration_ms;
};

// The buckets of one series starting in a window, added up.
struct WindowStats {
  uint64_t from_ns = 0, to_ns = 0;  // as asked
  uint64_t resolution_ns = 0;       // width of the buckets summed (fine or coarse tier)
  size_t buckets = 0;               // non-empty buckets summed
  Cell cell;                        // a: self time or duration; b: downstream time (ms)
  explicit WindowStats(const HistoryOptions& o) : cell(o) {}
};

struct GraphStats {
  uint64_t spans_recorded = 0;
  uint64_t calls_recorded = 0;
  uint64_t late_measurements = 0;   // bucket already closed
  uint64_t operation_overflow = 0;  // max_operations reached
  uint64_t edge_overflow = 0;       // max_edges reached
  uint64_t points_dropped = 0;      // max_pending_points reached
  uint64_t forgotten = 0;           // operations and edges whose history aged out
  uint64_t operations = 0;          // now
  uint64_t edges = 0;               // now
};

class ServiceGraph {
 public:
  ServiceGraph(GraphOptions options, NameTable* names);

  void RecordSpan(const SpanRecord& span, const SpanCost& cost);
  void RecordCall(const Call& call);

  // Closes the buckets the watermark has passed (+ close delay).
  void AdvanceTo(uint64_t watermark_ns);

  // Moves the points of buckets closed so far to the vectors (either may
  // be null: those points are discarded), ordered by (time, names).
  void TakeClosed(std::vector<OperationPoint>* operations, std::vector<EdgePoint>* edges);

  // The tier a window starting at from_ns is answered from: fine while it
  // still holds that time, else coarse.
  Tier TierFor(uint64_t from_ns) const { return from_ns >= fine_from_ ? Tier::kFine : Tier::kCoarse; }

  // Buckets of (service, operation[, kind]) starting in [from, to); all
  // span kinds added up when `kind` is empty. Unknown names: empty stats.
  WindowStats OperationWindow(std::string_view service, std::string_view operation, std::optional<model::SpanKind> kind,
                              uint64_t from_ns, uint64_t to_ns) const;
  // The operations of `service` and their span kinds, sorted by (name,
  // kind); at most max_operations (the graph's own cap). Unknown: empty.
  std::vector<std::pair<std::string, model::SpanKind>> OperationsOf(std::string_view service) const;
  // Buckets of the edges from → to (any target kind), of one operation or
  // all added up, starting in [from, to).
  WindowStats EdgeWindow(std::string_view from, std::string_view to, std::optional<std::string_view> operation,
                         uint64_t from_ns, uint64_t to_ns) const;

  // Nodes and edges with spans in buckets starting in [from, to).
  Topology Snapshot(uint64_t from_ns, uint64_t to_ns) const;

  // Save writes operations and edges in name order (equal graphs, equal
  // bytes). Load replaces the graph with what Save wrote, which must be the
  // rest of r's input; on malformed input it returns InvalidArgument and
  // changes nothing (not even the name table).
  void Save(StateWriter* w) const;
  Status Load(StateReader* r);

  uint64_t closed_before() const { return closed_before_; }
  // Roughly the heap bytes of all histories (walks every cell: not per span).
  size_t ApproxHistoryBytes() const;
  GraphStats stats() const;

 private:
  struct Operation {
    History history;
  };
  struct Edge {
    History history;
    uint64_t total_calls = 0, total_errors = 0;
    analysis::DDSketch total_ms;
  };
  using EdgeKey = std::pair<uint64_t, uint64_t>;  // (from << 32 | to, operation << 3 | to_kind)
  struct EdgeKeyHash {
    size_t operator()(const EdgeKey& k) const;
  };
  static uint64_t OperationKey(uint32_t service, uint32_t operation, model::SpanKind kind);

  uint64_t BucketStart(uint64_t t) const { return t - t % options_.history.bucket_width_ns; }
  std::string_view Name(uint32_t id) const { return names_->Name(id); }

  GraphOptions options_;
  NameTable* names_;
  std::unordered_map<uint64_t, Operation> operations_;
  std::unordered_map<EdgeKey, Edge, EdgeKeyHash> edges_;
  uint64_t closed_before_ = 0;  // fine buckets starting before this are closed
  uint64_t fine_from_ = 0;      // fine buckets starting before this are dropped
  uint64_t watermark_ = 0;
  std::vector<OperationPoint> pending_operations_;
  std::vector<EdgePoint> pending_edges_;
  GraphStats stats_;
};

}  // namespace augur::topology
