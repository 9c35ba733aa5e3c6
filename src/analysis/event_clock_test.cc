#include "analysis/event_clock.h"

#include <gtest/gtest.h>

namespace augur::analysis {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'700'000'000 * kS;  // a bucket boundary (multiple of 10 s)

TEST(EventClock, BucketsAndWatermark) {
  EventClock c;  // 10 s buckets, 30 s lateness
  EXPECT_EQ(c.Admit(kT0 + 3 * kS), kT0);
  EXPECT_EQ(c.watermark(), kT0 - 27 * kS);
  EXPECT_FALSE(c.Closed(kT0));
  EXPECT_EQ(c.Admit(kT0 + 39 * kS), kT0 + 30 * kS);
  EXPECT_FALSE(c.Closed(kT0));  // watermark kT0 + 9 s
  EXPECT_EQ(c.Admit(kT0 + 40 * kS), kT0 + 40 * kS);
  EXPECT_TRUE(c.Closed(kT0));  // watermark kT0 + 10 s = end of the first bucket
  EXPECT_FALSE(c.Closed(kT0 + 10 * kS));
}

TEST(EventClock, OutOfOrderWithinLatenessIsAdmittedLateIsNot) {
  EventClock c;
  c.Admit(kT0 + 100 * kS);                  // watermark kT0 + 70 s
  EXPECT_TRUE(c.Admit(kT0 + 71 * kS));      // 29 s old, bucket [70, 80) open
  EXPECT_TRUE(c.Admit(kT0 + 70 * kS));      // 30 s old: exactly the bound
  EXPECT_FALSE(c.Admit(kT0 + 69 * kS));     // bucket [60, 70) closed
  EXPECT_EQ(c.watermark(), kT0 + 70 * kS);  // old items never move it back
  EXPECT_EQ(c.stats().late, 1u);
  EXPECT_EQ(c.stats().admitted, 3u);
  EXPECT_FALSE(c.Admit(0));
  EXPECT_EQ(c.stats().no_time, 1u);
}

TEST(EventClock, AdvanceToClosesIdleBuckets) {
  EventClock c;
  c.Admit(kT0 + 5 * kS);
  EXPECT_FALSE(c.Closed(kT0));
  c.AdvanceTo(kT0 + 10 * kS);
  EXPECT_TRUE(c.Closed(kT0));
  c.AdvanceTo(kT0);  // never back
  EXPECT_EQ(c.watermark(), kT0 + 10 * kS);
  EXPECT_FALSE(c.Admit(kT0 + 9 * kS));
}

TEST(EventClock, ConfigurableWidthAndLateness) {
  EventClock c({.bucket_width_ns = 60 * kS, .allowed_lateness_ns = 0});
  constexpr uint64_t kMin0 = 28'333'334 * 60 * kS;  // a minute boundary
  EXPECT_EQ(c.Admit(kMin0 + 61 * kS), kMin0 + 60 * kS);
  EXPECT_TRUE(c.Closed(kMin0));
  EXPECT_FALSE(c.Admit(kMin0 + 59 * kS));
  EventClock z({.bucket_width_ns = 0, .allowed_lateness_ns = 0});  // clamped to 1 ns
  EXPECT_EQ(z.Admit(5), 5u);
}

}  // namespace
}  // namespace augur::analysis
