#include "eval/nab.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>
#include <utility>

namespace augur::eval {
namespace {

// NAB divides TP credits by the credit of a window's first row so that the
// earliest possible detection earns exactly tp_weight.
const double kMaxTpCredit = ScaledSigmoid(-1.0);

double Weighted(const RowCredit& row, const CostProfile& profile) {
  return row.window == kOutside ? row.credit * profile.fp_weight : row.credit * profile.tp_weight / kMaxTpCredit;
}

// Row indices of a window's first and last rows.
struct WindowSpan {
  int64_t first = 0;
  int64_t last = 0;
  int64_t width() const { return last - first + 1; }
};

// Index of the first row stamped `t`, or -1. NAB locates window ends this
// way, which matters where a series repeats timestamps.
int64_t FindRow(std::span<const NabRow> rows, int64_t t) {
  const auto it = std::find_if(rows.begin(), rows.end(), [t](const NabRow& r) { return r.timestamp_us == t; });
  return it != rows.end() ? it - rows.begin() : -1;
}

Status CheckScores(const std::string& name, std::span<const NabRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    // Written so that NaN fails too.
    if (!(rows[i].anomaly_score >= 0.0 && rows[i].anomaly_score <= 1.0)) {
      return Status::InvalidArgument(name + ": row " + std::to_string(i) + ": anomaly score " +
                                     std::to_string(rows[i].anomaly_score) + " is outside [0, 1]");
    }
  }
  return Status::OK();
}

StatusOr<std::vector<WindowSpan>> LocateWindows(const std::string& name, std::span<const NabRow> rows,
                                                std::span<const NabWindow> windows) {
  std::vector<WindowSpan> spans;
  for (size_t w = 0; w < windows.size(); ++w) {
    const std::string where = name + ": window " + std::to_string(w);
    const WindowSpan span{FindRow(rows, windows[w].begin_us), FindRow(rows, windows[w].end_us)};
    if (span.first < 0 || span.last < 0) return Status::InvalidArgument(where + ": an end is not a row's timestamp");
    if (span.last < span.first) return Status::InvalidArgument(where + ": ends before it begins");
    if (!spans.empty() && span.first <= spans.back().last) {
      return Status::InvalidArgument(where + ": overlaps or precedes the previous window");
    }
    if (span.width() < 2 && span.last + 1 < static_cast<int64_t>(rows.size())) {
      return Status::InvalidArgument(where + ": one row wide, so the rows after it have no defined credit");
    }
    spans.push_back(span);
  }
  return spans;
}

}  // namespace

int64_t ProbationRows(int64_t num_rows) {
  // Same double arithmetic as NAB, so files whose 15 % is within rounding of
  // an integer get the same cut.
  return static_cast<int64_t>(std::min(std::floor(0.15 * static_cast<double>(num_rows)), 750.0));
}

double ScaledSigmoid(double relative_position) {
  if (relative_position > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * relative_position)) - 1.0;
}

StatusOr<FileCredits> PrepareFile(std::string name, std::span<const NabRow> rows, std::span<const NabWindow> windows) {
  if (Status s = CheckScores(name, rows); !s.ok()) return s;
  auto located = LocateWindows(name, rows, windows);
  if (!located.ok()) return located.status();
  const std::vector<WindowSpan>& spans = *located;

  const int64_t n = static_cast<int64_t>(rows.size());
  const int64_t probation = ProbationRows(n);
  // Windows ending inside probation have no scored row; the rest are numbered
  // from 0 in the output.
  int32_t first_scored = 0;
  while (first_scored < static_cast<int32_t>(spans.size()) && spans[first_scored].last < probation) ++first_scored;

  FileCredits out{std::move(name), static_cast<int32_t>(spans.size()) - first_scored, {}};
  out.rows.reserve(static_cast<size_t>(n - std::min(probation, n)));
  size_t next = 0;                   // next window to enter
  const WindowSpan* prev = nullptr;  // last window left behind
  for (int64_t i = 0; i < n; ++i) {
    const bool inside = next < spans.size() && i >= spans[next].first;
    double credit;
    if (inside) {
      const WindowSpan& w = spans[next];
      credit = ScaledSigmoid(-static_cast<double>(w.last - i + 1) / static_cast<double>(w.width()));
    } else if (prev == nullptr) {
      credit = -1.0;
    } else {
      credit = ScaledSigmoid(static_cast<double>(i - prev->last) / static_cast<double>(prev->width() - 1));
    }
    if (i >= probation) {
      const int32_t window = inside ? static_cast<int32_t>(next) - first_scored : kOutside;
      out.rows.push_back({rows[i].anomaly_score, credit, window});
    }
    if (inside && i == spans[next].last) prev = &spans[next++];
  }
  return out;
}

ThresholdScore ScoreAtThreshold(std::span<const FileCredits> files, const CostProfile& profile, double threshold) {
  ThresholdScore total{threshold, 0.0, {}};
  std::vector<double> window_scores;
  for (const FileCredits& file : files) {
    window_scores.assign(static_cast<size_t>(file.num_scored_windows), -profile.fn_weight);
    double fp_sum = 0;
    for (const RowCredit& row : file.rows) {
      const bool detected = row.anomaly_score >= threshold;
      if (row.window == kOutside) {
        if (detected) fp_sum += Weighted(row, profile);
        ++(detected ? total.counts.fp : total.counts.tn);
      } else {
        // Credits fall through a window, so the best detection is the first.
        if (detected) window_scores[row.window] = std::max(window_scores[row.window], Weighted(row, profile));
        ++(detected ? total.counts.tp : total.counts.fn);
      }
    }
    double file_score = fp_sum;
    for (double s : window_scores) file_score += s;
    total.score += file_score;
  }
  return total;
}

std::vector<ThresholdScore> SweepThresholds(std::span<const FileCredits> files, const CostProfile& profile) {
  struct Entry {
    double anomaly_score;
    double weighted;
    int32_t window;  // corpus-wide index, or kOutside
  };
  std::vector<Entry> entries;
  int32_t num_windows = 0;
  Counts counts;
  for (const FileCredits& file : files) {
    for (const RowCredit& row : file.rows) {
      const bool outside = row.window == kOutside;
      entries.push_back({row.anomaly_score, Weighted(row, profile), outside ? kOutside : num_windows + row.window});
      ++(outside ? counts.tn : counts.fn);
    }
    num_windows += file.num_scored_windows;
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.anomaly_score > b.anomaly_score; });

  // Lowering the threshold past a score turns its rows into detections; the
  // window sum is kept incrementally, so the sweep is linear after the sort.
  std::vector<double> window_scores(static_cast<size_t>(num_windows), -profile.fn_weight);
  double window_sum = -profile.fn_weight * num_windows;
  double fp_sum = 0;
  std::vector<ThresholdScore> sweep{{kNoDetectionThreshold, window_sum, counts}};
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.window == kOutside) {
      fp_sum += e.weighted;
      ++counts.fp;
      --counts.tn;
    } else {
      double& best = window_scores[e.window];
      if (e.weighted > best) {
        window_sum += e.weighted - best;
        best = e.weighted;
      }
      ++counts.tp;
      --counts.fn;
    }
    if (i + 1 == entries.size() || entries[i + 1].anomaly_score != e.anomaly_score) {
      sweep.push_back({e.anomaly_score, fp_sum + window_sum, counts});
    }
  }
  return sweep;
}

ThresholdScore BestThreshold(std::span<const ThresholdScore> sweep) {
  assert(!sweep.empty());
  const ThresholdScore* best = &sweep.front();
  for (const ThresholdScore& s : sweep) {
    if (s.score > best->score) best = &s;
  }
  return *best;
}

double NullScore(std::span<const FileCredits> files, const CostProfile& profile) {
  int64_t windows = 0;
  for (const FileCredits& file : files) windows += file.num_scored_windows;
  return -profile.fn_weight * static_cast<double>(windows);
}

double PerfectScore(int64_t num_label_windows, const CostProfile& profile) {
  return profile.tp_weight * static_cast<double>(num_label_windows);
}

double NormalizedScore(double raw, double null, double perfect) {
  return 100.0 * (raw - null) / (perfect - null);
}

}  // namespace augur::eval
