// Topology: a snapshot of the service graph over an event-time window, and
// its JSON form for GET /api/v1/topology?from=&to=.
//
// JSON (times RFC 3339 UTC, durations in ms; lists sorted by name):
//   {"from": "…", "to": "…",           the window asked for: buckets starting in [from, to)
//    "watermark": "…",                 event time up to which traces are complete
//    "resolution_s": 5,                width of the buckets summed (5 s, or 60 s for older windows)
//    "nodes": [
//      {"name": "writer", "kind": "service", "traced": true,
//       "requests": 120, "errors": 3,  SERVER and CONSUMER spans in the window
//       "operations": [
//         {"name": "POST /items", "span_kind": "SERVER", "count": 120, "errors": 3,
//          "error_origins": 1,         errors none of whose children failed
//          "self_ms": {"p50": 1.2, "p90": 3.4, "p99": 9.0, "mean": 1.5},
//          "downstream_ms": {"p50": …, "p90": …, "p99": …, "mean": …}}]},
//      {"name": "redis/items", "kind": "database", "traced": false, "requests": 0, "errors": 0,
//       "operations": []}],
//    "edges": [
//      {"from": "gateway", "to": "writer", "to_kind": "service", "operation": "POST /items",
//       "calls": 120, "errors": 3, "latency_ms": {"p50": …, "p90": …, "p99": …, "mean": …},
//       "total": {"calls": 5000, "errors": 20, "latency_ms": {…}}}]}  since the edge was first seen
// A node is (name, kind): kinds are service, database, rpc, external,
// messaging. Edges always start at a service; "to" with "to_kind" names the
// target node. Only nodes and edges with spans in the window are listed.
//
// Plain values; copy freely.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/telemetry.h"
#include "topology/span_record.h"

namespace augur::topology {

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0;
};

struct OperationSummary {
  std::string name;
  model::SpanKind kind = model::SpanKind::kUnspecified;
  uint64_t count = 0, errors = 0, error_origins = 0;
  LatencySummary self_ms, downstream_ms;
};

struct NodeSummary {
  std::string name;
  NodeKind kind = NodeKind::kService;
  bool traced = false;  // sends spans (else only named by callers)
  uint64_t requests = 0, errors = 0;
  std::vector<OperationSummary> operations;  // sorted by (name, kind)
};

struct EdgeSummary {
  std::string from, to;
  NodeKind to_kind = NodeKind::kService;
  std::string operation;
  uint64_t calls = 0, errors = 0;
  LatencySummary latency_ms;
  uint64_t total_calls = 0, total_errors = 0;
  LatencySummary total_latency_ms;
};

struct Topology {
  uint64_t from_ns = 0, to_ns = 0;
  uint64_t watermark_ns = 0;
  uint64_t resolution_ns = 0;
  std::vector<NodeSummary> nodes;  // sorted by (name, kind)
  std::vector<EdgeSummary> edges;  // sorted by (from, to, to_kind, operation)
};

nlohmann::json ToJson(const Topology& topology);

}  // namespace augur::topology
