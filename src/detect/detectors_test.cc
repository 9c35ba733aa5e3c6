// Unit tests of the detectors' contracts: state size, persistence,
// determinism, the statistics and the explanation line. Behaviour on data is
// tested by the scripts in testdata/ (script_test.cc).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "detect/error_detector.h"
#include "detect/latency_detector.h"
#include "detect/metric_detector.h"
#include "detect/stats.h"
#include "detect/traffic_detector.h"
#include "gtest/gtest.h"

namespace augur::detect {
namespace {

constexpr uint64_t kStart = 1704067200ull * 1'000'000'000;
constexpr uint64_t kStep = 10'000'000'000;

// A deterministic wiggly series with a step at 600.
double Value(int i) {
  return 100 + 5 * std::sin(i * 0.37) + 3 * std::cos(i * 1.91) + (i >= 600 ? 40 : 0);
}

TEST(StateSize, FitsTheBudget) {
  EXPECT_LE(sizeof(MetricDetector), 256u);
  EXPECT_LE(sizeof(TrafficDetector), 256u);
  EXPECT_LE(sizeof(ErrorDetector), 256u);
  EXPECT_LE(sizeof(LatencyDetector), 256u);
  MetricDetector d;
  EXPECT_LE(d.Serialize().size(), 256u);
}

TEST(MetricDetector, ResumesFromSerializedStateBitForBit) {
  const Options o;
  MetricDetector a;
  for (int i = 0; i < 500; ++i) a.Update(o, {kStart + i * kStep, Value(i)});
  const std::string bytes = a.Serialize();
  MetricDetector b;
  ASSERT_TRUE(b.Deserialize(bytes).ok());
  EXPECT_EQ(b.Serialize(), bytes);
  int events = 0;
  for (int i = 500; i < 1000; ++i) {
    const Verdict va = a.Update(o, {kStart + i * kStep, Value(i)});
    const Verdict vb = b.Update(o, {kStart + i * kStep, Value(i)});
    ASSERT_EQ(va.score, vb.score) << i;
    ASSERT_EQ(va.event, vb.event) << i;
    events += va.event == Event::kRaised ? 1 : 0;
  }
  EXPECT_EQ(events, 1);  // the step
}

TEST(MetricDetector, RefusesForeignOrDamagedState) {
  MetricDetector m;
  const std::string bytes = m.Serialize();
  EXPECT_FALSE(m.Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(m.Deserialize(bytes + "x").ok());
  std::string other_version = bytes;
  other_version[3] = 99;
  EXPECT_FALSE(m.Deserialize(other_version).ok());
  EXPECT_FALSE(m.Deserialize(TrafficDetector().Serialize()).ok());
  EXPECT_FALSE(m.Deserialize("").ok());
}

TEST(Detectors, AllRoundTrip) {
  const Options o;
  TrafficDetector t;
  ErrorDetector e;
  LatencyDetector l;
  for (int i = 0; i < 100; ++i) {
    t.Update(o, {kStart + i * kStep, static_cast<uint64_t>(50 + i % 7), 0});
    e.Update(o, {kStart + i * kStep, 50, static_cast<uint64_t>(i % 13 == 0)});
    l.Update(o, {kStart + i * kStep, 50, 120.0 + i % 5, 200.0 + i % 9, 260.0 + i % 11, l.Reference(),
                 static_cast<uint64_t>(i % 3 == 0)});
  }
  TrafficDetector t2;
  ErrorDetector e2;
  LatencyDetector l2;
  ASSERT_TRUE(t2.Deserialize(t.Serialize()).ok());
  ASSERT_TRUE(e2.Deserialize(e.Serialize()).ok());
  ASSERT_TRUE(l2.Deserialize(l.Serialize()).ok());
  EXPECT_EQ(t2.Serialize(), t.Serialize());
  EXPECT_EQ(e2.Serialize(), e.Serialize());
  EXPECT_EQ(l2.Serialize(), l.Serialize());
  EXPECT_FALSE(e2.Deserialize(l.Serialize()).ok());
  EXPECT_NEAR(l.Normal(0), 122, 3);
}

TEST(MetricDetector, SameInputSameOutput) {
  const Options o;
  MetricDetector a, b;
  for (int i = 0; i < 2000; ++i) {
    const double x = Value(i) + (i % 97 == 0 ? 30 : 0);
    ASSERT_EQ(a.Update(o, {kStart + i * kStep, x}).score, b.Update(o, {kStart + i * kStep, x}).score);
  }
}

TEST(MetricDetector, IgnoresNonFiniteValues) {
  const Options o;
  MetricDetector d;
  for (int i = 0; i < 100; ++i) d.Update(o, {kStart + i * kStep, Value(i)});
  const std::string before = d.Serialize();
  const Verdict v = d.Update(o, {kStart + 100 * kStep, std::nan("")});
  EXPECT_EQ(v.event, Event::kNone);
  EXPECT_EQ(d.Serialize(), before);
}

TEST(ErrorDetector, OneErrorInThreeRequestsIsNotNews) {
  const Options o;
  ErrorDetector d;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t errors = i % 50 == 49 ? 1 : 0;  // now and then one error in a quiet bucket
    const Verdict v = d.Update(o, {kStart + i * kStep, 3, errors});
    ASSERT_EQ(v.event, Event::kNone) << i;
  }
}

TEST(Stats, Evidence) {
  EXPECT_NEAR(NormalEvidence(3), -std::log10(0.0013499), 1e-3);
  EXPECT_NEAR(NormalEvidence(40), 350, 60);  // capped region is still finite
  EXPECT_EQ(NormalEvidence(-1), 0);
  EXPECT_DOUBLE_EQ(Score(5, 5), 0.5);
  EXPECT_EQ(Score(0, 5), 0);
  EXPECT_LT(Score(100, 5), 1.0 + 1e-12);
}

TEST(Stats, CountZScores) {
  EXPECT_NEAR(PoissonZ(100, 100), 0, 1e-9);
  EXPECT_GT(PoissonZ(130, 100), 2.5);
  EXPECT_LT(PoissonZ(130, 100), 3.5);
  EXPECT_LT(PoissonZ(0, 50), -9);
  EXPECT_LT(BinomialZ(1, 3, 0.01), 2.5);   // one error in three requests: weak
  EXPECT_GT(BinomialZ(25, 50, 0.01), 10);  // half of 50 requests failing: overwhelming
}

TEST(Stats, EvidenceZInvertsNormalEvidence) {
  for (double z : {0.5, 1.0, 3.0, 7.5, 20.0}) EXPECT_NEAR(EvidenceZ(NormalEvidence(z)), z, 1e-6 * (1 + z));
  EXPECT_EQ(EvidenceZ(0), 0);
  EXPECT_EQ(EvidenceZ(0.1), 0);  // P > 1/2: no evidence upward
}

TEST(Stats, BetaBinomialEvidence) {
  // Nothing at or below the expected count.
  EXPECT_EQ(BetaBinomialEvidence(0, 25, 1, 999).at_least, 0);
  EXPECT_EQ(BetaBinomialEvidence(5, 100, 1, 19).at_least, 0);
  // A well known share: close to the binomial tail. P(K >= 3 | 25, 0.001) = 2.27e-6.
  const ShareEvidence known = BetaBinomialEvidence(3, 25, 1e4, 1e7 - 1e4);
  EXPECT_NEAR(known.at_least, -std::log10(2.27e-6), 0.02);
  EXPECT_GT(known.mid, known.at_least);  // mid-p counts half of P(K = 3)
  // The same share known from few requests is weaker evidence.
  const ShareEvidence vague = BetaBinomialEvidence(3, 25, 1, 999);
  EXPECT_LT(vague.at_least, known.at_least - 0.3);
  EXPECT_GT(vague.at_least, 0);
  // All 25 of 25: overwhelming, and finite.
  EXPECT_GT(BetaBinomialEvidence(25, 25, 1, 999).at_least, 40);
  EXPECT_LE(BetaBinomialEvidence(1e6, 1e6, 1, 1e9).at_least, 300);
}

TEST(Options, ForRateBudgetsFalseIncidentsPerDay) {
  // 5 s buckets: 17280 points a day, 1e-3 false incidents a day.
  const Options medium = Options::ForRate(Sensitivity::kMedium, 17280);
  EXPECT_NEAR(medium.alert_evidence, std::log10(17280 / 1e-3), 1e-9);
  EXPECT_NEAR(medium.spike_evidence, medium.alert_evidence + 1, 1e-9);
  EXPECT_LT(Options::ForRate(Sensitivity::kHigh, 17280).alert_evidence, medium.alert_evidence);
  EXPECT_GT(Options::ForRate(Sensitivity::kLow, 17280).alert_evidence, medium.alert_evidence);
  // Never below the per-point bars of For().
  EXPECT_EQ(Options::ForRate(Sensitivity::kMedium, 1).alert_evidence,
            Options::For(Sensitivity::kMedium).alert_evidence);
}

// 25 requests a bucket, 20-50 ms (a deterministic spread), `slow` of them
// taking `extra_ms` more.
LatencyPoint Bucket(const LatencyDetector& d, int i, int slow, double extra_ms) {
  LatencyPoint p;
  p.time_ns = kStart + i * 5'000'000'000ull;
  p.count = 25;
  std::vector<double> v;
  for (int k = 0; k < 25; ++k) v.push_back(20 + (k * 7 + i) % 31 + (k < slow ? extra_ms : 0));
  std::sort(v.begin(), v.end());
  p.p50 = v[12];
  p.p90 = v[21];
  p.p99 = v[23];
  p.reference = d.Reference();
  p.slow = 0;
  for (double x : v) p.slow += x > p.reference ? 1 : 0;
  return p;
}

TEST(LatencyDetector, OneBucketWithManyFarSlowRequestsRaisesAtOnce) {
  const Options o = Options::ForRate(Sensitivity::kMedium, 17280);
  LatencyDetector d;
  for (int i = 0; i < 720; ++i) ASSERT_EQ(d.Update(o, Bucket(d, i, 0, 0)).event, Event::kNone) << i;
  EXPECT_NEAR(d.Reference(), 2 * d.Normal(2), 1e-9);
  // A third of one bucket 300 ms slower: raised on that bucket, as slow share.
  Verdict v = d.Update(o, Bucket(d, 720, 8, 300));
  ASSERT_EQ(v.event, Event::kRaised);
  EXPECT_EQ(v.finding.quantity, Quantity::kSlowShare);
  EXPECT_EQ(v.finding.onset_ns, kStart + 720 * 5'000'000'000ull);
  // It stays: the same incident becomes a level shift, not a second one.
  int raised = 0, updated = 0;
  for (int i = 721; i < 760; ++i) {
    v = d.Update(o, Bucket(d, i, 25, 300));
    raised += v.event == Event::kRaised;
    updated += v.event == Event::kUpdated;
  }
  EXPECT_EQ(raised, 0);
  EXPECT_EQ(updated, 1);
}

TEST(LatencyDetector, OneSlowRequestNowAndThenIsNotNews) {
  const Options o = Options::ForRate(Sensitivity::kMedium, 17280);
  LatencyDetector d;
  for (int i = 0; i < 17280; ++i) {
    const int slow = i % 97 == 0 ? 1 : 0;
    ASSERT_EQ(d.Update(o, Bucket(d, i, slow, 500)).event, Event::kNone) << i;
  }
}

TEST(Finding, DescribesItselfInOneLine) {
  Finding f;
  f.kind = Kind::kLatency;
  f.quantity = Quantity::kP90;
  f.before = 41;
  f.observed = 380;
  f.expected_low = 30;
  f.expected_high = 55;
  EXPECT_EQ(Describe(f, "duration of POST /items on writer", "ms"),
            "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms");
  f.quantity = Quantity::kErrorRatio;
  f.before = 0.001;
  f.observed = 0.2;
  f.expected_low = 0;
  f.expected_high = 0.01;
  EXPECT_EQ(Describe(f, "writer", ""), "error ratio of writer rose from 0.1% to 20%; expected 0%–1%");
}

}  // namespace
}  // namespace augur::detect
