// Reader: the queries, over one read-only connection. Internal to the store.
//
// Used by one thread at a time (ReaderPool hands them out). Each query runs in
// one read transaction, so the items and the resources and scopes they refer
// to come from the same snapshot while the writer goes on writing (WAL).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"
#include "store/sqlite_util.h"
#include "store/store.h"

namespace augur::store {

class Reader {
 public:
  static StatusOr<std::unique_ptr<Reader>> Open(const std::string& path);

  StatusOr<std::vector<ServiceInfo>> ListServices();
  StatusOr<model::Batch> GetTrace(const model::TraceId& trace_id);
  StatusOr<model::Batch> QuerySpans(const SpanQuery& query);
  StatusOr<model::Batch> QueryLogs(const LogQuery& query);
  StatusOr<model::Batch> QueryMetricPoints(const MetricQuery& query);
  // All but retention_deleted, which only the writer knows.
  StatusOr<StoreStats> Stats();

 private:
  class BatchBuilder;
  // An item's event time and row id: what range queries select first, merge
  // across resources and cut at the limit before reading whole rows.
  struct TimeId {
    int64_t time;
    int64_t id;
    auto operator<=>(const TimeId&) const = default;
  };

  explicit Reader(Db db) : db_(std::move(db)) {}
  // The statement for `sql` (a string constant), prepared on first use.
  StatusOr<Stmt*> Statement(const char* sql);
  // Runs `sql` (which selects time, id and takes ?1 from, ?2 to, ?3 limit,
  // ?4 a key, ?5 `extra`) once per key, or once without one when `keys` is
  // null, and keeps the `limit` oldest in time order.
  Status CollectTimeIds(const char* sql, const std::vector<int64_t>* keys, uint64_t from, uint64_t to, size_t limit,
                        std::optional<int64_t> extra, std::vector<TimeId>* out);
  // Ids of the resources of `service`.
  Status ServiceResources(const std::string& service, std::vector<int64_t>* out);
  // Reads the spans `ids` name, in that order.
  Status ReadSpans(const std::vector<TimeId>& ids, BatchBuilder& builder);

  Db db_;
  std::unordered_map<const char*, Stmt> statements_;  // keyed by the SQL constant
};

}  // namespace augur::store
