#include "model/peer_attributes.h"

#include <string>
#include <variant>

namespace augur::model {

namespace {

// The field for `key`, or nullptr when it is none of the peer keys.
const AnyValue** Field(PeerAttributes* p, std::string_view key) {
  switch (key.size()) {
    case 7:
      if (key == "db.name") return &p->db_name;
      break;
    case 9:
      if (key == "db.system") return &p->db_system;
      break;
    case 10:
      if (key == "rpc.system") return &p->rpc_system;
      break;
    case 11:
      if (key == "rpc.service") return &p->rpc_service;
      if (key == "server.port") return &p->server_port;
      break;
    case 12:
      if (key == "peer.service") return &p->peer_service;
      if (key == "db.namespace") return &p->db_namespace;
      break;
    case 13:
      if (key == "net.peer.name") return &p->net_peer_name;
      break;
    case 14:
      if (key == "server.address") return &p->server_address;
      break;
    case 16:
      if (key == "messaging.system") return &p->messaging_system;
      break;
    case 26:
      if (key == "messaging.destination.name") return &p->messaging_destination_name;
      break;
    default: break;
  }
  return nullptr;
}

}  // namespace

PeerAttributes ReadPeerAttributes(const Attributes& attributes) {
  PeerAttributes p;
  for (const KeyValue& kv : attributes) {
    const AnyValue** field = Field(&p, kv.key);
    if (field != nullptr && *field == nullptr) *field = &kv.value;  // the first wins, as in FindAttribute
  }
  return p;
}

std::string_view StringValue(const AnyValue* value) {
  if (value == nullptr) return {};
  if (const auto* s = std::get_if<std::string>(&value->value)) return *s;
  return {};
}

}  // namespace augur::model
