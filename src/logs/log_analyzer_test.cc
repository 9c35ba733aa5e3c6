#include "logs/log_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/hex.h"

namespace augur::logs {
namespace {

constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kMin = 60 * kSec;
constexpr uint64_t kT0 = 1'700'000'000ULL * kSec;  // 2023-11-14 22:13:20 UTC

struct Line {
  std::string service = "writer";
  uint64_t t = 0;
  uint8_t severity = 9;  // INFO
  std::string body;
  std::string trace_hex;
  model::Attributes attributes;
  std::string severity_text;
};

model::Batch MakeBatch(const std::vector<Line>& lines) {
  model::Batch b;
  std::map<std::string, uint32_t> resources;
  for (const Line& l : lines) {
    auto [it, inserted] = resources.emplace(l.service, static_cast<uint32_t>(b.resources.size()));
    if (inserted) {
      model::Resource r;
      r.service_name = l.service;
      b.resources.push_back(r);
    }
    model::LogRecord r;
    r.resource_index = it->second;
    r.time_unix_nano = l.t;
    r.severity_number = l.severity;
    r.severity_text = l.severity_text;
    r.body.value = l.body;
    r.attributes = l.attributes;
    if (!l.trace_hex.empty()) {
      const auto bytes = HexDecode(l.trace_hex);
      std::copy(bytes->begin(), bytes->end(), r.trace_id.begin());
    }
    b.logs.push_back(std::move(r));
  }
  return b;
}

// Feeds one batch at a time and collects every anomaly event.
struct Stream {
  explicit Stream(LogAnalyzerOptions o = {}) : analyzer(o) {}
  void Add(const std::vector<Line>& lines) {
    analyzer.Add(MakeBatch(lines));
    analyzer.TakeAnomalies(&events);
  }
  void Add(const Line& l) { Add(std::vector<Line>{l}); }
  void AdvanceTo(uint64_t t) {
    analyzer.AdvanceTo(t);
    analyzer.TakeAnomalies(&events);
  }
  // The distinct anomalies (last event of each id), in order of first event.
  std::vector<model::Anomaly> Anomalies() const {
    std::vector<model::Anomaly> out;
    for (const auto& e : events) {
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& a) { return a.id == e.id; });
      if (it == out.end()) {
        out.push_back(e);
      } else {
        *it = e;
      }
    }
    return out;
  }
  LogAnalyzer analyzer;
  std::vector<model::Anomaly> events;
};

// Normal life of a service: two INFO templates, one line every 5 s, for
// `minutes` (every service's warm-up is 10 min and 100 lines).
void Normal(Stream* run, uint64_t from, int minutes, const std::string& service = "writer") {
  std::vector<Line> batch;
  for (uint64_t t = from; t < from + minutes * kMin; t += 5 * kSec) {
    const uint64_t i = (t - from) / (5 * kSec);
    Line l;
    l.service = service;
    l.t = t;
    l.body = i % 2 == 0 ? "request " + std::to_string(1000 + i) + " served in " + std::to_string(i % 50) + " ms"
                        : "cache hit for key user:" + std::to_string(i * 7);
    batch.push_back(l);
    if (batch.size() == 60) {
      run->Add(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) run->Add(batch);
}

Line At(uint64_t t, uint8_t severity, std::string body, std::string service = "writer") {
  Line l;
  l.service = std::move(service);
  l.t = t;
  l.severity = severity;
  l.body = std::move(body);
  return l;
}

std::optional<model::Anomaly> OfKind(const std::vector<model::Anomaly>& as, const std::string& kind) {
  for (const auto& a : as) {
    if (a.kind == kind) return a;
  }
  return std::nullopt;
}

TEST(LogAnalyzerTest, NewErrorPatternAfterWarmUp) {
  Stream run;
  Normal(&run, kT0, 15);
  EXPECT_TRUE(run.events.empty());
  const uint64_t t = kT0 + 15 * kMin;  // 22:28:20
  run.Add(At(t, 17, "timeout writing item 42 to table orders"));
  ASSERT_EQ(run.events.size(), 1u);
  const model::Anomaly& a = run.events[0];
  EXPECT_EQ(a.kind, "log_new_pattern");
  EXPECT_EQ(a.series.metric, "log.template");
  EXPECT_EQ(a.series.service, "writer");
  EXPECT_EQ(a.series.operation, "");
  EXPECT_EQ(a.series.Attribute("severity"), "ERROR");
  const uint64_t id = run.analyzer.last_template_ids().at(0);
  EXPECT_EQ(a.series.Attribute("template_id"), std::to_string(id));
  EXPECT_EQ(a.onset_ns, t);
  EXPECT_EQ(a.detected_ns, t);
  EXPECT_EQ(a.end_ns, 0u);
  EXPECT_DOUBLE_EQ(a.score, 0.7);  // ERROR's 0.8, less 0.1 while it is one line
  EXPECT_EQ(a.explanation,
            "new ERROR log pattern in writer: 'timeout writing item <*> to table orders' (1 line since 22:28:20)");
  EXPECT_EQ(a.id.rfind("an-", 0), 0u);
  EXPECT_EQ(run.analyzer.stats().anomalies_raised, 1u);
}

TEST(LogAnalyzerTest, NothingIsNewDuringWarmUp) {
  Stream run;
  Normal(&run, kT0, 5);  // 60 lines, 5 minutes: still warming up
  run.Add(At(kT0 + 5 * kMin, 21, "kernel panic on cpu 3"));
  Normal(&run, kT0 + 6 * kMin, 20);
  EXPECT_TRUE(run.events.empty());
  // The same pattern later is not new either.
  run.Add(At(kT0 + 30 * kMin, 21, "kernel panic on cpu 5"));
  EXPECT_TRUE(run.events.empty());
}

TEST(LogAnalyzerTest, NewPatternsAreWeightedBySeverity) {
  LogAnalyzerOptions o;
  o.group_new_patterns = false;
  o.keyword_pattern_min_lines = 1;
  Stream run(o);
  Normal(&run, kT0, 15);
  const uint64_t t = kT0 + 15 * kMin;
  run.Add({At(t, 13, "disk usage above 80 percent on volume data"),
           At(t + kSec, 9, "rebalanced partitions for group payments"),
           At(t + 2 * kSec, 5, "debug dump of state follows now"),
           At(t + 3 * kSec, 9, "call to inventory failed: connection refused by peer"),
           At(t + 4 * kSec, 21, "out of disk space, shutting down")});
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 3u);
  EXPECT_EQ(as[0].kind, "log_new_pattern");
  EXPECT_EQ(as[0].series.Attribute("severity"), "WARN");
  EXPECT_DOUBLE_EQ(as[0].score, 0.6 - 0.1);  // each is one line
  EXPECT_EQ(as[1].kind, "log_keyword");      // INFO, but "failed" and "refused"
  EXPECT_EQ(as[1].series.Attribute("severity"), "INFO");
  EXPECT_DOUBLE_EQ(as[1].score, 0.55 - 0.1);
  EXPECT_NE(as[1].explanation.find("error keyword 'refused'"), std::string::npos) << as[1].explanation;
  EXPECT_EQ(as[2].series.Attribute("severity"), "FATAL");
  EXPECT_DOUBLE_EQ(as[2].score, 0.9 - 0.1);
  EXPECT_GE(run.analyzer.stats().below_bar, 1u);  // the new INFO pattern
}

TEST(LogAnalyzerTest, ABurstOfNewPatternsIsOneAnomaly) {
  Stream run;
  Normal(&run, kT0, 15);
  const uint64_t t = kT0 + 15 * kMin;
  const char* frames[] = {"NullPointerException in OrderService.store", "at OrderService.store(OrderService.java)",
                          "at Handler.handle(Handler.java)", "at Server.dispatch(Server.java)"};
  std::vector<Line> burst = {At(t, 17, "request failed with unhandled exception")};
  for (int i = 0; i < 4; ++i) burst.push_back(At(t + (i + 1) * kSec, i == 0 ? 21 : 17, frames[i]));
  run.Add(burst);
  run.AdvanceTo(t + 30 * kMin);
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, "log_new_pattern");
  EXPECT_EQ(as[0].series.Attribute("severity"), "ERROR");  // the first one's
  EXPECT_DOUBLE_EQ(as[0].score, 0.9 - 0.1);                // the highest, FATAL; five templates once each: one event
  EXPECT_EQ(as[0].explanation,
            "new log patterns in writer, up to FATAL: 'request failed with unhandled exception' and 4 more (5 lines "
            "since 22:28:20)");
  EXPECT_EQ(as[0].end_ns, t + 4 * kSec);
  EXPECT_EQ(run.analyzer.stats().patterns_grouped, 4u);
  const auto ids = run.analyzer.AnomalyTemplates(as[0].id);
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[0], std::stoull(std::string(as[0].series.Attribute("template_id"))));
  EXPECT_TRUE(run.analyzer.AnomalyTemplates("an-0000000000000000").empty());
  const auto s = run.analyzer.Snippets("writer", t, t + kMin, std::vector<std::string>{}, 10);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].reason, "new ERROR pattern first seen 22:28:20");
  EXPECT_EQ(s[1].reason, "new FATAL pattern, one of a burst from 22:28:20");
  EXPECT_EQ(run.analyzer.AnomalySamples(as[0].id).size(), 5u);
}

TEST(LogAnalyzerTest, AKeywordPatternUnderWarnNeedsThreeLines) {
  Stream run;
  Normal(&run, kT0, 15);
  const uint64_t t = kT0 + 15 * kMin;
  run.Add(At(t, 9, "cache backend refused connection 1"));
  run.Add(At(t + 5 * kMin, 9, "cache backend refused connection 2"));
  EXPECT_TRUE(run.events.empty());
  run.Add(At(t + 9 * kMin, 9, "cache backend refused connection 3"));
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].kind, "log_keyword");
  EXPECT_EQ(run.events[0].onset_ns, t);
  EXPECT_EQ(run.events[0].detected_ns, t + 9 * kMin);
  EXPECT_NE(run.events[0].explanation.find("(3 lines since 22:28:20)"), std::string::npos) << run.events[0].explanation;
}

TEST(LogAnalyzerTest, SeverityFromTextWhenNoNumber) {
  Stream run;
  Normal(&run, kT0, 15);
  Line l = At(kT0 + 15 * kMin, 0, "replica lag exceeded limit on node b");
  l.severity_text = "Warning";
  run.Add(l);
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].series.Attribute("severity"), "WARN");
}

TEST(LogAnalyzerTest, ALaterErrorLineRaisesANewTemplateFromItsFirstLine) {
  Stream run;
  Normal(&run, kT0, 15);
  const uint64_t first = kT0 + 15 * kMin;
  run.Add(At(first, 9, "shard 7 moved to node b"));
  EXPECT_TRUE(run.events.empty());  // INFO: under the bar
  run.Add(At(first + 2 * kMin, 17, "shard 9 moved to node b"));
  ASSERT_EQ(run.events.size(), 1u);
  EXPECT_EQ(run.events[0].onset_ns, first);
  EXPECT_EQ(run.events[0].detected_ns, first + 2 * kMin);
  EXPECT_EQ(run.events[0].series.Attribute("severity"), "ERROR");
  EXPECT_NE(run.events[0].explanation.find("since 22:28:20"), std::string::npos);
}

TEST(LogAnalyzerTest, OneAnomalyPerIncidentUpdatedThenEnded) {
  Stream run;
  Normal(&run, kT0, 15);
  const uint64_t start = kT0 + 15 * kMin;
  uint64_t last = 0;
  for (int i = 0; i < 30; ++i) {  // every 10 s for 5 minutes
    last = start + i * 10 * kSec;
    run.Add(At(last, 17, "timeout writing item " + std::to_string(i) + " to table orders"));
  }
  auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_GT(run.events.size(), 1u);  // updates as the count doubled
  EXPECT_LE(run.events.size(), 6u);  // but not one per line
  for (const auto& e : run.events) EXPECT_EQ(e.id, as[0].id);
  EXPECT_EQ(as[0].end_ns, 0u);
  EXPECT_GT(run.analyzer.stats().anomalies_updated, 0u);

  run.AdvanceTo(last + 9 * kMin);
  EXPECT_EQ(run.Anomalies()[0].end_ns, 0u);  // quiet for 9 minutes: still open
  run.AdvanceTo(last + 10 * kMin);
  as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].end_ns, last);
  EXPECT_EQ(as[0].observed, 30);
  EXPECT_NE(as[0].explanation.find("(30 lines since 22:28:20)"), std::string::npos) << as[0].explanation;
  EXPECT_EQ(run.analyzer.stats().anomalies_ended, 1u);

  // It is known now: no second new-pattern anomaly.
  const size_t events = run.events.size();
  run.Add(At(last + 20 * kMin, 17, "timeout writing item 99 to table orders"));
  EXPECT_EQ(run.events.size(), events);
}

// One new ERROR line is one request that failed once; the same pattern in
// many lines is a failure that goes on. And lines that came within the
// bucket that holds reports back are reported once it has passed, though no
// further line comes.
TEST(LogAnalyzerTest, ANewPatternWeighsMoreAsItsLinesComeAndTheyAreReported) {
  Stream run;
  Normal(&run, kT0, 15);
  const uint64_t t = kT0 + 15 * kMin;
  for (int i = 0; i < 5; ++i) run.Add(At(t + i * 5 * kSec, 17, "code not found for session " + std::to_string(i)));
  auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_DOUBLE_EQ(as[0].score, 0.7);  // raised at its first line; the next report waits a bucket
  EXPECT_EQ(as[0].observed, 1);
  run.AdvanceTo(t + kMin + 10 * kSec);
  as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].observed, 5);
  EXPECT_NEAR(as[0].score, 0.7 + 0.05 * std::log2(5.0), 1e-9);
  EXPECT_NE(as[0].explanation.find("(5 lines since 22:28:20)"), std::string::npos) << as[0].explanation;
  EXPECT_EQ(as[0].end_ns, 0u);  // still open: reported, not ended

  for (int i = 0; i < 20; ++i) run.Add(At(t + 2 * kMin + i * kSec, 17, "code not found for session 9"));
  run.AdvanceTo(t + 4 * kMin);
  as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].observed, 16);       // doubled at 10, held back until a bucket passed (16 by then)
  EXPECT_DOUBLE_EQ(as[0].score, 0.9);  // 16 lines and more: 0.1 above ERROR's weight, at most
}

// A service with a steady INFO template (about 5 a minute) for `minutes`.
void Steady(Stream* run, uint64_t from, int minutes, const std::string& body = "GET /items served") {
  for (int m = 0; m < minutes; ++m) {
    std::vector<Line> batch;
    const int n = 4 + (m * 7) % 3;  // 4..6
    for (int i = 0; i < n; ++i) batch.push_back(At(from + m * kMin + i * (kMin / n), 9, body));
    run->Add(batch);
  }
}

TEST(LogAnalyzerTest, RateJumpRaisesAndEndsWhenCalmAgain) {
  Stream run;
  Steady(&run, kT0, 120, "payment retry scheduled for order");
  EXPECT_TRUE(run.events.empty());
  const uint64_t jump = (kT0 / kMin + 121) * kMin;  // a whole minute
  std::vector<Line> burst;
  for (int i = 0; i < 120; ++i) burst.push_back(At(jump + i * (kSec / 2), 9, "payment retry scheduled for order"));
  run.Add(burst);
  auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, "log_rate");
  EXPECT_EQ(as[0].unit, "1/min");
  EXPECT_EQ(as[0].onset_ns, jump);  // the bucket's start
  EXPECT_NEAR(as[0].before, 5, 1);
  EXPECT_GE(as[0].observed, 20);
  EXPECT_GE(as[0].score, 0.5);
  EXPECT_NE(as[0].explanation.find("log pattern in writer rose from"), std::string::npos) << as[0].explanation;
  // Back to normal from the next minute: ends after three calm buckets.
  Steady(&run, jump + kMin, 6, "payment retry scheduled for order");
  as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].end_ns, jump + kMin);
}

TEST(LogAnalyzerTest, SteadyAndVaryingRatesRaiseNothing) {
  Stream run;
  uint64_t x = 12345;
  for (int m = 0; m < 300; ++m) {
    std::vector<Line> batch;
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const int n = 20 + static_cast<int>((x >> 33) % 21) - 10;  // 10..30 a minute
    for (int i = 0; i < n; ++i) {
      batch.push_back(At(kT0 + m * kMin + i * (kMin / n), 9, "GET /items/" + std::to_string(i) + " 200"));
    }
    run.Add(batch);
  }
  EXPECT_TRUE(run.events.empty());
}

TEST(LogAnalyzerTest, KeywordLinesJumpAcrossTemplates) {
  Stream run;
  // Eight INFO templates with "timed out", each seen once while warming up.
  const char* what[] = {"read of cache",  "write to queue", "dial to db",     "lookup of blob",
                        "fetch of index", "flush of log",   "sync of config", "lock on table"};
  for (int k = 0; k < 8; ++k) run.Add(At(kT0 + k * kSec, 9, std::string(what[k]) + " timed out"));
  Normal(&run, kT0 + kMin, 60);
  EXPECT_TRUE(run.events.empty());
  // Then five of each in one minute: no template jumps (low counts), the keyword does.
  const uint64_t t = kT0 + 61 * kMin;
  std::vector<Line> burst;
  for (int i = 0; i < 40; ++i) burst.push_back(At(t + i * kSec, 9, std::string(what[i % 8]) + " timed out"));
  run.Add(burst);
  run.AdvanceTo(t + 10 * kMin);  // calm again: it ends
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].end_ns, (t / kMin + 1) * kMin);  // the first calm minute
  EXPECT_EQ(as[0].kind, "log_keyword");
  EXPECT_EQ(as[0].series.metric, "log.keyword");
  EXPECT_EQ(as[0].series.Attribute("keyword"), "timeout");
  EXPECT_NE(as[0].explanation.find("log lines with 'timeout' in writer rose from 0"), std::string::npos)
      << as[0].explanation;
  EXPECT_NE(as[0].explanation.find("(40 lines since"), std::string::npos) << as[0].explanation;
}

TEST(LogAnalyzerTest, KeywordLinesOfOneAnomalousTemplateAreNotSaidTwice) {
  Stream run;
  Normal(&run, kT0, 60);
  std::vector<Line> burst;
  for (int i = 0; i < 40; ++i) burst.push_back(At(kT0 + 60 * kMin + i * kSec, 9, "upstream call timed out after 5 s"));
  run.Add(burst);
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, "log_keyword");
  EXPECT_EQ(as[0].series.metric, "log.template");  // the new pattern, not also the keyword
}

TEST(LogAnalyzerTest, HttpServerErrorsInMessages) {
  Stream run;
  auto access = [](uint64_t t, int code) {
    return At(t, 9, "10.0.0.7 - - \"GET /items/42 HTTP/1.1\" " + std::to_string(code) + " 512", "gateway");
  };
  for (int m = 0; m < 60; ++m) {
    std::vector<Line> batch;
    for (int i = 0; i < 20; ++i)
      batch.push_back(access(kT0 + m * kMin + i * 3 * kSec, i == 7 && m % 20 == 0 ? 404 : 200));
    run.Add(batch);
  }
  EXPECT_TRUE(run.events.empty());
  const uint64_t t = kT0 + 60 * kMin;
  std::vector<Line> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(access(t + i * 3 * kSec, i % 2 == 0 ? 503 : 200));
  run.Add(batch);
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, "log_http_code");
  EXPECT_EQ(as[0].series.metric, "log.http_code");
  EXPECT_EQ(as[0].series.Attribute("status_class"), "5xx");
  EXPECT_NE(as[0].explanation.find("503 ×"), std::string::npos) << as[0].explanation;
}

TEST(LogAnalyzerTest, HttpStatusFromAttributes) {
  Stream run;
  auto line = [](uint64_t t, int64_t code) {
    Line l = At(t, 9, "request handled");
    l.attributes = {{"http.response.status_code", model::AnyValue{code}}};
    return l;
  };
  for (int m = 0; m < 60; ++m) run.Add(line(kT0 + m * kMin, 200));
  std::vector<Line> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(line(kT0 + 60 * kMin + i * kSec, 500));
  run.Add(batch);
  const auto a = OfKind(run.Anomalies(), "log_http_code");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->series.Attribute("status_class"), "5xx");
}

TEST(LogAnalyzerTest, NewFieldNamesJoinOneAnomaly) {
  Stream run;
  auto line = [](uint64_t t, model::Attributes attrs) {
    Line l = At(t, 9, "order stored");
    l.attributes = std::move(attrs);
    return l;
  };
  for (int i = 0; i < 180; ++i) run.Add(line(kT0 + i * 5 * kSec, {{"user.id", model::AnyValue{std::string("u1")}}}));
  EXPECT_TRUE(run.events.empty());
  const uint64_t t = kT0 + 15 * kMin;
  run.Add(line(t, {{"user.id", model::AnyValue{std::string("u1")}}, {"retry.count", model::AnyValue{int64_t{2}}}}));
  run.Add(line(t + 2 * kMin,
               {{"retry.count", model::AnyValue{int64_t{2}}}, {"retry.reason", model::AnyValue{std::string("x")}}}));
  run.AdvanceTo(t + 30 * kMin);
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 1u);
  EXPECT_EQ(as[0].kind, "log_new_field");
  EXPECT_EQ(as[0].series.metric, "log.new_field");
  EXPECT_EQ(as[0].series.Attribute("field"), "retry.count");
  EXPECT_DOUBLE_EQ(as[0].score, 0.5);
  EXPECT_EQ(as[0].end_ns, t + 2 * kMin);
  EXPECT_NE(as[0].explanation.find("new log fields 'retry.count' and 'retry.reason' in writer"), std::string::npos)
      << as[0].explanation;
}

TEST(LogAnalyzerTest, MapBodiesAreMinedByTheirMessage) {
  Stream run;
  Normal(&run, kT0, 15);
  model::Batch b = MakeBatch({At(kT0 + 15 * kMin, 17, "")});
  b.logs[0].body.value = model::Attributes{{"msg", model::AnyValue{std::string("lost connection to broker 3")}},
                                           {"broker", model::AnyValue{int64_t{3}}}};
  run.analyzer.Add(b);
  run.analyzer.TakeAnomalies(&run.events);
  const auto a = OfKind(run.Anomalies(), "log_new_pattern");
  ASSERT_TRUE(a.has_value());
  EXPECT_NE(a->explanation.find("'lost connection to broker <*>'"), std::string::npos) << a->explanation;
  EXPECT_TRUE(OfKind(run.Anomalies(), "log_new_field").has_value());  // "msg" and "broker" are new names
}

TEST(LogAnalyzerTest, HourlyCapPerService) {
  LogAnalyzerOptions o;
  o.max_anomalies_per_service_hour = 4;
  o.group_new_patterns = false;
  Stream run(o);
  Normal(&run, kT0, 15);
  Normal(&run, kT0, 15, "reader");
  const char* words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
  std::vector<Line> batch;
  for (int i = 0; i < 8; ++i) {
    batch.push_back(At(kT0 + 15 * kMin + i * kSec, 17, std::string(words[i]) + " subsystem failed to start"));
  }
  batch.push_back(At(kT0 + 15 * kMin + 9 * kSec, 17, "reader lost its lease", "reader"));
  run.Add(batch);
  const auto as = run.Anomalies();
  ASSERT_EQ(as.size(), 5u);  // four for writer, one for reader
  EXPECT_EQ(run.analyzer.stats().suppressed, 4u);
  EXPECT_EQ(as[4].series.service, "reader");
}

TEST(LogAnalyzerTest, TemplatesOfAllServicesStayUnderTheBudget) {
  LogAnalyzerOptions o;
  o.max_templates = 300;
  o.min_templates_per_service = 50;
  o.warmup_records = 1'000'000;  // no anomalies: this is about memory
  LogAnalyzer a(o);
  for (int round = 0; round < 10; ++round) {
    std::vector<Line> lines;
    for (int i = 0; i < 100; ++i) {
      const int k = round * 100 + i;
      std::string w;
      for (int v = k; v > 0 || w.size() < 3; v /= 26) w.push_back(static_cast<char>('a' + v % 26));
      lines.push_back(At(kT0 + k * kSec, 9, "component " + w + " reached state " + w + "ing", i % 2 ? "a" : "b"));
    }
    a.Add(MakeBatch(lines));
    EXPECT_LE(a.stats().templates, 300u);
  }
  EXPECT_GT(a.stats().template_squeezes, 0u);
  EXPECT_EQ(a.stats().services, 2u);
}

TEST(LogAnalyzerTest, ServicesOverTheBoundAreCountedAndSkipped) {
  LogAnalyzerOptions o;
  o.max_services = 2;
  LogAnalyzer a(o);
  a.Add(MakeBatch({At(kT0, 9, "x started", "s1"), At(kT0, 9, "y started", "s2"), At(kT0, 9, "z started", "s3")}));
  EXPECT_EQ(a.stats().services, 2u);
  EXPECT_EQ(a.stats().records_dropped, 1u);
  EXPECT_EQ(a.last_template_ids().size(), 3u);
  EXPECT_EQ(a.last_template_ids()[2], 0u);
}

constexpr char kSlowTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";

// Warm-up with a known ERROR template, then an incident: a new ERROR
// pattern, an INFO line of a slow trace, a known ERROR, a WARN, INFO noise.
void IncidentStream(Stream* run) {
  Normal(run, kT0, 5);
  // During the warm-up: known.
  run->Add({At(kT0 + 5 * kMin, 17, "retrying flush of segment 3"), At(kT0 + 5 * kMin, 13, "slow disk on volume 1")});
  Normal(run, kT0 + 5 * kMin + kSec, 10);
  const uint64_t t = kT0 + 15 * kMin;
  Line slow = At(t + 2 * kSec, 9, "calling inventory for order 77");
  slow.trace_hex = kSlowTrace;
  run->Add({At(t, 17, "timeout writing item 1 to table orders"), slow,
            At(t + 3 * kSec, 17, "retrying flush of segment 4"), At(t + 4 * kSec, 13, "slow disk on volume 2"),
            At(t + 5 * kSec, 17, "timeout writing item 2 to table orders"),
            At(t + 6 * kSec, 9, "request 5 served in 3 ms")});
}

TEST(LogAnalyzerSnippetsTest, AnomalousFirstThenTraceThenErrors) {
  Stream run;
  IncidentStream(&run);
  const uint64_t t = kT0 + 15 * kMin;
  const auto s = run.analyzer.Snippets("writer", t - kMin, t + kMin,
                                       std::vector<TraceRef>{{kSlowTrace, "a slow POST /items"}}, 10);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].body, "timeout writing item 1 to table orders");
  EXPECT_EQ(s[0].reason, "new ERROR pattern first seen 22:28:20");
  EXPECT_EQ(s[0].severity, "ERROR");
  EXPECT_EQ(s[0].service, "writer");
  const auto a = OfKind(run.Anomalies(), "log_new_pattern");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(s[0].template_id, a->series.Attribute("template_id"));
  EXPECT_EQ(s[1].body, "timeout writing item 2 to table orders");
  EXPECT_EQ(s[2].body, "calling inventory for order 77");
  EXPECT_EQ(s[2].reason, "same trace as a slow POST /items");
  EXPECT_EQ(s[2].trace_id, kSlowTrace);
  EXPECT_EQ(s[3].body, "retrying flush of segment 4");
  EXPECT_EQ(s[3].reason, "ERROR line near the onset");
  EXPECT_EQ(s[4].reason, "WARN line near the onset");
  // The other form, without labels, and the limits.
  const auto plain = run.analyzer.Snippets("writer", t - kMin, t + kMin, std::vector<std::string>{kSlowTrace}, 3);
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_EQ(plain[2].reason, "same trace as a slow or failing request");
  EXPECT_TRUE(run.analyzer.Snippets("writer", t + 10 * kSec, 0, std::vector<std::string>{}, 10).empty());
  EXPECT_TRUE(run.analyzer.Snippets("reader", 0, 0, std::vector<std::string>{}, 10).empty());
  EXPECT_EQ(run.analyzer.Snippets("", t - kMin, t + kMin, std::vector<std::string>{}, 10).size(), 4u);
}

TEST(LogAnalyzerSnippetsTest, IncidentLinesSurviveABusyService) {
  LogAnalyzerOptions o;
  o.traced_bytes = 1024;  // some 10 lines
  o.notable_bytes = 1024;
  Stream run(o);
  IncidentStream(&run);
  const uint64_t t = kT0 + 15 * kMin;
  // Then a busy minute: traced INFO lines and known WARN lines push the
  // incident's lines out of both rings; its samples keep them.
  std::vector<Line> busy;
  for (int i = 0; i < 200; ++i) {
    Line l = At(
        t + kMin + i * 100'000'000ULL, i % 4 == 0 ? 13 : 9,
        i % 4 == 0 ? "slow disk on volume " + std::to_string(i) : "request " + std::to_string(i) + " served in 3 ms");
    l.trace_hex = "0af7651916cd43dd8448eb211c80319c";
    busy.push_back(l);
  }
  run.Add(busy);
  const auto s = run.analyzer.Snippets("writer", t - kMin, t + kMin, std::vector<std::string>{kSlowTrace}, 10);
  ASSERT_EQ(s.size(), 2u);  // the slow trace's line and the known ERROR are gone
  EXPECT_EQ(s[0].body, "timeout writing item 1 to table orders");
  EXPECT_EQ(s[1].body, "timeout writing item 2 to table orders");
  const auto later = run.analyzer.Snippets("writer", t + kMin, 0, std::vector<std::string>{}, 100);
  EXPECT_GT(later.size(), 3u);
  EXPECT_LT(later.size(), 20u);  // the notable ring holds about 1 KiB
  const auto a = OfKind(run.Anomalies(), "log_new_pattern");
  ASSERT_TRUE(a.has_value());
  const auto samples = run.analyzer.AnomalySamples(a->id);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].body, "timeout writing item 2 to table orders");
  EXPECT_TRUE(run.analyzer.AnomalySamples("an-0000000000000000").empty());
}

// A stream with a bit of everything, for save/load and determinism: two
// services of access lines, 5xx from minute 70, a new field from minute 40,
// a new ERROR pattern at 30 (again at 60), a burst of two at 45, a template
// whose rate jumps from 82, and "timed out" lines from 80.
std::vector<std::vector<Line>> Mixed() {
  std::vector<std::vector<Line>> batches;
  for (int m = 0; m < 90; ++m) {
    std::vector<Line> b;
    for (int i = 0; i < 12; ++i) {
      const uint64_t t = kT0 + m * kMin + i * 5 * kSec;
      Line l = At(t, 9, "GET /items/" + std::to_string(i) + " HTTP/1.1 status=" + (m >= 70 && i < 10 ? "503" : "200"),
                  i % 2 ? "gateway" : "writer");
      if (m >= 40 && i == 11) l.attributes = {{"retry.count", model::AnyValue{int64_t{m}}}};
      b.push_back(l);
    }
    const int refreshes = m >= 82 ? 40 : 1;
    for (int k = 0; k < refreshes; ++k) {
      b.push_back(At(kT0 + m * kMin + k * kSec, 9, "cache refreshed for tenant " + std::to_string(m % 5)));
    }
    if (m == 30 || m == 31 || m == 60) {
      b.push_back(At(kT0 + m * kMin + 30 * kSec, 17, "lost lease on shard " + std::to_string(m)));
    }
    if (m == 45) {  // a burst of new patterns: one grouped anomaly, open across the save
      b.push_back(At(kT0 + m * kMin + 40 * kSec, 21, "worker pool exhausted, aborting"));
      b.push_back(At(kT0 + m * kMin + 41 * kSec, 17, "at Pool.acquire(Pool.java)"));
    }
    if (m >= 80) {
      for (int k = 0; k < 30; ++k) b.push_back(At(kT0 + m * kMin + k * kSec, 9, "upstream call timed out after 5 s"));
    }
    batches.push_back(b);
  }
  return batches;
}

TEST(LogAnalyzerStateTest, SaveLoadContinuesExactly) {
  const auto batches = Mixed();
  Stream whole, first;
  for (size_t i = 0; i < batches.size(); ++i) whole.Add(batches[i]);
  for (size_t i = 0; i < 50; ++i) first.Add(batches[i]);
  const std::string bytes = first.analyzer.SaveState();
  Stream second;
  ASSERT_TRUE(second.analyzer.LoadState(bytes).ok());
  EXPECT_EQ(second.analyzer.SaveState(), bytes);
  for (size_t i = 50; i < batches.size(); ++i) second.Add(batches[i]);
  std::vector<model::Anomaly> combined = first.events;
  combined.insert(combined.end(), second.events.begin(), second.events.end());
  EXPECT_FALSE(whole.events.empty());
  EXPECT_EQ(combined, whole.events);
  EXPECT_EQ(second.analyzer.SaveState(), whole.analyzer.SaveState());
  const uint64_t end = kT0 + 90 * kMin;
  EXPECT_EQ(second.analyzer.Snippets("", kT0, end, std::vector<std::string>{}, 20),
            whole.analyzer.Snippets("", kT0, end, std::vector<std::string>{}, 20));
}

TEST(LogAnalyzerStateTest, BadBytesAreRefusedAndChangeNothing) {
  const auto batches = Mixed();
  Stream run;
  for (size_t i = 0; i < 60; ++i) run.Add(batches[i]);
  const std::string bytes = run.analyzer.SaveState();
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(run.analyzer.LoadState(std::string_view(bytes).substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(run.analyzer.LoadState(bytes + "x").ok());
  std::string damaged = bytes;
  damaged[2] ^= 0x40;  // the magic
  EXPECT_FALSE(run.analyzer.LoadState(damaged).ok());
  EXPECT_EQ(run.analyzer.SaveState(), bytes);
}

TEST(LogAnalyzerStateTest, SameInputSameOutput) {
  const auto batches = Mixed();
  Stream a, b;
  for (const auto& batch : batches) {
    a.Add(batch);
    b.Add(batch);
  }
  EXPECT_EQ(a.events, b.events);
  // The stream raises each kind it was built for.
  const auto as = a.Anomalies();
  EXPECT_EQ(a.analyzer.stats().patterns_grouped, 1u);
  for (const char* kind : {"log_new_pattern", "log_http_code", "log_new_field", "log_rate", "log_keyword"}) {
    EXPECT_TRUE(OfKind(as, kind).has_value()) << kind;
  }
}

}  // namespace
}  // namespace augur::logs

namespace augur::logs {
namespace {

TEST(LogAnalyzerPatterns, ListsTheTemplatesSeenInTheWindowMostFrequentFirst) {
  LogAnalyzer a;
  model::Batch b;
  model::Resource r;
  r.service_name = "writer";
  b.resources = {r};
  const uint64_t t0 = 1'800'000'000'000'000'000ULL;
  for (int i = 0; i < 30; ++i) {
    model::LogRecord l;
    l.time_unix_nano = t0 + static_cast<uint64_t>(i) * 1'000'000'000ULL;
    l.severity_number = 9;
    l.body = {std::string(i % 3 == 0 ? "timeout writing item " : "put item ") + std::to_string(1000 + i)};
    b.logs.push_back(l);
  }
  a.Add(b);
  const auto all = a.Patterns("writer", 0, 0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].count, 20u);
  EXPECT_NE(all[0].text.find("put item"), std::string::npos) << all[0].text;
  EXPECT_EQ(all[1].count, 10u);
  EXPECT_EQ(all[0].first_seen_ns, t0 + 1'000'000'000ULL);
  EXPECT_TRUE(a.Patterns("reader", 0, 0, 10).empty());
  EXPECT_TRUE(a.Patterns("writer", t0 + 3600'000'000'000ULL, 0, 10).empty());  // nothing seen since
  EXPECT_EQ(a.Patterns("", 0, 0, 1).size(), 1u);
}

// --- Numbers inside lines (log_numeric) ---

// Deterministic noise in [-1, 1).
double Noise(uint64_t i) {
  uint64_t x = i * 0x9e3779b97f4a7c15ULL + 0x51ed27;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 29;
  return static_cast<double>(x % 20'000) / 10'000.0 - 1;
}

// "processed batch <id> in <ms> ms", one line every 6 s over [from, to), the
// value from `ms(i)`; the batch id is random (an id, not a measure).
template <typename F>
void Batches(Stream* run, uint64_t from, uint64_t to, F ms, const std::string& service = "batcher") {
  std::vector<Line> batch;
  for (uint64_t t = from; t < to; t += 6 * kSec) {
    const uint64_t i = t / (6 * kSec);
    char buf[96];
    std::snprintf(buf, sizeof buf, "processed batch %llu in %.1f ms",
                  static_cast<unsigned long long>(1000 + static_cast<uint64_t>(5000 * (1 + Noise(i * 3 + 1)))), ms(i));
    batch.push_back(At(t, 9, buf, service));
    if (batch.size() == 50) {
      run->Add(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) run->Add(batch);
}

std::vector<model::Anomaly> OfKindAll(const std::vector<model::Anomaly>& as, const std::string& kind) {
  std::vector<model::Anomaly> out;
  for (const auto& a : as) {
    if (a.kind == kind) out.push_back(a);
  }
  return out;
}

TEST(LogAnalyzerNumericTest, AShiftedValueIsRaisedExplainedAndEnded) {
  Stream run;
  const uint64_t shift = kT0 + 3 * 60 * kMin;
  Batches(&run, kT0, shift, [](uint64_t i) { return 40 + 8 * Noise(i); });
  EXPECT_TRUE(OfKindAll(run.Anomalies(), "log_numeric").empty());
  EXPECT_EQ(run.analyzer.stats().numeric_series, 2u);  // the batch id (random, so stationary) and the duration
  Batches(&run, shift, shift + 20 * kMin, [](uint64_t i) { return 420 + 80 * Noise(i); });
  auto numeric = OfKindAll(run.Anomalies(), "log_numeric");
  ASSERT_EQ(numeric.size(), 1u);
  const model::Anomaly& a = numeric[0];
  EXPECT_EQ(a.series.metric, "log.numeric");
  EXPECT_EQ(a.series.service, "batcher");
  EXPECT_EQ(a.direction, "up");
  EXPECT_EQ(a.quantity, "p50");
  EXPECT_EQ(a.unit, "ms");
  EXPECT_GE(a.onset_ns, shift - kMin);
  EXPECT_LE(a.detected_ns, shift + 5 * kMin);  // a few buckets
  EXPECT_LT(a.before, 60);
  EXPECT_GT(a.observed, 300);
  EXPECT_EQ(a.end_ns, 0u);
  EXPECT_NE(a.explanation.find("value 2 of 'processed batch <*> in <*>.<*> ms' in batcher rose from ~40 ms to ~"),
            std::string::npos)
      << a.explanation;
  // Its lines are the snippets' first choice.
  const auto snippets = run.analyzer.Snippets("batcher", shift, 0, std::vector<TraceRef>{}, 3);
  ASSERT_FALSE(snippets.empty());
  EXPECT_EQ(snippets[0].reason.rfind("pattern whose value 2 rose at ", 0), 0u) << snippets[0].reason;
  // The lines stop: it ends, at the last line.
  run.AdvanceTo(shift + 60 * kMin);
  numeric = OfKindAll(run.Anomalies(), "log_numeric");
  ASSERT_EQ(numeric.size(), 1u);
  EXPECT_NE(numeric[0].end_ns, 0u);
  EXPECT_LE(numeric[0].end_ns, shift + 20 * kMin);
}

TEST(LogAnalyzerNumericTest, StableValuesGiveNothing) {
  Stream run;
  Batches(&run, kT0, kT0 + 8 * 60 * kMin, [](uint64_t i) { return 40 + 8 * Noise(i); });
  EXPECT_TRUE(run.events.empty()) << run.events[0].explanation;
  EXPECT_GE(run.analyzer.stats().numeric_series, 1u);  // it was watched
}

TEST(LogAnalyzerNumericTest, NoisyButStationaryValuesGiveNothing) {
  Stream run;
  // Two orders of magnitude of spread (log-uniform 10..1000 ms), and a bursty
  // tail: one line in 20 at 50x.
  Batches(&run, kT0, kT0 + 8 * 60 * kMin, [](uint64_t i) {
    const double v = std::pow(10, 2 + Noise(i));
    return i % 20 == 7 ? 50 * v : v;
  });
  EXPECT_TRUE(run.events.empty()) << run.events[0].explanation;
  EXPECT_GE(run.analyzer.stats().numeric_series, 1u);
}

TEST(LogAnalyzerNumericTest, CountersAndTimestampsAreNotWatched) {
  Stream run;
  std::vector<Line> batch;
  for (uint64_t k = 0; k < 600; ++k) {
    const uint64_t t = kT0 + k * 6 * kSec;
    batch.push_back(At(t, 9, "heartbeat seq " + std::to_string(k) + " at " + std::to_string(t / kSec)));
  }
  run.Add(batch);
  EXPECT_EQ(run.analyzer.stats().numeric_series, 0u);
  EXPECT_EQ(run.analyzer.stats().numeric_refused, 2u);
  // A sudden jump of the counter raises nothing.
  run.Add(At(kT0 + 601 * 6 * kSec, 9, "heartbeat seq 99999999 at 1"));
  EXPECT_TRUE(run.events.empty());
}

TEST(LogAnalyzerNumericTest, BoundsHoldAndOverflowIsCounted) {
  LogAnalyzerOptions o;
  o.numeric_positions_per_template = 2;
  o.max_numeric_series_per_service = 3;
  o.numeric_min_lines = 10;
  Stream run(o);
  std::vector<Line> batch;
  for (uint64_t k = 0; k < 200; ++k) {
    for (const char* word : {"alpha", "beta", "gamma"}) {
      const double a = 10 + 3 * Noise(k), b = 20 + 3 * Noise(k + 7), c = 30 + 3 * Noise(k + 13);
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s took %.1f ms, read %.1f KB, wrote %.0f rows", word, a, b, c);
      batch.push_back(At(kT0 + k * kSec, 9, buf));
    }
  }
  run.Add(batch);
  const auto st = run.analyzer.stats();
  EXPECT_EQ(st.numeric_series, 3u);
  // alpha: 2 watched, 1 over the per-template bound; beta: 1 watched, 2 over
  // the service bound; gamma: 3 over.
  EXPECT_EQ(st.numeric_overflow, 6u);
}

TEST(LogAnalyzerNumericTest, SaveLoadKeepsTheWatchedValues) {
  const uint64_t shift = kT0 + 3 * 60 * kMin;
  auto calm = [](uint64_t i) { return 40 + 8 * Noise(i); };
  auto high = [](uint64_t i) { return 420 + 80 * Noise(i); };
  Stream straight;
  Batches(&straight, kT0, shift, calm);
  Batches(&straight, shift, shift + 20 * kMin, high);

  Stream first;
  Batches(&first, kT0, shift, calm);
  Stream second;
  ASSERT_TRUE(second.analyzer.LoadState(first.analyzer.SaveState()).ok());
  EXPECT_EQ(second.analyzer.stats().numeric_refused, first.analyzer.stats().numeric_refused);
  Batches(&second, shift, shift + 20 * kMin, high);
  const auto a = OfKindAll(straight.Anomalies(), "log_numeric");
  const auto b = OfKindAll(second.Anomalies(), "log_numeric");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0], b[0]);
}

}  // namespace
}  // namespace augur::logs
