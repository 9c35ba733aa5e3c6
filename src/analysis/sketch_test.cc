#include "analysis/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace augur::analysis {
namespace {

// The lower q-quantile as the sketch defines it: rank floor(q * (n - 1)).
double Exact(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

std::vector<double> LogNormal(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(3.0, 1.2);  // ms: median ~20, long tail
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(DDSketch, RelativeAccuracyOnLogNormal) {
  std::vector<double> v = LogNormal(100000, 1);
  DDSketch s;
  for (double x : v) s.Add(x);
  EXPECT_EQ(s.count(), v.size());
  EXPECT_FALSE(s.collapsed());
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
    double exact = Exact(v, q);
    EXPECT_NEAR(s.Quantile(q), exact, exact * 0.0101) << "q=" << q;
  }
  EXPECT_EQ(s.Quantile(0), *std::min_element(v.begin(), v.end()));
  EXPECT_EQ(s.Quantile(1), *std::max_element(v.begin(), v.end()));
  double sum = 0;
  for (double x : v) sum += x;
  EXPECT_NEAR(s.sum(), sum, sum * 1e-9);
}

TEST(DDSketch, EmptyAndSpecialValues) {
  DDSketch s;
  EXPECT_EQ(s.Quantile(0.5), 0);
  EXPECT_EQ(s.CountAbove(1), 0u);
  s.Add(std::nan(""));
  EXPECT_TRUE(s.empty());
  s.Add(0);
  s.Add(-5);  // counted as 0
  s.Add(10);
  EXPECT_EQ(s.count(), 3u);
  EXPECT_EQ(s.min(), 0);
  EXPECT_EQ(s.Quantile(0.5), 0);
  EXPECT_EQ(s.Quantile(0.99), 0);  // the lower quantile: rank floor(0.99 * 2) = 1
  EXPECT_EQ(s.Quantile(1), 10);
  s.Add(INFINITY);
  EXPECT_EQ(s.count(), 4u);
}

TEST(DDSketch, MergeEqualsAddingAll) {
  std::vector<double> v = LogNormal(20000, 2);
  DDSketch all, a, b, c;
  for (size_t i = 0; i < v.size(); ++i) {
    all.Add(v[i]);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).Add(v[i]);
  }
  ASSERT_TRUE(a.Merge(b).ok());
  ASSERT_TRUE(a.Merge(c).ok());
  ASSERT_TRUE(a.Merge(DDSketch()).ok());
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_NEAR(a.sum(), all.sum(), all.sum() * 1e-12);
  for (double q = 0; q <= 1; q += 0.01) EXPECT_EQ(a.Quantile(q), all.Quantile(q)) << q;
  EXPECT_EQ(a.CountAbove(50), all.CountAbove(50));

  DDSketch empty;
  ASSERT_TRUE(empty.Merge(all).ok());
  EXPECT_EQ(empty.Quantile(0.9), all.Quantile(0.9));
}

TEST(DDSketch, MergeRefusesOtherAccuracy) {
  DDSketch a(0.01), b(0.02);
  b.Add(1);
  EXPECT_FALSE(a.Merge(b).ok());
  EXPECT_TRUE(a.empty());
}

TEST(DDSketch, BinsAreBoundedAndCollapseAtTheLowEnd) {
  DDSketch s(0.01, 64);
  for (double x = 1e-6; x < 1e6; x *= 1.1) s.Add(x);
  EXPECT_LE(s.bin_count(), 64u);
  EXPECT_TRUE(s.collapsed());
  // The top keeps its accuracy.
  std::vector<double> v;
  for (double x = 1e-6; x < 1e6; x *= 1.1) v.push_back(x);
  EXPECT_NEAR(s.Quantile(0.99), Exact(v, 0.99), Exact(v, 0.99) * 0.0101);
  EXPECT_EQ(s.count(), v.size());

  // Merging two wide sketches stays bounded too.
  DDSketch lo(0.01, 64), hi(0.01, 64);
  lo.Add(1e-3);
  hi.Add(1e3);
  ASSERT_TRUE(lo.Merge(hi).ok());
  EXPECT_LE(lo.bin_count(), 64u);
  EXPECT_TRUE(lo.collapsed());
  EXPECT_EQ(lo.count(), 2u);
}

TEST(DDSketch, CountAbove) {
  std::vector<double> v = LogNormal(50000, 3);
  DDSketch s;
  for (double x : v) s.Add(x);
  for (double x : {5.0, 20.0, 100.0, 300.0}) {
    // Exact for values outside x's bin, which spans x * (1 +- 2%).
    uint64_t lo = 0, hi = 0;
    for (double y : v) {
      if (y > x * 1.0202) ++lo;
      if (y > x / 1.0202) ++hi;
    }
    uint64_t got = s.CountAbove(x);
    EXPECT_GE(got, lo) << x;
    EXPECT_LE(got, hi) << x;
  }
  EXPECT_EQ(s.CountAbove(s.max()), 0u);
  EXPECT_EQ(s.CountAbove(s.min() / 2), s.count());
}

TEST(DDSketch, SerializeRoundTripAndRejects) {
  DDSketch s;
  for (double x : LogNormal(1000, 4)) s.Add(x);
  s.Add(0);
  std::string bytes = s.Serialize();
  DDSketch t;
  ASSERT_TRUE(t.Deserialize(bytes).ok());
  EXPECT_EQ(t, s);
  EXPECT_EQ(t.Serialize(), bytes);

  DDSketch u;
  u.Add(7);
  std::string bad = bytes;
  bad[2] = 9;  // unknown version
  EXPECT_FALSE(u.Deserialize(bad).ok());
  EXPECT_FALSE(u.Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(u.Deserialize(bytes + "x").ok());
  EXPECT_FALSE(u.Deserialize("").ok());
  EXPECT_EQ(u.count(), 1u);  // unchanged by failures
  // Every truncation is refused, never misread or crashing.
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(u.Deserialize(bytes.substr(0, n)).ok()) << n;
}

// Bins are 4 bytes until the count passes 2^32 - 1, then 8: the counts
// must stay exact across that step, by Add, by Merge, by folding and through
// Serialize.
TEST(DDSketch, CountsStayExactPastTwoToThe32) {
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  DDSketch s;
  s.Add(5, kMax32);
  s.Add(5, 1);  // the bin of 5 now holds 2^32
  s.Add(50, 3);
  EXPECT_EQ(s.count(), kMax32 + 4);
  EXPECT_EQ(s.CountAbove(10), 3u);
  EXPECT_EQ(s.CountAbove(1), kMax32 + 4);
  EXPECT_NEAR(s.Quantile(0.5), 5, 5 * 0.0101);
  EXPECT_NEAR(s.Quantile(1.0 - 1e-10), 50, 50 * 0.0101);  // rank count - 2: one of the three 50s

  // The same values merged from two narrow sketches.
  DDSketch a, b;
  a.Add(5, kMax32 - 10);
  b.Add(5, 11);
  b.Add(50, 3);
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(a, s);
  EXPECT_EQ(a.Serialize(), s.Serialize());

  DDSketch t;
  ASSERT_TRUE(t.Deserialize(s.Serialize()).ok());
  EXPECT_EQ(t, s);
  t.Add(500, 2);
  EXPECT_EQ(t.CountAbove(100), 2u);
  EXPECT_EQ(t.count(), kMax32 + 6);

  // Folding the lowest bins into one sums them past 2^32 - 1.
  DDSketch f(0.01, 4);
  f.Add(1, kMax32 - 1);
  f.Add(1.5, 5);  // a bin far above: 1's bin folds into the lowest kept
  EXPECT_TRUE(f.collapsed());
  EXPECT_EQ(f.count(), kMax32 + 4);
  EXPECT_EQ(f.CountAbove(1.45), 5u);  // the 1s now sit in the lowest kept bin, below 1.45
  DDSketch g(0.01, 4);
  g.Add(1.5, 5);
  g.Add(1, kMax32 - 1);
  EXPECT_EQ(g.count(), f.count());
  EXPECT_EQ(g.Quantile(0.5), f.Quantile(0.5));
}

}  // namespace
}  // namespace augur::analysis
