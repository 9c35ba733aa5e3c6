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
// The replay is online: each fault is judged by an engine that has seen
// only what came before its window, in event-time order, as `augur serve`
// would have seen that day (eval::nezha::OnlineCases).
//
// 1. The day's main line: one Engine per day (the two days are two
//    deployments: every pod was restarted in between, with the load off
//    overnight; --continuous-learning runs one main line through both,
//    day 1 up to its load end, eval::nezha::LoadEnd) learns the per-minute
//    metrics of rca_data/<day>/metric from the day's first row on, in
//    event time as recorded, including the minutes around earlier faults
//    (an online system sees them; --skip-fault-margins leaves out
//    [inject - guard_before, inject + guard_after) of every fault, which
//    only a system told where the faults are could do). The trace and log
//    files cover only the three minutes around each fault and are not in
//    the main line (see 2).
// 2. At each fault's checkpoint, `construct_repeat` minutes (default 30)
//    before its window, the main line's state is copied into a fresh Engine
//    (SaveState / LoadState) that judges the fault:
//    - the warm-up, [window start - construct_repeat min, window start):
//      the day's metrics of those minutes (as the main line takes them)
//      and the traces and logs of construct_data/<day>, Nezha's one
//      fault-free minute of each day (2023-01-29 08:50, 2023-01-30 11:39),
//      once a minute (each copy with trace ids of its own,
//      eval::nezha::CopySpans). augur learns from a stream: its span
//      detectors want 30 five-second buckets and its log rate trackers 30
//      one-minute buckets before they judge; with no trace or log files
//      between faults, that minute is the only normal traffic there is, so
//      it stands in for the traffic of the minutes just before the window
//      (placed there, not at the day's start, so that the log trackers do
//      not learn hours of silence as the normal rate). --construct-repeat 0:
//      no warm-up, the span and log detectors start cold at the window.
//      --warm-up-from before-injection: the window's own traffic before
//      the injection is repeated instead (what augur saw just before the
//      fault, at that hour; docs/benchmarks.md, session 8).
//    - then the window, at its own time: rca_data/<day> traces, logs and
//      metrics from window_before (default 5 min, metrics; the trace and
//      log files begin a minute before the injection) before the
//      injection, or the previous injection if later, to window_after (10
//      min) after it, or the next injection, whichever comes first
//      (eval::nezha::FaultWindow); then event time is moved past the window
//      (Engine::AdvanceTo) so its last buckets close.
//    The main line then goes on from the checkpoint, so one fault's window
//    (and warm-up) never enters another's engine; the next fault's engine
//    does see the metrics of earlier faults, as the main line learns them.
// 3. The answering insight and its ranking: eval::nezha::PickInsight
//    (src/eval/nezha.h): of the REACTIVE insights with an anomaly whose
//    onset is at most `tolerance` (60 s: metric rows and log counts are
//    per minute, stamped at its start) before the injection, the one the
//    product would show first (insight::AttendFirst); its candidates as
//    services. detect_s = when its earliest such anomaly was detected,
//    minus the injection time.
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
  bool skip_fault_margins = false;
  bool warm_up_to_traffic = false;
  // Where the warm-up's traces and logs come from: "construct" (the day's
  // construct minute) or "before-injection" (the window's own recorded
  // traffic before the injection; see AddWarmUp).
  std::string warm_up_from = "construct";
  double guard_before_s = 120;
  double guard_after_s = 600;
  size_t max_faults = 0;  // 0: all
  size_t only_fault = 0;  // 1-based; 0: all
  bool verbose = false;
  bool no_operation_lines = false;
  std::string sensitivity = "medium";  // the analyzer's (a setting of augur serve)
};

struct Day {
  std::string name;
  std::vector<nezha::Fault> faults;
  std::vector<nezha::MetricTable> metrics;  // rca_data/<day>/metric
  std::vector<nezha::MinuteFile> traces, logs;
  // construct_data/<day>: the fault-free minute of traces and logs.
  std::vector<nezha::SpanRow> construct_spans;
  std::vector<nezha::LogRow> construct_logs;
  uint64_t construct_first_ns = UINT64_MAX;  // its earliest span start or log time
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
  const fs::path construct = dir / "construct_data" / name;
  auto construct_traces = nezha::ListMinuteFiles(construct / "trace", name, "trace");
  if (!construct_traces.ok()) return construct_traces.status();
  if (Status s = ReadMinutes(*construct_traces, 0, UINT64_MAX / 2, nezha::ReadTraceCsv, &day->construct_spans); !s.ok())
    return s;
  auto construct_logs = nezha::ListMinuteFiles(construct / "log", name, "log");
  if (!construct_logs.ok()) return construct_logs.status();
  if (Status s = ReadMinutes(*construct_logs, 0, UINT64_MAX / 2, nezha::ReadLogCsv, &day->construct_logs); !s.ok())
    return s;
  for (const auto& r : day->construct_spans) day->construct_first_ns = std::min(day->construct_first_ns, r.start_ns);
  for (const auto& r : day->construct_logs) day->construct_first_ns = std::min(day->construct_first_ns, r.time_ns);
  return Status::OK();
}

// Which metric rows before a window are learned (the main line and the
// warm-up): all of them, or (--skip-fault-margins) those fault-free by a
// margin.
nezha::TimeFilter LearnedMetrics(const Options& o, const Day& day) {
  if (!o.skip_fault_margins) return [](uint64_t) { return true; };
  const uint64_t guard_before = static_cast<uint64_t>(o.guard_before_s * 1e9);
  const uint64_t guard_after = static_cast<uint64_t>(o.guard_after_s * 1e9);
  return [&day, guard_before, guard_after](uint64_t t) {
    return nezha::FaultFree(day.faults, t, guard_before, guard_after);
  };
}

// Feeds `engine` the day's learned metrics in [from, to), in event time;
// counts the anomalies it raised and the rows it sent.
struct Fed {
  size_t rows = 0;
  size_t anomalies = 0;
};
void FeedMetrics(const Options& o, const Day& day, uint64_t from, uint64_t to, augur::engine::Engine* engine,
                 Fed* fed) {
  if (from >= to) return;
  const nezha::TimeFilter learned = LearnedMetrics(o, day);
  auto keep = [&](uint64_t t) { return t >= from && t < to && learned(t); };
  nezha::Stretch stretch;
  for (const auto& table : day.metrics) stretch.AddMetrics(table, keep);
  std::vector<augur::model::Anomaly> anomalies;
  for (const auto& batch : stretch.Export(0)) {
    engine->Add(batch);
    engine->TakeAnomalies(&anomalies);
  }
  fed->rows += stretch.stats().metric_rows;
  fed->anomalies += anomalies.size();
}

// Traffic that stands in for the minutes before a window: `period_ns` of
// traces and logs starting at `first_ns`, laid end to end.
struct WarmUpSample {
  const std::vector<nezha::SpanRow>* spans = nullptr;
  const std::vector<nezha::LogRow>* logs = nullptr;
  uint64_t first_ns = UINT64_MAX;
  uint64_t period_ns = 60 * kSecond;
};

// The window's recorded traffic before the injection, when there is
// enough of it (20 s) to stand for normal traffic: spans that ended and
// logs written before the injection. An online system has seen it by the
// time of the injection.
WarmUpSample BeforeInjection(const std::vector<nezha::SpanRow>& spans, const std::vector<nezha::LogRow>& logs,
                             uint64_t from_ns, uint64_t inject_ns, std::vector<nezha::SpanRow>* sample_spans,
                             std::vector<nezha::LogRow>* sample_logs) {
  WarmUpSample sample;
  for (const auto& sp : spans) {
    if (sp.start_ns >= from_ns && sp.end_ns < inject_ns) {
      sample_spans->push_back(sp);
      sample.first_ns = std::min(sample.first_ns, sp.start_ns);
    }
  }
  for (const auto& l : logs) {
    if (l.time_ns >= from_ns && l.time_ns < inject_ns) {
      sample_logs->push_back(l);
      sample.first_ns = std::min(sample.first_ns, l.time_ns);
    }
  }
  if (sample.first_ns == UINT64_MAX || inject_ns - sample.first_ns < 20 * kSecond) return WarmUpSample{};
  sample.spans = sample_spans;
  sample.logs = sample_logs;
  sample.period_ns = inject_ns - sample.first_ns;
  return sample;
}

// Step 2's warm-up of one case: the learned metrics of [warm_from, window
// start), and the sample's traces and logs (by default the construct
// minute's, once a minute) laid end to end over the construct_repeat
// minutes that end at `traffic_from`.
void AddWarmUp(const Options& o, const Day& day, const nezha::OnlineCase& c, uint64_t traffic_from,
               const WarmUpSample& sample, nezha::Stretch* warm) {
  const nezha::TimeFilter learned = LearnedMetrics(o, day);
  auto keep = [&](uint64_t t) { return t >= c.warm_from_ns && t < c.window.from_ns && learned(t); };
  for (const auto& table : day.metrics) warm->AddMetrics(table, keep);
  if (sample.first_ns == UINT64_MAX) return;
  auto all = [](uint64_t) { return true; };
  const uint64_t copies = static_cast<uint64_t>(o.construct_repeat) * 60 * kSecond / sample.period_ns;
  for (uint64_t k = 0; k < copies; ++k) {
    const uint64_t before = (copies - k) * sample.period_ns;
    if (traffic_from < before) continue;
    const int64_t shift = static_cast<int64_t>(traffic_from - before) - static_cast<int64_t>(sample.first_ns);
    warm->AddSpans(nezha::CopySpans(*sample.spans, shift, static_cast<uint32_t>(k)), all);
    warm->AddLogs(nezha::CopyLogs(*sample.logs, shift, static_cast<uint32_t>(k)), all);
  }
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
Status RunFault(const Options& o, const augur::engine::EngineOptions& engine_options, const Day& day,
                const nezha::OnlineCase& c, const std::string& state, CaseResult* result) {
  const nezha::Fault& fault = day.faults[c.fault];
  result->fault = &fault;
  const nezha::Window w = c.window;
  auto in_window = [&](uint64_t t) { return t >= w.from_ns && t < w.to_ns; };
  nezha::Stretch stretch;  // the window alone, for its statistics
  std::vector<nezha::SpanRow> spans;
  if (Status s = ReadMinutes(day.traces, w.from_ns, w.to_ns, nezha::ReadTraceCsv, &spans); !s.ok()) return s;
  stretch.AddSpans(spans, in_window);
  std::vector<nezha::LogRow> logs;
  if (Status s = ReadMinutes(day.logs, w.from_ns, w.to_ns, nezha::ReadLogCsv, &logs); !s.ok()) return s;
  stretch.AddLogs(logs, in_window);
  for (const auto& table : day.metrics) stretch.AddMetrics(table, in_window);
  std::tie(result->log_rank, result->trace_rank) = RawEvidence(spans, logs, w.from_ns, fault.inject_ns, fault.service);

  // The warm-up's traffic ends where the window starts, as the learning
  // did before this protocol (the window's trace and log files begin only
  // about a minute before the injection, so the span and log detectors see
  // up to 4 silent minutes first), or (--warm-up-to-traffic) where the
  // window's recorded traffic begins, with no gap.
  uint64_t traffic_from = w.from_ns;
  if (o.warm_up_to_traffic) {
    traffic_from = w.to_ns;
    for (const auto& sp : spans) {
      if (in_window(sp.end_ns)) traffic_from = std::min(traffic_from, std::max(sp.start_ns, w.from_ns));
    }
    for (const auto& l : logs) {
      if (in_window(l.time_ns)) traffic_from = std::min(traffic_from, l.time_ns);
    }
    if (traffic_from == w.to_ns) traffic_from = w.from_ns;
  }
  // The warm-up and the window as one stream, so that the exports of both
  // come in send-time order where they overlap.
  WarmUpSample sample{&day.construct_spans, &day.construct_logs, day.construct_first_ns, 60 * kSecond};
  std::vector<nezha::SpanRow> sample_spans;
  std::vector<nezha::LogRow> sample_logs;
  if (o.warm_up_from == "before-injection") {
    sample = BeforeInjection(spans, logs, w.from_ns, fault.inject_ns, &sample_spans, &sample_logs);
    // The window's traffic itself follows the copies, with no gap.
    if (sample.first_ns != UINT64_MAX) traffic_from = sample.first_ns;
  }
  nezha::Stretch replay;
  AddWarmUp(o, day, c, traffic_from, sample, &replay);
  replay.AddSpans(spans, in_window);
  replay.AddLogs(logs, in_window);
  for (const auto& table : day.metrics) replay.AddMetrics(table, in_window);

  augur::engine::Engine engine(engine_options);
  if (Status s = engine.LoadState(state); !s.ok()) return s;
  std::vector<augur::model::Anomaly> anomalies;
  for (const auto& batch : replay.Export(0)) {
    engine.Add(batch);
    engine.TakeAnomalies(&anomalies);
  }
  engine.AdvanceTo(w.to_ns + 30 * kSecond);
  engine.TakeAnomalies(&anomalies);
  std::vector<augur::model::Insight> insights;  // those of the warm-up too: the latest revision counts
  engine.TakeInsights(&insights);
  DedupeInsights(&insights);

  const uint64_t inject = fault.inject_ns;
  const uint64_t tolerance = static_cast<uint64_t>(o.tolerance_s * 1e9);
  const uint64_t end = w.to_ns;
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
      if (a->onset_ns >= w.from_ns) {
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
    std::printf("case %s %s %s %s\n", TimeOfDay(fault.inject_ns).c_str(), fault.type.c_str(), fault.service.c_str(),
                fault.day.c_str());
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
      std::printf("  %s %s %s %s (%+.0f s): %s {conf=%.3f det=%+.0f}\n", in.id.c_str(), in.type.c_str(),
                  in.severity.c_str(), &in == answer ? "[answer]" : "",
                  (static_cast<double>(in.start_ns) - inject) / 1e9, in.name.c_str(), in.root_cause.confidence,
                  (static_cast<double>(in.detected_ns) - inject) / 1e9);
      for (const auto& c : in.candidates) {
        std::printf("      candidate %-28s %-40s %s score=%.3f\n", c.service.c_str(), c.operation.c_str(),
                    c.dependency.c_str(), c.score);
      }
      for (const auto& m : in.anomalies) {
        std::printf("      %+6.0f s %-12s [%s %.2f %+.0f] %s\n",
                    (static_cast<double>(m.anomaly.onset_ns) - inject) / 1e9, m.anomaly.kind.c_str(),
                    m.role == "causal" ? "c" : "x", m.anomaly.score,
                    (static_cast<double>(m.anomaly.detected_ns) - inject) / 1e9, m.anomaly.explanation.c_str());
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
               "one main line through both days (default: one per day; see the file header)");
  app.add_option("--construct-repeat", o.construct_repeat,
                 "minutes of warm-up before each window, each a copy of the construct minute's traces and logs "
                 "(0: none, the span and log detectors start cold at the window)");
  app.add_flag("--skip-fault-margins", o.skip_fault_margins,
               "learn only the metrics fault-free by a margin (--guard-before/--guard-after), not all of the "
               "day before the window");
  app.add_flag("--warm-up-to-traffic", o.warm_up_to_traffic,
               "end the warm-up's traffic where the window's recorded traffic begins (default: at the window's "
               "start, leaving the minutes before its trace and log files silent)");
  app.add_option("--warm-up-from", o.warm_up_from,
                 "the warm-up's traces and logs: construct (the day's fault-free minute, once a minute) or "
                 "before-injection (the window's own traffic before the injection, laid end to end; the "
                 "construct minute when there is less than 20 s of it)")
      ->check(CLI::IsMember({"construct", "before-injection"}));
  app.add_option("--window-after", o.window_after_s, "seconds replayed after it (at most; the next injection ends it)");
  app.add_option("--tolerance", o.tolerance_s, "an answering anomaly's onset may be this many seconds early");
  app.add_option("--guard-before", o.guard_before_s,
                 "with --skip-fault-margins, learning skips metrics this long before an injection");
  app.add_option("--guard-after", o.guard_after_s, "... and this long after it");
  app.add_option("--faults", o.max_faults, "only the first N faults (quick runs)");
  app.add_option("--sensitivity", o.sensitivity, "the analyzer's sensitivity: low, medium (the default), high");
  app.add_option("--fault", o.only_fault, "only fault number K (1-based, as in the table)");
  app.add_flag("--verbose", o.verbose, "print every insight of every window");
  app.add_flag("--no-operation-lines", o.no_operation_lines,
               "turn off the log lines that stop while their operation goes on (logs/operation_lines.h)");
  CLI11_PARSE(app, argc, argv);
  augur::engine::EngineOptions engine_options;
  engine_options.operation_lines.enabled = !o.no_operation_lines;
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
  const auto t1 = Clock::now();

  // 1. and 2. One main line per day (or, --continuous-learning, one through
  // both days), a checkpoint and a case at each fault; 3. each case's answer.
  std::vector<CaseResult> results;
  double main_line_s = 0, cases_s = 0;
  auto print_header = [] {
    std::printf("%3s %-10s %-8s %-14s %-18s %4s %4s %8s %-30s %4s %9s %7s  %s\n", "#", "day", "inject", "type",
                "injected", "rank", "hit", "detect_s", "top-5 ranked", "any", "span/met", "log/trc",
                "first anomaly on the injected service");
  };
  const uint64_t warm_ns = static_cast<uint64_t>(o.construct_repeat) * 60 * kSecond;
  auto engine = std::make_unique<augur::engine::Engine>(engine_options);
  size_t first_number = 0;  // faults of the earlier days
  bool done = false;
  for (size_t d = 0; d < days.size() && !done; ++d) {
    const Day& day = days[d];
    if (!o.continuous_learning) engine = std::make_unique<augur::engine::Engine>(engine_options);
    Fed fed;
    uint64_t fed_to = 0;  // the main line has learned the day's metrics before this time
    size_t min_state = SIZE_MAX, max_state = 0;
    std::vector<std::pair<size_t, CaseResult>> day_results;
    for (const nezha::OnlineCase& c : nezha::OnlineCases(day.faults, static_cast<uint64_t>(o.window_before_s * 1e9),
                                                         static_cast<uint64_t>(o.window_after_s * 1e9), warm_ns)) {
      const size_t number = first_number + c.fault + 1;
      if (o.max_faults > 0 && number > o.max_faults) {
        done = true;
        break;
      }
      auto t = Clock::now();
      FeedMetrics(o, day, fed_to, c.warm_from_ns, engine.get(), &fed);
      fed_to = std::max(fed_to, c.warm_from_ns);
      if (o.only_fault > 0 && number != o.only_fault) {
        main_line_s += Seconds(t, Clock::now());
        continue;
      }
      const std::string state = engine->SaveState();
      min_state = std::min(min_state, state.size());
      max_state = std::max(max_state, state.size());
      const auto t_case = Clock::now();
      main_line_s += Seconds(t, t_case);
      CaseResult r;
      if (Status s = RunFault(o, engine_options, day, c, state, &r); !s.ok()) return Fail(s.ToString());
      cases_s += Seconds(t_case, Clock::now());
      day_results.emplace_back(number, std::move(r));
    }
    if (o.continuous_learning) {  // the rest of the day, while the load ran
      auto t = Clock::now();
      FeedMetrics(o, day, fed_to, nezha::LoadEnd(day.metrics), engine.get(), &fed);
      main_line_s += Seconds(t, Clock::now());
    }
    std::printf(
        "nezha: main line %s: %zu metric rows learned (%s), %zu anomalies raised in it; %zu checkpoints, state "
        "%zu..%zu bytes; warm-up: %u minutes of construct traffic before each window\n",
        day.name.c_str(), fed.rows, o.skip_fault_margins ? "fault margins skipped" : "all of them, in time order",
        fed.anomalies, day_results.size(), day_results.empty() ? 0 : min_state, max_state, o.construct_repeat);
    if (d == 0) print_header();
    for (auto& [number, r] : day_results) {
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
      results.push_back(std::move(r));
    }
    std::fflush(stdout);
    first_number += day.faults.size();
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
  // What the answers' candidate lists are worth with no ranking at all: the
  // injected service among them, in a random order (the expected AS@k). A
  // larger answer holds the service more often and scores more at 3 and 5
  // by its size alone; the ranking is worth what AS@k adds to this.
  double chance[3] = {0, 0, 0};
  size_t holding = 0;
  for (const auto& r : results) {
    if (r.rank < 1) continue;
    ++holding;
    const double n = static_cast<double>(r.ranked.size());
    for (int k = 0; k < 3; ++k) chance[k] += std::min(static_cast<double>(2 * k + 1), n) / n;
  }
  const double faults = results.empty() ? 1.0 : static_cast<double>(results.size());
  double mean_ranked = 0;
  for (const auto& r : results) mean_ranked += static_cast<double>(r.ranked.size()) / faults;
  std::printf(
      "nezha: diagnostic: the answer holds the injected service in %zu faults (%.1f services ranked on average); "
      "in a random order inside the answers: as1=%.2f as3=%.2f as5=%.2f\n",
      holding, mean_ranked, 100 * chance[0] / faults, 100 * chance[1] / faults, 100 * chance[2] / faults);
  const size_t false_alarms = before[0] + before[1] + before[2];
  std::printf(
      "nezha: diagnostic: %zu anomalies with an onset before the injections in the windows (false alarms: %zu span, "
      "%zu log, %zu metric), %.1f per window\n",
      false_alarms, before[0], before[1], before[2],
      results.empty() ? 0.0 : static_cast<double>(false_alarms) / static_cast<double>(results.size()));
  std::printf(
      "nezha: faults=%zu answered=%zu load_s=%.1f main_line_s=%.1f cases_s=%.1f total_s=%.1f peak_rss_mb=%.1f\n",
      results.size(), answered, Seconds(t0, t1), main_line_s, cases_s, Seconds(t0, t2), PeakRssMb());
  const auto a = nezha::ScoreAtK(ranks);
  std::printf("nezha as1=%.2f as3=%.2f as5=%.2f\n", a.as1, a.as3, a.as5);
  return 0;
}
