// The analysis routes over HTTP: a real store in a temporary directory and
// a server on a free port, spoken to with a blocking Beast client.
#include "api/analysis_api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "model/insight_json.h"
#include "model/json.h"

namespace augur::api {
namespace {

namespace beast = boost::beast;
namespace bh = boost::beast::http;
using nlohmann::json;
using tcp = boost::asio::ip::tcp;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;
constexpr uint64_t kNow = 1'800'000'000 * kSecond;  // the test's wall clock

struct Answer {
  unsigned status = 0;
  json body;
};

class AnalysisApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_api_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = store::Store::Open({dir_, 0, 0});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    http::ServerOptions options;
    options.name = "api";
    options.address = "127.0.0.1:0";
    options.bearer_token = "s3cret";
    server_ = std::make_unique<http::Server>(options, &metrics_);
    AnalysisRoutesOptions routes;
    routes.now = [] { return kNow; };
    routes.on_event = [this](const model::ChangeEvent& e) {
      std::lock_guard lock(hooks_mu_);
      events_heard_.push_back(e);
    };
    routes.on_feedback = [this](const model::Insight& in, const std::string& feedback) {
      std::lock_guard lock(hooks_mu_);
      feedback_heard_.emplace_back(in, feedback);
    };
    routes.patterns = [this](const std::string& service, uint64_t from, uint64_t to, size_t limit) {
      std::lock_guard lock(hooks_mu_);
      patterns_asked_.push_back({service, from, to, limit});
      logs::PatternInfo p;
      p.service = service.empty() ? "writer" : service;
      p.template_id = 42;
      p.text = "timeout writing item <*> to table <*>";
      p.count = 12;
      p.first_seen_ns = kT0;
      p.last_seen_ns = kT0 + 5 * kSecond;
      p.trend = "new";
      return std::vector<logs::PatternInfo>{p};
    };
    RegisterAnalysisRoutes(server_.get(), store_.get(), std::move(routes));
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Answer Send(bh::verb method, const std::string& target, const std::string& body = "",
              const std::string& token = "s3cret") {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(server_->local_endpoint());
    bh::request<bh::string_body> req(method, target, 11);
    req.set(bh::field::host, "localhost");
    if (!token.empty()) req.set(bh::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(bh::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bh::write(stream, req);
    beast::flat_buffer buffer;
    bh::response<bh::string_body> res;
    beast::error_code ec;
    bh::read(stream, buffer, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    Answer answer{res.result_int(), json::parse(res.body(), nullptr, false)};
    EXPECT_FALSE(answer.body.is_discarded()) << res.body();
    return answer;
  }
  Answer Get(const std::string& target) { return Send(bh::verb::get, target); }
  Answer Post(const std::string& target, const std::string& body) { return Send(bh::verb::post, target, body); }
  Answer Put(const std::string& target, const std::string& body) { return Send(bh::verb::put, target, body); }

  std::vector<model::ChangeEvent> EventsHeard() {
    std::lock_guard lock(hooks_mu_);
    return events_heard_;
  }
  std::vector<std::pair<model::Insight, std::string>> FeedbackHeard() {
    std::lock_guard lock(hooks_mu_);
    return feedback_heard_;
  }

  std::mutex hooks_mu_;
  std::vector<model::ChangeEvent> events_heard_;                        // guarded by hooks_mu_
  std::vector<std::pair<model::Insight, std::string>> feedback_heard_;  // guarded by hooks_mu_
  struct PatternsQuery {
    std::string service;
    uint64_t from = 0, to = 0;
    size_t limit = 0;
    bool operator==(const PatternsQuery&) const = default;
  };
  std::vector<PatternsQuery> patterns_asked_;  // guarded by hooks_mu_
  std::string dir_;
  selfmon::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<http::Server> server_;
};

model::Anomaly MakeAnomaly(std::string id, std::string service, uint64_t onset, uint64_t end) {
  model::Anomaly a;
  a.id = std::move(id);
  a.series = {"span.duration", std::move(service), "GET /", {}};
  a.kind = "latency";
  a.direction = "up";
  a.quantity = "p90";
  a.unit = "ms";
  a.detector = "cusum";
  a.onset_ns = onset;
  a.detected_ns = onset + kSecond;
  a.end_ns = end;
  a.updated_ns = end != 0 ? end : onset + kSecond;
  a.score = 0.8;
  return a;
}

std::vector<std::string> Ids(const json& list) {
  std::vector<std::string> ids;
  for (const auto& item : list) ids.push_back(item.value("id", ""));
  return ids;
}

TEST_F(AnalysisApiTest, ListsAndGetsAnomalies) {
  ASSERT_TRUE(store_
                  ->PutAnomalies({MakeAnomaly("an-a", "api", kT0, kT0 + 10 * kSecond),
                                  MakeAnomaly("an-b", "db", kT0 + 20 * kSecond, 0),
                                  MakeAnomaly("an-c", "api", kT0 + 30 * kSecond, 0)})
                  .ok());
  Answer a = Get("/api/v1/anomalies");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(Ids(a.body["anomalies"]), (std::vector<std::string>{"an-c", "an-b", "an-a"}));
  EXPECT_EQ(a.body["anomalies"][2], model::AnomalyToJson(MakeAnomaly("an-a", "api", kT0, kT0 + 10 * kSecond)));

  EXPECT_EQ(Ids(Get("/api/v1/anomalies?service=api").body["anomalies"]), (std::vector<std::string>{"an-c", "an-a"}));
  EXPECT_EQ(Ids(Get("/api/v1/anomalies?status=closed").body["anomalies"]), (std::vector<std::string>{"an-a"}));
  EXPECT_EQ(Ids(Get("/api/v1/anomalies?status=ongoing&service=api").body["anomalies"]),
            (std::vector<std::string>{"an-c"}));
  EXPECT_EQ(Ids(Get("/api/v1/anomalies?limit=1").body["anomalies"]), (std::vector<std::string>{"an-c"}));
  // Overlap: an-a ended at +10 s; the ongoing ones started at +20 s and +30 s.
  EXPECT_EQ(Ids(Get("/api/v1/anomalies?from=2023-11-14T22:13:35Z&to=1700000026").body["anomalies"]),
            (std::vector<std::string>{"an-b"}));
  EXPECT_EQ(Ids(Get("/api/v1/anomalies?to=1700000005").body["anomalies"]), (std::vector<std::string>{"an-a"}));

  a = Get("/api/v1/anomalies/an-b");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["id"], json("an-b"));
  EXPECT_EQ(a.body["status"], json("ongoing"));
  EXPECT_EQ(a.body["end_time"], json(nullptr));

  a = Get("/api/v1/anomalies/an-zzz");
  EXPECT_EQ(a.status, 404u);
  EXPECT_NE(a.body.value("error", "").find("an-zzz"), std::string::npos);
  for (const char* bad : {"/api/v1/anomalies?status=open", "/api/v1/anomalies?from=yesterday",
                          "/api/v1/anomalies?limit=0", "/api/v1/anomalies?from=20&to=10"}) {
    a = Get(bad);
    EXPECT_EQ(a.status, 400u) << bad;
    EXPECT_TRUE(a.body.contains("error")) << bad;
  }
}

TEST_F(AnalysisApiTest, PostsListsAndGetsEvents) {
  Answer a = Post("/api/v1/events", R"({"type": "DEPLOYMENT", "service": "writer", "version": "v2",
      "time": "2023-11-14T22:13:20Z", "description": "release 2", "extra": 1,
      "changes": [{"key": "feature.x", "old": "off", "new": "on"}]})");
  ASSERT_EQ(a.status, 201u) << a.body.dump();
  const std::string id = a.body.value("id", "");
  EXPECT_EQ(id.rfind("ev-", 0), 0u);
  EXPECT_EQ(a.body["source"], json("api"));
  EXPECT_EQ(a.body["sources"], json::parse(R"(["api"])"));
  EXPECT_EQ(a.body["time"], json("2023-11-14T22:13:20Z"));
  EXPECT_EQ(a.body["changes"], json::parse(R"([{"key": "feature.x", "old": "off", "new": "on"}])"));

  // The same post again is the same event.
  Answer again = Post("/api/v1/events", R"({"type": "DEPLOYMENT", "service": "writer", "version": "v2",
      "time": 1700000000, "description": "release 2"})");
  ASSERT_EQ(again.status, 201u);
  EXPECT_EQ(again.body["id"], json(id));

  // No time: the wall clock at the API. A config change takes its old value
  // from the writer's last event that set the key.
  a = Post("/api/v1/events", R"({"type": "CONFIG_CHANGE", "service": "writer", "source": "cli",
      "changes": [{"key": "feature.x", "new": "off"}]})");
  ASSERT_EQ(a.status, 201u) << a.body.dump();
  EXPECT_EQ(a.body["time"], json("2027-01-15T08:00:00Z"));
  EXPECT_EQ(a.body["source"], json("cli"));
  EXPECT_EQ(a.body["changes"][0]["old"], json("on"));
  const std::string config_id = a.body.value("id", "");

  ASSERT_EQ(Post("/api/v1/events", R"({"service": "db", "time": "2023-11-14T22:13:30Z"})").status, 201u);

  a = Get("/api/v1/events");
  EXPECT_EQ(a.status, 200u);
  ASSERT_EQ(a.body["events"].size(), 3u);
  EXPECT_EQ(a.body["events"][0]["id"], json(id));
  EXPECT_EQ(a.body["events"][2]["id"], json(config_id));
  EXPECT_EQ(Ids(Get("/api/v1/events?service=writer").body["events"]), (std::vector<std::string>{id, config_id}));
  EXPECT_EQ(Get("/api/v1/events?from=1700000001&to=1700000100").body["events"].size(), 1u);
  EXPECT_EQ(Get("/api/v1/events?limit=2").body["events"].size(), 2u);

  a = Get("/api/v1/events/" + id);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["description"], json("release 2"));
  EXPECT_EQ(Get("/api/v1/events/ev-nope").status, 404u);
}

TEST_F(AnalysisApiTest, RefusesBadEvents) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not valid JSON"},
      {"", "not valid JSON"},
      {R"({"type": "DEPLOYMENT"})", "service is required"},
      {R"({"service": "s", "type": "deploy"})", "type must be"},
      {R"({"service": "s", "time": "soon"})", "time: "},
      {R"({"service": "s", "changes": [{"old": "a"}]})", "changes[0].key is required"},
  };
  for (const auto& [body, want] : cases) {
    Answer a = Post("/api/v1/events", body);
    EXPECT_EQ(a.status, 400u) << body;
    EXPECT_NE(a.body.value("error", "").find(want), std::string::npos) << body << ": " << a.body.dump();
  }
  EXPECT_EQ(Get("/api/v1/events").body["events"].size(), 0u);
  EXPECT_TRUE(EventsHeard().empty());
}

// The engine hears of each posted event as the store keeps it: merged with
// the deployment it inferred from telemetry.
TEST_F(AnalysisApiTest, PostedEventsReachTheEngineAsStored) {
  model::ChangeEvent inferred;
  inferred.id = "ev-tel";
  inferred.service = "writer";
  inferred.version = "v2";
  inferred.previous_version = "v1";
  inferred.time_ns = kT0;
  inferred.source = "telemetry";
  ASSERT_TRUE(store_->PutEvent(inferred).ok());
  Answer a = Post("/api/v1/events", R"({"service": "writer", "version": "v2", "time": 1700000030,
      "description": "release 2"})");
  ASSERT_EQ(a.status, 201u) << a.body.dump();
  const std::vector<model::ChangeEvent> heard = EventsHeard();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(model::ChangeEventToJson(heard[0]), a.body);
  EXPECT_EQ(heard[0].time_ns, kT0);
  EXPECT_EQ(heard[0].previous_version, "v1");
  EXPECT_EQ(heard[0].sources, (std::vector<std::string>{"telemetry", "api"}));
  auto stored = store_->GetEvent(heard[0].id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, heard[0]);
}

model::Insight MakeInsight(std::string id, std::string root, std::string other, uint64_t start, uint64_t end) {
  model::Insight in;
  in.id = std::move(id);
  in.name = "Latency of " + root;
  in.severity = "MEDIUM";
  in.status = end == 0 ? "ONGOING" : "CLOSED";
  in.start_ns = start;
  in.end_ns = end;
  in.detected_ns = start + kSecond;
  in.updated_ns = start + 2 * kSecond;
  in.revision = 3;
  in.root_cause = {root, "GET /", "", "latency", 0.75, {"it started first"}};
  in.anomalies = {{MakeAnomaly(in.id + "-a", root, start, end), "causal", "the root cause"}};
  if (!other.empty()) {
    in.anomalies.push_back({MakeAnomaly(in.id + "-b", other, start + kSecond, end), "contextual", "calls it"});
  }
  model::ChangeEvent e;
  e.id = "ev-" + in.id;
  e.service = root;
  e.time_ns = start - 10 * kSecond;
  e.version = "v2";
  e.source = "api";
  e.sources = {"api"};
  in.related_events = {e};
  in.recommendations = {{"Roll back", "Deploy v1 again", "v2 preceded it", {e.id}, {in.id + "-a"}}};
  in.log_snippets = {{start + kSecond, root, "ERROR", "timeout", "", "t1", "first error"}};
  in.summary = root + " slowed down.";
  return in;
}

TEST_F(AnalysisApiTest, ListsInsightsInTheOrderToAttendThem) {
  model::Insight weak = MakeInsight("in-a", "writer", "gateway", kT0, 0);
  model::Insight strong = MakeInsight("in-b", "db", "", kT0 + 20 * kSecond, 0);
  strong.anomalies[0].anomaly.score = 0.99;  // the strongest anomaly comes first, whatever its start
  model::Insight newest = MakeInsight("in-c", "gateway", "", kT0 + 30 * kSecond, 0);
  ASSERT_TRUE(store_->PutInsights({weak, strong, newest}).ok());

  EXPECT_EQ(Ids(Get("/api/v1/insights").body["insights"]), (std::vector<std::string>{"in-c", "in-b", "in-a"}));
  EXPECT_EQ(Ids(Get("/api/v1/insights?order=newest").body["insights"]),
            (std::vector<std::string>{"in-c", "in-b", "in-a"}));
  // in-b: the strongest anomaly; then in-a (two services) before in-c (one).
  EXPECT_EQ(Ids(Get("/api/v1/insights?order=attention").body["insights"]),
            (std::vector<std::string>{"in-b", "in-a", "in-c"}));
}

TEST_F(AnalysisApiTest, ListsAndGetsInsights) {
  const model::Insight closed = MakeInsight("in-a", "writer", "gateway", kT0, kT0 + 10 * kSecond);
  const model::Insight ongoing = MakeInsight("in-b", "db", "", kT0 + 20 * kSecond, 0);
  const model::Insight newest = MakeInsight("in-c", "gateway", "", kT0 + 30 * kSecond, 0);
  ASSERT_TRUE(store_->PutInsights({closed, ongoing, newest}).ok());

  Answer a = Get("/api/v1/insights");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(Ids(a.body["insights"]), (std::vector<std::string>{"in-c", "in-b", "in-a"}));
  EXPECT_EQ(a.body["insights"][2], model::InsightSummaryToJson(closed));
  EXPECT_EQ(a.body["insights"][2]["anomaly_count"], json(2));
  EXPECT_FALSE(a.body["insights"][2].contains("anomalies"));

  EXPECT_EQ(Ids(Get("/api/v1/insights?status=ONGOING").body["insights"]), (std::vector<std::string>{"in-c", "in-b"}));
  EXPECT_EQ(Ids(Get("/api/v1/insights?status=closed").body["insights"]), (std::vector<std::string>{"in-a"}));
  // A service matches the root cause's or any anomaly's.
  EXPECT_EQ(Ids(Get("/api/v1/insights?service=gateway").body["insights"]), (std::vector<std::string>{"in-c", "in-a"}));
  EXPECT_EQ(Ids(Get("/api/v1/insights?service=gateway&status=CLOSED").body["insights"]),
            (std::vector<std::string>{"in-a"}));
  EXPECT_EQ(Ids(Get("/api/v1/insights?limit=2").body["insights"]), (std::vector<std::string>{"in-c", "in-b"}));
  // Overlap: in-a ended at +10 s; the ongoing ones started at +20 s and +30 s.
  EXPECT_EQ(Ids(Get("/api/v1/insights?from=1700000011&to=1700000025").body["insights"]),
            (std::vector<std::string>{"in-b"}));
  EXPECT_EQ(Ids(Get("/api/v1/insights?to=2023-11-14T22:13:25Z").body["insights"]), (std::vector<std::string>{"in-a"}));

  a = Get("/api/v1/insights/in-a");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, model::InsightToJson(closed));
  EXPECT_EQ(a.body["anomalies"].size(), 2u);
  EXPECT_EQ(a.body["feedback"], json(nullptr));

  a = Get("/api/v1/insights/in-zzz");
  EXPECT_EQ(a.status, 404u);
  EXPECT_NE(a.body.value("error", "").find("in-zzz"), std::string::npos);
  for (const char* bad :
       {"/api/v1/insights?status=open", "/api/v1/insights?status=ANY", "/api/v1/insights?from=yesterday",
        "/api/v1/insights?limit=-1", "/api/v1/insights?from=20&to=10", "/api/v1/insights?order=severity"}) {
    a = Get(bad);
    EXPECT_EQ(a.status, 400u) << bad;
    EXPECT_TRUE(a.body.contains("error")) << bad;
  }
}

TEST_F(AnalysisApiTest, TakesFeedbackOnInsights) {
  const model::Insight in = MakeInsight("in-a", "writer", "", kT0, 0);
  ASSERT_TRUE(store_->PutInsights({in}).ok());

  Answer a = Put("/api/v1/insights/in-a/feedback", R"({"feedback": "TOO_SENSITIVE"})");
  ASSERT_EQ(a.status, 200u) << a.body.dump();
  model::Insight want = in;
  want.feedback = "TOO_SENSITIVE";
  EXPECT_EQ(a.body, model::InsightToJson(want));
  auto heard = FeedbackHeard();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].first, want);
  EXPECT_EQ(heard[0].second, "TOO_SENSITIVE");
  EXPECT_EQ(Get("/api/v1/insights/in-a").body["feedback"], json("TOO_SENSITIVE"));
  EXPECT_EQ(Get("/api/v1/insights").body["insights"][0]["feedback"], json("TOO_SENSITIVE"));

  ASSERT_EQ(Put("/api/v1/insights/in-a/feedback", R"({"feedback": "USEFUL", "comment": "thanks"})").status, 200u);
  a = Get("/api/v1/insights/in-a/feedback");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, json::parse(R"({"insight_id": "in-a", "feedback": [
      {"feedback": "TOO_SENSITIVE", "time": "2027-01-15T08:00:00Z"},
      {"feedback": "USEFUL", "time": "2027-01-15T08:00:00Z"}]})"));
  EXPECT_EQ(FeedbackHeard().size(), 2u);

  // A correlator rewrite keeps it.
  model::Insight rewritten = in;
  rewritten.revision = 9;
  ASSERT_TRUE(store_->PutInsights({rewritten}).ok());
  a = Get("/api/v1/insights/in-a");
  EXPECT_EQ(a.body["feedback"], json("USEFUL"));
  EXPECT_EQ(a.body["revision"], json(9));

  const std::pair<const char*, const char*> bad[] = {
      {R"({"feedback": "GREAT"})", "feedback must be"},
      {R"({"feedback": "useful"})", "feedback must be"},
      {R"({"feedback": ""})", "feedback must be"},
      {R"({"feedback": 1})", "the body must be"},
      {R"({"value": "USEFUL"})", "the body must be"},
      {R"(["USEFUL"])", "the body must be"},
      {R"("USEFUL")", "the body must be"},
      {"USEFUL", "not valid JSON"},
      {"", "not valid JSON"},
  };
  for (const auto& [body, error] : bad) {
    a = Put("/api/v1/insights/in-a/feedback", body);
    EXPECT_EQ(a.status, 400u) << body;
    EXPECT_NE(a.body.value("error", "").find(error), std::string::npos) << body << ": " << a.body.dump();
  }
  a = Put("/api/v1/insights/in-nope/feedback", R"({"feedback": "USEFUL"})");
  EXPECT_EQ(a.status, 404u);
  EXPECT_NE(a.body.value("error", "").find("in-nope"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/insights/in-nope/feedback").status, 404u);
  EXPECT_EQ(FeedbackHeard().size(), 2u);  // nothing refused reached the engine
  EXPECT_EQ(Get("/api/v1/insights/in-a/feedback").body["feedback"].size(), 2u);
}

TEST_F(AnalysisApiTest, ServesLogPatternsFromTheEngine) {
  Answer a = Get("/api/v1/logs/patterns?service=writer&from=1700000000&limit=5");
  ASSERT_EQ(a.status, 200u) << a.body.dump();
  ASSERT_EQ(a.body["patterns"].size(), 1u);
  const json& p = a.body["patterns"][0];
  EXPECT_EQ(p["service"], "writer");
  EXPECT_EQ(p["template_id"], "42");  // a string: 64-bit ids do not survive JavaScript numbers
  EXPECT_EQ(p["template"], "timeout writing item <*> to table <*>");
  EXPECT_EQ(p["count"], 12);
  EXPECT_EQ(p["first_seen"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(p["last_seen"], "2023-11-14T22:13:25Z");
  EXPECT_EQ(p["trend"], "new");
  EXPECT_EQ(Get("/api/v1/logs/patterns?from=yesterday").status, 400u);
  std::lock_guard lock(hooks_mu_);
  // No `to` reaches the engine as 0 (no end); the refused request never reached it.
  EXPECT_EQ(patterns_asked_, (std::vector<PatternsQuery>{{"writer", kT0, 0, 5}}));
}

TEST_F(AnalysisApiTest, RoutesNeedTheBearerToken) {
  ASSERT_TRUE(store_->PutInsights({MakeInsight("in-a", "writer", "", kT0, 0)}).ok());
  EXPECT_EQ(Send(bh::verb::get, "/api/v1/anomalies", "", "").status, 401u);
  EXPECT_EQ(Send(bh::verb::post, "/api/v1/events", R"({"service": "s"})", "wrong").status, 401u);
  EXPECT_EQ(Send(bh::verb::get, "/api/v1/insights", "", "").status, 401u);
  EXPECT_EQ(Send(bh::verb::get, "/api/v1/insights/in-a", "", "wrong").status, 401u);
  EXPECT_EQ(Send(bh::verb::put, "/api/v1/insights/in-a/feedback", R"({"feedback": "USEFUL"})", "").status, 401u);
  EXPECT_EQ(Get("/api/v1/events").body["events"].size(), 0u);
  EXPECT_EQ(Get("/api/v1/insights/in-a").body["feedback"], json(nullptr));
  EXPECT_TRUE(EventsHeard().empty());
  EXPECT_TRUE(FeedbackHeard().empty());
}

}  // namespace
}  // namespace augur::api
