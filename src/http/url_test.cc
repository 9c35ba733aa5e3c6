#include "http/url.h"

#include <gtest/gtest.h>

namespace augur::http {
namespace {

TEST(Url, DecodesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("/a%2Fb%20c"), "/a/b c");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
}

TEST(Url, ParsesQueries) {
  auto q = ParseQuery("service=writer&from=2026-01-01T00%3A00%3A00Z&flag&x=1&x=2&");
  EXPECT_EQ(q["service"], "writer");
  EXPECT_EQ(q["from"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(q["flag"], "");
  EXPECT_EQ(q["x"], "2");
  EXPECT_EQ(q.size(), 4u);
}

}  // namespace
}  // namespace augur::http
