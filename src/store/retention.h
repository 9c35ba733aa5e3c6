// Retention: deletes the oldest rows by ingest age and by database size.
// Internal to the store; runs on the writer thread, on the write connection.
//
// Ingest age: each call records an ingest mark (wall time -> the highest id
// of each data table), at most once per kMarkInterval, and deletes the rows
// at or below the newest mark older than max_age. Rows thus live between
// max_age and max_age + kMarkInterval (plus the caller's calling interval),
// whatever their event timestamps say.
//
// Size: when the pages in use exceed max_bytes, each data table loses the
// same fraction of its oldest rows (by id, i.e. ingest order), repeatedly,
// until the pages in use are below 90% of the limit. Free pages are then
// given back to the file system (incremental vacuum).
//
// Span blocks are ided by span number (schema.cc), so for them all of this
// counts spans, in whole blocks; their trace index entries go by epoch, once
// no block of the epoch is left.
//
// Anomalies are deleted like telemetry rows, by the ingest age of their last
// write (an ongoing anomaly rewritten by the analysis stays) and by size:
// they describe telemetry that retention deletes anyway, and they must stay
// bounded. Insights likewise, with their service rows and their feedback
// (feedback is never deleted while its insight exists). Change events and
// analysis state are never deleted: they are few, and events are the
// history insights explain anomalies with.
//
// Deletes run in transactions of at most kChunkRows rows (spans, plus the
// rest of a block) per table, and a call stops after kTimeBudget, so the
// writer is never held up for long; the next call carries on. Under
// sustained heavy ingest the caller should call often (a call with nothing
// to do costs a few indexed lookups).
//
// Metric streams and resources no row refers to any more are deleted too
// (at most once per kUnusedInterval, as it takes a pass over those tables);
// scopes are left, being few and small.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/status.h"
#include "store/sqlite_util.h"

namespace augur::store {

class Retention {
 public:
  static constexpr uint64_t kMarkInterval = 60'000'000'000ULL;         // ns
  static constexpr uint64_t kUnusedInterval = 10 * 60'000'000'000ULL;  // ns
  static constexpr int64_t kChunkRows = 10'000;
  static constexpr std::chrono::milliseconds kTimeBudget{250};

  struct Result {
    uint64_t deleted_rows = 0;
    // Resources or metric streams were deleted: cached ids may name them.
    bool deleted_unused = false;
  };

  // `db` is the write connection; it must outlive this. A limit of 0 is off.
  static StatusOr<std::unique_ptr<Retention>> Create(Db* db, uint64_t max_age_seconds, uint64_t max_bytes);

  StatusOr<Result> Enforce(uint64_t now_unix_nano);

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  static constexpr int kTables = 5;  // span_blocks, metric_points, logs, anomalies, insights

  Retention(Db* db, uint64_t max_age_seconds, uint64_t max_bytes)
      : db_(db), max_age_ns_(max_age_seconds * 1'000'000'000ULL), max_bytes_(max_bytes) {}
  Status Prepare();
  Status RecordMark(uint64_t now);
  Status DeleteByAge(uint64_t now, Deadline deadline, uint64_t* deleted);
  Status DeleteBySize(Deadline deadline, uint64_t* deleted);
  Status DeleteUnused(bool* deleted);
  Status Vacuum(Deadline deadline);
  // The lowest id of `table`, or nullopt when it is empty.
  StatusOr<std::optional<int64_t>> MinId(int table);
  // The highest id (of a span: the last span's number), or 0.
  StatusOr<int64_t> MaxId(int table);
  // Deletes rows with id <= `last_id`; adds the count of items to
  // `*deleted`. Call within a transaction.
  Status DeleteUpTo(int table, int64_t last_id, uint64_t* deleted);

  Db* const db_;
  const uint64_t max_age_ns_;
  const uint64_t max_bytes_;
  uint64_t last_mark_ = 0;    // wall time of the newest ingest mark
  uint64_t last_unused_ = 0;  // wall time DeleteUnused last ran
  bool shrinking_ = false;    // over the size limit and not yet back under 90%
  Stmt min_id_[kTables], max_id_[kTables], delete_up_to_[kTables], reset_marks_[kTables];
  Stmt count_spans_up_to_, delete_trace_epochs_, delete_insight_services_, delete_insight_feedback_;
  Stmt insert_mark_, find_mark_, delete_marks_;
};

}  // namespace augur::store
