#include "notify/sink.h"

#include <gtest/gtest.h>

namespace augur::notify {
namespace {

config::NotificationSink ConfigSink(std::string name, std::string type, std::string url) {
  config::NotificationSink s;
  s.name = std::move(name);
  s.type = std::move(type);
  s.url = std::move(url);
  return s;
}

TEST(Sink, FiltersByTypeAndSeverity) {
  Sink all;
  for (int i = 0; i < kMessageTypeCount; ++i) {
    for (const char* severity : {"LOW", "MEDIUM", "HIGH"}) {
      EXPECT_TRUE(Accepts(all, static_cast<MessageType>(i), severity));
    }
  }
  Sink picky;
  picky.types =
      (1u << static_cast<int>(MessageType::kNewInsight)) | (1u << static_cast<int>(MessageType::kClosedInsight));
  picky.min_severity = model::SeverityRank("MEDIUM");
  EXPECT_TRUE(Accepts(picky, MessageType::kNewInsight, "MEDIUM"));
  EXPECT_TRUE(Accepts(picky, MessageType::kClosedInsight, "HIGH"));
  EXPECT_FALSE(Accepts(picky, MessageType::kNewInsight, "LOW"));
  EXPECT_FALSE(Accepts(picky, MessageType::kNewAnomalyAssociation, "HIGH"));
  EXPECT_FALSE(Accepts(picky, MessageType::kSeverityUpgraded, "HIGH"));
}

TEST(Sink, BuiltFromTheConfig) {
  config::NotificationsConfig c;
  c.sinks.push_back(ConfigSink("ops", "webhook", "http://127.0.0.1:9000/hook"));
  c.sinks.back().headers = {{"Authorization", "Bearer x"}};
  c.sinks.back().types = {"NEW_INSIGHT", "CLOSED_INSIGHT"};
  c.sinks.back().min_severity = "HIGH";
  c.sinks.push_back(ConfigSink("chat", "slack", "https://hooks.slack.com/services/T/B/x"));
  auto sinks = SinksFromConfig(c);
  ASSERT_TRUE(sinks.ok()) << sinks.status().ToString();
  ASSERT_EQ(sinks->size(), 2u);
  const Sink& ops = (*sinks)[0];
  EXPECT_EQ(ops.type, SinkType::kWebhook);
  EXPECT_EQ(ops.url.port, "9000");
  EXPECT_EQ(ops.headers.size(), 1u);
  EXPECT_TRUE(Accepts(ops, MessageType::kClosedInsight, "HIGH"));
  EXPECT_FALSE(Accepts(ops, MessageType::kClosedInsight, "MEDIUM"));
  EXPECT_FALSE(Accepts(ops, MessageType::kNewRecommendation, "HIGH"));
  const Sink& chat = (*sinks)[1];
  EXPECT_EQ(chat.type, SinkType::kSlack);
  EXPECT_TRUE(chat.url.tls);
  EXPECT_EQ(SinkTypeName(chat.type), "slack");
  EXPECT_EQ(SinkTypeName(ops.type), "webhook");

  for (auto broken : {ConfigSink("x", "pager", "http://h/"), ConfigSink("x", "webhook", "http://h:99999/")}) {
    config::NotificationsConfig bad;
    bad.sinks = {broken};
    auto result = SinksFromConfig(bad);
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.status().message().find("'x'"), std::string::npos) << result.status().ToString();
  }
  config::NotificationsConfig twice;
  twice.sinks = {ConfigSink("x", "webhook", "http://h/"), ConfigSink("x", "slack", "http://h/")};
  EXPECT_FALSE(SinksFromConfig(twice).ok());
  config::NotificationsConfig unknown_type;
  unknown_type.sinks = {ConfigSink("x", "webhook", "http://h/")};
  unknown_type.sinks[0].types = {"NEW_THING"};
  EXPECT_FALSE(SinksFromConfig(unknown_type).ok());
}

}  // namespace
}  // namespace augur::notify
