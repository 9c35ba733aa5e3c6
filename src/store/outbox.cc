#include "store/outbox.h"

#include <utility>

#include "store/schema.h"

namespace augur::store {
namespace {

#define AUGUR_OUTBOX_COLUMNS "id, sink, type, insight_id, body, created, attempts, next_attempt, last_error"

// A new seen record goes after every other one, so `seq` orders them by
// their last write.
constexpr const char* kPutSeen =
    "INSERT OR REPLACE INTO notify_seen (insight_id, seq, data) "
    "VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM notify_seen), ?2)";
// All but the newest ?1 (walks the unique index on seq).
constexpr const char* kTrimSeen =
    "DELETE FROM notify_seen WHERE seq <= (SELECT seq FROM notify_seen ORDER BY seq DESC LIMIT 1 OFFSET ?1)";
constexpr const char* kGetSeen = "SELECT data FROM notify_seen WHERE insight_id = ?1";
// Counts the partial index of pending rows.
constexpr const char* kCountPending = "SELECT count(*) FROM notify_outbox WHERE dead = 0";
constexpr const char* kInsertMessage = "INSERT OR IGNORE INTO notify_outbox (" AUGUR_OUTBOX_COLUMNS
                                       ", dead) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)";
constexpr const char* kPending =
    "SELECT " AUGUR_OUTBOX_COLUMNS " FROM notify_outbox WHERE sink = ?1 AND dead = 0 ORDER BY seq LIMIT ?2";
// One row per sink; SQLite takes the bare column next_attempt from the row
// holding min(seq), i.e. the sink's oldest pending message.
constexpr const char* kBacklog =
    "SELECT sink, count(*), min(seq), next_attempt FROM notify_outbox WHERE dead = 0 GROUP BY sink";
constexpr const char* kDeleteMessage = "DELETE FROM notify_outbox WHERE id = ?1 AND sink = ?2";
constexpr const char* kRetry =
    "UPDATE notify_outbox SET attempts = ?3, next_attempt = ?4, last_error = ?5 WHERE id = ?1 AND sink = ?2";
constexpr const char* kDead =
    "UPDATE notify_outbox SET attempts = ?3, last_error = ?4, dead = 1 WHERE id = ?1 AND sink = ?2";
constexpr const char* kTrimDead =
    "DELETE FROM notify_outbox WHERE dead = 1 AND seq <= "
    "(SELECT seq FROM notify_outbox WHERE dead = 1 ORDER BY seq DESC LIMIT 1 OFFSET ?1)";
constexpr const char* kListDead =
    "SELECT " AUGUR_OUTBOX_COLUMNS " FROM notify_outbox WHERE dead = 1 ORDER BY seq DESC LIMIT ?1";

#undef AUGUR_OUTBOX_COLUMNS

OutboxMessage ReadMessage(const Stmt& st) {
  OutboxMessage m;
  m.id = st.ColumnText(0);
  m.sink = st.ColumnText(1);
  m.type = st.ColumnText(2);
  m.insight_id = st.ColumnText(3);
  m.body = st.ColumnText(4);
  m.created_unix_nano = st.ColumnUint(5);
  m.attempts = static_cast<uint32_t>(st.ColumnInt(6));
  m.next_attempt_unix_nano = st.ColumnUint(7);
  m.last_error = st.ColumnText(8);
  return m;
}

}  // namespace

StatusOr<std::unique_ptr<Outbox>> Outbox::Open(const std::string& path) {
  auto db = OpenAnalysisWriteConnection(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<Outbox> outbox(new Outbox(std::move(*db)));
  if (Status s = outbox->Prepare(); !s.ok()) return s;
  return outbox;
}

Status Outbox::Prepare() {
  const std::pair<Stmt*, const char*> statements[] = {
      {&put_seen_, kPutSeen},
      {&trim_seen_, kTrimSeen},
      {&get_seen_, kGetSeen},
      {&count_pending_, kCountPending},
      {&insert_message_, kInsertMessage},
      {&pending_, kPending},
      {&backlog_, kBacklog},
      {&delete_message_, kDeleteMessage},
      {&retry_, kRetry},
      {&dead_, kDead},
      {&trim_dead_, kTrimDead},
      {&list_dead_, kListDead},
  };
  for (const auto& [stmt, sql] : statements) {
    auto prepared = Stmt::Prepare(db_.get(), sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return Status::OK();
}

StatusOr<EnqueueResult> Outbox::Enqueue(const std::vector<SeenInsight>& seen,
                                        const std::vector<OutboxMessage>& messages, size_t max_pending) {
  EnqueueResult result;
  if (seen.empty() && messages.empty()) return result;
  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  for (const SeenInsight& s : seen) {
    put_seen_.BindText(1, s.insight_id);
    put_seen_.BindText(2, s.data);
    if (Status st = put_seen_.Run(); !st.ok()) return st;
  }
  if (!seen.empty()) {
    trim_seen_.BindInt(1, kMaxSeen);
    if (Status st = trim_seen_.Run(); !st.ok()) return st;
  }
  uint64_t pending = 0;
  {
    ResetOnExit reset(count_pending_);
    auto row = count_pending_.Step();
    if (!row.ok()) return row.status();
    pending = static_cast<uint64_t>(count_pending_.ColumnInt(0));
  }
  for (const OutboxMessage& m : messages) {
    if (pending >= max_pending) {
      ++result.refused;
      continue;
    }
    insert_message_.BindText(1, m.id);
    insert_message_.BindText(2, m.sink);
    insert_message_.BindText(3, m.type);
    insert_message_.BindText(4, m.insight_id);
    insert_message_.BindText(5, m.body);
    insert_message_.BindUint(6, m.created_unix_nano);
    insert_message_.BindInt(7, m.attempts);
    insert_message_.BindUint(8, m.next_attempt_unix_nano);
    insert_message_.BindText(9, m.last_error);
    if (Status st = insert_message_.Run(); !st.ok()) return st;
    if (sqlite3_changes(db_.get()) > 0) {
      ++result.queued;
      ++result.queued_per_sink[m.sink];
      ++pending;
    } else {
      ++result.duplicate;
    }
  }
  if (Status st = tx->Commit(); !st.ok()) return st;
  return result;
}

StatusOr<std::vector<SeenInsight>> Outbox::LoadSeen(const std::vector<std::string>& insight_ids) {
  std::vector<SeenInsight> out;
  std::lock_guard lock(mu_);
  // One snapshot for all of them.
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  for (const std::string& id : insight_ids) {
    ResetOnExit reset(get_seen_);
    get_seen_.BindText(1, id);
    auto row = get_seen_.Step();
    if (!row.ok()) return row.status();
    if (*row) out.push_back({id, std::string(get_seen_.ColumnText(0))});
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return out;
}

StatusOr<std::vector<OutboxMessage>> Outbox::ReadMessages(Stmt& st) {
  ResetOnExit reset(st);
  std::vector<OutboxMessage> out;
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadMessage(st));
  }
}

StatusOr<std::vector<OutboxMessage>> Outbox::Pending(const std::string& sink, size_t limit) {
  std::lock_guard lock(mu_);
  pending_.BindText(1, sink);
  pending_.BindInt(2, SqlLimit(limit));
  return ReadMessages(pending_);
}

StatusOr<std::vector<SinkBacklog>> Outbox::Backlog() {
  std::lock_guard lock(mu_);
  ResetOnExit reset(backlog_);
  std::vector<SinkBacklog> out;
  for (;;) {
    auto row = backlog_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({std::string(backlog_.ColumnText(0)), backlog_.ColumnUint(1), backlog_.ColumnUint(3)});
  }
}

StatusOr<uint64_t> Outbox::PendingCount() {
  std::lock_guard lock(mu_);
  ResetOnExit reset(count_pending_);
  auto row = count_pending_.Step();
  if (!row.ok()) return row.status();
  return count_pending_.ColumnUint(0);
}

Status Outbox::Delivered(const std::string& id, const std::string& sink) {
  std::lock_guard lock(mu_);
  delete_message_.BindText(1, id);
  delete_message_.BindText(2, sink);
  return delete_message_.Run();
}

Status Outbox::Retry(const std::string& id, const std::string& sink, uint32_t attempts, uint64_t next_attempt_unix_nano,
                     const std::string& error) {
  std::lock_guard lock(mu_);
  retry_.BindText(1, id);
  retry_.BindText(2, sink);
  retry_.BindInt(3, attempts);
  retry_.BindUint(4, next_attempt_unix_nano);
  retry_.BindText(5, error);
  return retry_.Run();
}

Status Outbox::Dead(const std::string& id, const std::string& sink, uint32_t attempts, const std::string& error) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  dead_.BindText(1, id);
  dead_.BindText(2, sink);
  dead_.BindInt(3, attempts);
  dead_.BindText(4, error);
  if (Status s = dead_.Run(); !s.ok()) return s;
  trim_dead_.BindInt(1, kMaxDead);
  if (Status s = trim_dead_.Run(); !s.ok()) return s;
  return tx->Commit();
}

StatusOr<std::vector<OutboxMessage>> Outbox::ListDead(size_t limit) {
  std::lock_guard lock(mu_);
  list_dead_.BindInt(1, SqlLimit(limit));
  return ReadMessages(list_dead_);
}

}  // namespace augur::store
