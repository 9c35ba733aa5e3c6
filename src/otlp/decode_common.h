// What the OTLP decoders share: where a problem is in a request, how
// rejected items are counted and described, and what makes a span invalid
// (decode.h lists the rules). Internal to src/otlp.
//
// Two decoders read trace protobuf: protobuf's generated classes (gRPC, and
// the reference the tests use) and the wire reader (trace_wire.h, OTLP/HTTP).
// Both use these, so a request gets the same counts and messages from either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/telemetry.h"
#include "otlp/decode.h"

namespace augur::otlp::internal {

// Arrays and key-value lists may nest this deep inside an attribute value or
// log body (decode.h). The message-based conversion recurses once per level,
// so the limit bounds stack use for messages that did not come through our
// parser (gRPC hands us messages that protobuf let nest up to 100 levels).
inline constexpr int kMaxValueNesting = 32;
inline constexpr const char* kTooDeep = "attribute value nested deeper than 32 levels";
inline constexpr const char* kLogTooDeep = "attribute value or body nested deeper than 32 levels";

// The request's field names for each level, to say where a problem is in
// terms the sender can look up.
struct FieldNames {
  const char* resources;
  const char* scopes;
  const char* items;
};
inline constexpr FieldNames kTraceFields{"resource_spans", "scope_spans", "spans"};
inline constexpr FieldNames kMetricFields{"resource_metrics", "scope_metrics", "metrics"};
inline constexpr FieldNames kLogFields{"resource_logs", "scope_logs", "log_records"};

// Where something is in a request. -1 means "not down to this level": a
// problem with a resource's own fields has scope == -1, and so on.
struct Position {
  const FieldNames* fields;
  int resource = -1;
  int scope = -1;
  int item = -1;
  int point = -1;  // metrics: index into the metric's data_points

  std::string ToString() const;
};

// Counts rejected items and describes the first few problems. Messages only
// ever hold our own text and numbers, never the sender's strings, so their
// length stays bounded whatever the request contains.
class Rejections {
 public:
  Rejections(const char* singular, const char* plural) : singular_(singular), plural_(plural) {}

  void Add(int64_t count, const Position& where, std::string_view problem);
  void Finish(DecodeResult* result) const;

 private:
  const char* singular_;
  const char* plural_;
  int64_t count_ = 0;
  int problems_ = 0;
  std::string details_;
};

// The reason a span with these fields is invalid, or "" when it is valid.
// Ids are the raw bytes from the wire.
std::string SpanProblem(std::string_view trace_id, std::string_view span_id, std::string_view parent_span_id,
                        uint64_t start_time_unix_nano, uint64_t end_time_unix_nano);

model::SpanKind ToSpanKind(int kind);      // unknown numbers: kUnspecified
model::StatusCode ToStatusCode(int code);  // unknown numbers: kUnset

// Whether `value` nests at most kMaxValueNesting arrays or key-value lists,
// counted from `nesting` (an attribute's value is at 0).
bool WithinNesting(const model::AnyValue& value, int nesting = 0);

}  // namespace augur::otlp::internal
