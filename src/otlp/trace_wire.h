// The OTLP/HTTP trace decoder that reads protobuf straight from the wire.
//
// Decode() sends trace protobuf here: it fills the model::Batch as it reads
// the body, without building protobuf's messages first (which cost a third
// of augur's time at full ingest: arena allocation, one std::string per
// field, then a second copy into the model). It gives the same results as
// DecodeViaMessages() (decode.h) on every body: the same batch, rejections
// and messages for valid protobuf, and kInvalidArgument for every body
// protobuf's parser refuses (wire_reader.h says what that is), with a
// message that says what is wrong and at which byte. The tests hold it to
// that, on built requests and on truncated and garbled ones.
//
// Protobuf's merge rules are kept: a singular message field sent twice
// (a span's status, a resource, a value) is merged, a scalar's last value
// wins, and a oneof takes its last member.
//
// Thread-safe: a pure function.
#pragma once

#include <string_view>

#include "common/status.h"
#include "otlp/decode.h"

namespace augur::otlp {

// Decodes an ExportTraceServiceRequest in protobuf.
StatusOr<DecodeResult> DecodeTracesFromWire(std::string_view body);

}  // namespace augur::otlp
