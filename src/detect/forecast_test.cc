#include "detect/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace augur::detect {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'800'000'000 * kS;

TEST(Forecaster, SteadyGrowthTowardTheLimitIsForecastWithTheCrossingTime) {
  ForecastOptions o;
  Forecaster f;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0, 0.3);
  // Disk at 40 %, +1 % per hour: 100 % in 60 h from the start.
  Forecast raised;
  uint64_t raised_at = 0;
  for (uint64_t t = 0; t <= 30 * 3600; t += 60) {
    Forecast r = f.Update(o, kT0 + t * kS, 40 + t / 3600.0 + noise(rng), 100);
    if (r.event == Event::kRaised) {
      raised = r;
      raised_at = t;
    }
  }
  ASSERT_EQ(raised.event, Event::kRaised);
  // Raised once a line explains the rise (R² >= 0.8): with noise of 0.3 %
  // around +1 %/h that takes a couple of hours, still ~58 h ahead of the
  // crossing.
  EXPECT_LE(raised_at, 3 * 3600u);
  const double predicted_h = static_cast<double>(raised.predicted_ns - kT0) / kS / 3600.0;
  EXPECT_NEAR(predicted_h, 60, 3);
  EXPECT_NEAR(raised.slope_per_s * 3600, 1.0, 0.1);
  EXPECT_TRUE(f.open());
}

TEST(Forecaster, FlatOrNoisySeriesAreNotForecast) {
  ForecastOptions o;
  Forecaster flat, noisy;
  std::mt19937_64 rng(2);
  std::normal_distribution<double> noise(0, 5);
  for (uint64_t t = 0; t <= 48 * 3600; t += 60) {
    EXPECT_EQ(flat.Update(o, kT0 + t * kS, 70 + noise(rng) * 0.01, 100).event, Event::kNone);
    // A daily wave around 60 %: rising half the time, but no line explains it for long.
    const double wave = 60 + 20 * std::sin(2 * M_PI * static_cast<double>(t) / 86400.0) + noise(rng);
    const Forecast r = noisy.Update(o, kT0 + t * kS, wave, 100);
    EXPECT_NE(r.event, Event::kRaised) << "t=" << t / 3600.0 << "h r2=" << r.r2;
  }
}

TEST(Forecaster, EndsWhenTheGrowthStops) {
  ForecastOptions o;
  Forecaster f;
  bool raised = false, ended = false;
  double v = 50;
  for (uint64_t t = 0; t <= 40 * 3600; t += 60) {
    if (t < 10 * 3600) v += 2.0 / 60;  // +2 %/h for 10 h, then flat (someone cleaned up)
    const Forecast r = f.Update(o, kT0 + t * kS, v, 100);
    raised = raised || r.event == Event::kRaised;
    if (r.event == Event::kEnded) ended = true;
  }
  EXPECT_TRUE(raised);
  EXPECT_TRUE(ended);
  EXPECT_FALSE(f.open());
}

TEST(Forecaster, StateRoundTrips) {
  ForecastOptions o;
  Forecaster a, b;
  for (uint64_t t = 0; t < 3600; t += 60) a.Update(o, kT0 + t * kS, 10 + t / 100.0, 100);
  ASSERT_TRUE(b.Deserialize(a.Serialize()).ok());
  const Forecast x = a.Update(o, kT0 + 3600 * kS, 46, 100), y = b.Update(o, kT0 + 3600 * kS, 46, 100);
  EXPECT_EQ(x.predicted_ns, y.predicted_ns);
  EXPECT_EQ(x.event, y.event);
  EXPECT_FALSE(b.Deserialize("xx").ok());
}

}  // namespace
}  // namespace augur::detect
