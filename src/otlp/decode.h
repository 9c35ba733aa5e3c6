// Decoding of OTLP export requests into the internal model.
//
// Two wire forms reach augur: protobuf (OTLP/gRPC and OTLP/HTTP
// application/x-protobuf) and OTLP JSON (OTLP/HTTP application/json). Both end
// up in the same model::Batch, after the same validation.
//
// Validation follows "do not crash on bad input; drop, count and go on": a
// body that cannot be parsed at all is an error (kInvalidArgument, with a
// message that says where and what; protobuf's parser also refuses string
// fields that are not UTF-8); items that parse but are invalid are
// rejected one by one and counted, and the rest of the batch is kept. The
// rejection count and a message naming the first few problems go back to the
// client as OTLP partial_success.
//
// Rejected items:
//   spans: trace_id not 16 bytes or all zero; span_id not 8 bytes or all
//     zero; parent_span_id neither empty nor 8 bytes; end before start;
//     start time 0.
//   log records: trace_id neither empty nor 16 bytes; span_id neither empty
//     nor 8 bytes.
//   metric data points: time 0; a metric with no data (counts as one point);
//     histogram bucket_counts that do not number explicit_bounds + 1 (or 0);
//     bounds that are not increasing.
//   any item: an attribute value or log body nested more than 32 arrays or
//     key-value lists deep (it protects the stack); when a resource's or
//     scope's attributes are, all of its items.
// Not rejected: a link id of the wrong size becomes absent (all zero), and a
// metric whose points were all rejected, or which had none, is left out.
//
// The batch holds one Resource per ResourceSpans/Metrics/Logs and one Scope
// per ScopeSpans/Metrics/Logs that kept an item (no deduplication across
// them), in request order.
//
// OTLP JSON: ids are hex (an id that is not hex rejects its item, as one of
// the wrong size would); keys may be lowerCamelCase or the proto names; enums
// numbers or names; 64-bit integers numbers or strings; unknown fields are
// ignored. Documents nested deeper than 100 levels are kInvalidArgument.
//
// Messages (Status and error_message) are short ASCII: they name positions
// and problems but never quote the sender's strings at length.
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/telemetry.h"

namespace opentelemetry::proto::collector::trace::v1 {
class ExportTraceServiceRequest;
}
namespace opentelemetry::proto::collector::metrics::v1 {
class ExportMetricsServiceRequest;
}
namespace opentelemetry::proto::collector::logs::v1 {
class ExportLogsServiceRequest;
}

namespace augur::otlp {

enum class Signal { kTraces, kMetrics, kLogs };
const char* SignalName(Signal signal);  // "traces", "metrics", "logs"

enum class Encoding { kProtobuf, kJson };

struct DecodeResult {
  model::Batch batch;
  int64_t rejected = 0;       // spans, data points or log records rejected
  std::string error_message;  // empty when nothing was rejected
};

// Decodes a (decompressed) request body of `signal` in `encoding`.
StatusOr<DecodeResult> Decode(Signal signal, Encoding encoding, std::string_view body);

// The same through protobuf's generated classes: the body is parsed into
// messages, then converted. Decode does this for all but trace protobuf,
// which it reads straight from the wire (trace_wire.h) because that is most
// of augur's input and building the messages first cost a third of its
// time. The two must agree; this one is the reference the tests hold the
// wire reader to. Only the messages of a malformed body's error differ.
StatusOr<DecodeResult> DecodeViaMessages(Signal signal, Encoding encoding, std::string_view body);

// For gRPC, which hands us parsed messages.
DecodeResult FromProto(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request);
DecodeResult FromProto(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request);
DecodeResult FromProto(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request);

// Encodes the export response for OTLP/HTTP in the request's encoding:
// an empty message on full success (rejected == 0 and no message),
// partial_success otherwise. JSON is proto3 JSON: `{}`, or
// {"partialSuccess":{"rejectedSpans":"2","errorMessage":"..."}}.
std::string EncodeResponse(Signal signal, Encoding encoding, int64_t rejected, const std::string& error_message);

// google.rpc.Status for OTLP/HTTP error bodies (code + message), in the
// request's encoding, as the OTLP specification asks. Strings must be UTF-8
// (proto3 strings); Decode's messages always are.
std::string EncodeErrorStatus(Encoding encoding, int grpc_code, const std::string& message);

}  // namespace augur::otlp
