#include "logs/operation_lines.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "logs/log_analyzer.h"

namespace augur::logs {
namespace {

constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000ULL * kSec;

// One span of an operation of "shop" and the lines written inside it.
struct Call {
  std::string operation;
  std::vector<std::string> lines;
};

// Replays a service's traffic one second at a time through a LogAnalyzer
// and an OperationLines, as the engine does, the spans and their lines in
// separate exports (spans first, or lines first).
class Replay {
 public:
  explicit Replay(OperationLinesOptions options = {}) : lines_(options) {}

  // Each second from `from_s` to `to_s` (exclusive) runs the calls `calls(second)` gives.
  void Run(int from_s, int to_s, const std::function<std::vector<Call>(int)>& calls, bool lines_first = false) {
    for (int s = from_s; s < to_s; ++s) {
      model::Batch spans, logs;
      for (model::Batch* b : {&spans, &logs}) {
        b->resources.emplace_back();
        b->resources.back().service_name = "shop";
      }
      const uint64_t t = kT0 + static_cast<uint64_t>(s) * kSec;
      uint64_t k = 0;
      for (const Call& c : calls(s)) {
        ++next_id_;
        model::Span span;
        span.trace_id[0] = 1;
        for (int i = 0; i < 8; ++i) span.trace_id[8 + i] = span.span_id[i] = static_cast<uint8_t>(next_id_ >> (8 * i));
        span.name = c.operation;
        span.start_time_unix_nano = t + k * 1'000'000;
        span.end_time_unix_nano = span.start_time_unix_nano + 500'000;
        for (const std::string& body : c.lines) {
          model::LogRecord r;
          r.time_unix_nano = span.start_time_unix_nano + 100'000;
          r.severity_number = 9;
          r.body.value = body;
          r.trace_id = span.trace_id;
          r.span_id = span.span_id;
          logs.logs.push_back(r);
        }
        spans.spans.push_back(std::move(span));
        ++k;
      }
      if (lines_first) {
        Feed(logs);
        Feed(spans);
      } else {
        Feed(spans);
        Feed(logs);
      }
    }
  }
  void Feed(const model::Batch& b) {
    if (!b.logs.empty()) analyzer_.Add(b);
    lines_.Add(b, analyzer_);
    lines_.TakeAnomalies(&anomalies_);
  }
  void AdvanceTo(int s) {
    analyzer_.AdvanceTo(kT0 + static_cast<uint64_t>(s) * kSec);
    lines_.AdvanceTo(kT0 + static_cast<uint64_t>(s) * kSec, analyzer_);
    lines_.TakeAnomalies(&anomalies_);
  }

  OperationLines& lines() { return lines_; }
  LogAnalyzer& analyzer() { return analyzer_; }
  const std::vector<model::Anomaly>& anomalies() const { return anomalies_; }

 private:
  LogAnalyzer analyzer_;
  OperationLines lines_;
  uint64_t next_id_ = 0;
  std::vector<model::Anomaly> anomalies_;
};

const std::string kSteady = "cart loaded from the session store";
const std::string kOther = "cart priced with the current tariff";
const std::string kRare = "cart holds a discount voucher";

// GET /cart twice a second, each call writing both lines, until `stop_s`;
// after it the calls go on without kSteady. GET /stock once a second
// (writes nothing) all along.
std::vector<Call> Cart(int s, int stop_s, const std::string& after = "") {
  std::vector<Call> calls;
  for (int i = 0; i < 2; ++i) {
    Call c{"GET /cart", {kOther}};
    if (s < stop_s) c.lines.insert(c.lines.begin(), kSteady);
    if (s >= stop_s && !after.empty()) c.lines.insert(c.lines.begin(), after);
    calls.push_back(c);
  }
  calls.push_back({"GET /stock", {}});
  return calls;
}

void ExpectOneStop(const std::vector<model::Anomaly>& anomalies, int stop_s) {
  ASSERT_EQ(anomalies.size(), 1u);
  const model::Anomaly& a = anomalies[0];
  EXPECT_EQ(a.kind, "log_rate");
  EXPECT_EQ(a.direction, "down");
  EXPECT_EQ(a.detector, "operation_share");
  EXPECT_EQ(a.series.service, "shop");
  EXPECT_EQ(a.series.Attribute("operation"), "GET /cart");
  EXPECT_EQ(a.end_ns, 0u);
  // Onset: the last line, in the second before the stop.
  EXPECT_LT(a.onset_ns, kT0 + static_cast<uint64_t>(stop_s) * kSec);
  EXPECT_GE(a.onset_ns, kT0 + static_cast<uint64_t>(stop_s - 1) * kSec);
  EXPECT_NE(a.explanation.find("GET /cart in shop stopped: '" + kSteady + "'"), std::string::npos) << a.explanation;
  // Found within the spans the rule needs (10 at p near 1) plus the join's lateness.
  EXPECT_LE(a.detected_ns, a.onset_ns + 45 * kSec);
}

TEST(OperationLines, ASteadyLineThatStopsWhileItsOperationGoesOnIsRaised) {
  for (const bool lines_first : {false, true}) {
    Replay r;
    // Learned over 12 minutes (min_learned_ns is 10), then the line stops.
    r.Run(
        0, 780, [](int s) { return Cart(s, 720); }, lines_first);
    ExpectOneStop(r.anomalies(), 720);
    EXPECT_EQ(r.lines().stats().raised, 1u);
    EXPECT_GT(r.lines().stats().lines_joined, 400u);
    // Spans are held from the batch after their service's first line on:
    // with spans first, the first batch's lines find no span.
    EXPECT_LE(r.lines().stats().lines_unjoined, lines_first ? 0u : 4u);

    // The line comes back: the anomaly ends at its first line.
    r.Run(
        780, 840, [](int s) { return Cart(s, 0x7fffffff); }, lines_first);
    ASSERT_EQ(r.anomalies().size(), 2u);
    EXPECT_EQ(r.anomalies()[1].id, r.anomalies()[0].id);
    EXPECT_GE(r.anomalies()[1].end_ns, kT0 + 780 * kSec);
    EXPECT_LT(r.anomalies()[1].end_ns, kT0 + 781 * kSec);
  }
}

TEST(OperationLines, AnOperationThatStopsRaisesNothing) {
  Replay r;
  r.Run(0, 720, [](int s) { return Cart(s, 1000); });
  // GET /cart stops altogether (no spans, no lines); GET /stock goes on.
  r.Run(720, 1200, [](int) { return std::vector<Call>{{"GET /stock", {}}}; });
  r.AdvanceTo(1300);
  EXPECT_TRUE(r.anomalies().empty());
  EXPECT_GT(r.lines().stats().spans, 2500u);
}

TEST(OperationLines, ARareLineThatIsAbsentForAWhileIsNotRaised) {
  // One call in 20 holds a voucher, for 15 minutes; then none for 2 minutes
  // (240 calls: (1 - 0.05)^240 = 4e-6, not rare enough to tell).
  auto calls = [](int s, int stop_s) {
    std::vector<Call> out;
    for (int i = 0; i < 2; ++i) {
      Call c{"GET /cart", {kOther}};
      if (s < stop_s && (2 * s + i) % 20 == 0) c.lines.push_back(kRare);
      out.push_back(c);
    }
    return out;
  };
  Replay r;
  r.Run(0, 1020, [&](int s) { return calls(s, 900); });
  EXPECT_TRUE(r.anomalies().empty());
  // The same line, always there, is raised in the same two minutes.
  Replay steady;
  steady.Run(0, 1020, [&](int s) { return Cart(s, 900); });
  EXPECT_EQ(steady.anomalies().size(), 1u);
}

TEST(OperationLines, NotJudgedBeforeEnoughSpansAndTime) {
  // 10 s of two calls a second: 20 spans, under min_learned_spans (30).
  Replay few;
  few.Run(0, 180, [](int s) { return Cart(s, 10); });
  EXPECT_TRUE(few.anomalies().empty());
  // 120 spans in 2 minutes: under min_learned_ns (10 minutes).
  Replay brief;
  brief.Run(0, 180, [](int s) { return Cart(s, 120); });
  EXPECT_TRUE(brief.anomalies().empty());
}

TEST(OperationLines, ALineWhoseWordChangesIsNotRaised) {
  // After 12 minutes the line names another store: the miner keeps it
  // apart until it has seen several (a new template), but it goes on.
  Replay r;
  r.Run(0, 900, [](int s) { return Cart(s, 720, "cart loaded from the disk store"); });
  EXPECT_TRUE(r.anomalies().empty());
  EXPECT_GT(r.lines().stats().variants, 0u);
  // A value of another length is a template of its own, new since the
  // stop, in each of the spans: the line goes on too.
  Replay longer;
  longer.Run(0, 900, [](int s) { return Cart(s, 720, "cart loaded from the session store of node 7 in zone b"); });
  EXPECT_TRUE(longer.anomalies().empty());
  EXPECT_GT(longer.lines().stats().variants, 0u);
}

TEST(OperationLines, TurnedOffRaisesNothing) {
  OperationLinesOptions o;
  o.enabled = false;
  Replay r(o);
  r.Run(0, 780, [](int s) { return Cart(s, 720); });
  EXPECT_TRUE(r.anomalies().empty());
  EXPECT_EQ(r.lines().stats().spans, 0u);
}

TEST(OperationLines, FullPendingTableIsCounted) {
  OperationLinesOptions o;
  o.max_pending = 10;  // 30 s of lateness at 3 spans a second does not fit
  Replay r(o);
  r.Run(0, 60, [](int s) { return Cart(s, 1000); });
  EXPECT_GT(r.lines().stats().pending_overflow, 0u);
}

TEST(OperationLines, SavedSharesSurviveARestart) {
  Replay r;
  r.Run(0, 720, [](int s) { return Cart(s, 1000); });
  r.AdvanceTo(800);  // every span judged; the pending joins are not saved
  const std::string state = r.lines().SaveState();

  Replay restarted;
  ASSERT_TRUE(restarted.lines().LoadState(state).ok());
  // The restarted analyzer mines the same lines into the same templates.
  restarted.Run(0, 1, [](int s) { return Cart(s, 1000); });
  restarted.Run(900, 960, [](int s) { return Cart(s, 0); });
  ASSERT_EQ(restarted.anomalies().size(), 1u);
  EXPECT_EQ(restarted.anomalies()[0].series.Attribute("operation"), "GET /cart");

  EXPECT_FALSE(restarted.lines().LoadState("garbage").ok());
}

}  // namespace
}  // namespace augur::logs
