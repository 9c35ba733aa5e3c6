// nab_score: scores a detector's results on the Numenta Anomaly Benchmark.
//
//   nab_score --nab-dir /work/shared/data/nab --results-dir <nab>/results/numenta
//
// The results directory holds <category>/<detector>_<name>.csv files with
// timestamp and anomaly_score columns (the layout NAB's detectors write); the
// detector name defaults to the directory's name. For every cost profile the
// threshold is chosen by NAB's corpus-wide sweep; when config/thresholds.json
// has an entry for the detector, the published threshold is scored too, on
// the same line. The last line is the normalised score per profile, from the
// published thresholds when there are any (that is NAB's scoreboard) and from
// the sweep otherwise:
//
//   nab standard=70.10 reward_low_FP_rate=63.12 reward_low_FN_rate=74.32
//
// Timing goes to stderr. Exit status 1 on any error, with the reason.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "eval/nab.h"
#include "eval/nab_corpus.h"

namespace {

namespace fs = std::filesystem;
namespace eval = augur::eval;

struct Options {
  fs::path nab_dir;
  fs::path results_dir;
  std::string detector;  // default: results_dir's last component
  fs::path thresholds;   // default: <nab_dir>/config/thresholds.json
};

int Fail(const augur::Status& s) {
  std::fprintf(stderr, "nab_score: %s\n", s.ToString().c_str());
  return 1;
}

// "threshold=0.5421877 raw=46.634450 score=70.101056 tp=240 fp=153 fn=33255 tn=299194"
std::string Describe(const eval::ThresholdScore& s, double normalized) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "threshold=%.10g raw=%.6f score=%.6f tp=%lld fp=%lld fn=%lld tn=%lld", s.threshold,
                s.score, normalized, static_cast<long long>(s.counts.tp), static_cast<long long>(s.counts.fp),
                static_cast<long long>(s.counts.fn), static_cast<long long>(s.counts.tn));
  return buf;
}

int Run(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  auto profiles = eval::LoadProfiles(o.nab_dir / "config" / "profiles.json");
  if (!profiles.ok()) return Fail(profiles.status());
  auto corpus = eval::LoadCorpus(o.nab_dir, o.results_dir, o.detector);
  if (!corpus.ok()) return Fail(corpus.status());
  // A detector NAB never published has no thresholds: not an error, the sweep
  // alone is reported.
  auto published = eval::LoadThresholds(o.thresholds, o.detector);
  if (!published.ok() && published.status().code() != augur::Status::Code::kNotFound) {
    return Fail(published.status());
  }
  const auto loaded = std::chrono::steady_clock::now();

  std::string summary = "nab";
  for (const eval::CostProfile& profile : *profiles) {
    const double null = eval::NullScore(corpus->files, profile);
    const double perfect = eval::PerfectScore(corpus->num_label_windows, profile);
    const auto normalize = [&](const eval::ThresholdScore& s) { return eval::NormalizedScore(s.score, null, perfect); };

    const std::vector<eval::ThresholdScore> sweep = eval::SweepThresholds(corpus->files, profile);
    const eval::ThresholdScore best = eval::BestThreshold(sweep);
    std::string line = profile.name + ": sweep " + Describe(best, normalize(best));
    double reported = normalize(best);
    if (published.ok()) {
      const auto it = published->find(profile.name);
      if (it == published->end()) {
        return Fail(augur::Status::NotFound(o.thresholds.string() + ": " + o.detector + " has no " + profile.name));
      }
      const eval::ThresholdScore at = eval::ScoreAtThreshold(corpus->files, profile, it->second);
      reported = normalize(at);
      line += " | published " + Describe(at, reported);
    }
    std::printf("%s\n", line.c_str());
    char buf[100];
    std::snprintf(buf, sizeof buf, " %s=%.2f", profile.name.c_str(), reported);
    summary += buf;
  }
  std::printf("%s\n", summary.c_str());

  const auto done = std::chrono::steady_clock::now();
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::fprintf(stderr, "nab_score: %zu files, %lld rows, %lld windows; load %.0f ms, score %.0f ms\n",
               corpus->files.size(), static_cast<long long>(corpus->num_rows),
               static_cast<long long>(corpus->num_label_windows), ms(loaded - start), ms(done - loaded));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Scores a detector's results on the Numenta Anomaly Benchmark (NAB v1.x rules)"};
  app.add_option("--nab-dir", o.nab_dir, "NAB checkout: data/, labels/, config/")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--results-dir", o.results_dir, "<category>/<detector>_<name>.csv files")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--detector", o.detector, "detector name in file names (default: results dir name)");
  app.add_option("--thresholds", o.thresholds, "published thresholds (default: <nab-dir>/config/thresholds.json)");
  CLI11_PARSE(app, argc, argv);
  if (o.detector.empty()) {
    // "results/numenta/" has an empty last component; the detector is the one before.
    fs::path dir = o.results_dir.lexically_normal();
    if (!dir.has_filename()) dir = dir.parent_path();
    o.detector = dir.filename().string();
  }
  if (o.thresholds.empty()) o.thresholds = o.nab_dir / "config" / "thresholds.json";
  return Run(o);
}
