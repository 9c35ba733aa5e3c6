// StateWriter / StateReader: the byte format of saved analysis state
// (Analyzer::SaveState and the parts it is made of). Fixed-width
// little-endian numbers, length-prefixed strings, nothing else: the owner
// writes a magic and a version first and reads fields back in the same
// order. A reader never reads past its input: a short or damaged input sets
// failed() and yields zeros, and the owner refuses the whole state (Finish).
//
// Lengths are bounded by what is left of the input (ReadCount), so damaged
// bytes cannot make the reader allocate more than the input's size.
//
// Plain helpers; not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/series_key.h"

namespace augur::analysis {

class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(out) {}

  template <typename T>
  void Put(T v) {  // arithmetic types and enums; this host is little-endian (as detect/codec.cc checks)
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_->append(buf, sizeof(T));
  }
  void PutString(std::string_view s) {
    Put(static_cast<uint32_t>(s.size()));
    out_->append(s.data(), s.size());
  }
  void PutKey(const model::SeriesKey& k) {
    PutString(k.metric);
    PutString(k.service);
    PutString(k.operation);
    Put(static_cast<uint32_t>(k.attributes.size()));
    for (const auto& [key, value] : k.attributes) {
      PutString(key);
      PutString(value);
    }
  }
  // Every field of an anomaly, in declaration order (GetAnomaly reads it back).
  void PutAnomaly(const model::Anomaly& a) {
    PutString(a.id);
    PutKey(a.series);
    PutString(a.kind);
    PutString(a.direction);
    PutString(a.quantity);
    PutString(a.unit);
    PutString(a.detector);
    Put(a.onset_ns);
    Put(a.detected_ns);
    Put(a.end_ns);
    Put(a.before);
    Put(a.observed);
    Put(a.expected_low);
    Put(a.expected_high);
    Put(a.score);
    Put(a.limit);
    Put(a.predicted_ns);
    PutString(a.explanation);
    Put(a.updated_ns);
  }

 private:
  std::string* out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}

  template <typename T>
  T Get() {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    T v{};
    if (in_.size() < sizeof(T)) {
      failed_ = true;
      in_ = {};
      return v;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return v;
  }
  bool GetBool() { return Get<uint8_t>() != 0; }
  std::string GetString() {
    const uint32_t n = Get<uint32_t>();
    if (n > in_.size()) {
      failed_ = true;
      in_ = {};
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  // A count of items each at least `min_item_bytes` long: refused (0, failed)
  // when the rest of the input could not hold that many.
  size_t ReadCount(size_t min_item_bytes) {
    const uint32_t n = Get<uint32_t>();
    if (min_item_bytes > 0 && n > in_.size() / min_item_bytes) {
      failed_ = true;
      in_ = {};
      return 0;
    }
    return n;
  }
  model::SeriesKey GetKey() {
    model::SeriesKey k;
    k.metric = GetString();
    k.service = GetString();
    k.operation = GetString();
    const size_t n = ReadCount(8);
    for (size_t i = 0; i < n && !failed_; ++i) {
      std::string key = GetString();
      k.attributes.emplace_back(std::move(key), GetString());
    }
    return k;
  }
  model::Anomaly GetAnomaly() {
    model::Anomaly a;
    a.id = GetString();
    a.series = GetKey();
    a.kind = GetString();
    a.direction = GetString();
    a.quantity = GetString();
    a.unit = GetString();
    a.detector = GetString();
    a.onset_ns = Get<uint64_t>();
    a.detected_ns = Get<uint64_t>();
    a.end_ns = Get<uint64_t>();
    a.before = Get<double>();
    a.observed = Get<double>();
    a.expected_low = Get<double>();
    a.expected_high = Get<double>();
    a.score = Get<double>();
    a.limit = Get<double>();
    a.predicted_ns = Get<uint64_t>();
    a.explanation = GetString();
    a.updated_ns = Get<uint64_t>();
    return a;
  }

  // Marks the input as bad (a field failed its own check).
  void Fail() { failed_ = true; }
  bool failed() const { return failed_; }
  bool done() const { return in_.empty(); }
  // OK iff every read succeeded and nothing is left over.
  Status Finish(std::string_view what) const {
    if (failed_) return Status::InvalidArgument(std::string(what) + ": truncated or damaged state");
    if (!in_.empty()) return Status::InvalidArgument(std::string(what) + ": trailing bytes in state");
    return Status::OK();
  }

 private:
  std::string_view in_;
  bool failed_ = false;
};

}  // namespace augur::analysis
