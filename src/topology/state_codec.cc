#include "topology/state_codec.h"

#include <cstring>

namespace augur::topology {

void StateWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void StateWriter::Double(double v) {
  char buf[sizeof v];
  std::memcpy(buf, &v, sizeof v);
  out_->append(buf, sizeof v);
}

void StateWriter::String(std::string_view s) {
  Varint(s.size());
  out_->append(s);
}

bool StateReader::Varint(uint64_t* v) {
  if (!ok_) return false;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return Fail();
    uint8_t b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return Fail();
}

bool StateReader::Double(double* v) {
  if (!ok_ || in_.size() < sizeof *v) return Fail();
  std::memcpy(v, in_.data(), sizeof *v);
  in_.remove_prefix(sizeof *v);
  return true;
}

bool StateReader::String(std::string_view* s) {
  uint64_t n = 0;
  if (!Varint(&n)) return false;
  if (n > in_.size()) return Fail();
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace augur::topology
