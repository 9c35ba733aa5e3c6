#include "common/short_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

namespace augur {
namespace {

// Random strings of every length the callers see (and past 16 and 32, where
// the hash changes how it reads).
std::vector<std::string> RandomStrings(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string s(rng() % 80, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    out.push_back(std::move(s));
  }
  return out;
}

TEST(ShortBytesTest, EveryByteAndTheLengthChangeTheHash) {
  for (const std::string& base : RandomStrings(300, 1)) {
    const uint64_t h = ShortHash(base);
    EXPECT_EQ(ShortHash(std::string(base)), h);  // a function of the bytes, not of where they are
    for (size_t i = 0; i < base.size(); ++i) {
      std::string flipped = base;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
      EXPECT_NE(ShortHash(flipped), h) << "length " << base.size() << ", byte " << i;
    }
    std::string longer = base + '\0';
    EXPECT_NE(ShortHash(longer), h) << "length " << base.size();
  }
}

TEST(ShortBytesTest, FewCollisionsInTheLowBits) {
  // Tables index with the low bits: semconv-like keys must spread over them.
  std::unordered_set<uint64_t> full;
  std::vector<size_t> buckets(1 << 12);
  size_t n = 0;
  for (const char* prefix : {"http.", "db.", "net.peer.", "messaging.destination.", "k"}) {
    for (int i = 0; i < 1000; ++i) {
      const std::string key = prefix + std::to_string(i);
      full.insert(ShortHash(key));
      ++buckets[ShortHash(key) & (buckets.size() - 1)];
      ++n;
    }
  }
  EXPECT_EQ(full.size(), n);
  // 5,000 keys in 4,096 buckets: a uniform hash leaves about 30% empty and
  // none with more than a handful.
  size_t empty = 0, most = 0;
  for (size_t b : buckets) {
    empty += b == 0;
    most = std::max(most, b);
  }
  EXPECT_LT(empty, buckets.size() * 40 / 100);
  EXPECT_LT(most, 12u);
}

TEST(ShortBytesTest, SameBytesIsEquality) {
  const std::vector<std::string> strings = RandomStrings(200, 2);
  for (const std::string& a : strings) {
    EXPECT_TRUE(SameBytes(a, std::string(a)));
    for (size_t i = 0; i < a.size(); ++i) {
      std::string b = a;
      b[i] = static_cast<char>(b[i] + 1);
      EXPECT_FALSE(SameBytes(a, b)) << "length " << a.size() << ", byte " << i;
    }
    if (!a.empty()) {
      EXPECT_FALSE(SameBytes(a, std::string_view(a).substr(1)));
    }
  }
  EXPECT_TRUE(SameBytes("", ""));
}

}  // namespace
}  // namespace augur
