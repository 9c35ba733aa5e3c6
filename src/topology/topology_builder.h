// TopologyBuilder: spans in; the service graph, per-operation self time
// and their history out. The topology module's one entry point.
//
//   Batch ─> SpanRecord ─> TraceAssembler ──(complete traces, late spans)──> SpanTree
//                               │ watermark                                     │ self time, calls
//                               └───────────────> ServiceGraph <────────────────┘
//                                                  buckets, history, snapshot
//
// Per span: its service (resource service.name), name, kind, times, error
// (status ERROR, or a SERVER span with HTTP status >= 500, as the RED
// series count it) and, for CLIENT and PRODUCER spans, the dependency it
// names, by the same precedence as analysis/red.h: peer.service (a
// service); db.system [+ "/" + db.namespace or db.name] (database);
// [rpc.system + "/"] rpc.service (rpc); server.address [+ ":" +
// server.port], net.peer.name (external). PRODUCER spans first try
// messaging.system [+ "/" + messaging.destination.name] (messaging), and
// CLIENT spans fall back to it. A span without both times, ending before it
// starts, or with no trace id is refused (counted in bad_spans).
//
// Event time only (no clock, no I/O): see TraceAssembler for when a trace
// is complete, ServiceGraph for the buckets, and SpanTree for self time and
// calls. The output depends only on the spans and their order (and
// AdvanceTo/Flush calls), not on how the spans were cut into batches.
//
// A late span (its trace completed less than recent_ns ago) is counted in
// traces.late_spans and measured against the trace as it stands: its self
// time from the children that came before it, and the calls it takes part
// in (to its parent, from its children, to its dependency) unless that
// caller span's call was already counted, so a call counts once. What was
// measured before it stays: its parent's self time (measured without it)
// is not amended. If its bucket has closed, it is counted in
// graph.late_measurements instead (an edge's totals still count its call).
//
// Call TakeClosed() after every Add(): closed buckets wait there, bounded.
//
// Memory is bounded by the options (see each part): at the defaults up to
// ~40 MB of buffered traces, plus the graph's histories: 0.2-1 MB for an
// operation or edge busy in every bucket (see History), nothing for an idle
// one. 100 busy series: 20-100 MB; the worst case, max_operations +
// max_edges all busy with wide distributions, ~4 GB. Lower the caps or the
// tiers' retention to fit a smaller machine; ApproxHistoryBytes() tells.
//
// Timestamps far in the future move the watermark and make everything
// after them late; as for analysis/red.h, the ingest side (which has a
// clock) must refuse items too far ahead of it.
//
// Not thread-safe; owned by one analysis thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"
#include "topology/names.h"
#include "topology/service_graph.h"
#include "topology/span_tree.h"
#include "topology/topology.h"
#include "topology/trace_assembler.h"

namespace augur::topology {

struct TopologyOptions {
  AssemblerOptions assembler;
  HistoryOptions history;  // bucket width (5 s), tiers, sketch accuracy
  // How long a trace may go on after one of its spans ended and still have
  // that span measured in an open bucket: buckets close this long after
  // the assembler's quiet time (see ServiceGraph).
  uint64_t trace_hold_ns = 20'000'000'000;
  size_t max_names = 100'000;  // service, operation and dependency names (capped below 2^28)
  size_t max_operations = 2'000;
  size_t max_edges = 2'000;
  size_t max_pending_points = 20'000;
  size_t max_links = 20'000;  // operation links (OperationLink), kept since first seen
  bool closed_points = true;  // see GraphOptions
};

// Who calls whom, by operation: the caller's entry operation (and the
// client span that made the call) → a service's operation, or a
// dependency. The insight correlator groups anomalies by these links.
struct OperationLink {
  std::string caller_service, caller_operation, client_operation;
  std::string callee;  // a service or a dependency
  NodeKind callee_kind = NodeKind::kService;
  std::string callee_operation;  // "" for a dependency
  bool operator==(const OperationLink&) const = default;
};

struct TopologyStats {
  AssemblerStats traces;
  GraphStats graph;
  uint64_t bad_spans = 0;           // refused: no trace id, no times, or end before start
  uint64_t orphan_spans = 0;        // parent id set but not in the completed trace
  uint64_t duplicate_spans = 0;     // a span id seen twice in one trace (counted once)
  uint64_t unattributed_calls = 0;  // CLIENT/PRODUCER spans with no remote child naming no dependency
  uint64_t names = 0;               // names held now
  uint64_t name_overflow = 0;       // names mapped to "(other)": max_names reached
  uint64_t links = 0;               // operation links known now
  uint64_t link_overflow = 0;       // links not kept: max_links reached
};

class TopologyBuilder {
 public:
  explicit TopologyBuilder(TopologyOptions options = {});
  TopologyBuilder(const TopologyBuilder&) = delete;
  TopologyBuilder& operator=(const TopologyBuilder&) = delete;

  // Adds the batch's spans, in order (items refer to batch.resources by
  // index; an out-of-range index is service "unknown_service").
  void Add(const model::Batch& batch);
  // Moves the watermark up (live mode with idle sources; see TraceAssembler).
  void AdvanceTo(uint64_t time_ns);
  // Completes every open trace now (end of a replay).
  void Flush();

  // Points of closed buckets since the last call (see ServiceGraph).
  void TakeClosed(std::vector<OperationPoint>* operations, std::vector<EdgePoint>* edges) {
    graph_.TakeClosed(operations, edges);
  }

  // The graph over buckets starting in [from, to) (GET /api/v1/topology).
  Topology Snapshot(uint64_t from_ns, uint64_t to_ns) const { return graph_.Snapshot(from_ns, to_ns); }
  // "Self time p50 of writer POST /items in [t0, t1)": cell.a is self time,
  // cell.b downstream time (ms).
  WindowStats OperationWindow(std::string_view service, std::string_view operation, std::optional<model::SpanKind> kind,
                              uint64_t from_ns, uint64_t to_ns) const {
    return graph_.OperationWindow(service, operation, kind, from_ns, to_ns);
  }
  // The operations `service`'s spans were recorded under, with their kinds
  // (see ServiceGraph::OperationsOf).
  std::vector<std::pair<std::string, model::SpanKind>> OperationsOf(std::string_view service) const {
    return graph_.OperationsOf(service);
  }
  // Calls from → to (cell.a is their duration, ms).
  WindowStats EdgeWindow(std::string_view from, std::string_view to, std::optional<std::string_view> operation,
                         uint64_t from_ns, uint64_t to_ns) const {
    return graph_.EdgeWindow(from, to, operation, from_ns, to_ns);
  }

  // Links whose caller entry operation or client span is (service,
  // operation), or — LinksTo — whose callee is; sorted by names.
  std::vector<OperationLink> LinksFrom(std::string_view service, std::string_view operation) const;
  std::vector<OperationLink> LinksTo(std::string_view service, std::string_view operation) const;
  // The traced service that answers `service`'s client spans naming `peer`
  // (the RED peer attribute), or "" when traces never showed one.
  std::string ServiceBehindPeer(std::string_view service, std::string_view peer) const;

  // The graph and its histories with the watermark, versioned; operation
  // links are not saved (the next traces show them again); open and
  // recent traces are not saved (a restart loses at most the traces in
  // flight). LoadState is for a fresh builder; it refuses bytes of another
  // format version or written with another bucket width, coarse width or
  // sketch accuracy (InvalidArgument), and then changes nothing.
  std::string SaveState() const;
  Status LoadState(std::string_view bytes);

  uint64_t watermark() const { return assembler_.watermark(); }
  // Roughly the bytes the graph's histories hold (walks them all).
  size_t ApproxHistoryBytes() const { return graph_.ApproxHistoryBytes(); }
  TopologyStats stats() const;

 private:
  class Sink : public TraceSink {
   public:
    explicit Sink(TopologyBuilder* b) : b_(b) {}
    void OnTrace(std::vector<SpanRecord>& spans) override;
    void OnLateSpan(std::vector<SpanRecord>& spans) override;
    void OnWatermark(uint64_t watermark) override;

   private:
    TopologyBuilder* b_;
  };

  uint32_t ServiceOf(const model::Batch& batch, uint32_t resource_index);
  void SetDependency(const model::Attributes& attributes, SpanRecord* r);
  void RecordCalls();

  TopologyOptions options_;
  NameTable names_;
  ServiceGraph graph_;
  SpanTree tree_;
  Sink sink_;
  TraceAssembler assembler_;
  std::vector<uint32_t> batch_services_;  // per resource of the current batch; kNoName until first used
  uint32_t unknown_service_ = kNoName;
  std::string peer_;         // scratch
  std::vector<Call> calls_;  // scratch
  struct LinkKey {
    uint32_t caller_service, caller_operation, client_operation, callee, callee_operation;
    NodeKind callee_kind;
    auto operator<=>(const LinkKey&) const = default;
  };
  std::set<LinkKey> links_;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> peer_services_;  // (service, peer) → callee service
  OperationLink Describe(const LinkKey& k) const;
  TopologyStats stats_;
};

}  // namespace augur::topology
