#include "otlp/wire_reader.h"

namespace augur::otlp::wire {

bool ValidUtf8Slow(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p != end) {
    // Most strings are ASCII: eight bytes at a time.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    const auto continuation = [](unsigned b) { return (b & 0xC0) == 0x80; };
    // The second byte's range depends on the first (Unicode, table 3-7).
    if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || !continuation(p[1])) return false;
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (end - p < 3) return false;
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (p[1] < lo || p[1] > hi || !continuation(p[2])) return false;
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4) return false;
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < lo || p[1] > hi || !continuation(p[2]) || !continuation(p[3])) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

bool Reader::SlowTag(uint32_t* tag) {
  uint32_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (p_ == end_) return Fail("truncated tag");
    const uint8_t b = static_cast<uint8_t>(*p_++);
    v |= static_cast<uint32_t>(b & 0x7f) << (7 * i);  // bits beyond 32 drop, as in protobuf
    if (b < 0x80) {
      *tag = v;
      return true;
    }
  }
  return Fail("tag longer than 5 bytes");
}

bool Reader::SlowVarint(uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p_ == end_) return Fail("truncated varint");
    const uint8_t b = static_cast<uint8_t>(*p_++);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);  // the tenth byte's high bits drop, as in protobuf
    if (b < 0x80) {
      *out = v;
      return true;
    }
  }
  return Fail("varint longer than 10 bytes");
}

bool Reader::SlowLength(uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (p_ == end_) return Fail("truncated length");
    const uint8_t b = static_cast<uint8_t>(*p_++);
    if (i == 4 && b >= 8) return Fail("length of 2 GiB or more");
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *out = v;
      return true;
    }
  }
  return Fail("length longer than 5 bytes");  // not reached: the fifth byte is below 8
}

bool Reader::Skip(uint32_t field, WireType type, int depth_left) {
  switch (type) {
    case kVarint: {
      uint64_t v;
      return Varint(&v);
    }
    case kFixed64: {
      uint64_t v;
      return Fixed64(&v);
    }
    case kLength: {
      std::string_view v;
      return Bytes(&v);
    }
    case kFixed32: {
      uint32_t v;
      return Fixed32(&v);
    }
    case kStartGroup: {
      if (depth_left <= 0) return Fail("groups nested deeper than 100 levels");
      // A group's fields follow until the end-group tag of the same field.
      for (;;) {
        if (p_ == end_) return Fail("group without its end tag");
        uint32_t tag;
        if (static_cast<uint8_t>(*p_) < 0x80) {
          tag = static_cast<uint8_t>(*p_++);
        } else if (!SlowTag(&tag)) {
          return false;
        }
        const uint32_t inner_field = tag >> 3;
        const auto inner_type = static_cast<WireType>(tag & 7);
        if (inner_type == kEndGroup || tag == 0) {
          if (tag == 0 || inner_field != field) return Fail("group ends with another field's tag");
          return true;
        }
        if (inner_field == 0) return Fail("field number 0");
        if (!Skip(inner_field, inner_type, depth_left - 1)) return false;
      }
    }
    case kEndGroup: return Fail("end-group tag without a group");
    default: return Fail("unknown wire type");
  }
}

}  // namespace augur::otlp::wire
