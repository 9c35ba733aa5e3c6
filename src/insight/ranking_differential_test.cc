#include "insight/ranking_differential.h"

#include <gtest/gtest.h>

#include <map>

#include "insight/ranking.h"

namespace augur::insight {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kStart = 1'800'000'000 * kS;  // the group's first onset
constexpr uint64_t kNow = kStart + 120 * kS;

// front GET /a → mid GET /m → back GET /b (each through its client span
// "HTTP GET"); side GET /s is called by front too. Every number is given
// per window: before the start or after it.
class Graph : public TopologyView {
 public:
  std::vector<NodeRef> Callees(const std::string& service, const std::string& operation) const override {
    auto it = callees_.find({service, operation, false});
    return it == callees_.end() ? std::vector<NodeRef>{} : it->second;
  }
  std::vector<NodeRef> Callers(const std::string& service, const std::string& operation) const override {
    std::vector<NodeRef> out;
    for (const auto& [from, to] : callees_) {
      for (const NodeRef& n : to) {
        if (n.service == service && n.operation == operation) out.push_back(from);
      }
    }
    return out;
  }
  std::string ServiceBehindPeer(const std::string&, const std::string&) const override { return ""; }
  TimeSplit Split(const std::string& service, const std::string& operation, uint64_t from, uint64_t) const override {
    auto it = server_.find(service + " " + operation);
    if (it == server_.end()) return {};
    const double ms = from < kStart ? it->second.first : it->second.second;
    return {20, ms, 0};
  }
  std::vector<OperationTime> SelfTimes(const std::string& service, uint64_t from, uint64_t) const override {
    std::vector<OperationTime> out;
    for (const auto& [key, t] : self_) {
      if (key.first != service) continue;
      const auto& [count, ms] = from < kStart ? t.first : t.second;
      if (count > 0) out.push_back({key.second, count, ms});
    }
    return out;
  }
  CallTime CallsBetween(const std::string& caller, const std::string& callee, uint64_t from, uint64_t) const override {
    auto it = calls_.find({caller, callee});
    if (it == calls_.end()) return {};
    const auto& [count, ms] = from < kStart ? it->second.first : it->second.second;
    return {count, ms};
  }

  using Side = std::pair<uint64_t, double>;  // (requests, median ms)
  std::map<NodeRef, std::vector<NodeRef>> callees_ = {
      {{"front", "GET /a", false}, {{"front", "HTTP GET", false}, {"mid", "GET /m", false}, {"side", "GET /s", false}}},
      {{"front", "HTTP GET", false}, {{"mid", "GET /m", false}, {"side", "GET /s", false}}},
      {{"mid", "GET /m", false}, {{"mid", "HTTP GET", false}, {"back", "GET /b", false}}},
      {{"mid", "HTTP GET", false}, {{"back", "GET /b", false}}},
  };
  std::map<std::pair<std::string, std::string>, std::pair<Side, Side>> self_;
  std::map<std::pair<std::string, std::string>, std::pair<Side, Side>> calls_;
  std::map<std::string, std::pair<double, double>> server_;  // total server time before, after
};

model::Anomaly Slow(const std::string& id, const std::string& service, const std::string& operation) {
  model::Anomaly a;
  a.id = id;
  a.series.service = service;
  a.series.operation = operation;
  a.kind = "latency";
  a.direction = "up";
  a.unit = "ms";
  a.score = 0.8;
  a.onset_ns = kStart;
  a.before = 40;
  a.observed = 400;
  return a;
}

TEST(DifferentialTest, NeighbourhoodFollowsCallersAndCalleesTwoHops) {
  Graph g;
  const auto from_mid = Neighbourhood({{"mid", "GET /m", false}}, g, 2, 64);
  EXPECT_EQ(from_mid.front(), "mid");
  for (const char* s : {"front", "back"}) EXPECT_NE(std::find(from_mid.begin(), from_mid.end(), s), from_mid.end());
  // One hop up from back reaches mid's operations only.
  const auto from_back = Neighbourhood({{"back", "GET /b", false}}, g, 1, 64);
  EXPECT_EQ(from_back, (std::vector<std::string>{"back", "mid"}));
  EXPECT_EQ(Neighbourhood({{"back", "GET /b", false}}, g, 2, 1), std::vector<std::string>{"back"});  // capped
  EXPECT_EQ(ServicesBelow({"front", "GET /a", false}, g, 2), (std::vector<std::string>{"mid", "side", "back"}));
}

TEST(DifferentialTest, AClearSelfTimeRiseIsFoundWithoutAnAnomaly) {
  Graph g;
  g.self_[{"back", "GET /b"}] = {{60, 4}, {12, 180}};
  g.self_[{"mid", "GET /m"}] = {{60, 2}, {12, 2.2}};  // flat
  const auto rises = FindRises({{"front", "GET /a", false}}, g, kStart, kNow, {});
  ASSERT_EQ(rises.size(), 1u);
  EXPECT_EQ(rises[0].service, "back");
  EXPECT_EQ(rises[0].operation, "GET /b");
  EXPECT_TRUE(rises[0].caller.empty());
  EXPECT_NE(rises[0].sentence.find("self time of back's GET /b rose from 4.0 ms to 180 ms (60 → 12 requests)"),
            std::string::npos)
      << rises[0].sentence;
}

TEST(DifferentialTest, AServiceWideSeedStartsFromTheOperationsItsServiceRan) {
  Graph g;
  g.self_[{"back", "GET /b"}] = {{60, 4}, {12, 180}};
  // front's errors (a service-wide anomaly, no operation) while front
  // served nothing it is known to call: nothing to walk from.
  const NodeRef front_logs{"front", "", false};
  EXPECT_TRUE(FindRises({front_logs}, g, kStart, kNow, {}).empty());
  // front ran GET /a, which calls mid, which calls back: back is near.
  g.self_[{"front", "GET /a"}] = {{60, 1}, {12, 1}};
  const auto rises = FindRises({front_logs}, g, kStart, kNow, {});
  ASSERT_EQ(rises.size(), 1u);
  EXPECT_EQ(rises[0].service, "back");
}

TEST(DifferentialTest, ARiseMustBeRelativeAbsoluteAndOnEnoughRequests) {
  DifferentialOptions o;
  for (const auto& [before, after, expect] : std::vector<std::tuple<Graph::Side, Graph::Side, bool>>{
           {{60, 0.2}, {12, 0.9}, false},                // ×4.5 but +0.7 ms: noise in absolute terms
           {{60, 100}, {12, 140}, false},                // +40 ms but ×1.4: noise in relative terms
           {{60, 4}, {o.min_requests - 1, 180}, false},  // too few requests after
           {{o.min_requests - 1, 4}, {12, 180}, false},  // too few before
           {{o.min_requests, 4}, {o.min_requests, 180}, true},
       }) {
    Graph g;
    g.self_[{"back", "GET /b"}] = {before, after};
    EXPECT_EQ(FindRises({{"back", "GET /b", false}}, g, kStart, kNow, o).size(), expect ? 1u : 0u)
        << before.second << " → " << after.second;
  }
}

TEST(DifferentialTest, SlowerCallsToAnUnchangedServerBlameTheWayToIt) {
  Graph g;
  g.calls_[{"front", "side"}] = {{30, 12}, {10, 300}};
  g.server_["side GET /s"] = {10, 11};
  auto rises = FindRises({{"front", "GET /a", false}}, g, kStart, kNow, {});
  ASSERT_EQ(rises.size(), 1u);
  EXPECT_EQ(rises[0].service, "side");
  EXPECT_EQ(rises[0].caller, "front");
  EXPECT_NE(rises[0].sentence.find("while side's server time did not (10.0 ms → 11.0 ms)"), std::string::npos)
      << rises[0].sentence;

  // The server itself took the time: not the way to it.
  g.server_["side GET /s"] = {10, 290};
  EXPECT_TRUE(FindRises({{"front", "GET /a", false}}, g, kStart, kNow, {}).empty());
  // Unknown server time is no evidence.
  g.server_.clear();
  EXPECT_TRUE(FindRises({{"front", "GET /a", false}}, g, kStart, kNow, {}).empty());
}

TEST(DifferentialTest, CallsTooFewBeforeSpeakByTheTimeSpentOnTheWay) {
  DifferentialOptions o;
  const uint64_t few = o.min_requests - 1;
  // Calls front → side began (or nearly) with the incident: nothing to
  // compare their duration with, but 300 ms of each is spent on the way to
  // a server that takes 11 ms.
  Graph g;
  g.server_["side GET /s"] = {10, 11};
  g.calls_[{"front", "side"}] = {{0, 0}, {10, 311}};
  auto rises = FindRises({{"front", "GET /a", false}}, g, kStart, kNow, o);
  ASSERT_EQ(rises.size(), 1u);
  EXPECT_EQ(rises[0].service, "side");
  EXPECT_EQ(rises[0].caller, "front");
  EXPECT_TRUE(rises[0].gap_only);
  EXPECT_NE(rises[0].sentence.find("calls from front to side took 311 ms (10 calls; 0 before, too few to compare) "
                                   "while side's server time was 11.0 ms"),
            std::string::npos)
      << rises[0].sentence;
  // The few calls before show a small gap: still a rise.
  g.calls_[{"front", "side"}] = {{few, 13}, {10, 311}};
  EXPECT_EQ(FindRises({{"front", "GET /a", false}}, g, kStart, kNow, o).size(), 1u);

  for (const auto& [before, after, server_after, expect] :
       std::vector<std::tuple<Graph::Side, Graph::Side, double, bool>>{
           {{few, 300}, {10, 311}, 11, false},              // the gap was as large before
           {{0, 0}, {o.min_requests - 1, 311}, 11, false},  // too few calls after
           {{0, 0}, {10, 311}, 200, false},                 // most of the time is the server's
           {{0, 0}, {10, 14}, 11, false},                   // a gap of 3 ms: a round trip
           {{o.min_requests, 13}, {10, 311}, 11, true},     // enough before: compared by duration
           {{o.min_requests, 300}, {10, 311}, 11, false},   // ... and it did not rise
       }) {
    g.calls_[{"front", "side"}] = {before, after};
    g.server_["side GET /s"] = {10, server_after};
    EXPECT_EQ(FindRises({{"front", "GET /a", false}}, g, kStart, kNow, o).size(), expect ? 1u : 0u)
        << before.first << " calls at " << before.second << " ms → " << after.first << " at " << after.second
        << " ms, server " << server_after << " ms";
  }
}

TEST(DifferentialTest, ACallerWhoseCallsToSeveralServicesSlowedDownIsTheSlowEnd) {
  Graph g;
  g.calls_[{"front", "side"}] = {{30, 12}, {10, 300}};
  g.calls_[{"front", "mid"}] = {{30, 20}, {10, 310}};
  g.server_["side GET /s"] = {10, 11};
  g.server_["mid GET /m"] = {18, 18};
  const auto rises = FindRises({{"front", "GET /a", false}}, g, kStart, kNow, {});
  ASSERT_EQ(rises.size(), 1u);
  EXPECT_EQ(rises[0].service, "front");
  EXPECT_EQ(rises[0].caller, "front");
  EXPECT_NE(rises[0].sentence.find("on front's side: its calls to or from 2 services slowed down"), std::string::npos)
      << rises[0].sentence;
}

TEST(DifferentialTest, RankingPutsTheServiceWhoseOwnTimeRoseAboveItsSlowCaller) {
  Graph g;
  g.self_[{"back", "GET /b"}] = {{60, 4}, {12, 180}};
  g.self_[{"front", "GET /a"}] = {{60, 1}, {12, 1.1}};
  const std::vector<model::Anomaly> anomalies = {Slow("a1", "front", "GET /a")};
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  RankingOptions options;
  options.split_baseline_ns = 300 * kS;
  const Ranking r = Rank(anomalies, no_events, g, options, kNow);
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].service, "back");
  EXPECT_EQ(r.candidates[1].service, "front");
  EXPECT_EQ(r.root_cause.service, "back");
  EXPECT_EQ(r.root_cause.operation, "GET /b");
  EXPECT_EQ(r.root_cause.kind, "latency");
  ASSERT_FALSE(r.root_cause.evidence.empty());
  EXPECT_NE(r.root_cause.evidence[0].find("self time of back's GET /b"), std::string::npos);
  EXPECT_EQ(r.roles.at("a1").first, "contextual");

  // Off: only the anomaly's own service is a candidate.
  options.differential.hops = 0;
  const Ranking off = Rank(anomalies, no_events, g, options, kNow);
  ASSERT_EQ(off.candidates.size(), 1u);
  EXPECT_EQ(off.candidates[0].service, "front");
  // And front, which waits on back, weighs less once back's rise is known.
  EXPECT_LT(r.candidates[1].score, off.candidates[0].score);
}

model::Anomaly ErrorLog(const std::string& id, const std::string& service, uint64_t onset) {
  model::Anomaly a;
  a.id = id;
  a.series.metric = "log.template";
  a.series.service = service;
  a.series.attributes = {{"severity", "ERROR"}};
  a.kind = "log_new_pattern";
  a.direction = "up";
  a.score = 0.8;
  a.onset_ns = onset;
  a.explanation = "new ERROR log pattern in " + service;
  return a;
}

TEST(RankingTest, ErrorsLoggedAlongACallChainBlameTheDeepestService) {
  Graph g;  // the same self time before and after: no rise anywhere
  for (const auto& [service, op] :
       std::vector<std::pair<std::string, std::string>>{{"front", "GET /a"}, {"mid", "GET /m"}, {"back", "GET /b"}}) {
    g.self_[{service, op}] = {{60, 4}, {12, 4}};
  }
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  // back fails; mid and front log the failed calls, in the same minute.
  // front's line comes first, as it may within one minute's count.
  const std::vector<model::Anomaly> chain = {ErrorLog("e-front", "front", kStart),
                                             ErrorLog("e-mid", "mid", kStart + 10 * kS),
                                             ErrorLog("e-back", "back", kStart + 20 * kS)};
  const Ranking r = Rank(chain, no_events, g, {}, kNow);
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(r.root_cause.service, "back");
  EXPECT_EQ(r.candidates[0].service, "back");
  EXPECT_GT(r.candidates[0].score, r.candidates[1].score + 0.5);

  // mid's errors began minutes before back's: back did not start them.
  const std::vector<model::Anomaly> later = {ErrorLog("e-mid", "mid", kStart),
                                             ErrorLog("e-back", "back", kStart + 300 * kS)};
  const Ranking l = Rank(later, no_events, g, {}, kNow + 300 * kS);
  EXPECT_EQ(l.root_cause.service, "mid");

  // Two services that log errors but do not call each other: neither
  // passes the other's errors on.
  const std::vector<model::Anomaly> apart = {ErrorLog("e-mid", "mid", kStart), ErrorLog("e-side", "side", kStart)};
  const Ranking a = Rank(apart, no_events, g, {}, kNow);
  ASSERT_EQ(a.candidates.size(), 2u);
  EXPECT_NEAR(a.candidates[0].score, a.candidates[1].score, 1e-9);
}

TEST(RankingTest, AServiceThatGotFasterFirstDoesNotLeadByOnsetOrder) {
  Graph g;  // no time split, no rise: only the anomalies speak
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  model::Anomaly faster = Slow("f-side", "side", "GET /s");
  faster.direction = "down";
  faster.before = 40;
  faster.observed = 30;
  model::Anomaly slower = Slow("s-back", "back", "GET /b");
  slower.onset_ns = kStart + 20 * kS;
  // side (not on back's path) answered faster 20 s before back slowed down.
  const Ranking r = Rank({faster, slower}, no_events, g, {}, kNow);
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.root_cause.service, "back");
  EXPECT_GT(r.candidates[0].score, r.candidates[1].score + 0.5);
  // Two slowdowns: the earlier one leads, as before.
  model::Anomaly earlier = Slow("s-side", "side", "GET /s");
  EXPECT_EQ(Rank({earlier, slower}, no_events, g, {}, kNow).root_cause.service, "side");
  // Nothing got worse: onset order among the falls.
  model::Anomaly later_fall = slower;
  later_fall.direction = "down";
  later_fall.observed = 20;
  EXPECT_EQ(Rank({faster, later_fall}, no_events, g, {}, kNow).root_cause.service, "side");
}

TEST(DifferentialTest, RisesAreOrderedByHowClearTheyAre) {
  Graph g;
  g.self_[{"back", "GET /b"}] = {{60, 4}, {12, 40}};    // ×10, +36 ms
  g.self_[{"side", "GET /s"}] = {{60, 0.4}, {12, 40}};  // ×100, +39.6 ms
  const std::vector<model::Anomaly> anomalies = {Slow("a1", "front", "GET /a")};
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  const Ranking r = Rank(anomalies, no_events, g, {}, kNow);
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(r.candidates[0].service, "side");
  EXPECT_EQ(r.candidates[1].service, "back");
  EXPECT_GT(r.candidates[0].score, r.candidates[1].score);
}

// A clear rise that adds little next to another weighs little: the time a
// request gained on the way to one service (+1 s) against another's +7 ms
// (as clear a rise, from busier traffic) tells where the incident's time went.
TEST(DifferentialTest, RisesWeighByTheTimeTheyAdd) {
  Graph g;
  g.self_[{"back", "GET /b"}] = {{60, 5}, {12, 12}};     // ×2.4, +7 ms
  g.self_[{"side", "GET /s"}] = {{60, 15}, {12, 1030}};  // ×69, +1015 ms
  const std::vector<model::Anomaly> anomalies = {Slow("a1", "front", "GET /a")};
  auto no_events = [](const std::string&, uint64_t) { return std::vector<const model::ChangeEvent*>{}; };
  const Ranking r = Rank(anomalies, no_events, g, {}, kNow);
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(r.candidates[0].service, "side");
  // back's rise counts for 7 / 1015 of a full one: below the slow front.
  EXPECT_EQ(r.candidates[2].service, "back");
  EXPECT_LT(r.candidates[2].score, 0.1);
}

}  // namespace
}  // namespace augur::insight
