#include "logs/numeric_series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace augur::logs {
namespace {

constexpr uint64_t kMin = 60'000'000'000ULL;

TEST(ParseNumericValue, ReadsNumbersWithUnits) {
  auto v = ParseNumericValue("42");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->value, 42);
  EXPECT_EQ(v->unit, NumericUnit::kNone);
  v = ParseNumericValue("-3.5,");
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->value, -3.5);
  v = ParseNumericValue("42 ms");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->unit, NumericUnit::kMs);
  EXPECT_DOUBLE_EQ(v->value, 42);
  v = ParseNumericValue("1.5s");
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->value, 1500);  // in ms
  v = ParseNumericValue("(2 KB)");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->unit, NumericUnit::kBytes);
  EXPECT_DOUBLE_EQ(v->value, 2000);
  v = ParseNumericValue("10.2", "ms,");  // "10.2 ms," masks as two tokens
  ASSERT_TRUE(v);
  EXPECT_EQ(v->unit, NumericUnit::kMs);
  v = ParseNumericValue("30", "rows");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->unit, NumericUnit::kNone);
  v = ParseNumericValue("99%");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->unit, NumericUnit::kPercent);
}

TEST(ParseNumericValue, IdsAddressesAndVersionsAreNotNumbers) {
  for (const char* s : {"10.0.0.1", "v2", "0x1f", "3f2a9c1b", "blk_-1234", "1.2.3", "12:30:00", "2005-06-03", "1e5",
                        "42 apples", "-", ""}) {
    EXPECT_FALSE(ParseNumericValue(s)) << s;
  }
}

TEST(ValueText, CutsTheShapesLiteralParts) {
  EXPECT_EQ(ValueText("took=<*>,", "took=42ms,"), "42ms");
  EXPECT_EQ(ValueText("<*>", "42 ms"), "42 ms");
  EXPECT_FALSE(ValueText("took=<*>", "size=42"));
  EXPECT_EQ(ValueText("<*>.<*>", "10.5"), "10.5");
  EXPECT_EQ(ValueText("<*>:<*>", "1:2"), "1:2");  // (and then not a number)
  EXPECT_FALSE(ParseNumericValue("1:2"));
  EXPECT_FALSE(ValueText("word", "word"));
}

// Feeds `per_bucket` values a bucket from `value(bucket, i)` over buckets
// [from, to); returns the raises (and updates) it reported.
template <typename F>
int Feed(NumericSeries* s, const NumericRule& rule, uint64_t from, uint64_t to, int per_bucket, F value) {
  int raised = 0;
  for (uint64_t b = from; b < to; ++b) {
    for (int i = 0; i < per_bucket; ++i) {
      detect::Verdict v;
      if (s->Add(b, NumericValue{value(b, i), NumericUnit::kMs}, kMin, rule, &v) && v.event == detect::Event::kRaised) {
        ++raised;
      }
    }
  }
  return raised;
}

// Deterministic noise in [-1, 1).
double Noise(uint64_t b, int i) {
  uint64_t x = b * 1'000'003ULL + static_cast<uint64_t>(i) * 7919ULL + 12345;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<double>(x % 20'000) / 10'000.0 - 1;
}

TEST(NumericSeries, AShiftOfTheMedianRaises) {
  NumericRule rule;
  NumericSeries s;
  EXPECT_EQ(Feed(&s, rule, 0, 120, 10, [](uint64_t b, int i) { return 40 + 8 * Noise(b, i); }), 0);
  EXPECT_EQ(s.phase(), NumericSeries::Phase::kTracked);
  EXPECT_EQ(Feed(&s, rule, 120, 130, 10, [](uint64_t b, int i) { return 420 + 80 * Noise(b, i); }), 1);
  EXPECT_TRUE(s.incident_open());
  EXPECT_GT(s.last_median(), 300);
}

TEST(NumericSeries, NoisyButStationaryValuesRaiseNothing) {
  NumericRule rule;
  NumericSeries s;
  // Heavy noise: a log-uniform spread over two orders of magnitude, 6 values a bucket.
  const int raised = Feed(&s, rule, 0, 24 * 60, 6, [](uint64_t b, int i) { return std::pow(10, 1 + Noise(b, i)); });
  EXPECT_EQ(raised, 0);
  EXPECT_EQ(s.phase(), NumericSeries::Phase::kTracked);
}

TEST(NumericSeries, CountersAndClocksAreRefused) {
  NumericRule rule;
  NumericSeries counter;
  uint64_t n = 0;
  Feed(&counter, rule, 0, 20, 10, [&](uint64_t, int) { return static_cast<double>(n++); });
  EXPECT_EQ(counter.phase(), NumericSeries::Phase::kRefused);
  // A token that seldom holds a number is refused too.
  NumericSeries words;
  for (uint32_t i = 0; i < rule.qualify_values; ++i) {
    detect::Verdict v;
    words.Add(0, i % 3 == 0 ? std::optional<NumericValue>(NumericValue{1, NumericUnit::kNone}) : std::nullopt, kMin,
              rule, &v);
  }
  EXPECT_EQ(words.phase(), NumericSeries::Phase::kRefused);
}

TEST(NumericSeries, BucketsWithFewValuesGiveNoPoint) {
  NumericRule rule;
  rule.qualify_values = 1;
  NumericSeries s;
  int points = 0;
  for (uint64_t b = 0; b < 50; ++b) {
    for (uint32_t i = 0; i + 1 < rule.min_values; ++i) {
      detect::Verdict v;
      points += s.Add(b, NumericValue{5 + Noise(b, static_cast<int>(i)), NumericUnit::kNone}, kMin, rule, &v) ? 1 : 0;
    }
  }
  EXPECT_EQ(points, 0);
}

TEST(NumericSeries, SaveAndLoadKeepTheSeries) {
  NumericRule rule;
  NumericSeries s;
  Feed(&s, rule, 0, 60, 10, [](uint64_t b, int i) { return 40 + 8 * Noise(b, i); });
  std::string bytes;
  analysis::StateWriter w(&bytes);
  s.Save(&w);
  NumericSeries back;
  analysis::StateReader r(bytes);
  back.Load(&r);
  ASSERT_TRUE(r.Finish("numeric").ok());
  std::string again;
  analysis::StateWriter w2(&again);
  back.Save(&w2);
  EXPECT_EQ(again, bytes);
  // The same shift raises in both.
  auto shifted = [](uint64_t b, int i) { return 420 + 80 * Noise(b, i); };
  EXPECT_EQ(Feed(&s, rule, 60, 70, 10, shifted), Feed(&back, rule, 60, 70, 10, shifted));
}

}  // namespace
}  // namespace augur::logs
