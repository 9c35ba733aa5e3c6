// Outbox: the durable queue of notifications (src/notify/), in the store's
// database, and the notifier's memory of the insights it has seen.
//
// The notifier derives messages from each insight revision the analysis
// writes and hands them here together with what it now remembers of those
// insights (Enqueue, one transaction): either both are durable or neither
// is, so a restart neither loses a message nor derives it twice. Its sender
// thread then reads each sink's pending messages in the order they were
// queued (Pending), and records each attempt's outcome: Delivered deletes
// the row, Retry schedules the next attempt, Dead gives up on it.
//
// Bounds: pending messages are capped by Enqueue's `max_pending` (the
// newest are refused and counted when the outbox is full, e.g. while a sink
// is down for long); dead rows are kept for inspection, the newest kMaxDead;
// remembered insights, the kMaxSeen written last.
//
// The outbox has its own write connection (the analysis thread enqueues,
// the sender thread delivers; neither waits for the other's SQL longer than
// a statement), serialized by a mutex. Like the other writers it waits for
// the ingest writer's transaction at most the busy timeout (schema.cc).
//
// Times are the wall clock (Unix ns): delivery is about when a receiver
// was reachable, not about telemetry.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sqlite_util.h"

namespace augur::store {

struct OutboxMessage {
  std::string id;    // the receivers' deduplication key; one message to several sinks keeps its id
  std::string sink;  // sink name
  std::string type;  // NEW_INSIGHT, ...
  std::string insight_id;
  std::string body;  // the HTTP body, as the sink receives it
  uint64_t created_unix_nano = 0;
  uint32_t attempts = 0;  // failed attempts so far
  uint64_t next_attempt_unix_nano = 0;
  std::string last_error;  // "" until an attempt failed
  bool operator==(const OutboxMessage&) const = default;
};

// What the notifier remembers of one insight; `data` is its own encoding.
struct SeenInsight {
  std::string insight_id;
  std::string data;
  bool operator==(const SeenInsight&) const = default;
};

struct EnqueueResult {
  uint64_t queued = 0;                              // new rows
  std::map<std::string, uint64_t> queued_per_sink;  // the same, by sink
  uint64_t duplicate = 0;                           // (id, sink) is there already, pending or dead
  uint64_t refused = 0;                             // the outbox was full
};

// Pending messages of one sink: how many, and when its first (oldest) one
// is due.
struct SinkBacklog {
  std::string sink;
  uint64_t pending = 0;
  uint64_t head_due_unix_nano = 0;
};

class Outbox {
 public:
  static constexpr int kMaxDead = 1000;
  static constexpr int kMaxSeen = 10'000;

  // Opens a connection to the database at `path`, whose schema the
  // ingest writer's connection has created (schema.h).
  static StatusOr<std::unique_ptr<Outbox>> Open(const std::string& path);

  // In one transaction: replaces the seen records (by insight id; the
  // oldest beyond kMaxSeen are then deleted) and queues the messages,
  // skipping those whose (id, sink) is already there and refusing those
  // that would take the pending count over `max_pending`.
  StatusOr<EnqueueResult> Enqueue(const std::vector<SeenInsight>& seen, const std::vector<OutboxMessage>& messages,
                                  size_t max_pending);

  // The seen records of these insights (those there are, in no order).
  StatusOr<std::vector<SeenInsight>> LoadSeen(const std::vector<std::string>& insight_ids);

  // The oldest `limit` pending messages of `sink`, in the order they were queued.
  StatusOr<std::vector<OutboxMessage>> Pending(const std::string& sink, size_t limit);
  // Every sink with pending messages.
  StatusOr<std::vector<SinkBacklog>> Backlog();
  StatusOr<uint64_t> PendingCount();

  // The outcome of an attempt to send the message (id, sink).
  Status Delivered(const std::string& id, const std::string& sink);
  Status Retry(const std::string& id, const std::string& sink, uint32_t attempts, uint64_t next_attempt_unix_nano,
               const std::string& error);
  // Marks it dead; the oldest dead rows beyond kMaxDead are deleted.
  Status Dead(const std::string& id, const std::string& sink, uint32_t attempts, const std::string& error);

  // The newest `limit` dead messages, newest first (for inspection and tests).
  StatusOr<std::vector<OutboxMessage>> ListDead(size_t limit);

 private:
  explicit Outbox(Db db) : db_(std::move(db)) {}
  Status Prepare();
  StatusOr<std::vector<OutboxMessage>> ReadMessages(Stmt& stmt);

  std::mutex mu_;
  Db db_;  // guarded by mu_, as are the statements
  Stmt put_seen_, trim_seen_, get_seen_, count_pending_, insert_message_, pending_, backlog_, delete_message_, retry_,
      dead_, trim_dead_, list_dead_;
};

}  // namespace augur::store
