#include "topology/topology.h"

#include "common/time_format.h"

namespace augur::topology {

namespace {

nlohmann::json LatencyJson(const LatencySummary& l) {
  return {{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"mean", l.mean}};
}

}  // namespace

nlohmann::json ToJson(const Topology& t) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeSummary& n : t.nodes) {
    nlohmann::json ops = nlohmann::json::array();
    for (const OperationSummary& o : n.operations) {
      ops.push_back({{"name", o.name},
                     {"span_kind", model::SpanKindName(o.kind)},
                     {"count", o.count},
                     {"errors", o.errors},
                     {"error_origins", o.error_origins},
                     {"self_ms", LatencyJson(o.self_ms)},
                     {"downstream_ms", LatencyJson(o.downstream_ms)}});
    }
    nodes.push_back({{"name", n.name},
                     {"kind", NodeKindName(n.kind)},
                     {"traced", n.traced},
                     {"requests", n.requests},
                     {"errors", n.errors},
                     {"operations", std::move(ops)}});
  }
  nlohmann::json edges = nlohmann::json::array();
  for (const EdgeSummary& e : t.edges) {
    edges.push_back(
        {{"from", e.from},
         {"to", e.to},
         {"to_kind", NodeKindName(e.to_kind)},
         {"operation", e.operation},
         {"calls", e.calls},
         {"errors", e.errors},
         {"latency_ms", LatencyJson(e.latency_ms)},
         {"total",
          {{"calls", e.total_calls}, {"errors", e.total_errors}, {"latency_ms", LatencyJson(e.total_latency_ms)}}}});
  }
  return {{"from", FormatRfc3339(t.from_ns)},
          {"to", FormatRfc3339(t.to_ns)},
          {"watermark", FormatRfc3339(t.watermark_ns)},
          {"resolution_s", static_cast<double>(t.resolution_ns) / 1e9},
          {"nodes", std::move(nodes)},
          {"edges", std::move(edges)}};
}

}  // namespace augur::topology
