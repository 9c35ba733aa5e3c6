#include "eval/nab_corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace augur::eval {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A one-series NAB tree: 20 rows, a window over rows 10-13.
fs::path MakeTinyNab() {
  const fs::path root = fs::path(::testing::TempDir()) / "tiny_nab";
  fs::remove_all(root);
  std::string data = "timestamp,value\n";
  std::string results = "timestamp,value,anomaly_score\n";
  for (int i = 0; i < 20; ++i) {
    const std::string t = "2015-01-01 00:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00";
    data += t + ",1\n";
    results += t + ",1," + (i == 11 ? "0.9" : "0.1") + "\n";
  }
  WriteFile(root / "data/cat/series.csv", data);
  WriteFile(root / "results/det/cat/det_series.csv", results);
  WriteFile(root / "labels/combined_windows.json",
            R"({"cat/series.csv": [["2015-01-01 00:10:00.000000", "2015-01-01 00:13:00.000000"]]})");
  WriteFile(root / "config/profiles.json",
            R"({"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
                "low_fn": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}}})");
  WriteFile(root / "config/thresholds.json", R"({"det": {"standard": {"score": 0.7, "threshold": 0.5}}})");
  return root;
}

TEST(NabCorpus, LoadsATinyTree) {
  const fs::path root = MakeTinyNab();
  auto profiles = LoadProfiles(root / "config/profiles.json");
  ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
  ASSERT_EQ(profiles->size(), 2u);
  EXPECT_EQ((*profiles)[0].name, "standard");  // file order, not sorted
  EXPECT_EQ((*profiles)[1].fn_weight, 2.0);

  auto thresholds = LoadThresholds(root / "config/thresholds.json", "det");
  ASSERT_TRUE(thresholds.ok());
  EXPECT_EQ(thresholds->at("standard"), 0.5);
  EXPECT_EQ(LoadThresholds(root / "config/thresholds.json", "other").status().code(), Status::Code::kNotFound);

  auto corpus = LoadCorpus(root, root / "results/det", "det");
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ASSERT_EQ(corpus->files.size(), 1u);
  EXPECT_EQ(corpus->num_label_windows, 1);
  EXPECT_EQ(corpus->num_rows, 20);
  EXPECT_EQ(corpus->files[0].rows.size(), 17u);  // probation: floor(3.0) rows
  // Detected at the 2nd of 4 window rows: position -3/4.
  EXPECT_DOUBLE_EQ(ScoreAtThreshold(corpus->files, (*profiles)[0], 0.5).score,
                   ScaledSigmoid(-0.75) / ScaledSigmoid(-1.0));
}

TEST(NabCorpus, RequiresEveryLabelledSeriesAndMatchingRows) {
  const fs::path root = MakeTinyNab();
  EXPECT_EQ(LoadCorpus(root, root / "results/det", "nobody").status().code(), Status::Code::kNotFound);
  WriteFile(root / "results/det/cat/det_series.csv", "timestamp,value,anomaly_score\n2015-01-01 00:00:00,1,0.5\n");
  EXPECT_EQ(LoadCorpus(root, root / "results/det", "det").status().code(), Status::Code::kInvalidArgument);
}

// The published NAB scoreboard (results/final_results.json at NAB commit
// ea702d7) for the Numenta HTM detector, reproduced from its raw outputs at
// the published thresholds (config/thresholds.json).
//
// The sweep finds the same scores for two profiles. For reward_low_FP_rate it
// finds a better threshold (0.5431, the one the other two profiles use) than
// the published 0.5752: those thresholds came from NAB's earlier optimiser, a
// hill climb from 0.5 that stopped at a local maximum, and were never
// regenerated when NAB moved to the exhaustive sweep.
TEST(NabCorpus, ReproducesPublishedNumentaScores) {
  const fs::path nab = AUGUR_NAB_DIR;
  if (!fs::exists(nab / "labels/combined_windows.json")) {
    GTEST_SKIP() << "NAB data not found at " << nab << " (the shared data directory beside the repository)";
  }
  auto corpus = LoadCorpus(nab, nab / "results/numenta", "numenta");
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  EXPECT_EQ(corpus->files.size(), 58u);
  EXPECT_EQ(corpus->num_rows, 365558);
  EXPECT_EQ(corpus->num_label_windows, 116);
  auto profiles = LoadProfiles(nab / "config/profiles.json");
  auto thresholds = LoadThresholds(nab / "config/thresholds.json", "numenta");
  ASSERT_TRUE(profiles.ok() && thresholds.ok());

  struct Expected {
    double published;
    double swept;
  };
  const std::map<std::string, Expected> expected{
      {"standard", {70.10, 70.10}}, {"reward_low_FP_rate", {63.12, 63.21}}, {"reward_low_FN_rate", {74.32, 74.32}}};
  ASSERT_EQ(profiles->size(), expected.size());
  for (const CostProfile& profile : *profiles) {
    SCOPED_TRACE(profile.name);
    const double null = NullScore(corpus->files, profile);
    const double perfect = PerfectScore(corpus->num_label_windows, profile);
    const ThresholdScore at = ScoreAtThreshold(corpus->files, profile, thresholds->at(profile.name));
    const ThresholdScore best = BestThreshold(SweepThresholds(corpus->files, profile));
    EXPECT_NEAR(NormalizedScore(at.score, null, perfect), expected.at(profile.name).published, 0.01);
    EXPECT_NEAR(NormalizedScore(best.score, null, perfect), expected.at(profile.name).swept, 0.01);
    EXPECT_GE(best.score, at.score);  // the sweep is exhaustive
  }
}

}  // namespace
}  // namespace augur::eval
