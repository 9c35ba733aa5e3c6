#include "common/time_format.h"

#include <gtest/gtest.h>

namespace augur {
namespace {

TEST(TimeFormat, FormatsWithMinimalFraction) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1'544'712'660'000'000'000ULL), "2018-12-13T14:51:00Z");
  EXPECT_EQ(FormatRfc3339(1'544'712'660'123'000'000ULL), "2018-12-13T14:51:00.123Z");
  EXPECT_EQ(FormatRfc3339(1'544'712'660'123'456'000ULL), "2018-12-13T14:51:00.123456Z");
  EXPECT_EQ(FormatRfc3339(1'544'712'660'123'456'789ULL), "2018-12-13T14:51:00.123456789Z");
}

TEST(TimeFormat, ParsesWhatItFormats) {
  for (uint64_t t : {0ULL, 1'544'712'660'000'000'000ULL, 1'795'000'000'123'456'789ULL, 951'782'400'000'000'001ULL}) {
    auto parsed = ParseTimestamp(FormatRfc3339(t));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, t);
  }
}

TEST(TimeFormat, ParsesOffsetsAndIntegers) {
  EXPECT_EQ(*ParseTimestamp("2018-12-13T15:51:00+01:00"), 1'544'712'660'000'000'000ULL);
  EXPECT_EQ(*ParseTimestamp("1544712660"), 1'544'712'660'000'000'000ULL);
  EXPECT_EQ(*ParseTimestamp("1544712660123"), 1'544'712'660'123'000'000ULL);
  EXPECT_EQ(*ParseTimestamp("1544712660123456789"), 1'544'712'660'123'456'789ULL);
}

TEST(TimeFormat, RejectsGarbageWithAMessage) {
  for (const char* bad : {"", "yesterday", "2018-13-01T00:00:00Z", "2018-02-29T00:00:00Z", "2018-12-13T14:51:00",
                          "2018-12-13T14:51:00.Z", "2018-12-13T14:51:00Zjunk", "99999999999999999999999"}) {
    auto parsed = ParseTimestamp(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace augur
