// Store: augur's durable embedded storage, one SQLite database in the data
// directory (DATA_DIR/augur.db, WAL mode).
//
// What it keeps: resources (deduplicated, with first/last seen in event
// time), scopes, spans, metrics with their points, and log records. Only this
// folder speaks SQL.
//
// Durability: Write() returns after the transaction has committed to the WAL
// (synchronous=NORMAL), so what it acknowledged survives a kill -9 of augur.
//
// Retention: EnforceRetention() deletes the oldest rows, by the wall-clock
// time they were ingested (an age limit) and by database size (a byte limit),
// so replayed telemetry with old timestamps is not deleted on arrival and the
// disk never fills. Rows are deleted oldest-first by rowid, which grows with
// ingest order.
//
// Threads: Write() and EnforceRetention() are called from one writer thread
// only. The query methods may be called from any number of threads at once;
// they use their own read connections and never block the writer (WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"

namespace augur::store {

struct StoreOptions {
  std::string data_dir;                  // created if missing
  uint64_t max_age_seconds = 7 * 86400;  // 0: no age limit
  uint64_t max_bytes = 10ULL << 30;      // 0: no size limit
};

// One resource of a service, as first seen and last seen in event time.
struct ResourceInfo {
  model::Resource resource;
  uint64_t first_seen_unix_nano = 0;
  uint64_t last_seen_unix_nano = 0;
};

struct ServiceInfo {
  std::string name;
  std::vector<ResourceInfo> resources;
  uint64_t first_seen_unix_nano = 0;
  uint64_t last_seen_unix_nano = 0;
};

// Filters for range queries. Times are inclusive bounds on the item's event
// time (span start, point time, log time; a log without time uses its
// observed time). Empty strings mean "no filter". Results are ordered by
// time, oldest first; when more than `limit` match, the oldest `limit` are
// returned, so a client pages by moving `from` past the last item it got.
struct SpanQuery {
  std::string service;
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 1000;
};

struct LogQuery {
  std::string service;
  int min_severity = 0;  // severity_number >= min_severity
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 1000;
};

struct MetricQuery {
  std::string name;  // required
  std::string service;
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 10000;
};

struct StoreStats {
  uint64_t spans = 0;
  uint64_t metric_points = 0;
  uint64_t log_records = 0;
  uint64_t database_bytes = 0;     // pages in use, excluding free pages
  uint64_t retention_deleted = 0;  // rows deleted by retention since open
};

class Store {
 public:
  static StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;

  // Writer thread only. Writes all batches in one transaction; either all of
  // them are durable when this returns OK, or none is.
  virtual Status Write(const std::vector<const model::Batch*>& batches) = 0;

  // Writer thread only. `now_unix_nano` is the wall clock (retention is the
  // one place augur's storage uses it).
  virtual Status EnforceRetention(uint64_t now_unix_nano) = 0;

  // Any thread.
  virtual StatusOr<std::vector<ServiceInfo>> ListServices() = 0;
  // The answer is a Batch holding the matching items and the resources and
  // scopes they refer to.
  virtual StatusOr<model::Batch> GetTrace(const model::TraceId& trace_id) = 0;
  virtual StatusOr<model::Batch> QuerySpans(const SpanQuery& query) = 0;
  virtual StatusOr<model::Batch> QueryLogs(const LogQuery& query) = 0;
  // Each returned Metric holds the points of one metric stream (one
  // resource, scope, name) that match.
  virtual StatusOr<model::Batch> QueryMetricPoints(const MetricQuery& query) = 0;
  virtual StoreStats Stats() = 0;
};

}  // namespace augur::store
