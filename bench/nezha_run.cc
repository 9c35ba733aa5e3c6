// nezha_run: augur's root-cause ranking on the Nezha TrainTicket benchmark
// (github.com/IntelligentDDS/Nezha, FSE 2023), scored by AS@k at service
// level like the published tables.
//
//   nezha_run --nezha-dir /tmp/augur-nezha   (the unpacked trainticket.tar.zst)
//             [--faults N] [--verbose] [--window-before 60] [--window-after 600] ...
//
// Everything goes through engine::Engine with the production defaults: the
// analyzer, the log analysis, the topology and the correlator that `augur
// serve` runs. Nothing is tuned per fault or per fault type.
//
// 1. Learning what is normal, one Engine per day (the two days are two
//    deployments: every pod was restarted in between, with the load off
//    overnight; --continuous-learning runs one engine through both), its
//    state saved at the end (Engine::SaveState):
//    - the per-minute metrics of construct_data/<day>/metric (the whole
//      day) at the minutes that are fault-free by a margin: not in
//      [inject - guard_before, inject + guard_after) of any fault of the
//      day, and before the load generator stopped (eval::nezha::LoadEnd:
//      16:00 UTC on both days; after it the backends idle, which is not
//      their normal); in event time as recorded;
//    - then the traces and logs of construct_data/<day>, Nezha's one
//      fault-free minute of each day (2023-01-29 08:50, 2023-01-30
//      11:39), `construct_repeat` times over (default 30, each copy with
//      trace ids of its own, eval::nezha::CopySpans) in the minutes that
//      end where those metrics end. augur learns from a stream: its span
//      detectors want 30 five-second buckets and its log rate trackers 30
//      one-minute buckets of history before they judge, and one minute
//      learned once, hours before the faults, would leave them cold (and
//      make the hours of silence after it look like the normal rate).
//      --construct-repeat 0 learns the minute once, at its own time.
// 2. Each fault, from its day's state (a fresh Engine + LoadState): the
//    rca_data/<day> traces, logs and metrics of its window, from
//    window_before (default 5 min, metrics; the trace and log files begin
//    a minute before the injection) before the injection, or the previous
//    injection if later, to window_after (10 min) after it, or the next
//    injection, whichever comes first (eval::nezha::FaultWindow). The
//    window is shifted in time to start a minute after the learned data
//    ends, so event time runs on from the saved state (the detectors' daily
//    profiles need two days of history, so the time of day is not used).
//    At the end event time is moved past the window (Engine::AdvanceTo) so
//    its last buckets close.
// 3. The answering insight and its ranking: eval::nezha::PickInsight
//    (src/eval/nezha.h): the first REACTIVE insight with an anomaly whose
//    onset is at most `tolerance` (60 s: metric rows and log counts are
//    per minute, stamped at its start) before the injection; its
//    candidates as services. detect_s = when its earliest such anomaly was
//    detected, minus the injection time.
//
// Telemetry becomes model::Batch as the services' OTel SDKs would send it:
// eval::nezha::Stretch (src/eval/nezha_convert.h) says how, including the
// span kinds inferred from the traces' shape.
//
// Prints one row per fault: its rank (- when the injected service is not
// ranked or no insight answered), hits at 1/3/5, detect_s and the top 5;
// then diagnostics that are not scored: "any" = the best rank of the
// injected service in any insight with an anomaly after the injection;
// "span/met" = anomalies after the injection on span (RED) and on metric
// series; "log/trc" = RawEvidence's ranks (what the raw data points at
// without augur: the rise in ERROR log lines, the slow-down of SERVER
// spans); the first anomaly on the injected service. Then AS@k per fault
// type, the diagnostics summed up, time and peak memory, and, last,
// "nezha as1=<x> as3=<y> as5=<z>" (percent).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "CLI/CLI.hpp"
#include "engine/engine.h"
#include "eval/nezha.h"
#include "eval/nezha_convert.h"
#include "eval/nezha_data.h"

namespace {

namespace fs = std::filesystem;
namespace nezha = augur::eval::nezha;
using augur::Status;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kSecond = 1'000'000'000ULL;

struct Options {
  fs::path dir;
  double window_before_s = 300;
  double window_after_s = 600;
  double tolerance_s = 60;
  uint32_t construct_repeat = 30;
  bool continuous_learning = false;
  double guard_before_s = 120;
  double guard_after_s = 600;
  size_t max_faults = 0;  // 0: all
  size_t only_fault = 0;  // 1-based; 0: all
  bool verbose = false;
  std::string sensitivity = "medium";  // the analyzer's (a setting of augur serve)
};

struct Day {
  std::string name;
  std::vector<nezha::Fault> faults;
  std::vector<nezha::MetricTable> metrics;  // rca_data/<day>/metric
  std::vector<nezha::MinuteFile> traces, logs;
};

struct CaseResult {
  const nezha::Fault* fault = nullptr;
  std::vector<std::string> ranked;
  int rank = 0;
  bool answered = false;
  double detect_s = 0;
  size_t insights = 0;   // reactive insights in the window
  size_t anomalies = 0;  // anomalies raised in the window
  // Diagnostics, not scored:
  int best_rank = 0;        // the best rank of the injected service in any insight with an anomaly after injection
  size_t span_after = 0;    // anomalies after the injection on span series (span.*)
  size_t metric_after = 0;  // ... on metric series
  std::string evidence;     // the first anomaly after the injection on the injected service, "" when none
  // Anomalies with an onset in the window before inject - tolerance (false
  // alarms), by source: span (RED) series, log series, other metrics.
  size_t before[3] = {0, 0, 0};
  int log_rank = 0;  // RawEvidence: where the raw data points, without augur
  int trace_rank = 0;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "nezha_run: %s\n", what.c_str());
  return 1;
}

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string Short(const std::string& service) {
  std::string s = service;
  if (s.rfind("ts-", 0) == 0) s = s.substr(3);
  if (s.size() > 8 && s.compare(s.size() - 8, 8, "-service") == 0) s.resize(s.size() - 8);
  return s;
}

// Reads and concatenates the minute files in `files` that may hold items in [from, to).
template <typename Row, typename Reader>
Status ReadMinutes(const std::vector<nezha::MinuteFile>& files, uint64_t from, uint64_t to, Reader read,
                   std::vector<Row>* out) {
  for (const auto& f : files) {
    // A file HH_MM holds the minute before HH:MM:08 (spans by start; they end a little later).
    if (f.minute_ns + 120 * kSecond <= from || f.minute_ns >= to + 120 * kSecond) continue;
    auto rows = read(f.path);
    if (!rows.ok()) return rows.status();
    for (auto& r : *rows) out->push_back(std::move(r));
  }
  return Status::OK();
}

Status LoadDay(const fs::path& dir, const std::string& name, Day* day) {
  day->name = name;
  const fs::path rca = dir / "rca_data" / name;
  auto faults = nezha::ReadFaultList(rca / (name + "-fault_list.json"), name);
  if (!faults.ok()) return faults.status();
  day->faults = std::move(*faults);
  auto metrics = nezha::ReadMetricDir(rca / "metric");
  if (!metrics.ok()) return metrics.status();
  day->metrics = std::move(*metrics);
  auto traces = nezha::ListMinuteFiles(rca / "trace", name, "trace");
  if (!traces.ok()) return traces.status();
  day->traces = std::move(*traces);
  auto logs = nezha::ListMinuteFiles(rca / "log", name, "log");
  if (!logs.ok()) return logs.status();
  day->logs = std::move(*logs);
  return Status::OK();
}

// Step 1: the learning stretch of one day: the fault-free metrics, then
// the construct minute's traces and logs, `construct_repeat` times over,
// ending where those metrics end (or once, as recorded, when 0).
Status AddLearning(const Options& o, const Day& day, nezha::Stretch* learn) {
  const fs::path construct = o.dir / "construct_data" / day.name;
  auto all = [](uint64_t) { return true; };
  auto metrics = nezha::ReadMetricDir(construct / "metric");
  if (!metrics.ok()) return metrics.status();
  const uint64_t load_end = nezha::LoadEnd(*metrics);
  const uint64_t guard_before = static_cast<uint64_t>(o.guard_before_s * 1e9);
  const uint64_t guard_after = static_cast<uint64_t>(o.guard_after_s * 1e9);
  auto fault_free = [&](uint64_t t) {
    return t < load_end && nezha::FaultFree(day.faults, t, guard_before, guard_after);
  };
  for (const auto& table : *metrics) learn->AddMetrics(table, fault_free);
  const uint64_t metrics_end = learn->last_ns();

  auto traces = nezha::ListMinuteFiles(construct / "trace", day.name, "trace");
  if (!traces.ok()) return traces.status();
  std::vector<nezha::SpanRow> spans;
  if (Status s = ReadMinutes(*traces, 0, UINT64_MAX / 2, nezha::ReadTraceCsv, &spans); !s.ok()) return s;
  auto logs = nezha::ListMinuteFiles(construct / "log", day.name, "log");
  if (!logs.ok()) return logs.status();
  std::vector<nezha::LogRow> log_rows;
  if (Status s = ReadMinutes(*logs, 0, UINT64_MAX / 2, nezha::ReadLogCsv, &log_rows); !s.ok()) return s;
  if (o.construct_repeat == 0) {
    learn->AddSpans(spans, all);
    learn->AddLogs(log_rows, all);
    return Status::OK();
  }
  uint64_t first = UINT64_MAX;
  for (const auto& r : spans) first = std::min(first, r.start_ns);
  for (const auto& r : log_rows) first = std::min(first, r.time_ns);
  if (first == UINT64_MAX || metrics_end < o.construct_repeat * 60 * kSecond) return Status::OK();
  for (uint32_t k = 0; k < o.construct_repeat; ++k) {
    const uint64_t at = metrics_end - (o.construct_repeat - k) * 60 * kSecond;
    const int64_t shift = static_cast<int64_t>(at) - static_cast<int64_t>(first);
    learn->AddSpans(nezha::CopySpans(spans, shift, k), all);
    learn->AddLogs(nezha::CopyLogs(log_rows, shift, k), all);
  }
  return Status::OK();
}

void DedupeInsights(std::vector<augur::model::Insight>* insights) {
  std::map<std::string, augur::model::Insight> latest;
  for (auto& in : *insights) {
    auto it = latest.find(in.id);
    if (it == latest.end() || in.revision >= it->second.revision) latest[in.id] = std::move(in);
  }
  insights->clear();
  for (auto& [id, in] : latest) insights->push_back(std::move(in));
}

std::string TimeOfDay(uint64_t ns) {
  const time_t s = static_cast<time_t>(ns / kSecond);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// A diagnostic, not augur: where the raw telemetry of a window points, by
// two naive rankings of services over the minute before the injection
// (`before`) and the two after it (`after`, where the trace files end):
//  - logs: the rise in ERROR lines per minute;
//  - traces: the ratio of the median duration of their SERVER spans (kinds
//    as the converter infers them; at least 3 spans on each side).
// Returns the injected service's rank in each (0: not ranked, i.e. no rise).
std::pair<int, int> RawEvidence(const std::vector<nezha::SpanRow>& spans, const std::vector<nezha::LogRow>& logs,
                                uint64_t from, uint64_t inject, const std::string& service) {
  // The trace and log files begin about a minute before the injection.
  from = std::max(from, inject - 60 * kSecond);
  const uint64_t to = inject + 120 * kSecond;
  const double before_min = static_cast<double>(inject - from) / 60e9, after_min = 2;
  auto rank = [&](const std::map<std::string, double>& score) {
    std::vector<std::pair<double, std::string>> order;
    for (const auto& [name, v] : score) order.emplace_back(-v, name);
    std::sort(order.begin(), order.end());
    for (size_t i = 0; i < order.size(); ++i) {
      if (order[i].second == service) return static_cast<int>(i) + 1;
    }
    return 0;
  };
  std::map<std::string, std::pair<int, int>> errors;  // service -> (before, after)
  for (const auto& l : logs) {
    if (l.severity_number < 17 || l.time_ns < from || l.time_ns >= to) continue;
    auto& e = errors[nezha::ServiceOfPod(l.pod)];
    (l.time_ns < inject ? e.first : e.second) += 1;
  }
  std::map<std::string, double> log_score;
  for (const auto& [name, e] : errors) {
    const double rise = e.second / after_min - e.first / std::max(before_min, 1e-9);
    if (rise > 0) log_score[name] = rise;
  }
  const auto kinds = nezha::InferKinds(spans);
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> durations;
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto& sp = spans[i];
    if (kinds[i].kind != augur::model::SpanKind::kServer || sp.end_ns < from || sp.end_ns >= to) continue;
    auto& d = durations[nezha::ServiceOfPod(sp.pod)];
    (sp.end_ns < inject ? d.first : d.second).push_back(static_cast<double>(sp.end_ns - sp.start_ns));
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  std::map<std::string, double> trace_score;
  for (auto& [name, d] : durations) {
    if (d.first.size() < 3 || d.second.size() < 3) continue;
    const double ratio = median(d.second) / std::max(median(d.first), 1.0);
    if (ratio > 1) trace_score[name] = ratio;
  }
  return {rank(log_score), rank(trace_score)};
}

// Step 2 and 3 for one fault.
Status RunFault(const Options& o, const augur::engine::EngineOptions& engine_options, const Day& day, size_t i,
                const std::string& state, uint64_t learn_end, CaseResult* result) {
  const nezha::Fault& fault = day.faults[i];
  result->fault = &fault;
  const nezha::Window w = nezha::FaultWindow(day.faults, i, static_cast<uint64_t>(o.window_before_s * 1e9),
                                             static_cast<uint64_t>(o.window_after_s * 1e9));
  auto in_window = [&](uint64_t t) { return t >= w.from_ns && t < w.to_ns; };
  nezha::Stretch stretch;
  std::vector<nezha::SpanRow> spans;
  if (Status s = ReadMinutes(day.traces, w.from_ns, w.to_ns, nezha::ReadTraceCsv, &spans); !s.ok()) return s;
  stretch.AddSpans(spans, in_window);
  std::vector<nezha::LogRow> logs;
  if (Status s = ReadMinutes(day.logs, w.from_ns, w.to_ns, nezha::ReadLogCsv, &logs); !s.ok()) return s;
  stretch.AddLogs(logs, in_window);
  for (const auto& table : day.metrics) stretch.AddMetrics(table, in_window);
  std::tie(result->log_rank, result->trace_rank) = RawEvidence(spans, logs, w.from_ns, fault.inject_ns, fault.service);

  const int64_t shift = static_cast<int64_t>(learn_end + 60 * kSecond) - static_cast<int64_t>(w.from_ns);
  augur::engine::Engine engine(engine_options);
  if (Status s = engine.LoadState(state); !s.ok()) return s;
  std::vector<augur::model::Anomaly> anomalies;
  for (const auto& batch : stretch.Export(shift)) {
    engine.Add(batch);
    engine.TakeAnomalies(&anomalies);
  }
  engine.AdvanceTo(static_cast<uint64_t>(static_cast<int64_t>(w.to_ns) + shift) + 30 * kSecond);
  engine.TakeAnomalies(&anomalies);
  std::vector<augur::model::Insight> insights;
  engine.TakeInsights(&insights);
  DedupeInsights(&insights);

  const uint64_t inject = static_cast<uint64_t>(static_cast<int64_t>(fault.inject_ns) + shift);
  const uint64_t tolerance = static_cast<uint64_t>(o.tolerance_s * 1e9);
  const uint64_t end = static_cast<uint64_t>(static_cast<int64_t>(w.to_ns) + shift);
  for (const auto& in : insights) result->insights += in.type == "REACTIVE" && !in.anomalies.empty();
  result->anomalies = anomalies.size();
  const augur::model::Insight* answer = nezha::PickInsight(insights, inject, tolerance, end);
  if (answer != nullptr) {
    result->answered = true;
    result->ranked = nezha::RankedServices(*answer);
    result->rank = nezha::RankOf(result->ranked, fault.service);
    uint64_t detected = UINT64_MAX;
    for (const auto& m : answer->anomalies) {
      if (m.anomaly.onset_ns + tolerance >= inject && m.anomaly.onset_ns < end) {
        detected = std::min(detected, m.anomaly.detected_ns);
      }
    }
    result->detect_s = (static_cast<double>(detected) - static_cast<double>(inject)) / 1e9;
  }
  std::map<std::string, const augur::model::Anomaly*> latest;  // by id: the last state of each anomaly
  for (const auto& a : anomalies) latest[a.id] = &a;
  uint64_t evidence_onset = UINT64_MAX;
  for (const auto& [id, a] : latest) {
    if (a->kind == "forecast") continue;
    if (a->onset_ns + tolerance < inject) {
      if (a->onset_ns >= static_cast<uint64_t>(static_cast<int64_t>(w.from_ns) + shift)) {
        const std::string& m = a->series.metric;
        ++result->before[m.rfind("span.", 0) == 0 ? 0 : m.rfind("log.", 0) == 0 ? 1 : 2];
      }
      continue;
    }
    if (a->onset_ns >= end) continue;
    (a->series.metric.rfind("span.", 0) == 0 ? result->span_after : result->metric_after) += 1;
    if (a->series.service == fault.service && a->onset_ns < evidence_onset) {
      evidence_onset = a->onset_ns;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%+.0fs %s %s", (static_cast<double>(a->onset_ns) - inject) / 1e9,
                    a->series.metric.c_str(), a->direction.c_str());
      result->evidence = buf;
    }
  }
  for (const auto& in : insights) {
    if (in.type != "REACTIVE") continue;
    bool after = false;
    for (const auto& m : in.anomalies) after |= m.anomaly.onset_ns + tolerance >= inject && m.anomaly.onset_ns < end;
    if (!after) continue;
    const int r = nezha::RankOf(nezha::RankedServices(in), fault.service);
    if (r > 0 && (result->best_rank == 0 || r < result->best_rank)) result->best_rank = r;
  }
  if (o.verbose) {
    const auto& st = stretch.stats();
    const auto as = engine.analyzer_stats();
    std::printf(
        "  red: %llu spans, %llu counted, %llu late, %llu skipped kind, %llu no peer; %llu points analysed, "
        "%llu detectors\n",
        static_cast<unsigned long long>(as.red.spans), static_cast<unsigned long long>(as.red.counted),
        static_cast<unsigned long long>(as.red.late), static_cast<unsigned long long>(as.red.skipped_kind),
        static_cast<unsigned long long>(as.red.skipped_no_peer), static_cast<unsigned long long>(as.points_analysed),
        static_cast<unsigned long long>(as.detectors));
    const auto ts = engine.topology_stats();
    std::printf(
        "  topology: %llu traces, %llu late spans, %llu orphan spans, %llu duplicate spans, %llu unattributed "
        "calls; %llu calls recorded, %llu operations, %llu edges\n",
        static_cast<unsigned long long>(ts.traces.traces_completed),
        static_cast<unsigned long long>(ts.traces.late_spans), static_cast<unsigned long long>(ts.orphan_spans),
        static_cast<unsigned long long>(ts.duplicate_spans), static_cast<unsigned long long>(ts.unattributed_calls),
        static_cast<unsigned long long>(ts.graph.calls_recorded), static_cast<unsigned long long>(ts.graph.operations),
        static_cast<unsigned long long>(ts.graph.edges));
    for (const auto& [id, a] : latest) {
      std::printf("  anomaly %+6.0f s %s %s %s\n", (static_cast<double>(a->onset_ns) - inject) / 1e9,
                  a->ongoing() ? "ongoing" : "ended  ", a->kind.c_str(), a->explanation.c_str());
    }
    std::printf(
        "  window %s..%s: %llu spans (%llu server, %llu client), %llu logs, %llu metric points; "
        "%zu anomalies, %zu insights\n",
        TimeOfDay(w.from_ns).c_str(), TimeOfDay(w.to_ns).c_str(), static_cast<unsigned long long>(st.spans),
        static_cast<unsigned long long>(st.server), static_cast<unsigned long long>(st.client),
        static_cast<unsigned long long>(st.logs), static_cast<unsigned long long>(st.metric_points), anomalies.size(),
        insights.size());
    for (const auto& in : insights) {
      if (in.anomalies.empty()) continue;
      std::printf("  %s %s %s %s (%+.0f s): %s\n", in.id.c_str(), in.type.c_str(), in.severity.c_str(),
                  &in == answer ? "[answer]" : "", (static_cast<double>(in.start_ns) - inject) / 1e9, in.name.c_str());
      for (const auto& c : in.candidates) {
        std::printf("      candidate %-28s %-40s %s score=%.3f\n", c.service.c_str(), c.operation.c_str(),
                    c.dependency.c_str(), c.score);
      }
      for (const auto& m : in.anomalies) {
        std::printf("      %+6.0f s %-12s %s\n", (static_cast<double>(m.anomaly.onset_ns) - inject) / 1e9,
                    m.anomaly.kind.c_str(), m.anomaly.explanation.c_str());
      }
    }
  }
  return Status::OK();
}

double PeakRssMb() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"augur's root-cause ranking on Nezha's TrainTicket faults"};
  Options o;
  app.add_option("--nezha-dir", o.dir, "the unpacked trainticket.tar.zst (holds rca_data/ and construct_data/)")
      ->required();
  app.add_option("--window-before", o.window_before_s,
                 "seconds replayed before each injection (metrics; the trace and log files begin a minute before it)");
  app.add_flag("--continuous-learning", o.continuous_learning,
               "learn both days through one engine (default: one engine per day; see the file header)");
  app.add_option("--construct-repeat", o.construct_repeat,
                 "times the construct minute's traces and logs are learned (0: once, at their own time)");
  app.add_option("--window-after", o.window_after_s, "seconds replayed after it (at most; the next injection ends it)");
  app.add_option("--tolerance", o.tolerance_s, "an answering anomaly's onset may be this many seconds early");
  app.add_option("--guard-before", o.guard_before_s, "learning skips metrics this long before an injection");
  app.add_option("--guard-after", o.guard_after_s, "... and this long after it");
  app.add_option("--faults", o.max_faults, "only the first N faults (quick runs)");
  app.add_option("--sensitivity", o.sensitivity, "the analyzer's sensitivity: low, medium (the default), high");
  app.add_option("--fault", o.only_fault, "only fault number K (1-based, as in the table)");
  app.add_flag("--verbose", o.verbose, "print every insight of every window");
  CLI11_PARSE(app, argc, argv);
  augur::engine::EngineOptions engine_options;
  if (o.sensitivity == "low") {
    engine_options.analyzer.sensitivity = augur::detect::Sensitivity::kLow;
  } else if (o.sensitivity == "high") {
    engine_options.analyzer.sensitivity = augur::detect::Sensitivity::kHigh;
  } else if (o.sensitivity != "medium") {
    return Fail("--sensitivity: low, medium or high");
  }

  const auto t0 = Clock::now();
  std::vector<Day> days;
  for (const char* name : {"2023-01-29", "2023-01-30"}) {
    Day day;
    if (Status s = LoadDay(o.dir, name, &day); !s.ok()) return Fail(s.ToString());
    days.push_back(std::move(day));
  }

  // 1. Learn each day's normal, saving the state after each day: one engine
  // per day, or (--continuous-learning) one engine through both days.
  std::vector<std::string> states;
  std::vector<uint64_t> learn_end;
  auto engine_ptr = std::make_unique<augur::engine::Engine>(engine_options);
  for (const Day& day : days) {
    if (!o.continuous_learning) engine_ptr = std::make_unique<augur::engine::Engine>(engine_options);
    augur::engine::Engine& engine = *engine_ptr;
    nezha::Stretch learn;
    if (Status s = AddLearning(o, day, &learn); !s.ok()) return Fail(s.ToString());
    std::vector<augur::model::Anomaly> anomalies;
    size_t batches = 0;
    for (const auto& batch : learn.Export(0)) {
      engine.Add(batch);
      engine.TakeAnomalies(&anomalies);
      ++batches;
    }
    engine.AdvanceTo(learn.last_ns());
    engine.TakeAnomalies(&anomalies);
    std::vector<augur::model::Insight> insights;
    engine.TakeInsights(&insights);
    DedupeInsights(&insights);
    size_t open = 0;
    for (const auto& in : insights) open += in.ongoing() && !in.anomalies.empty();
    states.push_back(engine.SaveState());
    learn_end.push_back(learn.last_ns());
    const auto& ls = learn.stats();
    std::printf(
        "nezha: learning %s (construct minute x%u): %llu spans (%llu server, %llu client, %llu internal), %llu logs, "
        "%llu metric "
        "points in %llu rows, up to %s; %zu batches; %zu anomalies, %zu insights (%zu still open); state %zu "
        "bytes\n",
        day.name.c_str(), o.construct_repeat, static_cast<unsigned long long>(ls.spans),
        static_cast<unsigned long long>(ls.server), static_cast<unsigned long long>(ls.client),
        static_cast<unsigned long long>(ls.internal), static_cast<unsigned long long>(ls.logs),
        static_cast<unsigned long long>(ls.metric_points), static_cast<unsigned long long>(ls.metric_rows),
        TimeOfDay(learn.last_ns()).c_str(), batches, anomalies.size(), insights.size(), open, states.back().size());
  }
  const auto t1 = Clock::now();

  // 2. and 3. Each fault.
  std::vector<CaseResult> results;
  std::printf("%3s %-10s %-8s %-14s %-18s %4s %4s %8s %-30s %4s %9s %7s  %s\n", "#", "day", "inject", "type",
              "injected", "rank", "hit", "detect_s", "top-5 ranked", "any", "span/met", "log/trc",
              "first anomaly on the injected service");
  size_t number = 0;
  for (size_t d = 0; d < days.size(); ++d) {
    const Day& day = days[d];
    for (size_t i = 0; i < day.faults.size(); ++i) {
      if (o.max_faults > 0 && results.size() >= o.max_faults) break;
      ++number;
      if (o.only_fault > 0 && number != o.only_fault) continue;
      CaseResult r;
      if (Status s = RunFault(o, engine_options, day, i, states[d], learn_end[d], &r); !s.ok())
        return Fail(s.ToString());
      const nezha::Fault& f = *r.fault;
      std::string top;
      for (size_t k = 0; k < r.ranked.size() && k < 5; ++k) top += (k ? "," : "") + Short(r.ranked[k]);
      char hit[8];
      std::snprintf(hit, sizeof hit, "%c%c%c", r.rank == 1 ? '1' : '-', r.rank >= 1 && r.rank <= 3 ? '3' : '-',
                    r.rank >= 1 && r.rank <= 5 ? '5' : '-');
      char detect[16] = "-";
      if (r.answered) std::snprintf(detect, sizeof detect, "%.0f", r.detect_s);
      char counts[24];
      std::snprintf(counts, sizeof counts, "%zu/%zu", r.span_after, r.metric_after);
      char raw[24];
      std::snprintf(raw, sizeof raw, "%d/%d", r.log_rank, r.trace_rank);
      std::printf("%3zu %-10s %-8s %-14s %-18s %4s %4s %8s %-30s %4s %9s %7s  %s\n", number, f.day.c_str(),
                  f.inject_time.substr(11).c_str(), f.type.c_str(), Short(f.service).c_str(),
                  r.rank > 0 ? std::to_string(r.rank).c_str() : "-", hit, detect,
                  r.answered ? (top.empty() ? "(no candidates)" : top.c_str()) : "(no insight)",
                  r.best_rank > 0 ? std::to_string(r.best_rank).c_str() : "-", counts, raw,
                  r.evidence.empty() ? "-" : r.evidence.c_str());
      std::fflush(stdout);
      results.push_back(std::move(r));
    }
  }
  const auto t2 = Clock::now();

  std::map<std::string, std::vector<int>> by_type;
  std::vector<int> ranks, best_ranks;
  std::map<std::string, std::pair<std::vector<int>, std::vector<int>>> raw_by_type;
  size_t answered = 0, with_evidence = 0, before[3] = {0, 0, 0};
  for (const auto& r : results) {
    by_type[r.fault->type].push_back(r.rank);
    ranks.push_back(r.rank);
    best_ranks.push_back(r.best_rank);
    raw_by_type[r.fault->type].first.push_back(r.log_rank);
    raw_by_type[r.fault->type].second.push_back(r.trace_rank);
    answered += r.answered;
    with_evidence += !r.evidence.empty();
    for (int k = 0; k < 3; ++k) before[k] += r.before[k];
  }
  for (const auto& [type, rs] : by_type) {
    const auto a = nezha::ScoreAtK(rs);
    std::printf("nezha: type=%s faults=%zu as1=%.2f as3=%.2f as5=%.2f\n", type.c_str(), a.faults, a.as1, a.as3, a.as5);
  }
  for (const auto& [type, rs] : raw_by_type) {
    const auto l = nezha::ScoreAtK(rs.first), t = nezha::ScoreAtK(rs.second);
    std::printf(
        "nezha: diagnostic: raw evidence, type=%s: ERROR-log rise as1=%.2f as3=%.2f; SERVER-span median "
        "ratio as1=%.2f as3=%.2f\n",
        type.c_str(), l.as1, l.as3, t.as1, t.as3);
  }
  const auto any = nezha::ScoreAtK(best_ranks);
  std::printf(
      "nezha: diagnostic: faults with an anomaly on the injected service after the injection: %zu; AS@k if "
      "the best of all insights after it were taken (not a score): as1=%.2f as3=%.2f as5=%.2f\n",
      with_evidence, any.as1, any.as3, any.as5);
  const size_t false_alarms = before[0] + before[1] + before[2];
  std::printf(
      "nezha: diagnostic: %zu anomalies with an onset before the injections in the windows (false alarms: %zu span, "
      "%zu log, %zu metric), %.1f per window\n",
      false_alarms, before[0], before[1], before[2],
      results.empty() ? 0.0 : static_cast<double>(false_alarms) / static_cast<double>(results.size()));
  std::printf("nezha: faults=%zu answered=%zu learn_s=%.1f replay_s=%.1f total_s=%.1f peak_rss_mb=%.1f\n",
              results.size(), answered, Seconds(t0, t1), Seconds(t1, t2), Seconds(t0, t2), PeakRssMb());
  const auto a = nezha::ScoreAtK(ranks);
  std::printf("nezha as1=%.2f as3=%.2f as5=%.2f\n", a.as1, a.as3, a.as5);
  return 0;
}
