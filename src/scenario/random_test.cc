#include "scenario/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace augur::scenario {
namespace {

TEST(RngTest, SameSeedAndStreamSameNumbers) {
  Rng a(7, 1), b(7, 1), c(7, 2), d(8, 1);
  int same_c = 0, same_d = 0;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    same_c += x == c.Next();
    same_d += x == d.Next();
  }
  EXPECT_EQ(same_c, 0);
  EXPECT_EQ(same_d, 0);
}

TEST(RngTest, UniformAndExponentialMoments) {
  Rng r(1, 1);
  const int n = 200'000;
  double sum_u = 0, sum_e = 0, sum_z = 0, sum_z2 = 0;
  for (int i = 0; i < n; ++i) {
    double u = r.Uniform();
    ASSERT_GE(u, 0);
    ASSERT_LT(u, 1);
    sum_u += u;
    sum_e += r.Exponential(2);
    double z = r.Normal();
    sum_z += z;
    sum_z2 += z * z;
  }
  EXPECT_NEAR(sum_u / n, 0.5, 0.005);
  EXPECT_NEAR(sum_e / n, 2, 0.03);
  EXPECT_NEAR(sum_z / n, 0, 0.01);
  EXPECT_NEAR(sum_z2 / n, 1, 0.02);
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

TEST(RngTest, LatencyHasTheModelsMedianAndP99) {
  Rng r(3, 9);
  LatencyModel m{.median_ms = 20, .p99_ms = 50};
  std::vector<double> v;
  for (int i = 0; i < 100'000; ++i) v.push_back(r.Latency(m));
  EXPECT_NEAR(Quantile(v, 0.5), 20, 0.5);
  EXPECT_NEAR(Quantile(v, 0.99), 50, 2.5);
}

TEST(RngTest, HeavyTailRaisesTheFarTailOnly) {
  LatencyModel plain{.median_ms = 20, .p99_ms = 50};
  LatencyModel heavy = plain;
  heavy.tail_probability = 0.02;
  heavy.tail_alpha = 1.2;
  heavy.max_ms = 10'000;
  Rng a(5, 1), b(5, 1);
  std::vector<double> va, vb;
  for (int i = 0; i < 100'000; ++i) {
    va.push_back(a.Latency(plain));
    vb.push_back(b.Latency(heavy));
  }
  EXPECT_NEAR(Quantile(vb, 0.5), Quantile(va, 0.5), 1.0);
  EXPECT_GT(Quantile(vb, 0.999), 2 * Quantile(va, 0.999));
  EXPECT_LE(*std::max_element(vb.begin(), vb.end()), 10'000);
}

TEST(RngTest, IdsAreNeverZero) {
  Rng r(11, 3);
  for (int i = 0; i < 1000; ++i) {
    auto id = r.Id<8>();
    EXPECT_FALSE(std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; }));
  }
}

}  // namespace
}  // namespace augur::scenario
