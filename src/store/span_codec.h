// Span blocks: the binary form in which the store keeps spans, many to a
// database row. Internal to the store.
//
// A block holds spans of one resource and scope (the row names those, not
// the block). Decoding gives back exactly what was encoded: attribute order,
// duplicate keys, bytes, and doubles bit for bit (NaN payloads, -0.0) --
// except that a value nested deeper than kMaxValueDepth arrays or key-value
// lists is stored as an empty value (the OTLP decoder accepts half as deep).
//
// Layout. varint: unsigned LEB128 of at most 10 bytes; zigzag: a signed
// value mapped to a varint (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...); differences
// of times wrap modulo 2^64, so any uint64 times round-trip.
//
//   block      := version:1B(=1) base_time:varint span_count:varint
//                 trace_count:varint trace_id:16B * trace_count
//                 shared_count:varint shared_length:varint
//                 (key:string value) * shared_count  -- shared_length bytes
//                 (body_length:varint span_body) * span_count
//   span_body  := trace:varint (an index into the block's trace ids)
//                 start:zigzag (minus base_time: the writer's is at most
//                 the block's lowest start)
//                 end:zigzag (minus start) span_id:8B kind:1B status_code:1B
//                 has_parent:1B (0 or 1) [parent_span_id:8B if 1]
//                 flags:varint name:string trace_state:string
//                 status_message:string attributes
//                 event_count:varint (time:zigzag (minus start) name:string
//                 attributes) * event_count
//                 link_count:varint (trace_id:16B span_id:8B
//                 trace_state:string flags:varint attributes) * link_count
//   attributes := count:varint (ref:varint, then if ref is 0
//                 key:string value) * count  -- ref n > 0: shared attribute n-1
//   string     := length:varint bytes
//   value      := tag:1B then, by tag: 0 empty; 1 string:string; 2 false;
//                 3 true; 4 int:zigzag; 5 double:8B (IEEE 754 bits, little
//                 endian); 6 bytes:string; 7 array: count:varint value*count;
//                 8 key-value list: count:varint (key:string value) * count
//
// Shared attributes: an attribute (of a span, event or link) with a small
// scalar value that occurs more than once in a block is stored once, in the
// block's shared table, from its second occurrence on, and referred to by
// number. Spans of a service repeat most of their attributes (method, route,
// host, status ...), and those were most of a block's bytes, which are most
// of what a Write() costs (each is written to the WAL, then to the
// database). Values that occur once stay inline, so the table, which a
// reader decodes whole, holds only what saves space.
//
// Each span is length-prefixed and begins with its trace and start time, so
// a reader looking for one trace or a time range skips the others unparsed.
// Decoding checks every length, count, tag, index and reference against the
// data, so a corrupt block yields an error, never a crash, an over-read or
// an allocation out of proportion to its size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"

namespace augur::store {

inline constexpr uint8_t kSpanBlockVersion = 1;
inline constexpr int kMaxValueDepth = 64;

// Builds one block at a time; reusable, so its buffers are too.
class SpanBlockBuilder {
 public:
  // Attributes of at most this many bytes of key and value are shared, and
  // the first this many distinct ones of a block are candidates.
  static constexpr size_t kMaxSharedBytes = 256;
  static constexpr size_t kMaxCandidates = 8192;

  SpanBlockBuilder();

  // Starts a new block. Start times are stored as differences from
  // `base_time`, which should be the lowest of them (any value is correct).
  void Reset(uint64_t base_time);
  // Appends a span, which must stay alive and unchanged until the next
  // Reset(). Its resource and scope indexes are not stored.
  void Add(const model::Span& span);

  size_t span_count() const { return span_count_; }
  // The encoded size of the block so far, but for its small header.
  size_t size_bytes() const { return trace_ids_.size() * 16 + shared_.size() + body_.size(); }
  uint64_t min_start() const { return min_start_; }  // of the spans added; valid when any
  uint64_t max_start() const { return max_start_; }
  // The block's distinct trace ids, in order of first use.
  const std::vector<model::TraceId>& trace_ids() const { return trace_ids_; }

  // Writes the block to `out`, replacing its contents.
  void Finish(std::string* out) const;

 private:
  struct TraceIdHash {
    size_t operator()(const model::TraceId& id) const;
  };
  uint32_t TraceIndex(const model::TraceId& id);
  // Appends `attributes`; `hinted` when they are a span's own, whose
  // attribute at a position is most often the same as the previous span's.
  void PutAttributes(const model::Attributes& attributes, bool hinted, std::string* out);
  // The number of `kv` in the shared table (adding it when seen before), or
  // 0 to store it inline.
  uint32_t Shared(const model::KeyValue& kv, size_t position, bool hinted);
  void SetHint(size_t position, bool hinted, uint32_t candidate);

  // A distinct attribute seen in the block.
  struct Candidate {
    const model::KeyValue* kv;
    uint32_t shared;  // its number in the shared table, 0 while seen once
    uint32_t slot;    // in slots_
  };

  uint64_t base_time_ = 0;
  size_t span_count_ = 0;
  uint64_t min_start_ = 0;
  uint64_t max_start_ = 0;
  std::vector<model::TraceId> trace_ids_;
  std::unordered_map<model::TraceId, uint32_t, TraceIdHash> trace_index_;
  uint32_t last_trace_ = 0;  // consecutive spans often share a trace

  std::string shared_;  // the encoded shared table
  uint32_t shared_count_ = 0;
  std::vector<Candidate> candidates_;
  std::vector<uint32_t> slots_;  // hash table over candidates_: index + 1, or 0
  std::vector<uint32_t> hints_;  // by span attribute position: the candidate there last, + 1, or 0

  std::string body_;  // the length-prefixed spans
  std::string span_;  // one span's body, before its length is known
};

// Reads a block's spans in order. A span's trace id and start time are at
// hand before the rest of it is decoded, so a reader decodes only the spans
// it wants:
//
//   SpanBlockReader reader(block);
//   while (reader.Next()) {
//     if (reader.trace_id() != wanted) continue;
//     model::Span span;
//     if (!reader.Decode(&span)) break;
//     ...
//   }
//   if (!reader.status().ok()) ...
//
// Errors (kIOError, naming what is wrong and where) end the reading.
class SpanBlockReader {
 public:
  explicit SpanBlockReader(std::span<const uint8_t> block);

  // Moves to the next span: false at the end of the block or on error.
  bool Next();
  // The current span's.
  const model::TraceId& trace_id() const { return trace_id_; }
  uint64_t start_time() const { return start_; }
  // Decodes the current span, with resource and scope index 0 (`span`
  // should be empty): false on error.
  bool Decode(model::Span* span);

  const Status& status() const { return status_; }

 private:
  bool Fail(Status status);
  bool ReadHeader();
  bool ReadShared();

  std::span<const uint8_t> block_;
  size_t next_ = 0;  // offset of the next span's length
  size_t spans_left_ = 0;
  uint64_t base_time_ = 0;
  std::span<const uint8_t> traces_;
  size_t shared_count_ = 0;
  std::span<const uint8_t> shared_bytes_;
  size_t shared_offset_ = 0;
  bool shared_read_ = false;
  std::vector<model::KeyValue> shared_;
  // The current span: its fields after trace and start, and their offset.
  model::TraceId trace_id_{};
  uint64_t start_ = 0;
  std::span<const uint8_t> rest_;
  size_t rest_offset_ = 0;
  Status status_;
};

}  // namespace augur::store
