#include "insight/data_stop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "insight/correlator.h"
#include "insight/ranking.h"

namespace augur::insight {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 1'800'000'000 * kS;

// gateway POST /items → writer POST /items; gateway GET /items → reader GET /items
class Topology : public TopologyView {
 public:
  std::vector<NodeRef> Callees(const std::string& service, const std::string& operation) const override {
    if (service == "gateway" && operation == "POST /items") return {{"writer", "POST /items", false}};
    if (service == "gateway" && operation == "GET /items") return {{"reader", "GET /items", false}};
    return {};
  }
  std::vector<NodeRef> Callers(const std::string&, const std::string&) const override { return {}; }
  std::string ServiceBehindPeer(const std::string&, const std::string&) const override { return ""; }
  TimeSplit Split(const std::string&, const std::string&, uint64_t, uint64_t) const override { return {}; }
};

// What every anomaly of these tests shares: raised `raise_after_s` after its onset.
model::Anomaly Anomaly(const std::string& id, const std::string& service, const std::string& op, uint64_t onset,
                       uint64_t raise_after_s) {
  model::Anomaly a;
  a.id = id;
  a.series.service = service;
  a.series.operation = op;
  a.onset_ns = onset;
  a.detected_ns = onset + raise_after_s * kS;
  a.updated_ns = a.detected_ns;
  a.score = 0.9;
  return a;
}

model::Anomaly Fall(const std::string& service, const std::string& op, uint64_t onset, double observed = 0) {
  model::Anomaly a = Anomaly("an-fall-" + service + "-" + op, service, op, onset, 30);
  a.series.metric = "span.requests";
  a.kind = "traffic";
  a.direction = "down";
  a.quantity = "count";
  a.before = 7;
  a.observed = observed;
  a.explanation = "request count of " + op + " on " + service + " fell from 7 to 0";
  return a;
}

model::Anomaly Slow(const std::string& service, const std::string& op, uint64_t onset) {
  model::Anomaly a = Anomaly("an-slow-" + service + "-" + op, service, op, onset, 12);
  a.series.metric = "span.duration";
  a.kind = "latency";
  a.direction = "up";
  a.quantity = "p90";
  a.unit = "ms";
  a.before = 40;
  a.observed = 380;
  a.explanation = "p90 duration of " + op + " on " + service + " rose from 40 ms to 380 ms";
  return a;
}

TEST(DataStopTest, FellToZeroIsATrafficDropToNothing) {
  EXPECT_TRUE(FellToZero(Fall("gateway", "GET /", kT0)));
  EXPECT_FALSE(FellToZero(Fall("gateway", "GET /", kT0, 2)));
  EXPECT_FALSE(FellToZero(Slow("gateway", "GET /", kT0)));
}

TEST(DataStopTest, ManySeriesOnSeveralServicesAtOnceAreAStop) {
  DataStops stops;
  EXPECT_TRUE(stops.Add(Fall("gateway", "GET /items", kT0)).empty());
  EXPECT_TRUE(stops.Add(Fall("reader", "GET /items", kT0 + 10 * kS)).empty());
  EXPECT_FALSE(stops.Stopped("an-fall-gateway-GET /items"));
  // The third completes the quorum: all three are a stop now.
  std::vector<std::string> now = stops.Add(Fall("writer", "POST /items", kT0 + 20 * kS));
  std::sort(now.begin(), now.end());
  EXPECT_EQ(now, (std::vector<std::string>{"an-fall-gateway-GET /items", "an-fall-reader-GET /items",
                                           "an-fall-writer-POST /items"}));
  EXPECT_TRUE(stops.Stopped("an-fall-gateway-GET /items"));
  // Seen again, it is not new.
  EXPECT_TRUE(stops.Add(Fall("writer", "POST /items", kT0 + 20 * kS)).empty());
  // A fall long after, alone, is about its own service.
  EXPECT_TRUE(stops.Add(Fall("reader", "GET /other", kT0 + 600 * kS)).empty());
  EXPECT_FALSE(stops.Stopped("an-fall-reader-GET /other"));
}

TEST(DataStopTest, OneServiceLosingItsTrafficIsNotAStop) {
  DataStops stops;
  stops.Add(Fall("reader", "GET /a", kT0));
  stops.Add(Fall("reader", "GET /b", kT0));
  stops.Add(Fall("reader", "GET /c", kT0));
  EXPECT_TRUE(stops.stopped().empty());
  // Nor are falls that are not to zero, or too far apart.
  stops.Add(Fall("gateway", "GET /a", kT0, 1));
  stops.Add(Fall("writer", "GET /a", kT0 + 120 * kS));
  EXPECT_TRUE(stops.stopped().empty());
}

TEST(DataStopTest, RememberedFallsAreBounded) {
  DataStopOptions options;
  options.max_remembered = 2;
  DataStops stops(options);
  stops.Add(Fall("a", "x", kT0));
  stops.Add(Fall("b", "x", kT0));
  stops.Add(Fall("c", "x", kT0));  // the first is forgotten: two remembered, no quorum
  EXPECT_EQ(stops.forgotten(), 1u);
  EXPECT_TRUE(stops.stopped().empty());
}

TEST(DataStopTest, RankingGivesADataStopNoSayInOnsetOrder) {
  Topology g;
  const std::vector<model::Anomaly> anomalies = {Fall("gateway", "POST /items", kT0),
                                                 Slow("writer", "POST /items", kT0 + 200 * kS)};
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  // Without knowing it is a stop, the earliest onset wins.
  const Ranking plain = Rank(anomalies, no_events, g, {}, kT0 + 300 * kS);
  EXPECT_EQ(plain.root_cause.service, "gateway");
  const Ranking r = Rank(anomalies, no_events, g, {}, kT0 + 300 * kS, {"an-fall-gateway-POST /items"});
  EXPECT_EQ(r.root_cause.service, "writer");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[1].service, "gateway");
  EXPECT_EQ(r.candidates[1].score, 0);
  EXPECT_EQ(r.roles.at("an-fall-gateway-POST /items").first, "contextual");
  EXPECT_EQ(r.roles.at("an-slow-writer-POST /items").first, "causal");
  // A group of nothing but a stop still names where it was seen.
  const Ranking only = Rank({anomalies[0]}, no_events, g, {}, kT0 + 300 * kS, {"an-fall-gateway-POST /items"});
  EXPECT_EQ(only.root_cause.service, "gateway");
}

TEST(DataStopTest, CorrelatorRanksAgainWhenALaterFallMakesAStop) {
  Topology g;
  Correlator c;
  c.OnAnomaly(Fall("gateway", "POST /items", kT0), g);
  c.OnAnomaly(Slow("writer", "POST /items", kT0 + 200 * kS), g);
  std::vector<model::Insight> out;
  c.TakeInsights(&out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].root_cause.service, "gateway");  // one fall alone is its own service's
  const std::string id = out[0].id;
  // Falls of other services at the same moment, grouped elsewhere: the
  // data stopped, and the first insight is ranked again without it.
  c.OnAnomaly(Fall("gateway", "GET /items", kT0 + 5 * kS), g);
  c.OnAnomaly(Fall("reader", "GET /items", kT0 + 5 * kS), g);
  out.clear();
  c.TakeInsights(&out);
  auto first = std::find_if(out.begin(), out.end(), [&](const model::Insight& in) { return in.id == id; });
  ASSERT_NE(first, out.end());
  EXPECT_EQ(first->root_cause.service, "writer");
  // The state carries it: a correlator loaded from it knows the stop.
  Correlator loaded;
  ASSERT_TRUE(loaded.LoadState(c.SaveState()).ok());
  loaded.OnAnomaly(Slow("writer", "POST /items", kT0 + 200 * kS), g);
  out.clear();
  loaded.TakeInsights(&out);
  first = std::find_if(out.begin(), out.end(), [&](const model::Insight& in) { return in.id == id; });
  ASSERT_NE(first, out.end());
  EXPECT_EQ(first->root_cause.service, "writer");
}

}  // namespace
}  // namespace augur::insight
