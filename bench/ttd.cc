// ttd: time to detect, and false anomalies on healthy data, for the
// article's experiment (src/scenario/spec.h InjectLatencyExperiment): an API
// gateway, a `writer` function (POST /items, 5 req/s) and a `reader` (GET,
// 1 req/s) on one DynamoDB table; a deployment of writer version 2 flips
// INJECT_LATENCY=true, adding a U(150, 500) ms sleep before every write.
//
//   ttd [--seeds 50] [--baseline-min 30] [--baseline-max 60] [--after-min 15]
//       [--healthy-days 70] [--healthy-run-days 7] [--healthy-swing 0]
//       [--recover-min 0]
//
// 1. Fault runs, one per seed: baseline of U(baseline-min, baseline-max)
//    minutes, then the deployment (and the fault) at that random instant,
//    then after-min minutes. Every export of the generator goes through one
//    analysis::Analyzer in arrival order, as the ingest path would feed it.
//    Time to detect = detected_ns of the first latency anomaly on a series
//    the fault affects (scenario::AffectedSpanSeries: the writer's server
//    span, the gateway's call to it and its POST /items server span) minus
//    the true onset; onset error = that anomaly's onset_ns minus the true
//    onset. A run with no such anomaly within after-min is not detected.
//    With --recover-min M, a rollback (writer version 3, INJECT_LATENCY back
//    to false) follows the fault by M minutes, and the runs also measure how
//    long after it the fault's anomalies end (end_ns minus the rollback; an
//    anomaly still open at the run's end counts as not ended), and how many
//    anomalies are raised after it (each a false alarm: the app is healthy).
// 2. Healthy runs: the same app with no fault and no deployment, in runs of
//    healthy-run-days days (one seed each) until healthy-days days are
//    simulated. Every anomaly there is false. Series-days = detector series
//    (AnalyzerStats::detectors at the end of a run) × days of that run.
//
// Logs are off (the analyzer does not read them); spans and metrics are on.
// Last line: ttd median_s=<x> p99_s=<y> detected=<share> false_per_1000_series_days=<z>
// Timing (wall, steady clock) is printed only as information.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "analysis/analyzer.h"
#include "scenario/generator.h"
#include "scenario/random.h"
#include "scenario/spec.h"

namespace {

namespace analysis = augur::analysis;
namespace model = augur::model;
namespace scenario = augur::scenario;
using Clock = std::chrono::steady_clock;

// 2024-01-01T00:00:00Z: every run starts at midnight UTC.
constexpr uint64_t kStart = 1704067200ull * scenario::kSecond;

struct Options {
  int seeds = 50;
  double baseline_min = 30;
  double baseline_max = 60;
  double after_min = 15;
  double healthy_days = 70;
  double healthy_run_days = 7;
  double healthy_swing = 0;
  double recover_min = 0;
};

// One run: every export through one analyzer; the anomalies as first raised.
struct RunResult {
  std::vector<model::Anomaly> anomalies;         // first sighting of each id, in order
  std::map<std::string, model::Anomaly> latest;  // last sighting of each id (its end, when it ended)
  std::vector<model::ChangeEvent> events;
  analysis::AnalyzerStats stats;
  scenario::GeneratorStats generated;
  double seconds = 0;
};

RunResult Analyse(const scenario::ScenarioSpec& spec) {
  RunResult r;
  auto t0 = Clock::now();
  auto gen = scenario::Generator::Create(spec);
  if (!gen.ok()) {
    std::fprintf(stderr, "ttd: %s\n", gen.status().ToString().c_str());
    std::exit(1);
  }
  analysis::Analyzer analyzer;
  std::map<std::string, bool> seen;
  std::vector<model::Anomaly> batch;
  auto take = [&] {
    batch.clear();
    analyzer.TakeAnomalies(&batch);
    for (model::Anomaly& a : batch) {
      r.latest[a.id] = a;
      if (seen.emplace(a.id, true).second) r.anomalies.push_back(std::move(a));
    }
    analyzer.TakeInferredEvents(&r.events);
  };
  scenario::Export e;
  while ((*gen)->Next(&e)) {
    analyzer.Add(e.batch);
    take();
  }
  // No AdvanceTo at the end: closing the last buckets would show the
  // traffic stopping when the scenario ends, which is not what is measured.
  // The last lateness (10 s) of each run goes unjudged instead.
  r.stats = analyzer.stats();
  r.generated = (*gen)->stats();
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

bool Matches(const model::SeriesKey& key, const scenario::SpanSeries& s) {
  if (key.metric != "span.duration" || key.service != s.service || key.operation != s.operation) return false;
  if (key.Attribute("span.kind") != model::SpanKindName(s.kind)) return false;
  return s.kind != model::SpanKind::kClient || key.Attribute("peer") == s.peer;
}

// Nearest-rank quantile of a sorted vector.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Seconds(int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

std::string Describe(const model::Anomaly& a, uint64_t run_start) {
  char when[64];
  std::snprintf(when, sizeof(when), "t+%.1fh", Seconds(static_cast<int64_t>(a.detected_ns - run_start)) / 3600);
  return std::string(when) + " " + a.kind + "/" + a.detector + " " + a.series.ToString() + ": " + a.explanation;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Time to detect the article's latency fault, and false anomalies on healthy data."};
  app.add_option("--seeds", o.seeds, "fault runs, one seed each")->check(CLI::PositiveNumber);
  app.add_option("--baseline-min", o.baseline_min, "shortest baseline before the fault, minutes");
  app.add_option("--baseline-max", o.baseline_max, "longest baseline before the fault, minutes");
  app.add_option("--after-min", o.after_min, "minutes simulated after the fault");
  app.add_option("--healthy-days", o.healthy_days, "days of healthy data in all (0: none)");
  app.add_option("--healthy-run-days", o.healthy_run_days, "days per healthy run");
  app.add_option("--healthy-swing", o.healthy_swing, "daily traffic swing amplitude of the healthy runs, 0..1");
  app.add_option("--recover-min", o.recover_min, "minutes after the fault a rollback ends it (0: none)");
  CLI11_PARSE(app, argc, argv);

  // --- 1. fault runs ---
  std::vector<double> ttd_s, onset_error_s;
  std::map<std::string, int> first_series;
  int detected = 0, deployments_inferred = 0, pre_onset_false = 0, missed_after_false = 0;
  double pre_onset_series_days = 0, fault_seconds = 0;
  std::vector<double> end_after_recovery_s;    // the fault's anomalies: end minus the rollback
  std::vector<double> known_after_recovery_s;  // ... and when the analyzer reported the end, minus the rollback
  int open_at_end = 0, raised_after_recovery = 0, ended_during_fault = 0;
  uint64_t fault_spans = 0;
  for (int seed = 1; seed <= o.seeds; ++seed) {
    scenario::Rng rng(static_cast<uint64_t>(seed), 0xbe4c);  // the bench's own stream: where the fault falls
    const uint64_t baseline =
        static_cast<uint64_t>(rng.Uniform(o.baseline_min, o.baseline_max) * static_cast<double>(scenario::kMinute));
    const uint64_t onset = kStart + baseline;
    const uint64_t duration = baseline + static_cast<uint64_t>(o.after_min * static_cast<double>(scenario::kMinute));
    scenario::ScenarioSpec spec =
        scenario::InjectLatencyExperiment(static_cast<uint64_t>(seed), kStart, duration, onset);
    spec.logs = false;
    const uint64_t recovery = onset + static_cast<uint64_t>(o.recover_min * static_cast<double>(scenario::kMinute));
    if (o.recover_min > 0) {
      scenario::Deployment rollback;
      rollback.time_ns = recovery;
      rollback.service = "writer";
      rollback.version = "3";
      rollback.changes = {{"INJECT_LATENCY", "true", "false"}};
      spec.deployments.push_back(rollback);
    }
    const scenario::Fault fault = scenario::TruthOf(spec).faults.at(0);
    const std::vector<scenario::SpanSeries> affected = scenario::AffectedSpanSeries(spec, fault);

    RunResult r = Analyse(spec);
    fault_seconds += r.seconds;
    fault_spans += r.generated.spans;
    pre_onset_series_days += static_cast<double>(r.stats.detectors) * Seconds(baseline) / 86400;
    const model::Anomaly* first = nullptr;
    bool false_on_affected = false;
    for (const model::Anomaly& a : r.anomalies) {
      if (a.detected_ns < fault.start_ns) {
        ++pre_onset_false;
        std::printf("ttd: seed %d false anomaly before the onset: %s\n", seed, Describe(a, kStart).c_str());
        for (const scenario::SpanSeries& s : affected) false_on_affected |= Matches(a.series, s);
        continue;
      }
      if (a.kind != "latency") continue;
      bool hit = std::any_of(affected.begin(), affected.end(),
                             [&](const scenario::SpanSeries& s) { return Matches(a.series, s); });
      if (hit && (first == nullptr || a.detected_ns < first->detected_ns)) first = &a;
    }
    for (const model::ChangeEvent& ev : r.events) {
      if (ev.service == "writer" && ev.version == "2") ++deployments_inferred;
    }
    if (o.recover_min > 0) {
      for (const model::Anomaly& first_seen : r.anomalies) {
        const model::Anomaly& a = r.latest.at(first_seen.id);
        if (a.detected_ns < fault.start_ns) continue;
        if (a.detected_ns >= recovery + 30 * scenario::kSecond) {  // after the last faulty bucket is judged
          ++raised_after_recovery;
          std::printf("ttd: seed %d raised after the rollback: %s\n", seed, Describe(a, kStart).c_str());
          continue;
        }
        if (!a.ongoing() && a.end_ns + 5 * scenario::kSecond < recovery) {  // ended while the fault went on
          ++ended_during_fault;
          std::printf("ttd: seed %d ended %.1fs before the rollback: %s\n", seed,
                      Seconds(static_cast<int64_t>(recovery) - static_cast<int64_t>(a.end_ns)),
                      Describe(a, kStart).c_str());
          continue;
        }
        if (a.ongoing()) {
          ++open_at_end;
          std::printf("ttd: seed %d still open at the end: %s\n", seed, Describe(a, kStart).c_str());
          continue;
        }
        const double after = Seconds(static_cast<int64_t>(a.end_ns) - static_cast<int64_t>(recovery));
        end_after_recovery_s.push_back(after);
        known_after_recovery_s.push_back(Seconds(static_cast<int64_t>(a.updated_ns) - static_cast<int64_t>(recovery)));
        std::printf("ttd: seed %d ended %.1fs after the rollback: %s\n", seed, after, Describe(a, kStart).c_str());
      }
    }
    if (first == nullptr) {
      missed_after_false += false_on_affected;
      std::printf("ttd: seed %d onset t+%.0fs NOT DETECTED within %.0f min%s\n", seed, Seconds(baseline), o.after_min,
                  false_on_affected ? " (an earlier false anomaly on an affected series)" : "");
      continue;
    }
    ++detected;
    double ttd = Seconds(static_cast<int64_t>(first->detected_ns - fault.start_ns));
    double onset_error = Seconds(static_cast<int64_t>(first->onset_ns) - static_cast<int64_t>(fault.start_ns));
    ttd_s.push_back(ttd);
    onset_error_s.push_back(onset_error);
    ++first_series[first->series.ToString()];
    std::printf("ttd: seed %d onset t+%.3fs ttd %.1fs onset_error %+.1fs by %s/%s on %s: %s\n", seed, Seconds(baseline),
                ttd, onset_error, first->kind.c_str(), first->detector.c_str(), first->series.ToString().c_str(),
                first->explanation.c_str());
  }
  std::sort(ttd_s.begin(), ttd_s.end());
  std::vector<double> abs_onset_error;
  for (double x : onset_error_s) abs_onset_error.push_back(std::fabs(x));
  std::sort(onset_error_s.begin(), onset_error_s.end());
  std::sort(abs_onset_error.begin(), abs_onset_error.end());
  const double share = o.seeds > 0 ? static_cast<double>(detected) / o.seeds : 0;
  std::printf("ttd: fault runs=%d baseline=U(%g,%g) min after=%g min, 5 s SDK export, analyzer defaults\n", o.seeds,
              o.baseline_min, o.baseline_max, o.after_min);
  std::printf("ttd: detected=%d/%d ttd_s median=%.1f p90=%.1f p99=%.1f min=%.1f max=%.1f\n", detected, o.seeds,
              Quantile(ttd_s, 0.5), Quantile(ttd_s, 0.9), Quantile(ttd_s, 0.99), ttd_s.empty() ? NAN : ttd_s.front(),
              ttd_s.empty() ? NAN : ttd_s.back());
  std::printf("ttd: onset_error_s median=%+.1f |p90|=%.1f |max|=%.1f\n", Quantile(onset_error_s, 0.5),
              Quantile(abs_onset_error, 0.9), abs_onset_error.empty() ? NAN : abs_onset_error.back());
  for (const auto& [series, n] : first_series) std::printf("ttd: first detected on %s: %d runs\n", series.c_str(), n);
  std::printf("ttd: deployment of writer 2 inferred in %d/%d runs\n", deployments_inferred, o.seeds);
  std::printf(
      "ttd: false anomalies before the onset: %d over %.1f series-days of baselines (%d runs missed after one)\n",
      pre_onset_false, pre_onset_series_days, missed_after_false);
  if (o.recover_min > 0) {
    std::sort(end_after_recovery_s.begin(), end_after_recovery_s.end());
    std::sort(known_after_recovery_s.begin(), known_after_recovery_s.end());
    std::printf(
        "ttd: recovery after %g min: the fault's anomalies end after the rollback: n=%zu median=%.1fs p90=%.1fs "
        "max=%.1fs (reported: median=%.1fs max=%.1fs); ended during the fault %d; still open at the end %d; "
        "raised after the rollback %d\n",
        o.recover_min, end_after_recovery_s.size(), Quantile(end_after_recovery_s, 0.5),
        Quantile(end_after_recovery_s, 0.9), end_after_recovery_s.empty() ? NAN : end_after_recovery_s.back(),
        Quantile(known_after_recovery_s, 0.5), known_after_recovery_s.empty() ? NAN : known_after_recovery_s.back(),
        ended_during_fault, open_at_end, raised_after_recovery);
  }
  std::printf("ttd: fault runs took %.1f s wall for %llu spans (%.0f spans/s generated and analysed)\n", fault_seconds,
              static_cast<unsigned long long>(fault_spans), static_cast<double>(fault_spans) / fault_seconds);
  std::fflush(stdout);

  // --- 2. healthy runs ---
  double series_days = 0, days = 0, healthy_seconds = 0;
  int false_anomalies = 0, printed = 0, false_after_day1 = 0;
  double series_days_after_day1 = 0;
  uint64_t healthy_spans = 0;
  std::map<std::string, int> false_by_kind;
  for (int run = 0; days + 1e-9 < o.healthy_days; ++run) {
    double run_days = std::min(o.healthy_run_days, o.healthy_days - days);
    scenario::ScenarioSpec spec =
        scenario::ServerlessApp(10'000 + static_cast<uint64_t>(run), kStart,
                                static_cast<uint64_t>(run_days * static_cast<double>(scenario::kDay)));
    spec.logs = false;
    spec.daily_amplitude = o.healthy_swing;
    RunResult r = Analyse(spec);
    healthy_seconds += r.seconds;
    healthy_spans += r.generated.spans;
    days += run_days;
    series_days += static_cast<double>(r.stats.detectors) * run_days;
    series_days_after_day1 += static_cast<double>(r.stats.detectors) * std::max(0.0, run_days - 1);
    false_anomalies += static_cast<int>(r.anomalies.size());
    for (const model::Anomaly& a : r.anomalies) {
      ++false_by_kind[a.kind + "/" + a.detector + " " + a.series.metric];
      false_after_day1 += a.detected_ns >= kStart + scenario::kDay;
      if (printed++ < 60) std::printf("healthy: run %d false: %s\n", run, Describe(a, kStart).c_str());
    }
    std::printf("healthy: run %d days=%.2f detector_series=%llu anomalies=%zu spans=%llu wall_s=%.1f\n", run, run_days,
                static_cast<unsigned long long>(r.stats.detectors), r.anomalies.size(),
                static_cast<unsigned long long>(r.generated.spans), r.seconds);
    std::fflush(stdout);
  }
  for (const auto& [k, n] : false_by_kind) std::printf("healthy: false by kind %s: %d\n", k.c_str(), n);
  const double per_1000 = series_days > 0 ? 1000.0 * false_anomalies / series_days : NAN;
  std::printf("healthy: days=%.1f series_days=%.0f false_anomalies=%d per_1000_series_days=%.2f swing=%g\n", days,
              series_days, false_anomalies, per_1000, o.healthy_swing);
  std::printf(
      "healthy: after the first day of each run (learning done): false_anomalies=%d series_days=%.0f "
      "per_1000_series_days=%.2f\n",
      false_after_day1, series_days_after_day1,
      series_days_after_day1 > 0 ? 1000.0 * false_after_day1 / series_days_after_day1 : NAN);
  if (healthy_seconds > 0) {
    std::printf("healthy: took %.1f s wall for %llu spans (%.0f spans/s generated and analysed)\n", healthy_seconds,
                static_cast<unsigned long long>(healthy_spans), static_cast<double>(healthy_spans) / healthy_seconds);
  }
  std::printf("ttd median_s=%.1f p99_s=%.1f detected=%.2f false_per_1000_series_days=%.2f\n", Quantile(ttd_s, 0.5),
              Quantile(ttd_s, 0.99), share, per_1000);
  return 0;
}
