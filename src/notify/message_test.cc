#include "notify/message.h"

#include <gtest/gtest.h>

#include <set>

namespace augur::notify {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;

model::InsightAnomaly Anomaly(const std::string& id) {
  model::InsightAnomaly a;
  a.anomaly.id = id;
  a.anomaly.series.service = "writer";
  a.anomaly.kind = "latency";
  a.role = "causal";
  return a;
}

model::Recommendation Recommendation(const std::string& name) {
  model::Recommendation r;
  r.name = name;
  r.description = "do " + name;
  return r;
}

model::Insight Insight(uint32_t revision = 1) {
  model::Insight in;
  in.id = "in-00000000000000a1";
  in.name = "p90 latency of writer rose";
  in.severity = "MEDIUM";
  in.status = "ONGOING";
  in.start_ns = kT0;
  in.detected_ns = kT0 + 30 * kSecond;
  in.updated_ns = kT0 + revision * 60 * kSecond;
  in.revision = revision;
  in.anomalies = {Anomaly("an-1")};
  in.recommendations = {Recommendation("Roll back writer")};
  return in;
}

// "nt-" and 16 lower-case hex digits.
bool IsMessageId(const std::string& id) {
  return id.size() == 19 && id.starts_with("nt-") && id.find_first_not_of("0123456789abcdef", 3) == std::string::npos;
}

std::vector<MessageType> Types(const std::vector<Message>& messages) {
  std::vector<MessageType> out;
  for (const auto& m : messages) out.push_back(m.type);
  return out;
}

TEST(Message, TypeNamesRoundTrip) {
  std::set<std::string_view> names;
  for (int i = 0; i < kMessageTypeCount; ++i) {
    const auto type = static_cast<MessageType>(i);
    names.insert(MessageTypeName(type));
    EXPECT_EQ(MessageTypeFromName(MessageTypeName(type)), type);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kMessageTypeCount));
  EXPECT_EQ(MessageTypeName(MessageType::kNewAnomalyAssociation), "NEW_ANOMALY_ASSOCIATION");
  EXPECT_FALSE(MessageTypeFromName("new_insight").has_value());
  EXPECT_LT(model::SeverityRank("LOW"), model::SeverityRank("MEDIUM"));
  EXPECT_LT(model::SeverityRank("MEDIUM"), model::SeverityRank("HIGH"));
}

TEST(Message, FirstSightIsANewInsightOnly) {
  const model::Insight in = Insight();
  const auto messages = Derive(nullptr, in);
  ASSERT_EQ(Types(messages), (std::vector<MessageType>{MessageType::kNewInsight}));
  EXPECT_TRUE(IsMessageId(messages[0].id)) << messages[0].id;
  EXPECT_EQ(messages[0].time_ns, in.updated_ns);
  // Its anomalies and recommendations are part of it, not news of their own.
  EXPECT_FALSE(messages[0].anomaly.has_value());
  EXPECT_FALSE(messages[0].recommendation.has_value());
}

TEST(Message, AnInsightFirstSeenClosedIsNewAndClosed) {
  model::Insight in = Insight(3);
  in.status = "CLOSED";
  in.end_ns = in.updated_ns;
  EXPECT_EQ(Types(Derive(nullptr, in)),
            (std::vector<MessageType>{MessageType::kNewInsight, MessageType::kClosedInsight}));
}

TEST(Message, ComparesWithThePreviousRevision) {
  const model::Insight first = Insight(1);
  const InsightMark mark = MarkOf(first);
  model::Insight next = Insight(2);
  next.severity = "HIGH";
  next.anomalies.push_back(Anomaly("an-2"));
  next.anomalies.push_back(Anomaly("an-3"));
  next.recommendations.push_back(Recommendation("Scale out writer"));
  next.status = "CLOSED";
  const auto messages = Derive(&mark, next);
  ASSERT_EQ(Types(messages),
            (std::vector<MessageType>{MessageType::kSeverityUpgraded, MessageType::kNewAnomalyAssociation,
                                      MessageType::kNewAnomalyAssociation, MessageType::kNewRecommendation,
                                      MessageType::kClosedInsight}));
  EXPECT_EQ(messages[0].previous_severity, "MEDIUM");
  EXPECT_EQ(messages[1].anomaly->id, "an-2");
  EXPECT_EQ(messages[2].anomaly->id, "an-3");
  EXPECT_EQ(messages[3].recommendation->name, "Scale out writer");
  for (const auto& m : messages) EXPECT_EQ(m.time_ns, next.updated_ns);
  std::set<std::string> ids;
  for (const auto& m : messages) ids.insert(m.id);
  EXPECT_EQ(ids.size(), messages.size());
}

TEST(Message, QuietRevisionsGiveNothing) {
  const model::Insight first = Insight(1);
  const InsightMark mark = MarkOf(first);
  // A new revision that changed only what is not news: the name, a
  // lower severity, a dropped anomaly.
  model::Insight next = Insight(2);
  next.name = "renamed";
  next.severity = "LOW";
  next.anomalies.clear();
  EXPECT_TRUE(Derive(&mark, next).empty());
  // A revision no newer than the one seen: a repeated write.
  model::Insight same = Insight(1);
  same.severity = "HIGH";
  same.status = "CLOSED";
  EXPECT_TRUE(Derive(&mark, same).empty());
  // Closed stays closed: no second CLOSED_INSIGHT.
  model::Insight closed = Insight(2);
  closed.status = "CLOSED";
  const InsightMark closed_mark = MarkOf(closed);
  model::Insight later = Insight(3);
  later.status = "CLOSED";
  EXPECT_TRUE(Derive(&closed_mark, later).empty());
}

TEST(Message, IdsAreStableAndDistinct) {
  const model::Insight in = Insight(1);
  EXPECT_EQ(Derive(nullptr, in)[0].id, Derive(nullptr, Insight(5))[0].id);  // one NEW_INSIGHT per insight
  model::Insight other = in;
  other.id = "in-00000000000000b2";
  EXPECT_NE(Derive(nullptr, in)[0].id, Derive(nullptr, other)[0].id);

  const InsightMark mark = MarkOf(in);
  model::Insight next = Insight(2);
  next.anomalies.push_back(Anomaly("an-2"));
  const std::string association = Derive(&mark, next)[0].id;
  model::Insight again = Insight(3);  // the same anomaly, seen from an older mark again
  again.anomalies.push_back(Anomaly("an-2"));
  EXPECT_EQ(Derive(&mark, again)[0].id, association);
  // Severity upgrades are told apart by revision: LOW→MEDIUM can happen twice.
  model::Insight up = Insight(2);
  up.severity = "HIGH";
  model::Insight up_later = Insight(4);
  up_later.severity = "HIGH";
  EXPECT_NE(Derive(&mark, up)[0].id, Derive(&mark, up_later)[0].id);
}

TEST(Message, ItemMessagesAreBoundedPerRevision) {
  const InsightMark mark = MarkOf(Insight(1));
  model::Insight next = Insight(2);
  next.anomalies.push_back(Anomaly("an-x0"));  // listed twice, announced once
  for (int i = 0; i < 25; ++i) next.anomalies.push_back(Anomaly("an-x" + std::to_string(i)));
  const auto messages = Derive(&mark, next);
  ASSERT_EQ(messages.size(), kMaxItemMessages);
  for (size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(messages[i].anomaly->id, "an-x" + std::to_string(i));
}

TEST(Message, MarksRoundTripAndAreBounded) {
  model::Insight in = Insight(7);
  for (int i = 0; i < 300; ++i) in.anomalies.push_back(Anomaly("an-" + std::to_string(1000 + i)));
  const InsightMark mark = MarkOf(in);
  EXPECT_EQ(mark.revision, 7u);
  EXPECT_EQ(mark.severity, "MEDIUM");
  EXPECT_EQ(mark.status, "ONGOING");
  EXPECT_EQ(mark.anomaly_ids.size(), kMaxMarkedIds);
  EXPECT_TRUE(std::is_sorted(mark.anomaly_ids.begin(), mark.anomaly_ids.end()));
  EXPECT_EQ(mark.recommendations, (std::vector<std::string>{"Roll back writer"}));
  auto decoded = DecodeMark(EncodeMark(mark));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, mark);
  EXPECT_FALSE(DecodeMark("").ok());
  EXPECT_FALSE(DecodeMark("[1]").ok());
  EXPECT_FALSE(
      DecodeMark(R"({"revision":"x","severity":"LOW","status":"ONGOING","anomalies":[],"recommendations":[]})").ok());

  // A full mark announces no more anomalies: it cannot tell new from forgotten.
  model::Insight next = in;
  next.revision = 8;
  next.anomalies.push_back(Anomaly("an-0000"));
  EXPECT_TRUE(Derive(&mark, next).empty());
}

}  // namespace
}  // namespace augur::notify
