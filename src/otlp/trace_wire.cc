#include "otlp/trace_wire.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "otlp/decode_common.h"
#include "otlp/wire_reader.h"

namespace augur::otlp {
namespace {

using internal::Position;
using wire::Reader;
using wire::WireType;

constexpr uint32_t Tag(uint32_t field, WireType type) {
  return field << 3 | type;
}

bool IsNested(const model::AnyValue& value) {
  return std::holds_alternative<model::ArrayValue>(value.value) ||
         std::holds_alternative<model::Attributes>(value.value);
}

template <size_t N>
void CopyId(std::string_view bytes, std::array<uint8_t, N>* id) {
  std::memcpy(id->data(), bytes.data(), std::min(bytes.size(), N));
}

// Ids are bytes fields, checked once the whole span is read (a field may
// come twice; the last one counts): they stay views into the body till then.
struct SpanIds {
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;
};

// One decode. Each method reads one message type's fields from `m`, whose
// depth_left says how many levels may still nest below it, and returns false
// on a wire error (kept in error_).
class TraceDecoder {
 public:
  explicit TraceDecoder(std::string_view body) : body_(body) {}

  StatusOr<DecodeResult> Run();

 private:
  bool ResourceSpans(Reader& m, int depth_left, int r);
  // Reads a ScopeSpans; its spans go to the batch when `keep`, else they are
  // only checked. Sets *span_count to the number of spans it holds.
  bool ScopeSpans(Reader& m, int depth_left, Position position, bool keep, int64_t* span_count);
  bool Resource(Reader& m, int depth_left, bool* deep);
  bool Scope(Reader& m, int depth_left, bool* deep);
  bool Span(Reader& m, int depth_left, model::Span* out, SpanIds* ids, bool* deep);
  bool Event(Reader& m, int depth_left, model::SpanEvent* out, bool* deep);
  bool Link(Reader& m, int depth_left, model::SpanLink* out, bool* deep);
  bool Status(Reader& m, int depth_left, model::Span* out);
  // Appends the KeyValue message that `parent` is at to `out`; sets *deep
  // when its value nests too deep.
  bool Attribute(Reader& parent, int depth_left, model::Attributes* out, bool* deep);
  bool KeyValue(Reader& m, int depth_left, model::KeyValue* out);
  bool AnyValue(Reader& m, int depth_left, model::AnyValue* out);

  // Points `span` at the current resource and scope, adding them to the
  // batch if it is their first kept span.
  void Attach(model::Span* span);

  Reader Body() { return Reader(body_, body_.data(), &error_); }

  const std::string_view body_;
  wire::Error error_;
  DecodeResult result_;
  internal::Rejections rejections_{"span", "spans"};

  model::Resource resource_;
  model::Scope scope_;
  std::optional<uint32_t> resource_index_;
  std::optional<uint32_t> scope_index_;
  model::Span scratch_;  // spans only checked, not kept
  // The most attributes a span of this request has had so far (at most 64):
  // a request's spans come from a few instrumentations with a few counts each
  // (a server span 10, a database call 8, ...), and reserving the last span's
  // count reallocated (moving every attribute) whenever a span had more than
  // the one before it.
  size_t attribute_hint_ = 0;
};

StatusOr<DecodeResult> TraceDecoder::Run() {
  // Spans take at least 32 bytes on the wire; reserve what the last request
  // on this thread needed, as requests mostly come from the same senders.
  thread_local size_t last_span_count = 0;
  result_.batch.spans.reserve(std::min(last_span_count, body_.size() / 32));

  Reader request = Body();
  uint32_t field;
  WireType type;
  int r = 0;
  while (request.Next(&field, &type)) {
    if (Tag(field, type) == Tag(1, wire::kLength)) {
      Reader resource_spans = Body();
      if (!request.Message(wire::kMaxDepth, &resource_spans) ||
          !ResourceSpans(resource_spans, wire::kMaxDepth - 1, r++)) {
        break;
      }
    } else if (!request.Skip(field, type, wire::kMaxDepth)) {
      break;
    }
  }
  if (error_.what != nullptr) {
    std::string message = "cannot parse ExportTraceServiceRequest protobuf: " + std::string(error_.what) + " at byte " +
                          std::to_string(error_.offset) + " of " + std::to_string(body_.size());
    if (body_.starts_with("\x1f\x8b")) message += "; the body is gzip data, is Content-Encoding missing?";
    if (body_.starts_with("{")) message += "; the body looks like JSON, is Content-Type wrong?";
    return Status::InvalidArgument(std::move(message));
  }
  last_span_count = result_.batch.spans.size();
  rejections_.Finish(&result_);
  return std::move(result_);
}

bool TraceDecoder::ResourceSpans(Reader& m, int depth_left, int r) {
  // The resource may follow its scopes on the wire, or come in parts (which
  // merge), so a first pass finds it, and checks this level's fields,
  // before any span is read.
  std::vector<Reader> parts;
  std::string_view schema_url;
  Reader scan = m;
  uint32_t field;
  WireType type;
  while (scan.Next(&field, &type)) {
    Reader sub = Body();
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!scan.Message(depth_left, &sub)) return false;
        parts.push_back(sub);
        break;
      case Tag(2, wire::kLength):
        if (!scan.Message(depth_left, &sub)) return false;
        break;
      case Tag(3, wire::kLength):
        if (!scan.String(&schema_url)) return false;
        break;
      default:
        if (!scan.Skip(field, type, depth_left)) return false;
    }
  }
  if (!scan.ok()) return false;

  resource_ = model::Resource{};
  resource_index_.reset();
  bool deep = false;
  for (Reader& part : parts) {
    if (!Resource(part, depth_left - 1, &deep)) return false;
  }
  const std::string_view service = model::StringAttribute(resource_.attributes, "service.name");
  resource_.service_name = service.empty() ? "unknown_service" : std::string(service);
  resource_.schema_url = schema_url;

  Position position{&internal::kTraceFields, r};
  int64_t rejected = 0;
  int s = 0;
  while (m.Next(&field, &type)) {
    if (Tag(field, type) == Tag(2, wire::kLength)) {
      Reader scope_spans = Body();
      if (!m.Message(depth_left, &scope_spans)) return false;
      position.scope = s++;
      int64_t span_count = 0;
      if (!ScopeSpans(scope_spans, depth_left - 1, position, !deep, &span_count)) return false;
      rejected += span_count;
    } else if (!m.Skip(field, type, depth_left)) {
      return false;
    }
  }
  if (!m.ok()) return false;
  if (deep) rejections_.Add(rejected, Position{&internal::kTraceFields, r}, internal::kTooDeep);
  return true;
}

bool TraceDecoder::ScopeSpans(Reader& m, int depth_left, Position position, bool keep, int64_t* span_count) {
  std::vector<Reader> parts;  // the scope, perhaps in parts; it may follow the spans
  int64_t spans = 0;
  Reader scan = m;
  uint32_t field;
  WireType type;
  while (scan.Next(&field, &type)) {
    Reader sub = Body();
    std::string_view schema_url;  // not kept, but protobuf checks it is UTF-8
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!scan.Message(depth_left, &sub)) return false;
        parts.push_back(sub);
        break;
      case Tag(2, wire::kLength):
        if (!scan.Message(depth_left, &sub)) return false;
        ++spans;
        break;
      case Tag(3, wire::kLength):
        if (!scan.String(&schema_url)) return false;
        break;
      default:
        if (!scan.Skip(field, type, depth_left)) return false;
    }
  }
  if (!scan.ok()) return false;
  *span_count = spans;

  scope_ = model::Scope{};
  scope_index_.reset();
  bool deep = false;
  for (Reader& part : parts) {
    if (!Scope(part, depth_left - 1, &deep)) return false;
  }
  if (keep && deep) {
    position.item = -1;
    rejections_.Add(spans, position, internal::kTooDeep);
    keep = false;
  }

  int i = 0;
  while (m.Next(&field, &type)) {
    if (Tag(field, type) != Tag(2, wire::kLength)) {
      if (!m.Skip(field, type, depth_left)) return false;
      continue;
    }
    Reader span_reader = Body();
    if (!m.Message(depth_left, &span_reader)) return false;
    position.item = i++;
    model::Span* span = &scratch_;
    if (keep) {
      span = &result_.batch.spans.emplace_back();
    } else {
      scratch_ = model::Span{};
    }
    span->attributes.reserve(attribute_hint_);
    SpanIds ids;
    bool span_deep = false;
    if (!Span(span_reader, depth_left - 1, span, &ids, &span_deep)) return false;
    attribute_hint_ = std::max(attribute_hint_, std::min<size_t>(span->attributes.size(), 64));
    if (!keep) continue;
    std::string problem = internal::SpanProblem(ids.trace_id, ids.span_id, ids.parent_span_id,
                                                span->start_time_unix_nano, span->end_time_unix_nano);
    if (problem.empty() && span_deep) problem = internal::kTooDeep;
    if (!problem.empty()) {
      result_.batch.spans.pop_back();
      rejections_.Add(1, position, problem);
      continue;
    }
    CopyId(ids.trace_id, &span->trace_id);
    CopyId(ids.span_id, &span->span_id);
    if (!ids.parent_span_id.empty()) CopyId(ids.parent_span_id, &span->parent_span_id);
    Attach(span);
  }
  return m.ok();
}

void TraceDecoder::Attach(model::Span* span) {
  model::Batch& batch = result_.batch;
  if (!resource_index_) {
    resource_index_ = static_cast<uint32_t>(batch.resources.size());
    batch.resources.push_back(std::move(resource_));
  }
  if (!scope_index_) {
    scope_index_ = static_cast<uint32_t>(batch.scopes.size());
    batch.scopes.push_back(std::move(scope_));
  }
  span->resource_index = *resource_index_;
  span->scope_index = *scope_index_;
}

bool TraceDecoder::Resource(Reader& m, int depth_left, bool* deep) {
  uint32_t field;
  WireType type;
  while (m.Next(&field, &type)) {
    if (Tag(field, type) == Tag(1, wire::kLength)) {
      if (!Attribute(m, depth_left, &resource_.attributes, deep)) return false;
    } else if (!m.Skip(field, type, depth_left)) {  // dropped_attributes_count, unknown fields
      return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::Scope(Reader& m, int depth_left, bool* deep) {
  uint32_t field;
  WireType type;
  std::string_view s;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!m.String(&s)) return false;
        scope_.name.assign(s);
        break;
      case Tag(2, wire::kLength):
        if (!m.String(&s)) return false;
        scope_.version.assign(s);
        break;
      case Tag(3, wire::kLength):
        if (!Attribute(m, depth_left, &scope_.attributes, deep)) return false;
        break;
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::Span(Reader& m, int depth_left, model::Span* out, SpanIds* ids, bool* deep) {
  uint32_t field;
  WireType type;
  std::string_view s;
  uint64_t v;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!m.Bytes(&ids->trace_id)) return false;
        break;
      case Tag(2, wire::kLength):
        if (!m.Bytes(&ids->span_id)) return false;
        break;
      case Tag(3, wire::kLength):
        if (!m.String(&s)) return false;
        out->trace_state.assign(s);
        break;
      case Tag(4, wire::kLength):
        if (!m.Bytes(&ids->parent_span_id)) return false;
        break;
      case Tag(5, wire::kLength):
        if (!m.String(&s)) return false;
        out->name.assign(s);
        break;
      case Tag(6, wire::kVarint):
        if (!m.Varint(&v)) return false;
        out->kind = internal::ToSpanKind(static_cast<int32_t>(v));  // an enum is an int32
        break;
      case Tag(7, wire::kFixed64):
        if (!m.Fixed64(&out->start_time_unix_nano)) return false;
        break;
      case Tag(8, wire::kFixed64):
        if (!m.Fixed64(&out->end_time_unix_nano)) return false;
        break;
      case Tag(9, wire::kLength):
        if (!Attribute(m, depth_left, &out->attributes, deep)) return false;
        break;
      case Tag(11, wire::kLength): {
        Reader event = Body();
        if (!m.Message(depth_left, &event) || !Event(event, depth_left - 1, &out->events.emplace_back(), deep)) {
          return false;
        }
        break;
      }
      case Tag(13, wire::kLength): {
        Reader link = Body();
        if (!m.Message(depth_left, &link) || !Link(link, depth_left - 1, &out->links.emplace_back(), deep)) {
          return false;
        }
        break;
      }
      case Tag(15, wire::kLength): {
        Reader status = Body();
        if (!m.Message(depth_left, &status) || !Status(status, depth_left - 1, out)) return false;
        break;
      }
      case Tag(16, wire::kFixed32):
        if (!m.Fixed32(&out->flags)) return false;
        break;
      default:  // the dropped counts (10, 12, 14), unknown fields
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::Event(Reader& m, int depth_left, model::SpanEvent* out, bool* deep) {
  uint32_t field;
  WireType type;
  std::string_view s;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kFixed64):
        if (!m.Fixed64(&out->time_unix_nano)) return false;
        break;
      case Tag(2, wire::kLength):
        if (!m.String(&s)) return false;
        out->name.assign(s);
        break;
      case Tag(3, wire::kLength):
        if (!Attribute(m, depth_left, &out->attributes, deep)) return false;
        break;
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::Link(Reader& m, int depth_left, model::SpanLink* out, bool* deep) {
  uint32_t field;
  WireType type;
  std::string_view s, trace_id, span_id;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!m.Bytes(&trace_id)) return false;
        break;
      case Tag(2, wire::kLength):
        if (!m.Bytes(&span_id)) return false;
        break;
      case Tag(3, wire::kLength):
        if (!m.String(&s)) return false;
        out->trace_state.assign(s);
        break;
      case Tag(4, wire::kLength):
        if (!Attribute(m, depth_left, &out->attributes, deep)) return false;
        break;
      case Tag(6, wire::kFixed32):
        if (!m.Fixed32(&out->flags)) return false;
        break;
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  if (!m.ok()) return false;
  // Links are not validated (decode.h): an id of the wrong size is absent.
  if (trace_id.size() == 16) CopyId(trace_id, &out->trace_id);
  if (span_id.size() == 8) CopyId(span_id, &out->span_id);
  return true;
}

bool TraceDecoder::Status(Reader& m, int depth_left, model::Span* out) {
  uint32_t field;
  WireType type;
  std::string_view s;
  uint64_t v;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(2, wire::kLength):
        if (!m.String(&s)) return false;
        out->status_message.assign(s);
        break;
      case Tag(3, wire::kVarint):
        if (!m.Varint(&v)) return false;
        out->status_code = internal::ToStatusCode(static_cast<int32_t>(v));
        break;
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::Attribute(Reader& parent, int depth_left, model::Attributes* out, bool* deep) {
  Reader kv = Body();
  if (!parent.Message(depth_left, &kv)) return false;
  model::KeyValue& attribute = out->emplace_back();
  if (!KeyValue(kv, depth_left - 1, &attribute)) return false;
  if (IsNested(attribute.value) && !internal::WithinNesting(attribute.value)) *deep = true;
  return true;
}

bool TraceDecoder::KeyValue(Reader& m, int depth_left, model::KeyValue* out) {
  uint32_t field;
  WireType type;
  std::string_view s;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!m.String(&s)) return false;
        out->key.assign(s);
        break;
      case Tag(2, wire::kLength): {
        Reader value = Body();
        // A second value field merges into the first, as protobuf does.
        if (!m.Message(depth_left, &value) || !AnyValue(value, depth_left - 1, &out->value)) return false;
        break;
      }
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

bool TraceDecoder::AnyValue(Reader& m, int depth_left, model::AnyValue* out) {
  uint32_t field;
  WireType type;
  std::string_view s;
  uint64_t v;
  while (m.Next(&field, &type)) {
    switch (Tag(field, type)) {
      case Tag(1, wire::kLength):
        if (!m.String(&s)) return false;
        out->value.emplace<std::string>(s);
        break;
      case Tag(2, wire::kVarint):
        if (!m.Varint(&v)) return false;
        out->value = v != 0;
        break;
      case Tag(3, wire::kVarint):
        if (!m.Varint(&v)) return false;
        out->value = static_cast<int64_t>(v);
        break;
      case Tag(4, wire::kFixed64): {
        if (!m.Fixed64(&v)) return false;
        double d;
        std::memcpy(&d, &v, sizeof d);
        out->value = d;
        break;
      }
      case Tag(5, wire::kLength): {
        Reader array = Body();
        if (!m.Message(depth_left, &array)) return false;
        // The oneof keeps its array when sent again (merged), else takes a new one.
        auto* values = std::get_if<model::ArrayValue>(&out->value);
        if (values == nullptr) values = &out->value.emplace<model::ArrayValue>();
        uint32_t f;
        WireType t;
        while (array.Next(&f, &t)) {
          if (Tag(f, t) == Tag(1, wire::kLength)) {
            Reader element = Body();
            if (!array.Message(depth_left - 1, &element) ||
                !AnyValue(element, depth_left - 2, &values->emplace_back())) {
              return false;
            }
          } else if (!array.Skip(f, t, depth_left - 1)) {
            return false;
          }
        }
        if (!array.ok()) return false;
        break;
      }
      case Tag(6, wire::kLength): {
        Reader list = Body();
        if (!m.Message(depth_left, &list)) return false;
        auto* values = std::get_if<model::Attributes>(&out->value);
        if (values == nullptr) values = &out->value.emplace<model::Attributes>();
        uint32_t f;
        WireType t;
        while (list.Next(&f, &t)) {
          if (Tag(f, t) == Tag(1, wire::kLength)) {
            Reader element = Body();
            if (!list.Message(depth_left - 1, &element) ||
                !KeyValue(element, depth_left - 2, &values->emplace_back())) {
              return false;
            }
          } else if (!list.Skip(f, t, depth_left - 1)) {
            return false;
          }
        }
        if (!list.ok()) return false;
        break;
      }
      case Tag(7, wire::kLength):
        if (!m.Bytes(&s)) return false;
        out->value.emplace<model::Bytes>(s.begin(), s.end());
        break;
      default:
        if (!m.Skip(field, type, depth_left)) return false;
    }
  }
  return m.ok();
}

}  // namespace

StatusOr<DecodeResult> DecodeTracesFromWire(std::string_view body) {
  return TraceDecoder(body).Run();
}

}  // namespace augur::otlp
