#include "logs/rate_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace augur::logs {
namespace {

// Feeds `n` lines into `bucket`; returns how many of them reported a jump.
int Feed(RateTracker* t, uint64_t bucket, uint32_t n, const RateRule& rule) {
  int jumps = 0;
  for (uint32_t i = 0; i < n; ++i) jumps += t->Count(bucket, rule) ? 1 : 0;
  return jumps;
}

// Counts that wander around `mean` (deterministic).
uint32_t Around(uint32_t mean, uint64_t i) {
  return mean + static_cast<uint32_t>((i * 7) % 5) - 2;
}

// P(X >= k), X ~ Poisson(lambda), summed from k upwards (independent of the
// implementation, which sums from 0).
double Tail(double lambda, uint32_t k) {
  double log_pmf = k * std::log(lambda) - lambda - std::lgamma(k + 1.0);
  double sum = 0;
  for (uint32_t i = k; i < k + 400; ++i) {
    sum += std::exp(log_pmf);
    log_pmf += std::log(lambda) - std::log(i + 1.0);
  }
  return sum;
}

TEST(PoissonUpperQuantileTest, SmallestKWithTailUnderP) {
  EXPECT_EQ(PoissonUpperQuantile(0, 1e-6), 1u);
  for (double lambda : {0.01, 0.3, 1.0, 4.0, 25.0, 150.0}) {
    for (double p : {1e-3, 1e-6}) {
      const uint32_t k = PoissonUpperQuantile(lambda, p);
      EXPECT_LT(Tail(lambda, k), p) << lambda << " " << p;
      if (k > 0) {
        EXPECT_GE(Tail(lambda, k - 1), p) << lambda << " " << p;
      }
    }
  }
}

TEST(RateTrackerTest, SteadyCountsDoNotJumpAJumpDoesOncePerBucket) {
  RateRule rule;
  RateTracker t;
  int jumps = 0;
  for (uint64_t b = 0; b < 180; ++b) jumps += Feed(&t, b, Around(8, b), rule);
  EXPECT_EQ(jumps, 0);
  EXPECT_NEAR(t.mean(), 8, 0.5);  // corrected for the start from zero
  const uint32_t threshold = t.threshold();
  EXPECT_GE(threshold, rule.min_count);
  EXPECT_GE(threshold, static_cast<uint32_t>(rule.min_ratio * 7));
  // The line that reaches the threshold reports, and the one that doubles it.
  EXPECT_EQ(Feed(&t, 180, threshold - 1, rule), 0);
  EXPECT_TRUE(t.Count(180, rule));
  EXPECT_TRUE(t.jumped());
  EXPECT_EQ(Feed(&t, 180, threshold - 1, rule), 0);
  EXPECT_TRUE(t.Count(180, rule));
  EXPECT_EQ(Feed(&t, 180, 5 * threshold, rule), 0);
  EXPECT_FALSE(t.Count(181, rule));
  EXPECT_FALSE(t.jumped());
}

TEST(RateTrackerTest, NoJumpBeforeEnoughHistory) {
  RateRule rule;
  RateTracker t, u;
  t.Start(0, rule);
  EXPECT_EQ(Feed(&t, 5, 500, rule), 0);  // 5 buckets of history
  u.Start(0, rule);
  EXPECT_GE(Feed(&u, rule.min_history + 10, 500, rule), 1);
}

TEST(RateTrackerTest, LowCountsProveNothing) {
  RateRule rule;
  RateTracker t;
  t.Start(0, rule);
  t.AdvanceTo(100, rule);  // 100 empty buckets: the baseline is 0
  EXPECT_EQ(Feed(&t, 100, rule.min_count - 1, rule), 0);
  EXPECT_EQ(Feed(&t, 101, rule.min_count, rule), 1);
}

TEST(RateTrackerTest, BurstyLinesNeedABiggerJump) {
  RateRule rule;
  RateTracker t;
  // A batch job: 100 lines every 15th bucket, nothing between. The first
  // bursts may jump while the variance is learned; then none does.
  for (uint64_t b = 0; b < 600; ++b) Feed(&t, b, b % 15 == 0 ? 100 : 0, rule);
  int later = 0;
  for (uint64_t b = 600; b < 900; ++b) later += Feed(&t, b, b % 15 == 0 ? 100 : 0, rule);
  EXPECT_EQ(later, 0);
  EXPECT_GE(Feed(&t, 915, 600, rule), 1);  // six times the usual burst
}

TEST(RateTrackerTest, GapsDecayTheBaselineAsEmptyBucketsWould) {
  RateRule rule;
  RateTracker skipped, counted;
  for (uint64_t b = 0; b < 1000; ++b) {
    Feed(&skipped, b, 10, rule);
    Feed(&counted, b, 10, rule);
  }
  // One skips 60 buckets at once; the other closes them one by one.
  skipped.AdvanceTo(1060, rule);
  for (uint64_t b = 1000; b <= 1060; ++b) counted.AdvanceTo(b, rule);
  EXPECT_NEAR(skipped.mean(), counted.mean(), 1e-3);
  EXPECT_NEAR(skipped.calm(), counted.calm(), 1e-2);
  EXPECT_NEAR(skipped.mean(), 5, 0.1);  // half-life 60 buckets, from 10
  // A young tracker: the first buckets are not taken for a low rate.
  RateTracker young;
  for (uint64_t b = 0; b < 5; ++b) Feed(&young, b, 10, rule);
  young.AdvanceTo(5, rule);
  EXPECT_NEAR(young.mean(), 10, 1e-3);
}

TEST(RateTrackerTest, IncidentEndsAfterQuietBucketsAndFreezesTheBaseline) {
  RateRule rule;
  RateTracker t;
  for (uint64_t b = 0; b < 100; ++b) Feed(&t, b, Around(5, b), rule);
  ASSERT_GE(Feed(&t, 100, 39, rule), 1);
  const double mean = t.mean();  // bucket 99 is closed now
  t.set_open(true, rule);
  Feed(&t, 101, 90, rule);
  Feed(&t, 102, 70, rule);
  EXPECT_EQ(t.peak(), 90u);
  Feed(&t, 103, 5, rule);  // calm from here
  Feed(&t, 104, 4, rule);
  t.AdvanceTo(105, rule);
  EXPECT_FALSE(t.ShouldEnd(rule));
  t.AdvanceTo(106, rule);  // 103, 104, 105 closed and calm
  EXPECT_TRUE(t.ShouldEnd(rule));
  EXPECT_EQ(t.quiet_start(), 103u);
  EXPECT_FLOAT_EQ(t.mean(), mean);  // nothing learned while open
  t.set_open(false, rule);
  EXPECT_FALSE(t.open());
}

TEST(RateTrackerTest, AnIncidentThatLastsBecomesTheNewNormal) {
  RateRule rule;
  rule.max_open_buckets = 20;
  RateTracker t;
  for (uint64_t b = 0; b < 100; ++b) Feed(&t, b, Around(5, b), rule);
  ASSERT_GE(Feed(&t, 100, 60, rule), 1);
  t.set_open(true, rule);
  for (uint64_t b = 101; b <= 120; ++b) Feed(&t, b, 60, rule);
  t.AdvanceTo(121, rule);
  ASSERT_TRUE(t.ShouldEnd(rule));
  EXPECT_EQ(t.quiet(), 0u);  // it ended by length, not by calm
  t.set_open(false, rule);
  EXPECT_NEAR(t.mean(), 60, 0.5);
  EXPECT_EQ(Feed(&t, 122, 60, rule), 0);  // 60 a bucket is normal now
}

TEST(RateTrackerTest, SaveLoadRoundTrip) {
  RateRule rule;
  RateTracker t;
  for (uint64_t b = 0; b < 50; ++b) Feed(&t, b, Around(6, b), rule);
  std::string bytes;
  analysis::StateWriter w(&bytes);
  t.Save(&w);
  RateTracker u;
  analysis::StateReader r(bytes);
  u.Load(&r);
  ASSERT_TRUE(r.Finish("tracker").ok());
  EXPECT_EQ(u.mean(), t.mean());
  EXPECT_EQ(u.threshold(), t.threshold());
  for (uint64_t b = 50; b < 80; ++b) {
    EXPECT_EQ(Feed(&t, b, b == 70 ? 200 : 5, rule), Feed(&u, b, b == 70 ? 200 : 5, rule));
  }
  analysis::StateReader short_input(std::string_view(bytes).substr(0, 10));
  RateTracker v;
  v.Load(&short_input);
  EXPECT_FALSE(short_input.Finish("tracker").ok());
}

}  // namespace
}  // namespace augur::logs
