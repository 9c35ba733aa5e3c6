// Reader: the queries, over one read-only connection. Internal to the store.
//
// Used by one thread at a time (ReaderPool hands them out). Each query runs in
// one read transaction, so the items and the resources and scopes they refer
// to come from the same snapshot while the writer goes on writing (WAL).
//
// Spans are read from blocks (schema.cc) in two passes: the first steps
// through the spans of the blocks that may hold matches, reading no more of
// each than its trace and start time, and selects the answer's spans; the
// second decodes just those. A trace's blocks are found through the trace
// index; a time range's are read in the order of their lowest start, until
// no further block can hold a span earlier than the last one selected.
// Spans that start at the same time come in the order their blocks were
// written, and in ingest order within a block. They come back with
// attributes in key order at every level, as the other items' do
// (record_codec.h), so all items of an answer read alike.
#pragma once

#include <cstdint>
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

  // Analysis results, change events and state (analysis_reader.cc), as
  // store.h describes them. Each is one statement, so one snapshot.
  StatusOr<std::vector<model::Anomaly>> QueryAnomalies(const AnomalyQuery& query);
  StatusOr<model::Anomaly> GetAnomaly(const std::string& id);
  StatusOr<std::vector<model::Insight>> QueryInsights(const InsightQuery& query);
  StatusOr<model::Insight> GetInsight(const std::string& id);
  StatusOr<std::vector<FeedbackRecord>> ListFeedback(const FeedbackQuery& query);
  StatusOr<std::vector<model::ChangeEvent>> QueryEvents(const EventQuery& query);
  StatusOr<model::ChangeEvent> GetEvent(const std::string& id);
  StatusOr<std::string> GetState(const std::string& name);

 private:
  class BatchBuilder;
  class SpanSelection;
  // An item's event time and row id: what range queries select first, merge
  // across resources and cut at the limit before reading whole rows.
  struct TimeId {
    int64_t time;
    int64_t id;
    auto operator<=>(const TimeId&) const = default;
  };
  // A span's place in an answer: by start time, then in ingest order.
  struct SpanKey {
    uint64_t start;
    int64_t block;
    uint32_t place;  // in the block
    auto operator<=>(const SpanKey&) const = default;
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
  // Appends the blocks the trace index names for trace key `key`.
  Status TraceBlocks(int64_t key, std::vector<int64_t>* blocks);
  // Offers the spans starting in [from, to] of the blocks that `sql` (see
  // kBlocksInRange) selects, for `resource` when set, to `selection`.
  Status ScanBlocks(const char* sql, std::optional<int64_t> resource, uint64_t from, uint64_t to,
                    SpanSelection& selection);
  // Offers the spans of block `id` that start in [from, to] and, when
  // `trace_id` is set, belong to it, to `selection`.
  Status SelectSpans(int64_t id, const model::TraceId* trace_id, uint64_t from, uint64_t to, SpanSelection& selection);
  // The statement holding block `id`'s row (resource_id, scope_id, data),
  // to be reset by the caller; null when there is none.
  StatusOr<Stmt*> Block(int64_t id);
  // Appends the spans `keys` name, in that order, to the builder's batch.
  Status ReadSpans(const std::vector<SpanKey>& keys, BatchBuilder& builder);

  Db db_;
  std::unordered_map<const char*, Stmt> statements_;  // keyed by the SQL constant
};

}  // namespace augur::store
