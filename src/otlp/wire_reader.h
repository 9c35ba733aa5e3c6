// Reading the protobuf wire format by hand, for the trace decoder that skips
// protobuf's generated classes (trace_wire.h). Internal to src/otlp.
//
// The reader accepts exactly what protobuf's parser (3.21, ParseFromArray)
// accepts, so that both decoders fail on the same bodies:
//   - tags: varints of at most 5 bytes, taken modulo 2^32; field number 0
//     and stray end-group tags are errors;
//   - varints: at most 10 bytes (bits beyond 64 are dropped);
//   - lengths: at most 5 bytes, below 2^31, within the enclosing message;
//   - fixed32/fixed64: 4 and 8 bytes;
//   - unknown fields, and known fields of the wrong wire type, are skipped,
//     groups included (their end tag must match); wire types 6 and 7 are
//     errors;
//   - messages and groups nest at most 100 deep (protobuf's default
//     recursion limit), the request itself not counted;
//   - proto3 `string` fields must be UTF-8 (ValidUtf8), bytes fields need not.
//
// Errors are sticky: the first one is kept (what, and its byte offset from
// the start of the body), and every read after it fails.
//
// Thread-compatible: one reader per decode.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace augur::otlp::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

inline constexpr int kMaxDepth = 100;

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool ValidUtf8Slow(std::string_view s);
inline bool ValidUtf8(std::string_view s) {
  // Most strings are ASCII: a loop the compiler vectorizes, without a call.
  unsigned char any = 0;
  for (char c : s) any |= static_cast<unsigned char>(c);
  return any < 0x80 || ValidUtf8Slow(s);
}

// The first error of a decode.
struct Error {
  const char* what = nullptr;  // nullptr: no error
  size_t offset = 0;           // from the start of the body
};

// The fields of one message (or of the body), in order.
class Reader {
 public:
  // `data` lies within the body that starts at `origin`.
  Reader(std::string_view data, const char* origin, Error* error)
      : p_(data.data()), end_(data.data() + data.size()), origin_(origin), error_(error) {}

  bool ok() const { return error_->what == nullptr; }
  bool AtEnd() const { return p_ == end_; }

  // Reads the next tag: false at the end of the message or on error.
  bool Next(uint32_t* field, WireType* type) {
    if (p_ == end_ || !ok()) return false;
    uint32_t tag;
    if (static_cast<uint8_t>(*p_) < 0x80) {
      tag = static_cast<uint8_t>(*p_++);
    } else if (!SlowTag(&tag)) {
      return false;
    }
    *field = tag >> 3;
    *type = static_cast<WireType>(tag & 7);
    if (*field == 0) return Fail("field number 0");
    if (*type == kEndGroup) return Fail("end-group tag without a group");
    return true;
  }

  bool Varint(uint64_t* v) {
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) {
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    return SlowVarint(v);
  }

  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return Fail("truncated fixed64");
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(p_[i]);
    *v = x;
    p_ += 8;
    return true;
  }

  bool Fixed32(uint32_t* v) {
    if (end_ - p_ < 4) return Fail("truncated fixed32");
    uint32_t x = 0;
    for (int i = 3; i >= 0; --i) x = (x << 8) | static_cast<uint8_t>(p_[i]);
    *v = x;
    p_ += 4;
    return true;
  }

  // A length-delimited field's bytes.
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) {
      n = static_cast<uint8_t>(*p_++);
    } else if (!SlowLength(&n)) {
      return false;
    }
    if (n > static_cast<uint64_t>(end_ - p_)) return Fail("length exceeds the message");
    *out = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }

  // A proto3 string field: Bytes(), which must be UTF-8.
  bool String(std::string_view* out) {
    if (!Bytes(out)) return false;
    if (!ValidUtf8(*out)) return Fail("string field is not UTF-8", out->data());
    return true;
  }

  // A sub-message's fields. `depth_left` is how many more levels may nest
  // below the current message; the sub-message's reader gets one less.
  bool Message(int depth_left, Reader* out) {
    if (depth_left <= 0) return Fail("messages nested deeper than 100 levels");
    std::string_view bytes;
    if (!Bytes(&bytes)) return false;
    *out = Reader(bytes, origin_, error_);
    return true;
  }

  // Skips the value of a field just read by Next() (an unknown field, or a
  // known one sent with another wire type).
  bool Skip(uint32_t field, WireType type, int depth_left);

  bool Fail(const char* what) { return Fail(what, p_); }
  bool Fail(const char* what, const char* at) {
    if (error_->what == nullptr) {
      error_->what = what;
      error_->offset = static_cast<size_t>(at - origin_);
    }
    p_ = end_;
    return false;
  }

 private:
  bool SlowTag(uint32_t* tag);
  bool SlowVarint(uint64_t* v);
  bool SlowLength(uint64_t* n);

  const char* p_;
  const char* end_;
  const char* origin_;
  Error* error_;
};

}  // namespace augur::otlp::wire
