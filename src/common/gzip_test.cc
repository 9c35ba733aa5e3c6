#include "common/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>

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

std::string ZlibCompress(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
           static_cast<uLong>(data.size()));
  out.resize(size);
  return out;
}

// Overwrites the gzip trailer's ISIZE (the last 4 bytes) with `size`.
std::string WithTrailerSize(std::string gz, uint32_t size) {
  for (int i = 0; i < 4; ++i) gz[gz.size() - 4 + i] = static_cast<char>(size >> (8 * i));
  return gz;
}

TEST(Gzip, DecodesZlibFraming) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += "metric " + std::to_string(i) + "\n";
  auto out = GunzipBounded(ZlibCompress(data), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, data);
  // Members of both framings, one after the other.
  out = GunzipBounded(ZlibCompress("zlib ") + GzipCompress("gzip"), 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "zlib gzip");
}

// ISIZE only sizes the first buffer: a trailer that lies either way must not
// change the result, nor let the output pass the limit.
TEST(Gzip, DoesNotTrustTheTrailerSize) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += std::to_string(i * 7919 % 10007) + ",";
  const std::string gz = GzipCompress(data);
  // Too small: the CRC still matches, so only ISIZE's own check can object.
  for (uint32_t lie : {0u, 1u, static_cast<uint32_t>(data.size() / 3)}) {
    auto out = GunzipBounded(WithTrailerSize(gz, lie), 1 << 20);
    EXPECT_FALSE(out.ok()) << "ISIZE " << lie;  // a wrong ISIZE is corrupt data
  }
  auto big = GunzipBounded(WithTrailerSize(gz, UINT32_MAX), 1 << 20);
  EXPECT_FALSE(big.ok());
  // A small last member says nothing about the big first one.
  auto two = GunzipBounded(gz + GzipCompress("!"), 1 << 20);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(*two, data + "!");
  auto over = GunzipBounded(gz + GzipCompress("!"), data.size());
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Status::Code::kTooLarge);
}

TEST(Gzip, ConcatenatedMembersShareTheLimit) {
  const std::string a(3000, 'a'), b(3000, 'b');
  EXPECT_TRUE(GunzipBounded(GzipCompress(a) + GzipCompress(b), 6000).ok());
  auto out = GunzipBounded(GzipCompress(a) + GzipCompress(b), 5999);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Status::Code::kTooLarge);
}

TEST(Gzip, RejectsEmptyInputAndTrailingGarbage) {
  EXPECT_EQ(GunzipBounded("", 100).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(GunzipBounded(GzipCompress("hello") + "xyz", 100).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(GunzipBounded(GzipCompress("hello") + std::string(8, '\0'), 100).status().code(),
            Status::Code::kInvalidArgument);
}

TEST(Gzip, EmptyPayloadIsEmpty) {
  auto out = GunzipBounded(GzipCompress(""), 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "");
}

}  // namespace
}  // namespace augur
