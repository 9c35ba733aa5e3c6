// SpanTree: the parent/child structure of one trace, and what the topology
// derives from it: each span's self time, and the calls between services
// and to dependencies.
//
// Parents are found by span id within the trace. A span whose parent is
// not in the trace is an orphan: it keeps its own self time and calls, but
// nobody is its caller. A span id seen twice (an exporter retry) counts
// once: later copies are flagged kSpanDuplicate and ignored.
//
// Self time of a span = its duration minus the union of its direct
// children's intervals, each clipped to the span (children may overlap;
// async children outliving their parent count only while the parent runs).
// The covered part is its downstream time. A span is an error origin when it
// is an error and none of its direct children is.
//
// Calls (one per caller span at most, so a retried or late span cannot
// count twice; kSpanCalled/kSpanEntered record what was counted):
//  - A child in another service than its parent: if the parent is a CLIENT
//    or PRODUCER span, the call is parent.service → child.service, named
//    and timed by the parent (client-observed latency; an error if either
//    side failed). Otherwise (the caller was not instrumented with a client
//    span) it is named and timed by the child.
//  - A CLIENT/PRODUCER span with no child in another service that names a
//    dependency (SpanRecord::peer) is a call to that dependency, unless the
//    real call is a nested CLIENT/PRODUCER span of the same service (an
//    ORM span around a driver span): then only the innermost counts. One
//    that names nothing is unattributed (counted by the caller).
//
// Not thread-safe. Keeps its scratch vectors between traces, so indexing a
// trace allocates nothing once the vectors have grown.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "topology/span_record.h"

namespace augur::topology {

struct SpanCost {
  uint64_t self_ns = 0;
  uint64_t downstream_ns = 0;
  bool error_origin = false;
};

struct Call {
  uint32_t from = kNoName;  // the caller's service
  uint32_t to = kNoName;    // a service, or a dependency's name
  NodeKind to_kind = NodeKind::kService;
  uint32_t operation = kNoName;  // the name of the span the call is timed by
  uint64_t time_ns = 0;          // that span's end
  uint64_t duration_ns = 0;
  bool error = false;
  // For grouping anomalies by operation (insight/topology_view.h): the
  // caller's entry operation (its nearest SERVER/CONSUMER ancestor in the
  // same service, else its topmost span there), the callee's operation
  // (kNoName for a dependency), and the dependency name the caller span
  // itself gives (its RED `peer`, even when a traced service answered).
  uint32_t entry_operation = kNoName;
  uint32_t callee_operation = kNoName;
  uint32_t caller_peer = kNoName;
};

class SpanTree {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Links the spans of one trace (and flags duplicates in them). Must be
  // called again after `spans` changed.
  void Index(std::vector<SpanRecord>& spans);
  // The same for a span appended to an indexed trace (a late span), but
  // only as far as the last span's queries need: whether it is a duplicate,
  // its parent, its children, and its ancestors' parents as far as
  // EntryOperation climbs. So Cost(spans, n - 1) and
  // CollectCallsOf(spans, n - 1, ...) answer as after Index(spans); other
  // spans' parent() and children() are not valid. Why: a trace had been
  // sorted again for each of its late spans. spans[0 .. n - 1) must have
  // been indexed (by Index, or by IndexLast as they arrived) and unchanged
  // since but for their flags, which carry their duplicate marks. One scan
  // of the trace per level climbed (the climb stops at the service's entry
  // span, and after 256 levels); allocates nothing once the vectors have grown.
  void IndexLast(std::vector<SpanRecord>& spans);

  uint32_t parent(size_t i) const { return parent_[i]; }
  std::span<const uint32_t> children(size_t i) const {
    return {children_.data() + child_begin_[i], children_.data() + child_begin_[i + 1]};
  }
  bool duplicate(const std::vector<SpanRecord>& spans, size_t i) const {
    return (spans[i].flags & kSpanDuplicate) != 0;
  }

  SpanCost Cost(const std::vector<SpanRecord>& spans, size_t i);

  // Appends every call of a completed trace to *out; returns how many
  // caller spans were unattributed.
  size_t CollectCalls(std::vector<SpanRecord>& spans, std::vector<Call>* out) const;
  // The calls span i takes part in (a span that arrived after the rest of
  // its trace was analysed): with its parent, with its children, and its
  // own dependency. Returns 1 if it is an unattributed caller, else 0.
  size_t CollectCallsOf(std::vector<SpanRecord>& spans, size_t i, std::vector<Call>* out) const;

 private:
  void PairCall(std::vector<SpanRecord>& spans, uint32_t p, uint32_t c, std::vector<Call>* out) const;
  uint32_t EntryOperation(const std::vector<SpanRecord>& spans, uint32_t i) const;
  // The parent Index would give span i (not a duplicate): the first span
  // with its parent id, unless that is i itself. A linear scan.
  static uint32_t FindParent(const std::vector<SpanRecord>& spans, uint32_t i);
  // 1 if span i is a caller that stays unattributed.
  size_t DependencyCall(std::vector<SpanRecord>& spans, uint32_t i, std::vector<Call>* out) const;

  std::vector<std::pair<uint64_t, uint32_t>> ids_;  // (span id, index), sorted
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> child_begin_;  // children of i: children_[child_begin_[i] .. child_begin_[i+1])
  std::vector<uint32_t> children_;
  std::vector<uint32_t> parent_cursor_;                   // Index() scratch
  std::vector<std::pair<uint64_t, uint64_t>> intervals_;  // Cost() scratch
};

}  // namespace augur::topology
