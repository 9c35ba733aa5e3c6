#include "notify/url.h"

#include <gtest/gtest.h>

namespace augur::notify {
namespace {

TEST(Url, ParsesHttpAndHttps) {
  auto u = ParseHttpUrl("https://hooks.slack.com/services/T0/B0/xyz");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(*u, (HttpUrl{true, "hooks.slack.com", "443", "/services/T0/B0/xyz"}));
  EXPECT_EQ(u->HostHeader(), "hooks.slack.com");

  u = ParseHttpUrl("http://127.0.0.1:9000/hook?team=sre#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (HttpUrl{false, "127.0.0.1", "9000", "/hook?team=sre"}));
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:9000");

  u = ParseHttpUrl("http://example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (HttpUrl{false, "example.com", "80", "/"}));
  u = ParseHttpUrl("http://example.com?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->target, "/?x=1");

  u = ParseHttpUrl("https://[::1]:8443/a");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (HttpUrl{true, "::1", "8443", "/a"}));
  EXPECT_EQ(u->HostHeader(), "[::1]:8443");
  u = ParseHttpUrl("http://[::1]/a");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->HostHeader(), "[::1]");
}

TEST(Url, RejectsWhatItCannotSendTo) {
  for (const char* bad : {"ftp://h/x", "h/x", "http://", "http:///x", "http://:80/x", "http://h:0/", "http://h:70000/",
                          "http://h:8x/", "http://user:pw@h/", "http://h/a b", "https://[::1/x", "http://[::1]x/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace augur::notify
