#include "notify/backoff.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace augur::notify {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesWithEqualJitterUpToTheCap) {
  RetryPolicy p;
  p.initial_delay = milliseconds(1000);
  p.max_delay = milliseconds(60'000);
  for (const std::string id : {"nt-0000000000000001", "nt-00000000000000ff", "nt-abcdef0123456789"}) {
    int64_t base = 1000;
    for (uint32_t attempt = 1; attempt <= 12; ++attempt) {
      const auto d = RetryDelay(p, attempt, id).count();
      EXPECT_GE(d, base / 2) << id << " attempt " << attempt;
      EXPECT_LT(d, base) << id << " attempt " << attempt;
      base = std::min<int64_t>(base * 2, 60'000);
    }
    // Far beyond the doubling range it stays under the cap.
    EXPECT_LT(RetryDelay(p, 1000, id).count(), 60'000);
    EXPECT_GE(RetryDelay(p, 1000, id).count(), 30'000);
  }
}

TEST(Backoff, JitterIsDeterministicPerMessageButSpreadsMessages) {
  RetryPolicy p;
  p.initial_delay = milliseconds(10'000);
  std::set<int64_t> delays;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "nt-" + std::to_string(1000 + i);
    EXPECT_EQ(RetryDelay(p, 3, id), RetryDelay(p, 3, id));
    delays.insert(RetryDelay(p, 3, id).count());
  }
  // 50 draws from [20 s, 40 s): nearly all distinct, and not bunched.
  EXPECT_GE(delays.size(), 45u);
  EXPECT_LT(*delays.begin(), 25'000);
  EXPECT_GT(*delays.rbegin(), 35'000);
}

TEST(Backoff, RetryAfterLengthensButNeverPastTheCap) {
  RetryPolicy p;
  p.initial_delay = milliseconds(1000);
  p.max_delay = milliseconds(120'000);
  EXPECT_EQ(RetryDelay(p, 1, "nt-1", 30), milliseconds(30'000));
  EXPECT_EQ(RetryDelay(p, 1, "nt-1", 100'000'000), milliseconds(120'000));
  EXPECT_EQ(RetryDelay(p, 1, "nt-1", 0), RetryDelay(p, 1, "nt-1"));
}

TEST(Backoff, GivesUpOnAttemptsAgeOrRefusal) {
  RetryPolicy p;
  p.max_attempts = 5;
  p.max_age = milliseconds(3'600'000);
  EXPECT_FALSE(GiveUp(p, 4, milliseconds(1000), false));
  EXPECT_TRUE(GiveUp(p, 5, milliseconds(1000), false));
  EXPECT_TRUE(GiveUp(p, 1, milliseconds(3'600'000), false));
  EXPECT_TRUE(GiveUp(p, 1, milliseconds(0), true));

  for (unsigned s : {400u, 401u, 403u, 404u, 410u, 413u, 422u}) EXPECT_TRUE(IsPermanentStatus(s)) << s;
  for (unsigned s : {200u, 301u, 408u, 425u, 429u, 500u, 502u, 503u, 504u}) EXPECT_FALSE(IsPermanentStatus(s)) << s;
}

}  // namespace
}  // namespace augur::notify
