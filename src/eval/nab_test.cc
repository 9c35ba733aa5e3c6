#include "eval/nab.h"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

namespace augur::eval {
namespace {

constexpr int64_t kMinute = 60'000'000;
using Windows = std::vector<NabWindow>;

// 100 one-minute rows (probation: rows 0-14) with one window over rows
// 40-49; the rows listed in `detected` score 1, the others 0.
constexpr int kRows = 100;
constexpr int kFirst = 40;
constexpr int kLast = 49;

std::vector<NabRow> Rows(std::initializer_list<int> detected, int n = kRows) {
  std::vector<NabRow> rows(n);
  for (int i = 0; i < n; ++i) rows[i] = {i * kMinute, 0.0};
  for (int i : detected) rows[i].anomaly_score = 1.0;
  return rows;
}

Windows Window(int first = kFirst, int last = kLast) {
  return {{first * kMinute, last * kMinute}};
}

const CostProfile kStandard{"standard", 1.0, 0.11, 1.0};

double Score(std::initializer_list<int> detected, const CostProfile& profile = kStandard) {
  auto file = PrepareFile("synthetic", Rows(detected), Window());
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return ScoreAtThreshold(std::span(&*file, 1), profile, 0.5).score;
}

// Weighted FP cost of a detection `rows_past` rows behind the window.
double FpCost(int rows_past) {
  return 0.11 * ScaledSigmoid(static_cast<double>(rows_past) / (kLast - kFirst));
}

TEST(Nab, ProbationIsFifteenPercentCappedAt750Rows) {
  EXPECT_EQ(ProbationRows(0), 0);
  EXPECT_EQ(ProbationRows(100), 15);
  EXPECT_EQ(ProbationRows(4032), 604);  // floor(604.8)
  EXPECT_EQ(ProbationRows(5000), 750);
  EXPECT_EQ(ProbationRows(15833), 750);
}

TEST(Nab, ScaledSigmoidShape) {
  EXPECT_NEAR(ScaledSigmoid(-1.0), 0.98661, 1e-5);
  EXPECT_NEAR(ScaledSigmoid(-0.5), 0.84828, 1e-5);
  EXPECT_DOUBLE_EQ(ScaledSigmoid(0.0), 0.0);
  EXPECT_NEAR(ScaledSigmoid(1.0), -0.98661, 1e-5);
  EXPECT_DOUBLE_EQ(ScaledSigmoid(3.5), -1.0);
}

TEST(Nab, DetectionAtWindowStartEarnsTheTpWeight) {
  EXPECT_DOUBLE_EQ(Score({kFirst}), 1.0);
}

TEST(Nab, LaterDetectionEarnsLess) {
  const double early = Score({kFirst + 1});
  const double late = Score({kLast});
  EXPECT_LT(late, early);
  EXPECT_GT(late, 0.0);
  // Last row: position -1/width in the window.
  EXPECT_DOUBLE_EQ(late, ScaledSigmoid(-1.0 / 10) / ScaledSigmoid(-1.0));
}

TEST(Nab, OnlyTheFirstDetectionInAWindowCounts) {
  EXPECT_DOUBLE_EQ(Score({kFirst, kFirst + 5, kLast}), Score({kFirst}));
  EXPECT_DOUBLE_EQ(Score({kFirst + 5, kLast}), Score({kFirst + 5}));
}

TEST(Nab, MissedWindowCostsTheFnWeight) {
  EXPECT_DOUBLE_EQ(Score({}), -1.0);
  const CostProfile low_fn{"reward_low_FN_rate", 1.0, 0.11, 2.0};
  EXPECT_DOUBLE_EQ(Score({}, low_fn), -2.0);
}

TEST(Nab, FalsePositiveBeforeAnyWindowCostsTheFullFpWeight) {
  EXPECT_DOUBLE_EQ(Score({20, kFirst}), 1.0 - 0.11);
  const CostProfile low_fp{"reward_low_FP_rate", 1.0, 0.22, 1.0};
  EXPECT_DOUBLE_EQ(Score({20, kFirst}, low_fp), 1.0 - 0.22);
}

TEST(Nab, FalsePositiveCostGrowsWithDistancePastTheWindow) {
  // Distance in units of the window's width - 1 (9 rows here).
  EXPECT_DOUBLE_EQ(Score({kFirst, kLast + 1}), 1.0 + FpCost(1));
  EXPECT_DOUBLE_EQ(Score({kFirst, kLast + 9}), 1.0 + FpCost(9));
  EXPECT_NEAR(FpCost(9), -0.11 * 0.98661, 1e-6);
  // More than three widths behind: the full weight.
  EXPECT_DOUBLE_EQ(Score({kFirst, kLast + 28}), 1.0 - 0.11);
  // Every false positive counts, unlike detections in a window.
  EXPECT_DOUBLE_EQ(Score({kFirst, kLast + 1, kLast + 28}), 1.0 + FpCost(1) - 0.11);
}

TEST(Nab, ProbationRowsAreIgnored) {
  EXPECT_DOUBLE_EQ(Score({3, 14}), Score({}));
  EXPECT_DOUBLE_EQ(Score({15}), -1.0 - 0.11);  // the first scored row
}

TEST(Nab, WindowInsideProbationIsNotScored) {
  auto file = PrepareFile("early", Rows({5}), Window(2, 8));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->num_scored_windows, 0);
  EXPECT_DOUBLE_EQ(NullScore(std::span(&*file, 1), kStandard), 0.0);
  // Row 20 is 12 rows behind a 7-row window: 2 widths, not the full FP cost.
  auto late = PrepareFile("early", Rows({20}), Window(2, 8));
  ASSERT_TRUE(late.ok());
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(std::span(&*late, 1), kStandard, 0.5).score, 0.11 * ScaledSigmoid(12.0 / 6));
}

TEST(Nab, WindowOverlappingProbationKeepsItsLaterRows) {
  auto file = PrepareFile("straddle", Rows({12}), Window(10, 19));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->num_scored_windows, 1);
  // The detection at row 12 is in probation, so the window counts as missed.
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(std::span(&*file, 1), kStandard, 0.5).score, -1.0);
}

TEST(Nab, RepeatedTimestampsCountAsRowsAndWindowEndsAreFirstMatches) {
  // Rows 30-39 all carry row 30's timestamp, as NAB's series do where a
  // clock fell back; the window still spans rows 40-49 and row 50 is one row
  // past it.
  std::vector<NabRow> rows = Rows({kFirst, kLast + 1});
  for (int i = 31; i < 40; ++i) rows[i].timestamp_us = rows[30].timestamp_us;
  auto file = PrepareFile("dst", rows, Window());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(std::span(&*file, 1), kStandard, 0.5).score, 1.0 + FpCost(1));
  // A window end repeated inside the window: the first row bearing it is the end.
  rows[45].timestamp_us = rows[kLast].timestamp_us;
  auto shorter = PrepareFile("dst", rows, Window());
  ASSERT_TRUE(shorter.ok());
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(std::span(&*shorter, 1), kStandard, 0.5).score,
                   1.0 + 0.11 * ScaledSigmoid(5.0 / 5));
}

TEST(Nab, DetectionMeansScoreAtOrAboveThreshold) {
  std::vector<NabRow> rows = Rows({});
  rows[kFirst].anomaly_score = 0.7;
  auto file = PrepareFile("t", rows, Window());
  ASSERT_TRUE(file.ok());
  const std::span files(&*file, 1);
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(files, kStandard, 0.7).score, 1.0);
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(files, kStandard, std::nextafter(0.7, 1.0)).score, -1.0);
}

TEST(Nab, CountsAreRows) {
  auto file = PrepareFile("c", Rows({kFirst, kFirst + 1, 60}), Window());
  ASSERT_TRUE(file.ok());
  const Counts c = ScoreAtThreshold(std::span(&*file, 1), kStandard, 0.5).counts;
  EXPECT_EQ(c.tp, 2);
  EXPECT_EQ(c.fn, 8);
  EXPECT_EQ(c.fp, 1);
  EXPECT_EQ(c.tn, kRows - 15 - 10 - 1);
}

TEST(Nab, SweepAgreesWithScoringAtEachThreshold) {
  // Two files with graded scores, so the sweep passes FPs, TPs and ties.
  std::vector<NabRow> a = Rows({});
  std::vector<NabRow> b = Rows({});
  for (int i = 0; i < kRows; ++i) {
    a[i].anomaly_score = (i * 37 % 101) / 100.0;
    b[i].anomaly_score = (i * 53 % 11) / 10.0;
  }
  auto fa = PrepareFile("a", a, Window());
  auto fb = PrepareFile("b", b, Windows{{10 * kMinute, 30 * kMinute}, {70 * kMinute, 80 * kMinute}});
  ASSERT_TRUE(fa.ok() && fb.ok());
  const std::vector<FileCredits> files{*fa, *fb};
  const std::vector<ThresholdScore> sweep = SweepThresholds(files, kStandard);
  ASSERT_GT(sweep.size(), 10u);
  EXPECT_EQ(sweep.front().threshold, kNoDetectionThreshold);
  EXPECT_DOUBLE_EQ(sweep.front().score, NullScore(files, kStandard));
  for (size_t i = 0; i < sweep.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(sweep[i].threshold, sweep[i - 1].threshold);
    }
    const ThresholdScore direct = ScoreAtThreshold(files, kStandard, sweep[i].threshold);
    EXPECT_NEAR(sweep[i].score, direct.score, 1e-9) << "threshold " << sweep[i].threshold;
    EXPECT_EQ(sweep[i].counts.tp, direct.counts.tp);
    EXPECT_EQ(sweep[i].counts.fp, direct.counts.fp);
    EXPECT_EQ(sweep[i].counts.fn, direct.counts.fn);
    EXPECT_EQ(sweep[i].counts.tn, direct.counts.tn);
  }
}

TEST(Nab, BestThresholdPrefersTheHigherThresholdOnATie) {
  const std::vector<ThresholdScore> sweep{{1.1, -2.0, {}}, {0.9, 3.0, {}}, {0.5, 3.0, {}}, {0.1, 1.0, {}}};
  EXPECT_EQ(BestThreshold(sweep).threshold, 0.9);
}

TEST(Nab, NormalizationMapsNullToZeroAndPerfectToHundred) {
  const double null = -116.0;
  const double perfect = PerfectScore(116, kStandard);
  EXPECT_DOUBLE_EQ(perfect, 116.0);
  EXPECT_DOUBLE_EQ(NormalizedScore(null, null, perfect), 0.0);
  EXPECT_DOUBLE_EQ(NormalizedScore(perfect, null, perfect), 100.0);
  EXPECT_DOUBLE_EQ(NormalizedScore(0.0, null, perfect), 50.0);
}

TEST(Nab, RejectsMalformedInput) {
  std::vector<NabRow> rows = Rows({});
  EXPECT_EQ(PrepareFile("x", rows, Windows{{kFirst * kMinute + 1, kLast * kMinute}}).status().code(),
            Status::Code::kInvalidArgument);                                         // not a row's timestamp
  EXPECT_FALSE(PrepareFile("x", rows, Windows{{50 * kMinute, 40 * kMinute}}).ok());  // reversed
  EXPECT_FALSE(PrepareFile("x", rows, Windows{{40 * kMinute, 50 * kMinute}, {50 * kMinute, 60 * kMinute}}).ok());
  EXPECT_FALSE(PrepareFile("x", rows, Windows{{40 * kMinute, 40 * kMinute}}).ok());  // one row, rows follow
  EXPECT_TRUE(PrepareFile("x", rows, Windows{{99 * kMinute, 99 * kMinute}}).ok());   // one row, at the end
  rows[3].anomaly_score = 1.5;
  EXPECT_FALSE(PrepareFile("x", rows, {}).ok());
  rows[3].anomaly_score = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(PrepareFile("x", rows, {}).ok());
}

}  // namespace
}  // namespace augur::eval
