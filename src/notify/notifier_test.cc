// The Notifier end to end: a real store in a temporary directory, real
// HTTP to a local receiver.
#include "notify/notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "notify/test_receiver.h"

namespace augur::notify {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::Received;
using testing::Receiver;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;

model::Insight MakeInsight(const std::string& id, uint32_t revision, const std::string& severity = "HIGH") {
  model::Insight in;
  in.id = id;
  in.name = "latency of writer rose";
  in.severity = severity;
  in.start_ns = kT0;
  in.detected_ns = kT0 + 30 * kSecond;
  in.updated_ns = kT0 + revision * 60 * kSecond;
  in.revision = revision;
  in.root_cause.service = "writer";
  in.summary = "writer is slow";
  model::InsightAnomaly a;
  a.anomaly.id = "an-" + id;
  a.anomaly.series.service = "writer";
  in.anomalies = {a};
  return in;
}

http::Response Status200() {
  return {200, "text/plain", "ok", {}};
}
http::Response Status503() {
  return {503, "text/plain", "busy", {}};
}

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_notifier_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(receiver_.start_status().ok()) << receiver_.start_status().ToString();
    OpenStore();
  }
  void TearDown() override {
    notifier_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void OpenStore() {
    auto store = store::Store::Open({dir_, 0, 0});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  Sink MakeSink(const std::string& name, SinkType type, const std::string& path) {
    Sink sink;
    sink.name = name;
    sink.type = type;
    auto url = ParseHttpUrl(receiver_.Url(path));
    EXPECT_TRUE(url.ok());
    sink.url = *url;
    return sink;
  }

  // Fast retries, so the tests take milliseconds.
  NotifierOptions Options(std::vector<Sink> sinks) {
    NotifierOptions o;
    o.sinks = std::move(sinks);
    o.public_url = "https://augur.example.com";
    o.retry.initial_delay = milliseconds(20);
    o.retry.max_delay = milliseconds(100);
    o.retry.max_attempts = 5;
    o.timeout = milliseconds(5000);
    return o;
  }

  void Start(NotifierOptions options) {
    notifier_ = std::make_unique<Notifier>(store_.get(), &metrics_, std::move(options));
    const Status s = notifier_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Stores the insights and tells the notifier, as the analysis stage does.
  void Write(const std::vector<model::Insight>& insights) {
    ASSERT_TRUE(store_->PutInsights(insights).ok());
    notifier_->OnInsights(insights);
  }

  uint64_t Counter(const std::string& name, const std::string& type = "webhook") {
    return metrics_.GetCounter(name, "", {{"sink_type", type}}).value();
  }
  double Depth() { return metrics_.GetGauge("augur_notify_outbox_depth", "").value(); }

  // Waits (bounded) until the outbox has no pending message.
  bool WaitDrained() {
    for (int i = 0; i < 500; ++i) {
      if (*store_->outbox()->PendingCount() == 0) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  std::string dir_;
  Receiver receiver_;
  selfmon::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, DeliversToAWebhookAndASlackSink) {
  Start(Options({MakeSink("ops", SinkType::kWebhook, "/hook"), MakeSink("chat", SinkType::kSlack, "/slack")}));
  Write({MakeInsight("in-1", 1)});
  const auto got = receiver_.WaitFor(2);
  ASSERT_EQ(got.size(), 2u);
  const Received& hook = got[0].path == "/hook" ? got[0] : got[1];
  const Received& slack = got[0].path == "/hook" ? got[1] : got[0];
  const json webhook = json::parse(hook.body);
  EXPECT_EQ(webhook["type"], "NEW_INSIGHT");
  EXPECT_EQ(webhook["insight"]["id"], "in-1");
  EXPECT_EQ(webhook["url"], "https://augur.example.com/insights/in-1");
  EXPECT_EQ(hook.Header("idempotency-key"), webhook["id"]);
  EXPECT_EQ(hook.Header("x-augur-message-type"), "NEW_INSIGHT");
  const json s = json::parse(slack.body);
  EXPECT_TRUE(s["text"].is_string());
  EXPECT_TRUE(s["blocks"].is_array());
  EXPECT_EQ(slack.Header("idempotency-key"), webhook["id"]);  // one message, one id, whatever the sink

  ASSERT_TRUE(WaitDrained());
  EXPECT_EQ(Counter("augur_notify_messages_enqueued_total"), 1u);
  EXPECT_EQ(Counter("augur_notify_messages_delivered_total"), 1u);
  EXPECT_EQ(Counter("augur_notify_messages_enqueued_total", "slack"), 1u);
  EXPECT_EQ(Counter("augur_notify_messages_delivered_total", "slack"), 1u);
  EXPECT_EQ(Counter("augur_notify_delivery_failures_total"), 0u);

  // The same revision again (a repeated write) is not news; the next one is.
  notifier_->OnInsights({MakeInsight("in-1", 1)});
  model::Insight closed = MakeInsight("in-1", 2);
  closed.status = "CLOSED";
  closed.end_ns = kT0 + 300 * kSecond;
  Write({closed});
  const auto more = receiver_.WaitFor(4);
  ASSERT_EQ(more.size(), 4u);
  for (size_t i = 2; i < 4; ++i) {
    const json body = json::parse(more[i].body);
    if (more[i].path == "/hook") {
      EXPECT_EQ(body["type"], "CLOSED_INSIGHT");
    } else {
      EXPECT_EQ(body["blocks"][0]["text"]["text"], "Insight closed: " + closed.name);
    }
  }
  ASSERT_TRUE(WaitDrained());
  EXPECT_EQ(Depth(), 0);
}

TEST_F(NotifierTest, SinksGetOnlyWhatTheirFiltersLetThrough) {
  Sink picky = MakeSink("picky", SinkType::kWebhook, "/hook");
  picky.types = 1u << static_cast<int>(MessageType::kNewInsight);
  picky.min_severity = model::SeverityRank("HIGH");
  Start(Options({picky}));
  Write({MakeInsight("in-low", 1, "LOW"), MakeInsight("in-high", 1, "HIGH")});
  model::Insight closed = MakeInsight("in-high", 2);
  closed.status = "CLOSED";
  Write({closed});
  ASSERT_TRUE(WaitDrained());
  const auto got = receiver_.Got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json::parse(got[0].body)["insight"]["id"], "in-high");
  EXPECT_EQ(json::parse(got[0].body)["type"], "NEW_INSIGHT");
}

TEST_F(NotifierTest, RetriesWithBackoffAndKeepsTheOrder) {
  receiver_.SetAnswer([](const Received&, size_t n) { return n < 3 ? Status503() : Status200(); });
  Start(Options({MakeSink("ops", SinkType::kWebhook, "/hook")}));
  Write({MakeInsight("in-1", 1), MakeInsight("in-2", 1)});
  const auto got = receiver_.WaitFor(5);
  ASSERT_EQ(got.size(), 5u);
  // The first message four times (three refusals, then accepted), the same
  // id every time; the second only after it.
  const std::string first = json::parse(got[0].body)["id"];
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(json::parse(got[i].body)["id"], first) << i;
  EXPECT_EQ(json::parse(got[0].body)["insight"]["id"], "in-1");
  EXPECT_EQ(json::parse(got[4].body)["insight"]["id"], "in-2");
  ASSERT_TRUE(WaitDrained());
  EXPECT_EQ(Counter("augur_notify_delivery_failures_total"), 3u);
  EXPECT_EQ(Counter("augur_notify_messages_delivered_total"), 2u);
  EXPECT_EQ(Counter("augur_notify_messages_dead_total"), 0u);
}

TEST_F(NotifierTest, GivesUpAfterMaxAttemptsOrARefusalAndGoesOn) {
  // in-doomed always fails, in-refused is refused for good, in-ok passes.
  receiver_.SetAnswer([](const Received& r, size_t) {
    if (r.body.find("in-doomed") != std::string::npos) return Status503();
    if (r.body.find("in-refused") != std::string::npos) return http::Response{400, "text/plain", "bad", {}};
    return Status200();
  });
  NotifierOptions options = Options({MakeSink("ops", SinkType::kWebhook, "/hook")});
  options.retry.max_attempts = 3;
  Start(std::move(options));
  Write({MakeInsight("in-doomed", 1), MakeInsight("in-refused", 1), MakeInsight("in-ok", 1)});
  ASSERT_TRUE(WaitDrained());
  std::map<std::string, int> attempts;
  for (const auto& r : receiver_.Got()) ++attempts[json::parse(r.body)["insight"]["id"]];
  EXPECT_EQ(attempts["in-doomed"], 3);
  EXPECT_EQ(attempts["in-refused"], 1);
  EXPECT_EQ(attempts["in-ok"], 1);
  auto dead = store_->outbox()->ListDead(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  std::set<std::string> errors;
  for (const auto& d : *dead) errors.insert(d.last_error);
  EXPECT_EQ(errors, (std::set<std::string>{"HTTP 503: busy", "HTTP 400: bad"}));
  EXPECT_EQ(Counter("augur_notify_messages_dead_total"), 2u);
  EXPECT_EQ(Counter("augur_notify_delivery_failures_total"), 4u);
  EXPECT_EQ(Counter("augur_notify_messages_delivered_total"), 1u);
}

TEST_F(NotifierTest, ARestartLosesNothingAndRepeatsNothing) {
  receiver_.SetAnswer([](const Received&, size_t) { return Status503(); });
  NotifierOptions options = Options({MakeSink("ops", SinkType::kWebhook, "/hook")});
  options.retry.max_attempts = 1000;
  Start(options);
  Write({MakeInsight("in-1", 1)});
  receiver_.WaitFor(2);  // it is being retried
  notifier_.reset();
  // Stored but never seen by a notifier: augur stopped between the two.
  ASSERT_TRUE(store_->PutInsights({MakeInsight("in-2", 1)}).ok());
  model::Insight old = MakeInsight("in-old", 4);
  old.status = "CLOSED";
  ASSERT_TRUE(store_->PutInsights({old}).ok());
  store_.reset();

  OpenStore();
  const size_t before = receiver_.Got().size();
  receiver_.SetAnswer([](const Received&, size_t) { return Status200(); });
  Start(options);
  ASSERT_TRUE(WaitDrained());
  const auto got = receiver_.Got();
  std::vector<std::string> delivered;
  for (size_t i = before; i < got.size(); ++i) delivered.push_back(json::parse(got[i].body)["insight"]["id"]);
  // in-1's message survived, in-2's was caught up with; history (in-old,
  // already closed) was not replayed.
  EXPECT_EQ(delivered, (std::vector<std::string>{"in-1", "in-2"}));
  const std::string first_id = json::parse(got.front().body)["id"];
  EXPECT_EQ(json::parse(got[before].body)["id"], first_id);

  // What was seen before the restart is remembered after it.
  notifier_->OnInsights({MakeInsight("in-1", 1), MakeInsight("in-2", 1)});
  notifier_.reset();
  Start(options);
  ASSERT_TRUE(WaitDrained());
  EXPECT_EQ(receiver_.Got().size(), got.size());
}

TEST_F(NotifierTest, MessagesForARemovedSinkAreGivenUp) {
  receiver_.SetAnswer([](const Received&, size_t) { return Status503(); });
  NotifierOptions options = Options({MakeSink("old", SinkType::kWebhook, "/hook")});
  options.retry.max_attempts = 1000;
  Start(options);
  Write({MakeInsight("in-1", 1)});
  receiver_.WaitFor(1);
  notifier_.reset();
  receiver_.SetAnswer([](const Received&, size_t) { return Status200(); });
  Start(Options({MakeSink("new", SinkType::kWebhook, "/hook")}));
  EXPECT_EQ(*store_->outbox()->PendingCount(), 0u);
  auto dead = store_->outbox()->ListDead(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].sink, "old");
  EXPECT_NE((*dead)[0].last_error.find("no longer configured"), std::string::npos);
}

TEST_F(NotifierTest, StopDoesNotWaitForAHangingReceiver) {
  receiver_.SetAnswer([](const Received&, size_t) { return http::Response{0, "", "", {}}; });
  NotifierOptions options = Options({MakeSink("ops", SinkType::kWebhook, "/hook")});
  options.timeout = milliseconds(30'000);
  Start(options);
  Write({MakeInsight("in-1", 1)});
  receiver_.WaitFor(1);
  const auto start = std::chrono::steady_clock::now();
  notifier_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  // Not an attempt: it stays queued, untouched.
  auto pending = store_->outbox()->Pending("ops", 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].attempts, 0u);
  EXPECT_EQ(Counter("augur_notify_delivery_failures_total"), 0u);
}

TEST_F(NotifierTest, AFullOutboxRefusesAndCounts) {
  receiver_.SetAnswer([](const Received&, size_t) { return http::Response{0, "", "", {}}; });
  NotifierOptions options = Options({MakeSink("ops", SinkType::kWebhook, "/hook")});
  options.max_pending = 2;
  Start(options);
  Write({MakeInsight("in-1", 1), MakeInsight("in-2", 1), MakeInsight("in-3", 1)});
  EXPECT_EQ(metrics_.GetCounter("augur_notify_messages_refused_total", "").value(), 1u);
  EXPECT_EQ(Counter("augur_notify_messages_enqueued_total"), 2u);
  EXPECT_EQ(*store_->outbox()->PendingCount(), 2u);
  notifier_->Stop();
}

TEST_F(NotifierTest, WithoutSinksItDoesNothing) {
  Start(Options({}));
  EXPECT_FALSE(notifier_->enabled());
  Write({MakeInsight("in-1", 1)});
  EXPECT_EQ(*store_->outbox()->PendingCount(), 0u);
  EXPECT_TRUE(store_->outbox()->LoadSeen({"in-1"})->empty());
}

TEST(NotifierOptions, ComeFromTheConfig) {
  config::Config c;
  c.public_url = "https://augur.example.com";
  c.notifications.max_attempts = 4;
  c.notifications.max_age_seconds = 600;
  c.notifications.timeout_seconds = 3;
  c.notifications.max_backoff_seconds = 20;
  config::NotificationSink s;
  s.name = "ops";
  s.type = "slack";
  s.url = "https://hooks.example.com/x";
  c.notifications.sinks = {s};
  auto options = NotifierOptionsFromConfig(c);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->sinks.size(), 1u);
  EXPECT_EQ(options->public_url, "https://augur.example.com");
  EXPECT_EQ(options->retry.max_attempts, 4u);
  EXPECT_EQ(options->retry.max_age, milliseconds(600'000));
  EXPECT_EQ(options->timeout, milliseconds(3000));
  EXPECT_EQ(options->retry.max_delay, milliseconds(20'000));
  EXPECT_EQ(options->retry.initial_delay, milliseconds(1000));
  c.notifications.sinks[0].url = "https://";
  EXPECT_FALSE(NotifierOptionsFromConfig(c).ok());
}

}  // namespace
}  // namespace augur::notify
