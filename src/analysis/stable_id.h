// StableId: ids derived from content, the same on every replay: a prefix
// ("an-", "ev-") and 16 hex digits of FNV-1a 64 over the parts given to
// Mix(). Each part is followed by its length, so ("ab", "c") and ("a", "bc")
// differ. Not cryptographic: ids only need to be stable and rarely collide.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace augur::analysis {

class StableId {
 public:
  StableId& Mix(std::string_view part) {
    for (unsigned char c : part) Byte(c);
    for (size_t n = part.size(), i = 0; i < 8; ++i, n >>= 8) Byte(n & 0xff);
    return *this;
  }
  StableId& Mix(uint64_t v) { return Mix(std::to_string(v)); }

  std::string Id(std::string_view prefix) const {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h_));
    return std::string(prefix) + hex;
  }

 private:
  void Byte(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace augur::analysis
