// Fixed-width little-endian encoding of detector state. Each detector's
// Serialize() writes a 4-byte header (magic 'a','d', a type byte, a version
// byte) and then its fields in a fixed order; Deserialize() checks all four
// and the length, so state from another detector type or an unknown version
// is refused with a Status rather than misread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augur::detect {

// Type bytes of the serialized detectors; never reuse a retired one.
enum class StateType : uint8_t { kMetric = 1, kErrors = 2, kTraffic = 3, kLatency = 4, kForecast = 5 };

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  void Header(StateType type, uint8_t version);
  template <typename T>
  void Put(T v) {  // arithmetic types only; this host is little-endian (checked in codec.cc)
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_->append(buf, sizeof(T));
  }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  // Checks the header; InvalidArgument naming what differs.
  Status Header(StateType type, uint8_t version);
  template <typename T>
  void Get(T* v) {  // on underflow sets failed and leaves *v alone
    if (in_.size() < sizeof(T)) {
      failed_ = true;
      return;
    }
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
  }
  // OK iff every Get succeeded and nothing is left over.
  Status Finish(const char* what) const;

 private:
  std::string_view in_;
  bool failed_ = false;
};

}  // namespace augur::detect
