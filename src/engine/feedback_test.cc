// TOO_SENSITIVE feedback, seen on the next replay of the same data (issue 7).
//
// One "pass" is the article's app for 2 h 40 min: two hours of healthy
// traffic, a short latency fault on the writer, twenty minutes later the
// same on the reader, then healthy traffic until both insights close. The
// engine sees a pass, the user gives feedback on the writer's insight,
// augur restarts (SaveState → a fresh Engine → LoadState, as the analysis
// stage does at its checkpoints) and the very same pass is replayed after
// the first one (shifted in time: the watermark has moved past the first,
// so the same timestamps would be late data).
//
// Each case runs twice on identical input, differing only in the feedback:
// TOO_SENSITIVE against USEFUL (which leaves the detectors alone). So the
// effect is measured against what the engine would have done anyway, and
// a TOO_SENSITIVE that changed nothing fails every case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "scenario/generator.h"
#include "scenario/spec.h"

namespace augur::engine {
namespace {

using scenario::kHour;
using scenario::kMinute;
using scenario::kSecond;

constexpr uint64_t kStart = 1'767'225'600 * kSecond;  // 2026-01-01T00:00:00Z
constexpr uint64_t kBaseline = 2 * kHour;
constexpr uint64_t kReaderAfter = 20 * kMinute;  // the reader's fault starts this long after the writer's
constexpr uint64_t kPass = kBaseline + 40 * kMinute;
// After a pass, event time runs on this long (everything closes); the
// second pass starts later still, as a replay started afterwards would.
constexpr uint64_t kSettle = 30 * kMinute;
constexpr uint64_t kSecondPass = kStart + kPass + kHour;

using Series = model::SeriesKey;

struct Fault {
  double writer_ms = 0;  // latency added to each write: U(ms, 2 ms); 0: no fault
  uint64_t length_ns = 0;
  double reader_ms = 0;  // the same on the reader, kReaderAfter later
};

scenario::ScenarioSpec Pass(uint64_t start, const Fault& f) {
  scenario::ScenarioSpec spec = scenario::ServerlessApp(21, start, kPass);
  auto add = [&](const std::string& target, uint64_t at, double ms) {
    if (ms <= 0) return;
    scenario::Fault fault;
    fault.start_ns = at;
    fault.end_ns = at + f.length_ns;
    fault.target = target;
    fault.kind = scenario::FaultKind::kLatency;
    fault.latency_min_ms = ms;
    fault.latency_max_ms = 2 * ms;
    spec.faults.push_back(fault);
  };
  add("writer", start + kBaseline, f.writer_ms);
  add("reader", start + kBaseline + kReaderAfter, f.reader_ms);
  return spec;
}

// What one pass made: the latest revision of every anomaly and insight.
struct Outcome {
  std::map<std::string, model::Anomaly> anomalies;
  std::map<std::string, model::Insight> insights;

  const model::Insight* InsightOn(const std::string& service) const {
    for (const auto& [id, in] : insights) {
      if (in.root_cause.service == service) return &in;
    }
    return nullptr;
  }
  std::vector<model::Anomaly> On(const std::vector<Series>& series) const {
    std::vector<model::Anomaly> v;
    for (const auto& [id, a] : anomalies) {
      if (std::find(series.begin(), series.end(), a.series) != series.end()) v.push_back(a);
    }
    return v;
  }
  std::string Describe() const {
    std::string s;
    for (const auto& [id, in] : insights) s += "\n  insight " + in.severity + " " + in.name;
    for (const auto& [id, a] : anomalies) s += "\n  anomaly " + a.explanation;
    return s.empty() ? " nothing" : s;
  }
};

Outcome RunPass(Engine* engine, uint64_t start, const Fault& f) {
  Outcome out;
  std::vector<model::Anomaly> anomalies;
  std::vector<model::Insight> insights;
  auto take = [&] {
    engine->TakeAnomalies(&anomalies);
    engine->TakeInsights(&insights);
  };
  const Status s = scenario::Generate(Pass(start, f), [&](scenario::Export& e) {
    engine->Add(e.batch);
    take();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  engine->AdvanceTo(start + kPass + kSettle);
  take();
  for (auto& a : anomalies) out.anomalies[a.id] = std::move(a);
  for (auto& in : insights) out.insights[in.id] = std::move(in);
  return out;
}

std::vector<Series> SeriesOf(const model::Insight& in) {
  std::vector<Series> v;
  for (const auto& ia : in.anomalies) {
    if (std::find(v.begin(), v.end(), ia.anomaly.series) == v.end()) v.push_back(ia.anomaly.series);
  }
  return v;
}

struct Replayed {
  Outcome first, second;
  std::vector<Series> fed_back;  // the series of the writer's insight in the first pass
  bool had_writer_insight = false;
};

// First pass; `feedback` on the writer's insight; a restart; the same pass again.
Replayed FeedbackThenReplay(const Fault& f, const std::string& feedback) {
  Replayed r;
  Engine engine;
  r.first = RunPass(&engine, kStart, f);
  const model::Insight* writer = r.first.InsightOn("writer");
  r.had_writer_insight = writer != nullptr;
  if (writer != nullptr) {
    r.fed_back = SeriesOf(*writer);
    engine.ApplyFeedback(*writer, feedback);
  }
  Engine restarted;
  const Status loaded = restarted.LoadState(engine.SaveState());
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  r.second = RunPass(&restarted, kSecondPass, f);
  return r;
}

double MaxScore(const std::vector<model::Anomaly>& v) {
  double m = 0;
  for (const auto& a : v) m = std::max(m, a.score);
  return m;
}

uint64_t FirstDetected(const std::vector<model::Anomaly>& v) {
  uint64_t t = UINT64_MAX;
  for (const auto& a : v) t = std::min(t, a.detected_ns);
  return t;
}

// A clear fault: still reported after TOO_SENSITIVE, but no sooner and
// with no more confidence on the series the feedback named, and later,
// lower or not at all on at least one (today: a bucket later on two of the
// three); the reader's series, which nobody complained about, exactly as before.
TEST(TooSensitiveFeedback, LowersTheNamedSeriesOnlyOnTheNextReplay) {
  const Fault f{.writer_ms = 10, .length_ns = 5 * kMinute, .reader_ms = 10};
  const Replayed control = FeedbackThenReplay(f, "USEFUL");
  const Replayed lowered = FeedbackThenReplay(f, "TOO_SENSITIVE");
  ASSERT_TRUE(control.had_writer_insight) << control.first.Describe();
  ASSERT_NE(control.first.InsightOn("reader"), nullptr) << control.first.Describe();
  ASSERT_EQ(lowered.fed_back, control.fed_back);
  // Without feedback the replay reports the writer's fault again.
  ASSERT_FALSE(control.second.On(control.fed_back).empty()) << control.second.Describe();

  // Series by series: raised no sooner and scored no higher than without
  // the feedback, and on at least one of them less (later, lower, or not at all).
  bool less_somewhere = false;
  for (const Series& series : lowered.fed_back) {
    const auto was = control.second.On({series});
    const auto now = lowered.second.On({series});
    if (was.empty()) {
      EXPECT_TRUE(now.empty()) << series.ToString() << lowered.second.Describe();
      continue;
    }
    if (now.empty()) {
      less_somewhere = true;
      continue;
    }
    EXPECT_GE(FirstDetected(now), FirstDetected(was)) << series.ToString();
    EXPECT_LE(MaxScore(now), MaxScore(was)) << series.ToString();
    less_somewhere |= FirstDetected(now) > FirstDetected(was) || MaxScore(now) < MaxScore(was);
  }
  EXPECT_TRUE(less_somewhere) << "TOO_SENSITIVE changed nothing on the replay:" << lowered.second.Describe();

  // Untouched series: the reader's insight and anomalies are what they would have been.
  const model::Insight* reader_before = control.second.InsightOn("reader");
  const model::Insight* reader_after = lowered.second.InsightOn("reader");
  ASSERT_NE(reader_before, nullptr) << control.second.Describe();
  ASSERT_NE(reader_after, nullptr) << lowered.second.Describe();
  const auto reader_series = SeriesOf(*reader_before);
  for (const auto& s : reader_series) {
    EXPECT_TRUE(std::find(lowered.fed_back.begin(), lowered.fed_back.end(), s) == lowered.fed_back.end())
        << "the test needs the reader's series apart from the writer's: " << s.ToString();
  }
  const auto reader_anomalies_before = control.second.On(reader_series);
  const auto reader_anomalies_after = lowered.second.On(reader_series);
  ASSERT_EQ(reader_anomalies_after.size(), reader_anomalies_before.size()) << lowered.second.Describe();
  for (size_t i = 0; i < reader_anomalies_before.size(); ++i) {
    EXPECT_EQ(reader_anomalies_after[i].id, reader_anomalies_before[i].id);
    EXPECT_EQ(reader_anomalies_after[i].score, reader_anomalies_before[i].score);
    EXPECT_EQ(reader_anomalies_after[i].detected_ns, reader_anomalies_before[i].detected_ns);
  }
}

// The weakest writer fault augur reports at its default sensitivity (found
// by bisection on the fault's size, not picked by hand): after
// TOO_SENSITIVE on its insight, the same data raises nothing on those
// series any more, while the reader's fault still opens its insight.
TEST(TooSensitiveFeedback, SilencesTheWeakestReportedFaultOnTheNextReplay) {
  constexpr uint64_t kLength = kMinute;
  constexpr double kReaderMs = 10;
  // Reported: the first pass opens the writer's insight and, with feedback
  // that leaves the detectors alone, the replay raises on its series again.
  auto reported = [&](double ms) {
    const Replayed r = FeedbackThenReplay({.writer_ms = ms, .length_ns = kLength, .reader_ms = kReaderMs}, "USEFUL");
    return r.had_writer_insight && !r.second.On(r.fed_back).empty();
  };
  double lo = 0.25, hi = 32;  // not reported, reported
  ASSERT_FALSE(reported(lo));
  ASSERT_TRUE(reported(hi));
  while (hi - lo > 0.02 * hi) {
    const double mid = (lo + hi) / 2;
    (reported(mid) ? hi : lo) = mid;
  }
  const Fault weakest{.writer_ms = hi, .length_ns = kLength, .reader_ms = kReaderMs};
  const Replayed control = FeedbackThenReplay(weakest, "USEFUL");
  const Replayed lowered = FeedbackThenReplay(weakest, "TOO_SENSITIVE");
  ASSERT_FALSE(control.second.On(control.fed_back).empty()) << control.second.Describe();
  ASSERT_NE(control.second.InsightOn("writer"), nullptr) << "+" << hi << " ms:" << control.second.Describe();

  RecordProperty("weakest_reported_writer_fault_ms", std::to_string(hi));
  EXPECT_TRUE(lowered.second.On(lowered.fed_back).empty()) << "+" << hi << " ms:" << lowered.second.Describe();
  EXPECT_EQ(lowered.second.InsightOn("writer"), nullptr) << "+" << hi << " ms:" << lowered.second.Describe();
  EXPECT_NE(lowered.second.InsightOn("reader"), nullptr) << "+" << hi << " ms:" << lowered.second.Describe();
}

}  // namespace
}  // namespace augur::engine
