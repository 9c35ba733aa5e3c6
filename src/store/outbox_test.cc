// The notification outbox through the Store (outbox.h, schema.cc).
#include "store/outbox.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/schema.h"
#include "store/store.h"
#include "store/temp_store_test.h"

namespace augur::store {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kWall = 1'800'000'000 * kSecond;

// A fresh data directory per test (temp_store_test.h).
class OutboxTest : public TempStoreTest {};

OutboxMessage Message(std::string id, std::string sink, uint64_t due = kWall) {
  OutboxMessage m;
  m.id = std::move(id);
  m.sink = std::move(sink);
  m.type = "NEW_INSIGHT";
  m.insight_id = "in-0000000000000001";
  m.body = R"({"id":")" + m.id + R"("})";
  m.created_unix_nano = kWall;
  m.next_attempt_unix_nano = due;
  return m;
}

std::vector<std::string> Ids(const std::vector<OutboxMessage>& messages) {
  std::vector<std::string> ids;
  for (const auto& m : messages) ids.push_back(m.id);
  return ids;
}

TEST_F(OutboxTest, QueuesInOrderPerSinkAndSkipsDuplicates) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Outbox& outbox = *store->outbox();
  auto first = outbox.Enqueue({}, {Message("m1", "ops"), Message("m1", "slack"), Message("m2", "ops")}, 100);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->queued, 3u);
  EXPECT_EQ(first->queued_per_sink, (std::map<std::string, uint64_t>{{"ops", 2}, {"slack", 1}}));
  // The same message again (derived again after a crash) is not queued twice.
  auto again = outbox.Enqueue({}, {Message("m2", "ops"), Message("m3", "ops")}, 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->queued, 1u);
  EXPECT_EQ(again->duplicate, 1u);

  auto ops = outbox.Pending("ops", 10);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(Ids(*ops), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_EQ((*ops)[0], Message("m1", "ops"));  // every field round-trips
  EXPECT_EQ(Ids(*outbox.Pending("ops", 2)), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(Ids(*outbox.Pending("slack", 10)), (std::vector<std::string>{"m1"}));
  EXPECT_EQ(*outbox.PendingCount(), 4u);

  ASSERT_TRUE(outbox.Delivered("m1", "ops").ok());
  EXPECT_EQ(Ids(*outbox.Pending("ops", 10)), (std::vector<std::string>{"m2", "m3"}));
  EXPECT_EQ(Ids(*outbox.Pending("slack", 10)), (std::vector<std::string>{"m1"}));
  EXPECT_EQ(*outbox.PendingCount(), 3u);
}

TEST_F(OutboxTest, RetryAndDeadRecordTheOutcome) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Outbox& outbox = *store->outbox();
  ASSERT_TRUE(outbox.Enqueue({}, {Message("m1", "ops"), Message("m2", "ops"), Message("m3", "slack")}, 100).ok());

  ASSERT_TRUE(outbox.Retry("m1", "ops", 1, kWall + 5 * kSecond, "HTTP 503").ok());
  auto ops = outbox.Pending("ops", 10);
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  EXPECT_EQ((*ops)[0].id, "m1");  // still first: a sink's messages keep their order
  EXPECT_EQ((*ops)[0].attempts, 1u);
  EXPECT_EQ((*ops)[0].next_attempt_unix_nano, kWall + 5 * kSecond);
  EXPECT_EQ((*ops)[0].last_error, "HTTP 503");

  auto backlog = outbox.Backlog();
  ASSERT_TRUE(backlog.ok());
  ASSERT_EQ(backlog->size(), 2u);
  for (const auto& b : *backlog) {
    if (b.sink == "ops") {
      EXPECT_EQ(b.pending, 2u);
      EXPECT_EQ(b.head_due_unix_nano, kWall + 5 * kSecond);  // the head's, not the earliest
    } else {
      EXPECT_EQ(b.sink, "slack");
      EXPECT_EQ(b.pending, 1u);
      EXPECT_EQ(b.head_due_unix_nano, kWall);
    }
  }

  ASSERT_TRUE(outbox.Dead("m1", "ops", 2, "HTTP 400: invalid_payload").ok());
  EXPECT_EQ(Ids(*outbox.Pending("ops", 10)), (std::vector<std::string>{"m2"}));
  auto dead = outbox.ListDead(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].id, "m1");
  EXPECT_EQ((*dead)[0].attempts, 2u);
  EXPECT_EQ((*dead)[0].last_error, "HTTP 400: invalid_payload");
  EXPECT_EQ(*outbox.PendingCount(), 2u);
  // A dead message is not queued again when it is derived again.
  auto again = outbox.Enqueue({}, {Message("m1", "ops")}, 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicate, 1u);
}

TEST_F(OutboxTest, BoundsPendingAndDeadRows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Outbox& outbox = *store->outbox();
  std::vector<OutboxMessage> many;
  for (int i = 0; i < 12; ++i) many.push_back(Message(Numbered("m", i), "ops"));
  auto result = outbox.Enqueue({}, many, 10);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->queued, 10u);
  EXPECT_EQ(result->refused, 2u);
  EXPECT_EQ(*outbox.PendingCount(), 10u);
  // The oldest were kept: the newest are refused.
  EXPECT_EQ(outbox.Pending("ops", 100)->back().id, "m9");

  // Dead rows do not count as pending, and only the newest kMaxDead stay.
  const int total = Outbox::kMaxDead + 15;
  std::vector<OutboxMessage> doomed;
  for (int i = 0; i < total; ++i) doomed.push_back(Message(Numbered("d", i), "slack"));
  ASSERT_EQ(outbox.Enqueue({}, doomed, total + 100)->queued, static_cast<uint64_t>(total));
  for (int i = 0; i < total; ++i) ASSERT_TRUE(outbox.Dead(Numbered("d", i), "slack", 3, "gone").ok());
  EXPECT_EQ(SqlInt("SELECT count(*) FROM notify_outbox WHERE dead = 1"), Outbox::kMaxDead);
  auto dead = outbox.ListDead(1);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ((*dead)[0].id, Numbered("d", total - 1));
  EXPECT_EQ(*outbox.PendingCount(), 10u);
}

TEST_F(OutboxTest, SeenRecordsAreReplacedAndBounded) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Outbox& outbox = *store->outbox();
  ASSERT_TRUE(outbox.Enqueue({{"in-a", "a1"}, {"in-b", "b1"}}, {}, 100).ok());
  ASSERT_TRUE(outbox.Enqueue({{"in-a", "a2"}}, {}, 100).ok());
  auto seen = outbox.LoadSeen({"in-a", "in-b", "in-c"});
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 2u);
  for (const auto& s : *seen) EXPECT_EQ(s.data, s.insight_id == "in-a" ? "a2" : "b1");

  // Beyond kMaxSeen, those written longest ago go; in-a (rewritten last
  // above) outlives in-b.
  std::vector<SeenInsight> filler;
  for (int i = 0; i < Outbox::kMaxSeen - 1; ++i) filler.push_back({"in-f" + std::to_string(i), "f"});
  ASSERT_TRUE(outbox.Enqueue(filler, {}, 100).ok());
  EXPECT_EQ(SqlInt("SELECT count(*) FROM notify_seen"), Outbox::kMaxSeen);
  seen = outbox.LoadSeen({"in-a", "in-b"});
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].insight_id, "in-a");
}

TEST_F(OutboxTest, SurvivesAReopen) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->outbox()->Enqueue({{"in-a", "a1"}}, {Message("m1", "ops"), Message("m2", "ops")}, 100).ok());
    ASSERT_TRUE(store->outbox()->Retry("m1", "ops", 4, kWall + kSecond, "timeout").ok());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto ops = store->outbox()->Pending("ops", 10);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(Ids(*ops), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ((*ops)[0].attempts, 4u);
  EXPECT_EQ(store->outbox()->LoadSeen({"in-a"})->size(), 1u);
}

TEST_F(OutboxTest, AVersion4FileGainsTheOutbox) {
  { ASSERT_NE(Open(), nullptr); }
  SqlExec("DROP TABLE notify_outbox; DROP TABLE notify_seen; PRAGMA user_version = 4;");
  ASSERT_EQ(SqlInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'notify%'"), 0);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SqlInt("PRAGMA user_version"), kSchemaVersion);
  EXPECT_TRUE(store->outbox()->Enqueue({{"in-a", "a1"}}, {Message("m1", "ops")}, 100).ok());
  EXPECT_EQ(*store->outbox()->PendingCount(), 1u);
}

}  // namespace
}  // namespace augur::store
