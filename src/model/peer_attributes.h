// The attributes that name the dependency a CLIENT or PRODUCER span calls
// (peer.service, db.*, rpc.*, server.*, net.peer.name, messaging.*), read
// in one pass over a span's attributes.
//
// Why: the RED series and the topology each derive a span's peer from up to
// eleven keys, and asking FindAttribute for each walked the attribute list
// once per key (most keys are absent, so most walks went to the end). One
// pass with a switch on the key's length finds them all.
//
// Each field is exactly FindAttribute(attributes, its key): the first
// attribute with that key, of whatever type, or nullptr. The pointers point
// into the attributes, which must outlive the struct.
#pragma once

#include <string_view>

#include "model/telemetry.h"

namespace augur::model {

struct PeerAttributes {
  const AnyValue* peer_service = nullptr;                // peer.service
  const AnyValue* db_system = nullptr;                   // db.system
  const AnyValue* db_namespace = nullptr;                // db.namespace
  const AnyValue* db_name = nullptr;                     // db.name
  const AnyValue* rpc_service = nullptr;                 // rpc.service
  const AnyValue* rpc_system = nullptr;                  // rpc.system
  const AnyValue* server_address = nullptr;              // server.address
  const AnyValue* server_port = nullptr;                 // server.port
  const AnyValue* net_peer_name = nullptr;               // net.peer.name
  const AnyValue* messaging_system = nullptr;            // messaging.system
  const AnyValue* messaging_destination_name = nullptr;  // messaging.destination.name
};

PeerAttributes ReadPeerAttributes(const Attributes& attributes);

// The value when it is a string, else "" (StringAttribute's rule).
std::string_view StringValue(const AnyValue* value);

}  // namespace augur::model
