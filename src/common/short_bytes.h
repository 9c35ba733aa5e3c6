// Hashing and comparing short byte strings (attribute keys and values,
// names): the inner loop of the interning and block-encoding tables.
//
// Why: those tables hash and compare strings of 5 to 40 bytes, many times
// per span. std::hash<std::string_view> (libstdc++'s _Hash_bytes) is an
// out-of-line call with a byte-by-byte tail, and std::string_view's == calls
// memcmp; together they were 3-4% of augur's CPU under trace ingest.
// ShortHash reads the bytes in at most two 8-byte words per 16 bytes (words
// overlap rather than loop over a tail) and mixes them with 64x64->128-bit
// multiplies, in the manner of wyhash; SameBytes compares in 8-byte words.
//
// ShortHash is not keyed: like std::hash it suits tables whose size is
// bounded, not as a defence against chosen collisions. Its values are not
// stable across versions: never store them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace augur {

namespace short_bytes_detail {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The high and low halves of the 128-bit product, folded.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline constexpr uint64_t kK0 = 0xa0761d6478bd642fULL;
inline constexpr uint64_t kK1 = 0xe7037ed1a0b428dbULL;

}  // namespace short_bytes_detail

// A 64-bit hash of `s`; every byte and the length count. Fastest up to 16
// bytes; longer strings cost one multiply per 16 bytes.
inline uint64_t ShortHash(std::string_view s) {
  using namespace short_bytes_detail;
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t seed = kK0;
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) | (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) |
          static_cast<uint8_t>(p[n - 1]);
    }
  } else {
    for (size_t i = 0; i + 16 < n; i += 16) seed = Mix(Load64(p + i) ^ kK1, Load64(p + i + 8) ^ seed);
    a = Load64(p + n - 16);  // the last 16 bytes, overlapping what came before
    b = Load64(p + n - 8);
  }
  return Mix(kK1 ^ n, Mix(a ^ kK1, b ^ seed));
}

// a == b, in 8-byte words (the last one overlapping): inline, which for
// short strings beats a call to memcmp.
inline bool SameBytes(std::string_view a, std::string_view b) {
  using short_bytes_detail::Load64;
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8) {
    if (n >= 4) {
      using short_bytes_detail::Load32;
      return Load32(a.data()) == Load32(b.data()) && Load32(a.data() + n - 4) == Load32(b.data() + n - 4);
    }
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (Load64(a.data() + i) != Load64(b.data() + i)) return false;
  }
  return Load64(a.data() + n - 8) == Load64(b.data() + n - 8);
}

// For std::unordered_map<std::string_view, ...> and the like.
struct ShortHasher {
  size_t operator()(std::string_view s) const { return static_cast<size_t>(ShortHash(s)); }
};

}  // namespace augur
