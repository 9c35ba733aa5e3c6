// SpanRecord: the part of a span the topology needs, in 48 bytes, so a
// trace can wait in the assembler's buffer without its attributes, events
// and strings (names are NameTable ids).
//
// Also the kinds of graph nodes: a traced service, or a dependency that a
// CLIENT/PRODUCER span names (database, rpc service, queue, external host).
#pragma once

#include <cstdint>

#include "model/telemetry.h"

namespace augur::topology {

enum class NodeKind : uint8_t {
  kService = 0,    // sends spans (resource service.name), or named by peer.service
  kDatabase = 1,   // db.system [+ "/" + db.namespace or db.name]
  kRpc = 2,        // [rpc.system + "/"] rpc.service
  kExternal = 3,   // server.address[:port], net.peer.name
  kMessaging = 4,  // messaging.system [+ "/" + messaging.destination.name]
};
inline constexpr uint8_t kNodeKindCount = 5;
// "service", "database", "rpc", "external", "messaging".
const char* NodeKindName(NodeKind kind);

inline constexpr uint32_t kNoName = UINT32_MAX;

// Flag bits of SpanRecord::flags.
inline constexpr uint8_t kSpanError = 1;      // status ERROR, or a SERVER span with HTTP status >= 500
inline constexpr uint8_t kSpanCalled = 2;     // caller span: its outgoing call has been counted on an edge
inline constexpr uint8_t kSpanEntered = 4;    // its incoming call was counted from it (parent not a caller)
inline constexpr uint8_t kSpanDuplicate = 8;  // same span id as an earlier span of the trace: ignored

struct SpanRecord {
  uint64_t span_id = 0;    // the 8 id bytes as one number (only compared); 0 = absent
  uint64_t parent_id = 0;  // 0 for a root span
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;  // >= start_ns (the builder refuses others)
  uint32_t service = kNoName;
  uint32_t operation = kNoName;
  uint32_t peer = kNoName;  // CLIENT/PRODUCER only: the dependency it names, if any
  model::SpanKind kind = model::SpanKind::kUnspecified;
  NodeKind peer_kind = NodeKind::kExternal;
  uint8_t flags = 0;

  bool error() const { return (flags & kSpanError) != 0; }
  uint64_t duration_ns() const { return end_ns - start_ns; }
};

// Spans that call out of their service: the caller side of an edge.
inline bool IsCaller(model::SpanKind k) {
  return k == model::SpanKind::kClient || k == model::SpanKind::kProducer;
}

}  // namespace augur::topology
