#include "common/hex.h"

#include <gtest/gtest.h>

namespace augur {
namespace {

TEST(Hex, RoundTrips) {
  const std::vector<uint8_t> id = {0x5b, 0x8e, 0xff, 0xf7, 0x00, 0x01};
  EXPECT_EQ(HexEncode(id), "5b8efff70001");
  EXPECT_EQ(HexDecode("5B8EFFF70001"), id);
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
  EXPECT_TRUE(HexDecode("").has_value());
}

}  // namespace
}  // namespace augur
