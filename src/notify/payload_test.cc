#include "notify/payload.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "model/insight_json.h"
#include "model/json.h"

namespace augur::notify {
namespace {

using nlohmann::json;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;

model::Insight Insight() {
  model::Insight in;
  in.id = "in-00000000000000a1";
  in.name = "p90 latency of POST /items on writer rose";
  in.severity = "HIGH";
  in.start_ns = kT0;
  in.detected_ns = kT0 + 30 * kSecond;
  in.updated_ns = kT0 + 90 * kSecond;
  in.revision = 2;
  in.root_cause = {"writer", "POST /items", "", "latency", 0.82, {"self time grew by 300 ms", "deployed 1 min before"}};
  in.summary = "Since 10:00 writer answers POST /items in 380 ms instead of 40 ms <after> deploy & co.";
  model::InsightAnomaly a;
  a.anomaly.id = "an-1";
  a.anomaly.series.service = "writer";
  a.anomaly.series.operation = "POST /items";
  a.anomaly.kind = "latency";
  a.anomaly.explanation = "p90 duration rose from 41 ms to 380 ms";
  a.role = "causal";
  in.anomalies = {a};
  in.recommendations = {
      {"Roll back deployment ev-1 of writer", "Deploy version 1 again.", "It preceded the rise.", {"ev-1"}, {"an-1"}}};
  return in;
}

Message NewInsight(const model::Insight& in) {
  return Derive(nullptr, in).at(0);
}

TEST(Payload, WebhookCarriesIdTypeTimeAndTheInsightSummary) {
  const model::Insight in = Insight();
  const Message m = NewInsight(in);
  const json j = WebhookPayload(m, in, "https://augur.example.com/");
  EXPECT_EQ(j["id"], m.id);
  EXPECT_EQ(j["type"], "NEW_INSIGHT");
  EXPECT_EQ(j["time"], FormatRfc3339(in.updated_ns));
  EXPECT_EQ(j["insight"], model::InsightSummaryToJson(in));
  EXPECT_EQ(j["url"], "https://augur.example.com/insights/in-00000000000000a1");
  EXPECT_FALSE(j.contains("anomaly"));
  EXPECT_FALSE(j.contains("recommendation"));
  EXPECT_FALSE(j.contains("previous_severity"));
  EXPECT_FALSE(WebhookPayload(m, in, "").contains("url"));
  // The body is that JSON.
  EXPECT_EQ(json::parse(RenderBody(SinkType::kWebhook, m, in, "https://augur.example.com")),
            WebhookPayload(m, in, "https://augur.example.com"));
}

TEST(Payload, WebhookCarriesWhatTheMessageIsAbout) {
  const model::Insight in = Insight();
  InsightMark before = MarkOf(in);
  before.revision = 1;
  before.severity = "LOW";
  before.anomaly_ids.clear();
  before.recommendations.clear();
  const auto messages = Derive(&before, in);
  ASSERT_EQ(messages.size(), 3u);

  const json upgraded = WebhookPayload(messages[0], in, "");
  EXPECT_EQ(upgraded["type"], "SEVERITY_UPGRADED");
  EXPECT_EQ(upgraded["previous_severity"], "LOW");
  EXPECT_EQ(upgraded["insight"]["severity"], "HIGH");

  const json association = WebhookPayload(messages[1], in, "");
  EXPECT_EQ(association["type"], "NEW_ANOMALY_ASSOCIATION");
  EXPECT_EQ(association["anomaly"], model::AnomalyToJson(in.anomalies[0].anomaly));

  const json recommendation = WebhookPayload(messages[2], in, "");
  EXPECT_EQ(recommendation["type"], "NEW_RECOMMENDATION");
  EXPECT_EQ(recommendation["recommendation"]["name"], "Roll back deployment ev-1 of writer");
  EXPECT_EQ(recommendation["recommendation"]["related_events"], json::array({"ev-1"}));
}

// Every text object in Slack's blocks, concatenated.
std::string SlackText(const json& j) {
  std::string all;
  for (const auto& block : j["blocks"]) {
    if (block.contains("text")) all += block["text"]["text"].get<std::string>() + "\n";
    if (block.contains("elements")) {
      for (const auto& e : block["elements"]) all += e["text"].get<std::string>() + "\n";
    }
  }
  return all;
}

TEST(Payload, SlackIsReadableAndEscaped) {
  const model::Insight in = Insight();
  const Message m = NewInsight(in);
  const json j = SlackPayload(m, in, "https://augur.example.com");
  ASSERT_TRUE(j["text"].is_string());
  EXPECT_NE(j["text"].get<std::string>().find("[HIGH] New insight: p90 latency"), std::string::npos) << j["text"];
  EXPECT_NE(j["text"].get<std::string>().find("<https://augur.example.com/insights/in-00000000000000a1|open>"),
            std::string::npos)
      << j["text"];
  ASSERT_TRUE(j["blocks"].is_array());
  EXPECT_EQ(j["blocks"][0]["type"], "header");
  EXPECT_EQ(j["blocks"][0]["text"]["type"], "plain_text");
  for (const auto& block : j["blocks"]) {
    const std::string type = block["type"];
    EXPECT_TRUE(type == "header" || type == "section" || type == "context") << type;
  }
  const std::string text = SlackText(j);
  EXPECT_NE(text.find("*Severity:* HIGH"), std::string::npos) << text;
  EXPECT_NE(text.find("*Root cause:* writer POST /items (latency, confidence 82%)"), std::string::npos) << text;
  EXPECT_NE(text.find("self time grew by 300 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("Roll back deployment ev-1 of writer"), std::string::npos) << text;
  EXPECT_NE(text.find("<https://augur.example.com/insights/in-00000000000000a1|"), std::string::npos) << text;
  EXPECT_NE(text.find(m.id), std::string::npos) << text;  // the message id, for support
  // The summary's < > & are escaped, never taken for links.
  EXPECT_NE(text.find("&lt;after&gt; deploy &amp; co."), std::string::npos) << text;
  EXPECT_EQ(text.find("<after>"), std::string::npos) << text;
  // Without public_url there is no link.
  EXPECT_EQ(SlackText(SlackPayload(m, in, "")).find("|Open"), std::string::npos);
}

TEST(Payload, SlackSaysWhatChanged) {
  model::Insight in = Insight();
  InsightMark before = MarkOf(in);
  before.revision = 1;
  before.anomaly_ids.clear();
  in.status = "CLOSED";
  in.end_ns = kT0 + 600 * kSecond;
  const auto messages = Derive(&before, in);
  ASSERT_EQ(messages.size(), 2u);
  const std::string association = SlackText(SlackPayload(messages[0], in, ""));
  EXPECT_NE(association.find("*New anomaly* (latency) on writer POST /items: p90 duration rose from 41 ms to 380 ms"),
            std::string::npos)
      << association;
  const json closed = SlackPayload(messages[1], in, "");
  EXPECT_EQ(closed["blocks"][0]["text"]["text"], "Insight closed: " + in.name);
  EXPECT_NE(SlackText(closed).find(FormatRfc3339(in.end_ns)), std::string::npos);
}

TEST(Payload, SlackLimitsAndBadUtf8) {
  model::Insight in = Insight();
  in.name = std::string(400, 'n');
  in.summary = std::string(5000, 's') + "\xff\xfe";
  const Message m = NewInsight(in);
  const json j = SlackPayload(m, in, "");
  EXPECT_LE(j["blocks"][0]["text"]["text"].get<std::string>().size(), 150u);
  for (const auto& block : j["blocks"]) {
    if (block["type"] == "section") {
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
    }
  }
  // Cut inside a multi-byte character: the cut backs off to its start.
  // ("New insight: " is 13 bytes; byte 147 is the second of the first é.)
  in.name = std::string(133, 'n') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";
  const std::string header = SlackPayload(m, in, "")["blocks"][0]["text"]["text"];
  EXPECT_EQ(header, "New insight: " + std::string(133, 'n') + "\u2026");
  EXPECT_NO_THROW(json(header).dump());  // valid UTF-8
  // Invalid UTF-8 from telemetry never makes rendering fail.
  in.summary = "bad \xff\xfe bytes";
  for (SinkType type : {SinkType::kWebhook, SinkType::kSlack}) {
    const std::string body = RenderBody(type, m, in, "");
    EXPECT_TRUE(json::accept(body)) << body;
  }
}

}  // namespace
}  // namespace augur::notify
