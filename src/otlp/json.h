// OTLP JSON → protobuf message (internal to src/otlp).
//
// OTLP JSON is the proto3 JSON mapping with these differences (OTLP
// specification, "JSON Protobuf Encoding"): trace and span ids are hex
// strings, not base64; enums may be integers; unknown fields are ignored.
// JsonToProto rewrites the ids to base64 in one streaming pass over the
// document (which also checks its syntax and depth) and lets protobuf's JSON
// parser do the rest, so both wire forms go through the same FromProto.
#pragma once

#include <string_view>

#include "common/status.h"

namespace google::protobuf {
class Message;
}

namespace augur::otlp {

// Documents may nest this deep, which is also the limit of protobuf's own
// JSON parser, and leaves room for attribute values nested ~30 levels deep.
inline constexpr int kMaxJsonDepth = 100;

// Parses `body` into `message`. A syntax error, a document nested deeper than
// kMaxJsonDepth or a value of the wrong JSON type is kInvalidArgument. An id
// that is not hex becomes a 1-byte id, which every id check rejects, so it
// costs the sender that item, not the request.
Status JsonToProto(std::string_view body, google::protobuf::Message* message);

}  // namespace augur::otlp
