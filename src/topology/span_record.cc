#include "topology/span_record.h"

namespace augur::topology {

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kService: return "service";
    case NodeKind::kDatabase: return "database";
    case NodeKind::kRpc: return "rpc";
    case NodeKind::kExternal: return "external";
    case NodeKind::kMessaging: return "messaging";
  }
  return "external";
}

}  // namespace augur::topology
