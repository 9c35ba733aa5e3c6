#include "store/retention.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "store/schema.h"
#include "store/trace_index.h"

namespace augur::store {
namespace {

// Each table's ingest_marks column has the table's name; its rows are
// numbered by `id`, anomalies and insights by `seq` (schema.cc).
constexpr const char* kTableNames[] = {"span_blocks", "metric_points", "logs", "anomalies", "insights"};
constexpr const char* kIdColumns[] = {"id", "id", "id", "seq", "seq"};
constexpr int kSpanBlocks = 0;
constexpr int kInsights = 4;

constexpr const char* kInsertMark =
    "INSERT OR REPLACE INTO ingest_marks (wall_time, span_blocks, metric_points, logs, anomalies, insights) "
    "VALUES (?1, (SELECT coalesce(max(id), 0) FROM span_blocks), (SELECT coalesce(max(id), 0) FROM metric_points), "
    "(SELECT coalesce(max(id), 0) FROM logs), (SELECT coalesce(max(seq), 0) FROM anomalies), "
    "(SELECT coalesce(max(seq), 0) FROM insights))";
constexpr const char* kFindMark =
    "SELECT wall_time, span_blocks, metric_points, logs, anomalies, insights FROM ingest_marks WHERE wall_time <= ?1 "
    "ORDER BY wall_time DESC LIMIT 1";

// What belongs to the insights about to be deleted (seq <= ?1): their
// service rows and their feedback, through the insight_id indexes.
constexpr const char* kDeleteInsightServices =
    "DELETE FROM insight_services WHERE insight_id IN (SELECT id FROM insights WHERE seq <= ?1)";
constexpr const char* kDeleteInsightFeedback =
    "DELETE FROM insight_feedback WHERE insight_id IN (SELECT id FROM insights WHERE seq <= ?1)";

// A block's id numbers its first span (schema.cc): the last span's number is
// the highest id, as for the other tables.
constexpr const char* kLastSpanId =
    "SELECT coalesce((SELECT id + span_count - 1 FROM span_blocks ORDER BY id DESC LIMIT 1), 0)";
constexpr const char* kCountSpansUpTo = "SELECT coalesce(sum(span_count), 0) FROM span_blocks WHERE id <= ?1";
constexpr const char* kDeleteTraceEpochs = "DELETE FROM span_trace_runs WHERE epoch < ?1";
constexpr const char* kDeleteMarks = "DELETE FROM ingest_marks WHERE wall_time <= ?1";

// Both use the (resource_id, time) and (metric_id, time) indexes per row of
// the small tables.
constexpr const char* kDeleteUnusedMetrics =
    "DELETE FROM metrics WHERE NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.metric_id = metrics.id)";
constexpr const char* kDeleteUnusedResources =
    "DELETE FROM resources WHERE id NOT IN (SELECT resource_id FROM metrics) "
    "AND NOT EXISTS (SELECT 1 FROM span_blocks b WHERE b.resource_id = resources.id) "
    "AND NOT EXISTS (SELECT 1 FROM logs l WHERE l.resource_id = resources.id)";

// The size pass stops at this share of max_bytes, so it does not run again
// after every few writes.
constexpr double kSizeTarget = 0.9;
constexpr int kVacuumPages = 1024;

}  // namespace

StatusOr<std::unique_ptr<Retention>> Retention::Create(Db* db, uint64_t max_age_seconds, uint64_t max_bytes) {
  std::unique_ptr<Retention> retention(new Retention(db, max_age_seconds, max_bytes));
  if (Status s = retention->Prepare(); !s.ok()) return s;
  auto last = db->QueryInt("SELECT coalesce(max(wall_time), 0) FROM ingest_marks");
  if (!last.ok()) return last.status();
  retention->last_mark_ = static_cast<uint64_t>(*last);
  return retention;
}

Status Retention::Prepare() {
  auto prepare = [this](Stmt* stmt, const std::string& sql) {
    auto prepared = Stmt::Prepare(db_->get(), sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
    return Status::OK();
  };
  for (int t = 0; t < kTables; ++t) {
    const std::string table = kTableNames[t];
    const std::string id = kIdColumns[t];
    if (Status s = prepare(&min_id_[t], "SELECT min(" + id + ") FROM " + table); !s.ok()) return s;
    if (Status s =
            prepare(&max_id_[t], t == kSpanBlocks ? kLastSpanId : "SELECT coalesce(max(" + id + "), 0) FROM " + table);
        !s.ok()) {
      return s;
    }
    if (Status s = prepare(&delete_up_to_[t], "DELETE FROM " + table + " WHERE " + id + " <= ?1"); !s.ok()) return s;
    if (Status s = prepare(&reset_marks_[t], "UPDATE ingest_marks SET " + table + " = 0"); !s.ok()) return s;
  }
  if (Status s = prepare(&count_spans_up_to_, kCountSpansUpTo); !s.ok()) return s;
  if (Status s = prepare(&delete_trace_epochs_, kDeleteTraceEpochs); !s.ok()) return s;
  if (Status s = prepare(&delete_insight_services_, kDeleteInsightServices); !s.ok()) return s;
  if (Status s = prepare(&delete_insight_feedback_, kDeleteInsightFeedback); !s.ok()) return s;
  if (Status s = prepare(&insert_mark_, kInsertMark); !s.ok()) return s;
  if (Status s = prepare(&find_mark_, kFindMark); !s.ok()) return s;
  return prepare(&delete_marks_, kDeleteMarks);
}

StatusOr<Retention::Result> Retention::Enforce(uint64_t now) {
  const Deadline deadline = std::chrono::steady_clock::now() + kTimeBudget;
  Result result;
  if (Status s = RecordMark(now); !s.ok()) return s;
  if (Status s = DeleteByAge(now, deadline, &result.deleted_rows); !s.ok()) return s;
  if (Status s = DeleteBySize(deadline, &result.deleted_rows); !s.ok()) return s;
  if (result.deleted_rows > 0 && now >= last_unused_ + kUnusedInterval) {
    if (Status s = DeleteUnused(&result.deleted_unused); !s.ok()) return s;
    last_unused_ = now;
  }
  if (Status s = Vacuum(deadline); !s.ok()) return s;
  return result;
}

Status Retention::RecordMark(uint64_t now) {
  // A clock that went back records nothing until it passes the last mark.
  if (max_age_ns_ == 0 || (last_mark_ != 0 && now < last_mark_ + kMarkInterval)) return Status::OK();
  insert_mark_.BindUint(1, now);
  if (Status s = insert_mark_.Run(); !s.ok()) return s;
  last_mark_ = now;
  return Status::OK();
}

Status Retention::DeleteByAge(uint64_t now, Deadline deadline, uint64_t* deleted) {
  if (max_age_ns_ == 0 || now < max_age_ns_) return Status::OK();
  int64_t wall_time = 0;
  int64_t last_ids[kTables];
  {
    ResetOnExit reset(find_mark_);
    find_mark_.BindUint(1, now - max_age_ns_);
    auto row = find_mark_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::OK();
    wall_time = find_mark_.ColumnInt(0);
    for (int t = 0; t < kTables; ++t) last_ids[t] = find_mark_.ColumnInt(t + 1);
  }
  for (int t = 0; t < kTables; ++t) {
    for (;;) {
      auto min_id = MinId(t);
      if (!min_id.ok()) return min_id.status();
      if (!*min_id || **min_id > last_ids[t]) break;
      if (std::chrono::steady_clock::now() > deadline) return Status::OK();  // the next call goes on
      auto tx = Transaction::Begin(db_, "BEGIN IMMEDIATE");
      if (!tx.ok()) return tx.status();
      if (Status s = DeleteUpTo(t, std::min(last_ids[t], **min_id + kChunkRows - 1), deleted); !s.ok()) return s;
      if (Status s = tx->Commit(); !s.ok()) return s;
    }
  }
  // All rows up to the mark are gone: it and older marks are spent.
  delete_marks_.BindInt(1, wall_time);
  return delete_marks_.Run();
}

Status Retention::DeleteBySize(Deadline deadline, uint64_t* deleted) {
  if (max_bytes_ == 0) return Status::OK();
  auto used = UsedBytes(*db_);
  if (!used.ok()) return used.status();
  if (*used > max_bytes_) shrinking_ = true;
  const double target = kSizeTarget * static_cast<double>(max_bytes_);
  while (shrinking_) {
    if (static_cast<double>(*used) <= target) {
      shrinking_ = false;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    // Rows are assumed to take space in proportion to their count; the loop
    // corrects what that gets wrong (indexes shrink less than tables).
    const double fraction = (static_cast<double>(*used) - target) / static_cast<double>(*used);
    bool deleted_any = false;
    auto tx = Transaction::Begin(db_, "BEGIN IMMEDIATE");
    if (!tx.ok()) return tx.status();
    for (int t = 0; t < kTables; ++t) {
      auto min_id = MinId(t);
      if (!min_id.ok()) return min_id.status();
      if (!*min_id) continue;
      auto max_id = MaxId(t);
      if (!max_id.ok()) return max_id.status();
      const auto rows = static_cast<double>(*max_id - **min_id + 1);
      const int64_t n = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(rows * fraction)), 1, kChunkRows);
      if (Status s = DeleteUpTo(t, **min_id + n - 1, deleted); !s.ok()) return s;
      deleted_any = true;
    }
    if (Status s = tx->Commit(); !s.ok()) return s;
    if (!deleted_any) {  // only resources, scopes and streams are left
      shrinking_ = false;
      break;
    }
    used = UsedBytes(*db_);
    if (!used.ok()) return used.status();
  }
  return Status::OK();
}

Status Retention::DeleteUnused(bool* deleted) {
  auto tx = Transaction::Begin(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  if (Status s = db_->Exec(kDeleteUnusedMetrics); !s.ok()) return s;
  int64_t changes = sqlite3_changes64(db_->get());
  if (Status s = db_->Exec(kDeleteUnusedResources); !s.ok()) return s;
  changes += sqlite3_changes64(db_->get());
  if (Status s = tx->Commit(); !s.ok()) return s;
  *deleted = changes > 0;
  return Status::OK();
}

Status Retention::Vacuum(Deadline deadline) {
  const std::string sql = "PRAGMA incremental_vacuum(" + std::to_string(kVacuumPages) + ")";
  int64_t before = INT64_MAX;
  for (;;) {
    auto free_pages = db_->QueryInt("PRAGMA freelist_count");
    if (!free_pages.ok()) return free_pages.status();
    // No progress means a file without auto_vacuum: nothing to give back.
    if (*free_pages == 0 || *free_pages >= before || std::chrono::steady_clock::now() > deadline) {
      return Status::OK();
    }
    before = *free_pages;
    if (Status s = db_->Exec(sql.c_str()); !s.ok()) return s;
  }
}

StatusOr<std::optional<int64_t>> Retention::MinId(int table) {
  Stmt& st = min_id_[table];
  ResetOnExit reset(st);
  auto row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row || st.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st.ColumnInt(0));
}

StatusOr<int64_t> Retention::MaxId(int table) {
  Stmt& st = max_id_[table];
  ResetOnExit reset(st);
  auto row = st.Step();
  if (!row.ok()) return row.status();
  return *row ? st.ColumnInt(0) : 0;
}

Status Retention::DeleteUpTo(int table, int64_t last_id, uint64_t* deleted) {
  if (table == kSpanBlocks) {
    // Spans are counted, as items of the other tables are.
    Stmt& count = count_spans_up_to_;
    ResetOnExit reset(count);
    count.BindInt(1, last_id);
    auto row = count.Step();
    if (!row.ok()) return row.status();
    *deleted += static_cast<uint64_t>(count.ColumnInt(0));
  }
  if (table == kInsights) {
    // Feedback lives as long as its insight, and no longer.
    for (Stmt* stmt : {&delete_insight_services_, &delete_insight_feedback_}) {
      stmt->BindInt(1, last_id);
      if (Status s = stmt->Run(); !s.ok()) return s;
    }
  }
  delete_up_to_[table].BindInt(1, last_id);
  if (Status s = delete_up_to_[table].Run(); !s.ok()) return s;
  if (table != kSpanBlocks) *deleted += static_cast<uint64_t>(sqlite3_changes64(db_->get()));
  auto min_id = MinId(table);
  if (!min_id.ok()) return min_id.status();
  if (table == kSpanBlocks) {
    // The trace index epochs none of whose blocks is left (trace_index.h).
    delete_trace_epochs_.BindInt(1, *min_id ? TraceEpoch(**min_id) : INT64_MAX);
    if (Status s = delete_trace_epochs_.Run(); !s.ok()) return s;
  }
  if (*min_id) return Status::OK();
  // Ids of an empty table start at 1 again (SQLite's rowids; span numbers
  // after a restart). No row the marks cover is left, so they must cover
  // none of the new ones.
  return reset_marks_[table].Run();
}

}  // namespace augur::store
