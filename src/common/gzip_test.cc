#include "common/gzip.h"

#include <gtest/gtest.h>

namespace augur {
namespace {

TEST(Gzip, RoundTrips) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "span " + std::to_string(i) + "\n";
  auto out = GunzipBounded(GzipCompress(data), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, data);
}

TEST(Gzip, DecodesConcatenatedMembers) {
  auto out = GunzipBounded(GzipCompress("hello ") + GzipCompress("world"), 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "hello world");
}

TEST(Gzip, StopsABombAtTheLimit) {
  const std::string zeros(64 << 20, '\0');
  const std::string bomb = GzipCompress(zeros, 9);
  ASSERT_LT(bomb.size(), 1u << 20);
  auto out = GunzipBounded(bomb, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kTooLarge);
}

TEST(Gzip, ExactlyAtTheLimitIsAccepted) {
  const std::string data(4096, 'x');
  EXPECT_TRUE(GunzipBounded(GzipCompress(data), 4096).ok());
  EXPECT_FALSE(GunzipBounded(GzipCompress(data), 4095).ok());
}

TEST(Gzip, RejectsCorruptAndTruncatedInput) {
  EXPECT_EQ(GunzipBounded("not gzip at all", 100).status().code(), Status::Code::kInvalidArgument);
  const std::string good = GzipCompress(std::string(1000, 'a'));
  EXPECT_EQ(GunzipBounded(good.substr(0, good.size() / 2), 10000).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace augur
