// Byte encoding of the topology's saved state: varints, fixed doubles and
// length-prefixed strings, little-endian (as the rest of augur's state).
// A Reader remembers the first failure, so decoding code reads field after
// field and checks ok() once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace augur::topology {

class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(out) {}
  void Varint(uint64_t v);
  void Double(double v);
  void String(std::string_view s);

 private:
  std::string* out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v);
  bool Double(double* v);
  bool String(std::string_view* s);  // views into the input
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

 private:
  bool Fail() { return ok_ = false; }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace augur::topology
