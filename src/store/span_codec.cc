#include "store/span_codec.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "common/short_bytes.h"

namespace augur::store {
namespace {

enum Tag : uint8_t {
  kEmpty = 0,
  kString = 1,
  kFalse = 2,
  kTrue = 3,
  kInt = 4,
  kDouble = 5,
  kBytes = 6,
  kArray = 7,
  kKeyValueList = 8,
};

uint64_t Zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t Unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
// The wrapping difference a - b, as a zigzag varint.
uint64_t TimeDelta(uint64_t a, uint64_t b) {
  return Zigzag(static_cast<int64_t>(a - b));
}

// --- Encoding ---

void PutVarint(uint64_t v, std::string* out) {
  if (v < 0x80) {  // most are: counts, lengths, references
    out->push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

std::string_view View(const model::Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

template <size_t N>
void PutId(const std::array<uint8_t, N>& id, std::string* out) {
  out->append(reinterpret_cast<const char*>(id.data()), N);
}

void PutKeyValues(const model::Attributes& kvs, int depth, std::string* out);

void PutValue(const model::AnyValue& value, int depth, std::string* out) {
  struct Visitor {
    int depth;
    std::string* out;
    void operator()(std::monostate) const { out->push_back(kEmpty); }
    void operator()(const std::string& s) const {
      out->push_back(kString);
      PutString(s, out);
    }
    void operator()(bool b) const { out->push_back(b ? kTrue : kFalse); }
    void operator()(int64_t i) const {
      out->push_back(kInt);
      PutVarint(Zigzag(i), out);
    }
    void operator()(double d) const {
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      char buf[9] = {kDouble};
      for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(bits >> (8 * i));
      out->append(buf, sizeof buf);
    }
    void operator()(const model::Bytes& b) const {
      out->push_back(kBytes);
      PutString(View(b), out);
    }
    void operator()(const model::ArrayValue& a) const {
      if (depth >= kMaxValueDepth) {
        out->push_back(kEmpty);
        return;
      }
      out->push_back(kArray);
      PutVarint(a.size(), out);
      for (const auto& v : a) PutValue(v, depth + 1, out);
    }
    void operator()(const model::Attributes& kvs) const {
      if (depth >= kMaxValueDepth) {
        out->push_back(kEmpty);
        return;
      }
      out->push_back(kKeyValueList);
      PutKeyValues(kvs, depth + 1, out);
    }
  };
  std::visit(Visitor{depth, out}, value.value);
}

void PutKeyValue(const model::KeyValue& kv, int depth, std::string* out) {
  PutString(kv.key, out);
  PutValue(kv.value, depth, out);
}

void PutKeyValues(const model::Attributes& kvs, int depth, std::string* out) {
  PutVarint(kvs.size(), out);
  for (const auto& kv : kvs) PutKeyValue(kv, depth, out);
}

// The payload size of a value that may be shared (a scalar), or nullopt.
std::optional<size_t> ScalarSize(const model::AnyValue& value) {
  return std::visit(
      [](const auto& v) -> std::optional<size_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, model::Bytes>) {
          return v.size();
        } else if constexpr (std::is_same_v<T, model::ArrayValue> || std::is_same_v<T, model::Attributes>) {
          return std::nullopt;
        } else {
          return sizeof v;
        }
      },
      value.value);
}

// Equal as the encoding sees them: doubles bit for bit. Scalars only.
bool SameScalar(const model::AnyValue& a, const model::AnyValue& b) {
  if (a.value.index() != b.value.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b.value);
        if constexpr (std::is_same_v<T, std::string>) {
          return SameBytes(x, y);
        } else if constexpr (std::is_same_v<T, model::Bytes>) {
          return SameBytes(View(x), View(y));
        } else if constexpr (std::is_same_v<T, double>) {
          return std::memcmp(&x, &y, sizeof x) == 0;
        } else if constexpr (std::is_same_v<T, model::ArrayValue> || std::is_same_v<T, model::Attributes>) {
          return false;  // not shared
        } else {
          return x == y;
        }
      },
      a.value);
}

bool SameKeyValue(const model::KeyValue& a, const model::KeyValue& b) {
  return a.key == b.key && SameScalar(a.value, b.value);  // interned keys: a pointer comparison
}

size_t HashScalar(const model::AnyValue& value) {
  struct Visitor {
    size_t operator()(std::monostate) const { return 0; }
    size_t operator()(const std::string& s) const { return ShortHash(s); }
    size_t operator()(bool b) const { return b ? 1 : 2; }
    size_t operator()(int64_t i) const { return std::hash<int64_t>()(i); }
    size_t operator()(double d) const {
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return std::hash<uint64_t>()(bits);
    }
    size_t operator()(const model::Bytes& b) const { return ShortHash(View(b)); }
    size_t operator()(const model::ArrayValue&) const { return 0; }
    size_t operator()(const model::Attributes&) const { return 0; }
  };
  return std::visit(Visitor{}, value.value) * 0x9e3779b97f4a7c15ULL + value.value.index();
}

// --- Decoding ---

Status Corrupt(const char* what, size_t offset) {
  return Status::IOError(std::string("corrupt span block: ") + what + " at byte " + std::to_string(offset));
}

// Reads from a byte range. The first failure is kept; reads after it return
// zero values, so decoding code checks ok() where it matters rather than
// after every read.
class Input {
 public:
  // `offset`: where `data` begins in the block, for error messages.
  explicit Input(std::span<const uint8_t> data, size_t offset = 0) : data_(data), offset_(offset) {}

  bool ok() const { return error_ == nullptr; }
  size_t offset() const { return offset_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  void Fail(const char* what) {
    if (error_ == nullptr) {
      error_ = what;
      error_offset_ = offset();
    }
    pos_ = data_.size();
  }
  Status status() const { return ok() ? Status::OK() : Corrupt(error_, error_offset_); }

  uint8_t Byte() {
    if (remaining() < 1) {
      Fail("truncated");
      return 0;
    }
    return data_[pos_++];
  }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (remaining() < 1) {
        Fail("truncated varint");
        return 0;
      }
      const uint8_t b = data_[pos_++];
      // The tenth byte may hold bit 63 only.
      if (shift == 63 && b > 1) {
        Fail("varint overflows 64 bits");
        return 0;
      }
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    return v;  // not reached: the tenth byte ends or fails the varint
  }

  // A count of items that take at least one byte each.
  size_t Count() {
    const uint64_t n = Varint();
    if (n > remaining()) {
      Fail("count exceeds the data");
      return 0;
    }
    return static_cast<size_t>(n);
  }

  std::span<const uint8_t> Take(uint64_t n) {
    if (n > remaining()) {
      Fail("length exceeds the data");
      return {};
    }
    const auto out = data_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }

  std::string String() { return std::string(StringView()); }
  // Valid while the block's bytes are.
  std::string_view StringView() {
    const auto bytes = Take(Varint());
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  template <size_t N>
  std::array<uint8_t, N> Id() {
    std::array<uint8_t, N> id{};
    const auto bytes = Take(N);
    if (!bytes.empty()) std::memcpy(id.data(), bytes.data(), N);
    return id;
  }

  uint32_t Uint32() {
    const uint64_t v = Varint();
    if (v > UINT32_MAX) {
      Fail("value exceeds 32 bits");
      return 0;
    }
    return static_cast<uint32_t>(v);
  }

 private:
  std::span<const uint8_t> data_;
  size_t offset_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  size_t error_offset_ = 0;
};

void GetKeyValues(Input& in, int depth, model::Attributes* out);

void GetValue(Input& in, int depth, model::AnyValue* out) {
  switch (in.Byte()) {
    case kEmpty: out->value = std::monostate{}; return;
    case kString: out->value = in.String(); return;
    case kFalse: out->value = false; return;
    case kTrue: out->value = true; return;
    case kInt: out->value = Unzigzag(in.Varint()); return;
    case kDouble: {
      const auto bytes = in.Take(8);
      uint64_t bits = 0;
      for (size_t i = 0; i < bytes.size(); ++i) bits |= static_cast<uint64_t>(bytes[i]) << (8 * i);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      out->value = d;
      return;
    }
    case kBytes: {
      const auto bytes = in.Take(in.Varint());
      out->value = model::Bytes(bytes.begin(), bytes.end());
      return;
    }
    case kArray: {
      if (depth >= kMaxValueDepth) return in.Fail("values nested too deeply");
      auto& array = out->value.emplace<model::ArrayValue>();
      // Grown as items decode, so a corrupt count cannot allocate much.
      for (size_t n = in.Count(); n > 0 && in.ok(); --n) GetValue(in, depth + 1, &array.emplace_back());
      return;
    }
    case kKeyValueList:
      if (depth >= kMaxValueDepth) return in.Fail("values nested too deeply");
      GetKeyValues(in, depth + 1, &out->value.emplace<model::Attributes>());
      return;
    default: in.Fail("unknown value tag");
  }
}

void GetKeyValue(Input& in, int depth, model::KeyValue* out) {
  out->key = model::AttributeKey(in.StringView());  // interned straight from the block's bytes
  GetValue(in, depth, &out->value);
}

void GetKeyValues(Input& in, int depth, model::Attributes* out) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) GetKeyValue(in, depth, &out->emplace_back());
}

// Decodes a span's fields after its trace and start, but for attributes,
// which `attributes` reads.
template <typename ReadAttributes>
void GetSpanRest(Input& in, const ReadAttributes& attributes, model::Span* span) {
  span->end_time_unix_nano = span->start_time_unix_nano + static_cast<uint64_t>(Unzigzag(in.Varint()));
  span->span_id = in.Id<8>();
  span->kind = static_cast<model::SpanKind>(in.Byte());
  span->status_code = static_cast<model::StatusCode>(in.Byte());
  switch (in.Byte()) {
    case 0: break;
    case 1: span->parent_span_id = in.Id<8>(); break;
    default: return in.Fail("bad parent marker");
  }
  span->flags = in.Uint32();
  span->name = in.String();
  span->trace_state = in.String();
  span->status_message = in.String();
  attributes(&span->attributes);
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    model::SpanEvent& event = span->events.emplace_back();
    event.time_unix_nano = span->start_time_unix_nano + static_cast<uint64_t>(Unzigzag(in.Varint()));
    event.name = in.String();
    attributes(&event.attributes);
  }
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    model::SpanLink& link = span->links.emplace_back();
    link.trace_id = in.Id<16>();
    link.span_id = in.Id<8>();
    link.trace_state = in.String();
    link.flags = in.Uint32();
    attributes(&link.attributes);
  }
}

}  // namespace

size_t SpanBlockBuilder::TraceIdHash::operator()(const model::TraceId& id) const {
  // Trace ids are random (W3C trace context: at least their last 7 bytes).
  uint64_t h;
  std::memcpy(&h, id.data() + 8, sizeof h);
  return static_cast<size_t>(h);
}

SpanBlockBuilder::SpanBlockBuilder() : slots_(2 * kMaxCandidates) {}

void SpanBlockBuilder::Reset(uint64_t base_time) {
  base_time_ = base_time;
  span_count_ = 0;
  min_start_ = max_start_ = 0;
  trace_ids_.clear();
  trace_index_.clear();
  last_trace_ = 0;
  shared_.clear();
  shared_count_ = 0;
  for (const Candidate& c : candidates_) slots_[c.slot] = 0;
  candidates_.clear();
  hints_.clear();
  body_.clear();
}

uint32_t SpanBlockBuilder::TraceIndex(const model::TraceId& id) {
  if (!trace_ids_.empty() && trace_ids_[last_trace_] == id) return last_trace_;
  const auto [it, inserted] = trace_index_.try_emplace(id, static_cast<uint32_t>(trace_ids_.size()));
  if (inserted) trace_ids_.push_back(id);
  return last_trace_ = it->second;
}

void SpanBlockBuilder::SetHint(size_t position, bool hinted, uint32_t candidate) {
  if (!hinted) return;
  if (position >= hints_.size()) hints_.resize(position + 1, 0);
  hints_[position] = candidate;
}

uint32_t SpanBlockBuilder::Shared(const model::KeyValue& kv, size_t position, bool hinted) {
  const std::optional<size_t> size = ScalarSize(kv.value);
  if (!size || kv.key.size() + *size > kMaxSharedBytes) return 0;
  // A span's attribute is most often the one the previous span had at the
  // same position: that check saves hashing.
  uint32_t found = 0;  // candidate index + 1
  if (hinted && position < hints_.size() && hints_[position] != 0 &&
      SameKeyValue(*candidates_[hints_[position] - 1].kv, kv)) {
    found = hints_[position];
  } else {
    // Linear probing in a table twice the size of the most candidates.
    const size_t mask = slots_.size() - 1;
    size_t slot = (kv.key.Hash() ^ HashScalar(kv.value)) & mask;
    for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
      if (SameKeyValue(*candidates_[slots_[slot] - 1].kv, kv)) break;
    }
    found = slots_[slot];
    if (found == 0) {  // seen for the first time: a candidate, stored inline
      if (candidates_.size() < kMaxCandidates) {
        candidates_.push_back({&kv, 0, static_cast<uint32_t>(slot)});
        slots_[slot] = static_cast<uint32_t>(candidates_.size());
        SetHint(position, hinted, slots_[slot]);
      }
      return 0;
    }
  }
  SetHint(position, hinted, found);
  Candidate& candidate = candidates_[found - 1];
  if (candidate.shared == 0) {
    PutKeyValue(kv, 0, &shared_);
    candidate.shared = ++shared_count_;
  }
  return candidate.shared;
}

void SpanBlockBuilder::PutAttributes(const model::Attributes& attributes, bool hinted, std::string* out) {
  PutVarint(attributes.size(), out);
  for (size_t i = 0; i < attributes.size(); ++i) {
    const uint32_t shared = Shared(attributes[i], i, hinted);
    PutVarint(shared, out);
    if (shared == 0) PutKeyValue(attributes[i], 0, out);
  }
}

void SpanBlockBuilder::Add(const model::Span& span) {
  const uint64_t start = span.start_time_unix_nano;
  min_start_ = span_count_ == 0 ? start : std::min(min_start_, start);
  max_start_ = span_count_ == 0 ? start : std::max(max_start_, start);
  ++span_count_;

  span_.clear();
  PutVarint(TraceIndex(span.trace_id), &span_);
  PutVarint(TimeDelta(start, base_time_), &span_);
  PutVarint(TimeDelta(span.end_time_unix_nano, start), &span_);
  PutId(span.span_id, &span_);
  const bool has_parent = !model::IsZero(span.parent_span_id);
  const char fixed[] = {static_cast<char>(span.kind), static_cast<char>(span.status_code), has_parent};
  span_.append(fixed, sizeof fixed);
  if (has_parent) PutId(span.parent_span_id, &span_);
  PutVarint(span.flags, &span_);
  PutString(span.name, &span_);
  PutString(span.trace_state, &span_);
  PutString(span.status_message, &span_);
  PutAttributes(span.attributes, /*hinted=*/true, &span_);
  PutVarint(span.events.size(), &span_);
  for (const auto& event : span.events) {
    PutVarint(TimeDelta(event.time_unix_nano, start), &span_);
    PutString(event.name, &span_);
    PutAttributes(event.attributes, /*hinted=*/false, &span_);
  }
  PutVarint(span.links.size(), &span_);
  for (const auto& link : span.links) {
    PutId(link.trace_id, &span_);
    PutId(link.span_id, &span_);
    PutString(link.trace_state, &span_);
    PutVarint(link.flags, &span_);
    PutAttributes(link.attributes, /*hinted=*/false, &span_);
  }
  PutString(span_, &body_);
}

void SpanBlockBuilder::Finish(std::string* out) const {
  out->clear();
  out->reserve(64 + size_bytes());
  out->push_back(static_cast<char>(kSpanBlockVersion));
  PutVarint(base_time_, out);
  PutVarint(span_count_, out);
  PutVarint(trace_ids_.size(), out);
  for (const auto& id : trace_ids_) PutId(id, out);
  PutVarint(shared_count_, out);
  PutVarint(shared_.size(), out);
  out->append(shared_);
  out->append(body_);
}

SpanBlockReader::SpanBlockReader(std::span<const uint8_t> block) : block_(block) {
  ReadHeader();
}

bool SpanBlockReader::Fail(Status status) {
  status_ = std::move(status);
  spans_left_ = 0;
  return false;
}

bool SpanBlockReader::ReadHeader() {
  Input in(block_);
  if (const uint8_t version = in.Byte(); version != kSpanBlockVersion) {
    if (!in.ok()) return Fail(in.status());
    return Fail(Status::IOError("span block version " + std::to_string(version) +
                                " unknown; this augur reads version " + std::to_string(kSpanBlockVersion)));
  }
  base_time_ = in.Varint();
  spans_left_ = in.Count();
  const uint64_t trace_count = in.Varint();
  if (trace_count > in.remaining() / 16) in.Fail("trace count exceeds the data");
  traces_ = in.Take(trace_count * 16);
  // The shared table is decoded when a span is, as readers of one trace
  // skip most spans.
  shared_count_ = in.Count();
  const uint64_t shared_length = in.Varint();
  shared_offset_ = in.offset();
  if (shared_count_ > shared_length) in.Fail("shared attribute count exceeds their length");
  shared_bytes_ = in.Take(shared_length);
  next_ = in.offset();
  return in.ok() || Fail(in.status());
}

bool SpanBlockReader::Next() {
  if (spans_left_ == 0) {
    if (status_.ok() && next_ != block_.size()) Fail(Corrupt("data after the last span", next_));
    return false;
  }
  --spans_left_;
  Input in(block_.subspan(next_), next_);
  const auto body = in.Take(in.Varint());
  Input span(body, in.offset() - body.size());
  next_ = in.offset();
  const uint64_t trace = span.Varint();
  start_ = base_time_ + static_cast<uint64_t>(Unzigzag(span.Varint()));
  if (span.ok() && trace >= traces_.size() / 16) span.Fail("trace index out of range");
  if (!in.ok()) return Fail(in.status());
  if (!span.ok()) return Fail(span.status());
  std::memcpy(trace_id_.data(), traces_.data() + trace * 16, 16);
  rest_offset_ = span.offset();
  rest_ = body.subspan(body.size() - span.remaining());
  return true;
}

bool SpanBlockReader::ReadShared() {
  Input in(shared_bytes_, shared_offset_);
  for (size_t n = shared_count_; n > 0 && in.ok(); --n) GetKeyValue(in, 0, &shared_.emplace_back());
  if (in.ok() && in.remaining() != 0) in.Fail("shared attributes longer than their fields");
  shared_read_ = true;
  return in.ok() || Fail(in.status());
}

bool SpanBlockReader::Decode(model::Span* span) {
  if (!status_.ok()) return false;
  Input in(rest_, rest_offset_);
  span->trace_id = trace_id_;
  span->start_time_unix_nano = start_;
  const auto attributes = [&](model::Attributes* out) {
    for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
      const uint64_t ref = in.Varint();
      if (ref == 0) {
        GetKeyValue(in, 0, &out->emplace_back());
      } else if (ref > shared_count_) {
        in.Fail("shared attribute out of range");
      } else if (!shared_read_ && !ReadShared()) {
        in.Fail("bad shared attributes");  // status_ tells what
      } else {
        out->push_back(shared_[ref - 1]);
      }
    }
  };
  GetSpanRest(in, attributes, span);
  if (!status_.ok()) return false;
  if (in.ok() && in.remaining() != 0) in.Fail("span longer than its fields");
  return in.ok() || Fail(in.status());
}

}  // namespace augur::store
