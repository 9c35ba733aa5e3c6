// NAB scoring: the Numenta Anomaly Benchmark's rules (NAB v1.x, as in
// numenta/NAB nab/sweeper.py, scorer.py, optimizer.py, runner.py), in C++.
//
// A detector gives every row of a series an anomaly score in [0, 1]; at a
// threshold T a row is a detection iff its anomaly score >= T. Each labelled
// anomaly window is worth its TP weight if detected at its first row, less
// the later the first detection comes (a scaled sigmoid of the position),
// and costs the FN weight if never detected; only the best (earliest)
// detection in a window counts. A detection outside every window costs up to
// the FP weight, less when it is close behind the previous window. The first
// 15 % of each series (at most 750 rows) is a probation period: its rows
// neither earn nor cost anything, and a window lying wholly inside it is not
// scored. The corpus score is the sum over files; it is normalised against
// a detector that never fires (0) and a perfect one (100).
//
// The work is split in two so that a threshold sweep stays cheap:
// PrepareFile() assigns every scored row its profile-independent credit once;
// ScoreAtThreshold() and SweepThresholds() then weight those credits by a
// cost profile.
//
// Timestamps are microseconds since the Unix epoch (NAB's timestamps carry no
// zone; any fixed reading of them works, since only equality and order
// matter). All functions are pure: they are safe to call from many threads on
// shared const inputs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace augur::eval {

// One row of a detector's output.
struct NabRow {
  int64_t timestamp_us = 0;
  double anomaly_score = 0;  // in [0, 1]
};

// A labelled anomaly window; both ends are timestamps of rows in the file and
// belong to the window.
struct NabWindow {
  int64_t begin_us = 0;
  int64_t end_us = 0;
};

// The weights of one NAB application profile ("CostMatrix" in profiles.json).
// NAB's tnWeight is never used in scoring, so it is not kept.
struct CostProfile {
  std::string name;
  double tp_weight = 1.0;
  double fp_weight = 0.11;
  double fn_weight = 1.0;
};

// Number of leading rows of an n-row file that are not scored:
// min(floor(0.15 n), 750).
int64_t ProbationRows(int64_t num_rows);

// NAB's scaled sigmoid of a position relative to a window: 2/(1+e^(5x)) - 1,
// and -1 for x > 3. x = -1 is a window's first row (0.98661), x = 0 just past
// its last row (0), x > 0 behind it (down to -1).
double ScaledSigmoid(double relative_position);

// A scored (post-probation) row with its unweighted credit if detected.
struct RowCredit {
  double anomaly_score = 0;
  // Inside a window: ScaledSigmoid of the position in it, in (0, 0.98661].
  // Outside: ScaledSigmoid of the distance past the previous window's last
  // row in units of (its row count - 1), or -1 if no window precedes.
  double credit = 0;
  // Index among the file's scored windows, or kOutside.
  int32_t window = -1;
};
inline constexpr int32_t kOutside = -1;

// The rows of one file that count, ready to be scored under any profile.
struct FileCredits {
  std::string name;            // for messages, e.g. "realTweets/Twitter_volume_FB.csv"
  int32_t num_scored_windows;  // windows with at least one row after probation
  std::vector<RowCredit> rows;
};

// Credits the rows of one file. Rows count in file order: positions and
// distances are in rows, not time, and timestamps may repeat or step back
// (NAB's own series do, around DST changes). Each window end must be a
// timestamp in `rows` and stands for the first row bearing it. `windows`
// must be in order and not overlap, and be at least two rows wide when a row
// follows (NAB divides by width - 1 there); every anomaly score must be in
// [0, 1]. Violations are InvalidArgument naming the row or window.
// Probationary rows are dropped.
StatusOr<FileCredits> PrepareFile(std::string name, std::span<const NabRow> rows, std::span<const NabWindow> windows);

// Row counts at a threshold, over scored rows (as in NAB's score files).
struct Counts {
  int64_t tp = 0;  // detections inside a window
  int64_t fp = 0;  // detections outside every window
  int64_t fn = 0;  // rows inside a window not detected
  int64_t tn = 0;  // rows outside every window not detected
};

struct ThresholdScore {
  double threshold = 0;
  double score = 0;  // raw NAB score: sum of weighted credits and FN costs
  Counts counts;
};

// The raw score of the files at one threshold under one profile.
ThresholdScore ScoreAtThreshold(std::span<const FileCredits> files, const CostProfile& profile, double threshold);

// The threshold at which NAB's sweep starts: above every valid anomaly score,
// so nothing is detected.
inline constexpr double kNoDetectionThreshold = 1.1;

// The raw score at every threshold that changes the detections, as NAB's
// optimiser sees them: kNoDetectionThreshold first, then each distinct
// anomaly score of the files, in decreasing order. O(n log n) in the rows.
std::vector<ThresholdScore> SweepThresholds(std::span<const FileCredits> files, const CostProfile& profile);

// The entry with the highest score; on a tie the higher threshold, as NAB's
// optimiser (a stable sort of the sweep by score) picks. `sweep` must not be
// empty.
ThresholdScore BestThreshold(std::span<const ThresholdScore> sweep);

// The raw score of a detector that never fires: -fn_weight for each scored
// window (NAB takes it from its "null" detector).
double NullScore(std::span<const FileCredits> files, const CostProfile& profile);

// The raw score of a perfect detector: tp_weight for each window in the label
// file, including any lying inside a probation period (NAB counts them all).
double PerfectScore(int64_t num_label_windows, const CostProfile& profile);

// 100 * (raw - null) / (perfect - null): 0 for the null detector, 100 for a
// perfect one. `perfect` must differ from `null`.
double NormalizedScore(double raw, double null, double perfect);

}  // namespace augur::eval
