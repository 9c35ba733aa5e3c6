#include "store/reader.h"

#include <algorithm>
#include <limits>

#include "store/record_codec.h"
#include "store/schema.h"

namespace augur::store {
namespace {

// A trace answer is capped like any list the API returns.
constexpr size_t kMaxTraceSpans = 10000;

// Range queries select (time, id) first; the `limit` oldest are then read
// whole by id. ?1 from, ?2 to, ?3 limit, ?4 the resource or metric stream,
// ?5 the minimum severity. "ORDER BY time, id" is the order of the indexes
// (an index entry ends with the rowid), so no sort step is needed.
constexpr const char* kSpanTimes =
    "SELECT start_time, id FROM spans WHERE start_time BETWEEN ?1 AND ?2 ORDER BY start_time, id LIMIT ?3";
constexpr const char* kSpanTimesOfResource =
    "SELECT start_time, id FROM spans WHERE resource_id = ?4 AND start_time BETWEEN ?1 AND ?2 "
    "ORDER BY start_time, id LIMIT ?3";
constexpr const char* kSpanTimesOfTrace =
    "SELECT start_time, id FROM spans WHERE trace_id = ?1 ORDER BY start_time, id LIMIT ?2";
constexpr const char* kSpanById =
    "SELECT trace_id, span_id, parent_span_id, resource_id, scope_id, name, kind, start_time, end_time, status_code, "
    "status_message, flags, trace_state, attributes, events, links FROM spans WHERE id = ?1";

constexpr const char* kLogTimes =
    "SELECT event_time, id FROM logs WHERE event_time BETWEEN ?1 AND ?2 AND severity_number >= ?5 "
    "ORDER BY event_time, id LIMIT ?3";
constexpr const char* kLogTimesOfResource =
    "SELECT event_time, id FROM logs WHERE resource_id = ?4 AND event_time BETWEEN ?1 AND ?2 "
    "AND severity_number >= ?5 ORDER BY event_time, id LIMIT ?3";
constexpr const char* kLogById =
    "SELECT time, observed_time, resource_id, scope_id, severity_number, severity_text, body, attributes, flags, "
    "trace_id, span_id, event_name FROM logs WHERE id = ?1";

constexpr const char* kMetricStreams =
    "SELECT m.id, m.resource_id, m.scope_id, m.description, m.unit, m.type, m.temporality, m.monotonic "
    "FROM metrics m JOIN resources r ON r.id = m.resource_id WHERE m.name = ?1 AND (?2 = '' OR r.service_name = ?2)";
constexpr const char* kPointTimesOfMetric =
    "SELECT time, id FROM metric_points WHERE metric_id = ?4 AND time BETWEEN ?1 AND ?2 ORDER BY time, id LIMIT ?3";
constexpr const char* kPointById =
    "SELECT metric_id, start_time, time, attributes, flags, value, is_int, distribution FROM metric_points "
    "WHERE id = ?1";

constexpr const char* kResourcesOfService = "SELECT id FROM resources WHERE service_name = ?1";
constexpr const char* kAllResources =
    "SELECT service_name, schema_url, attributes, first_seen, last_seen FROM resources ORDER BY service_name, id";
constexpr const char* kResourceById = "SELECT service_name, schema_url, attributes FROM resources WHERE id = ?1";
constexpr const char* kScopeById = "SELECT name, version, attributes FROM scopes WHERE id = ?1";

// Ids are contiguous per table (see schema.cc), so max - min + 1 counts rows
// without a scan.
constexpr const char* kIdRanges =
    "SELECT (SELECT min(id) FROM spans), (SELECT max(id) FROM spans), (SELECT min(id) FROM metric_points), "
    "(SELECT max(id) FROM metric_points), (SELECT min(id) FROM logs), (SELECT max(id) FROM logs)";

int64_t SqlTime(uint64_t t) {
  return static_cast<int64_t>(std::min<uint64_t>(t, std::numeric_limits<int64_t>::max()));
}
int64_t SqlLimit(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

template <size_t N>
std::array<uint8_t, N> IdColumn(const Stmt& stmt, int i) {
  std::array<uint8_t, N> id{};
  const auto blob = stmt.ColumnBlob(i);
  if (blob.size() == N) std::copy(blob.begin(), blob.end(), id.begin());
  return id;
}

uint64_t RowCount(const Stmt& stmt, int min_column) {
  if (stmt.IsNull(min_column)) return 0;
  return static_cast<uint64_t>(stmt.ColumnInt(min_column + 1) - stmt.ColumnInt(min_column) + 1);
}

}  // namespace

// Collects a query's answer: items are appended by the caller; the resources
// and scopes they refer to are read once each and indexed.
class Reader::BatchBuilder {
 public:
  explicit BatchBuilder(Reader* reader) : reader_(reader) {}

  StatusOr<uint32_t> Resource(int64_t id) {
    if (const auto it = resources_.find(id); it != resources_.end()) return it->second;
    auto stmt = reader_->Statement(kResourceById);
    if (!stmt.ok()) return stmt.status();
    Stmt& st = **stmt;
    ResetOnExit reset(st);
    st.BindInt(1, id);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    model::Resource resource;
    if (*row) {  // always, within one snapshot; an empty resource otherwise
      resource.service_name = st.ColumnText(0);
      resource.schema_url = st.ColumnText(1);
      resource.attributes = DecodeAttributes(st.ColumnText(2));
    }
    const auto index = static_cast<uint32_t>(batch.resources.size());
    batch.resources.push_back(std::move(resource));
    resources_.emplace(id, index);
    return index;
  }

  StatusOr<uint32_t> Scope(int64_t id) {
    if (const auto it = scopes_.find(id); it != scopes_.end()) return it->second;
    auto stmt = reader_->Statement(kScopeById);
    if (!stmt.ok()) return stmt.status();
    Stmt& st = **stmt;
    ResetOnExit reset(st);
    st.BindInt(1, id);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    model::Scope scope;
    if (*row) {
      scope.name = st.ColumnText(0);
      scope.version = st.ColumnText(1);
      scope.attributes = DecodeAttributes(st.ColumnText(2));
    }
    const auto index = static_cast<uint32_t>(batch.scopes.size());
    batch.scopes.push_back(std::move(scope));
    scopes_.emplace(id, index);
    return index;
  }

  model::Batch batch;

 private:
  Reader* const reader_;
  std::unordered_map<int64_t, uint32_t> resources_, scopes_;
};

StatusOr<std::unique_ptr<Reader>> Reader::Open(const std::string& path) {
  auto db = OpenReadConnection(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Reader>(new Reader(std::move(*db)));
}

StatusOr<Stmt*> Reader::Statement(const char* sql) {
  if (const auto it = statements_.find(sql); it != statements_.end()) return &it->second;
  auto stmt = Stmt::Prepare(db_.get(), sql);
  if (!stmt.ok()) return stmt.status();
  return &statements_.emplace(sql, std::move(*stmt)).first->second;
}

Status Reader::CollectTimeIds(const char* sql, const std::vector<int64_t>* keys, uint64_t from, uint64_t to,
                              size_t limit, std::optional<int64_t> extra, std::vector<TimeId>* out) {
  auto stmt = Statement(sql);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  const size_t runs = keys != nullptr ? keys->size() : 1;
  for (size_t i = 0; i < runs; ++i) {
    ResetOnExit reset(st);
    st.BindInt(1, SqlTime(from));
    st.BindInt(2, SqlTime(to));
    st.BindInt(3, SqlLimit(limit));
    if (keys != nullptr) st.BindInt(4, (*keys)[i]);
    if (extra) st.BindInt(5, *extra);
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out->push_back({st.ColumnInt(0), st.ColumnInt(1)});
    }
    // Each run is ordered and holds at most `limit`; keeping the oldest
    // `limit` so far bounds memory by 2 * limit however many keys there are.
    if (out->size() > limit) {
      std::sort(out->begin(), out->end());
      out->resize(limit);
    }
  }
  std::sort(out->begin(), out->end());
  return Status::OK();
}

Status Reader::ServiceResources(const std::string& service, std::vector<int64_t>* out) {
  auto stmt = Statement(kResourcesOfService);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindText(1, service);
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::OK();
    out->push_back(st.ColumnInt(0));
  }
}

Status Reader::ReadSpans(const std::vector<TimeId>& ids, BatchBuilder& builder) {
  auto stmt = Statement(kSpanById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  builder.batch.spans.reserve(ids.size());
  for (const TimeId& t : ids) {
    ResetOnExit reset(st);
    st.BindInt(1, t.id);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    auto resource = builder.Resource(st.ColumnInt(3));
    if (!resource.ok()) return resource.status();
    auto scope = builder.Scope(st.ColumnInt(4));
    if (!scope.ok()) return scope.status();
    model::Span span;
    span.resource_index = *resource;
    span.scope_index = *scope;
    span.trace_id = IdColumn<16>(st, 0);
    span.span_id = IdColumn<8>(st, 1);
    span.parent_span_id = IdColumn<8>(st, 2);
    span.name = st.ColumnText(5);
    span.kind = static_cast<model::SpanKind>(st.ColumnInt(6));
    span.start_time_unix_nano = st.ColumnUint(7);
    span.end_time_unix_nano = st.ColumnUint(8);
    span.status_code = static_cast<model::StatusCode>(st.ColumnInt(9));
    span.status_message = st.ColumnText(10);
    span.flags = static_cast<uint32_t>(st.ColumnInt(11));
    span.trace_state = st.ColumnText(12);
    span.attributes = DecodeAttributes(st.ColumnText(13));
    if (!st.IsNull(14)) span.events = DecodeEvents(st.ColumnText(14));
    if (!st.IsNull(15)) span.links = DecodeLinks(st.ColumnText(15));
    builder.batch.spans.push_back(std::move(span));
  }
  return Status::OK();
}

StatusOr<std::vector<ServiceInfo>> Reader::ListServices() {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  auto stmt = Statement(kAllResources);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  std::vector<ServiceInfo> services;
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ResourceInfo info;
    info.resource.service_name = st.ColumnText(0);
    info.resource.schema_url = st.ColumnText(1);
    info.resource.attributes = DecodeAttributes(st.ColumnText(2));
    info.first_seen_unix_nano = st.ColumnUint(3);  // NULL (never seen) reads as 0
    info.last_seen_unix_nano = st.ColumnUint(4);
    if (services.empty() || services.back().name != info.resource.service_name) {
      services.push_back({info.resource.service_name, {}, 0, 0});
    }
    ServiceInfo& service = services.back();
    if (info.first_seen_unix_nano != 0 &&
        (service.first_seen_unix_nano == 0 || info.first_seen_unix_nano < service.first_seen_unix_nano)) {
      service.first_seen_unix_nano = info.first_seen_unix_nano;
    }
    service.last_seen_unix_nano = std::max(service.last_seen_unix_nano, info.last_seen_unix_nano);
    service.resources.push_back(std::move(info));
  }
  return services;
}

StatusOr<model::Batch> Reader::GetTrace(const model::TraceId& trace_id) {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  auto stmt = Statement(kSpanTimesOfTrace);
  if (!stmt.ok()) return stmt.status();
  std::vector<TimeId> ids;
  {
    Stmt& st = **stmt;
    ResetOnExit reset(st);
    st.BindBlob(1, trace_id);
    st.BindInt(2, kMaxTraceSpans);
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ids.push_back({st.ColumnInt(0), st.ColumnInt(1)});
    }
  }
  BatchBuilder builder(this);
  if (Status s = ReadSpans(ids, builder); !s.ok()) return s;
  return std::move(builder.batch);
}

StatusOr<model::Batch> Reader::QuerySpans(const SpanQuery& query) {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  std::vector<TimeId> ids;
  if (query.service.empty()) {
    if (Status s = CollectTimeIds(kSpanTimes, nullptr, query.from_unix_nano, query.to_unix_nano, query.limit,
                                  std::nullopt, &ids);
        !s.ok()) {
      return s;
    }
  } else {
    std::vector<int64_t> resources;
    if (Status s = ServiceResources(query.service, &resources); !s.ok()) return s;
    if (Status s = CollectTimeIds(kSpanTimesOfResource, &resources, query.from_unix_nano, query.to_unix_nano,
                                  query.limit, std::nullopt, &ids);
        !s.ok()) {
      return s;
    }
  }
  BatchBuilder builder(this);
  if (Status s = ReadSpans(ids, builder); !s.ok()) return s;
  return std::move(builder.batch);
}

StatusOr<model::Batch> Reader::QueryLogs(const LogQuery& query) {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  std::vector<TimeId> ids;
  if (query.service.empty()) {
    if (Status s = CollectTimeIds(kLogTimes, nullptr, query.from_unix_nano, query.to_unix_nano, query.limit,
                                  query.min_severity, &ids);
        !s.ok()) {
      return s;
    }
  } else {
    std::vector<int64_t> resources;
    if (Status s = ServiceResources(query.service, &resources); !s.ok()) return s;
    if (Status s = CollectTimeIds(kLogTimesOfResource, &resources, query.from_unix_nano, query.to_unix_nano,
                                  query.limit, query.min_severity, &ids);
        !s.ok()) {
      return s;
    }
  }
  auto stmt = Statement(kLogById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  BatchBuilder builder(this);
  builder.batch.logs.reserve(ids.size());
  for (const TimeId& t : ids) {
    ResetOnExit reset(st);
    st.BindInt(1, t.id);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    auto resource = builder.Resource(st.ColumnInt(2));
    if (!resource.ok()) return resource.status();
    auto scope = builder.Scope(st.ColumnInt(3));
    if (!scope.ok()) return scope.status();
    model::LogRecord log;
    log.resource_index = *resource;
    log.scope_index = *scope;
    log.time_unix_nano = st.ColumnUint(0);
    log.observed_time_unix_nano = st.ColumnUint(1);
    log.severity_number = static_cast<uint8_t>(st.ColumnInt(4));
    log.severity_text = st.ColumnText(5);
    if (!st.IsNull(6)) log.body = DecodeValue(st.ColumnText(6));
    log.attributes = DecodeAttributes(st.ColumnText(7));
    log.flags = static_cast<uint32_t>(st.ColumnInt(8));
    log.trace_id = IdColumn<16>(st, 9);
    log.span_id = IdColumn<8>(st, 10);
    log.event_name = st.ColumnText(11);
    builder.batch.logs.push_back(std::move(log));
  }
  return std::move(builder.batch);
}

StatusOr<model::Batch> Reader::QueryMetricPoints(const MetricQuery& query) {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  BatchBuilder builder(this);
  // The matching streams, as Metrics without points yet.
  struct Stream {
    model::Metric metric;
    int64_t resource_id;
    int64_t scope_id;
  };
  std::unordered_map<int64_t, Stream> streams;
  std::vector<int64_t> stream_ids;
  {
    auto stmt = Statement(kMetricStreams);
    if (!stmt.ok()) return stmt.status();
    Stmt& st = **stmt;
    ResetOnExit reset(st);
    st.BindText(1, query.name);
    st.BindText(2, query.service);
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      model::Metric metric;
      metric.name = query.name;
      metric.description = st.ColumnText(3);
      metric.unit = st.ColumnText(4);
      metric.type = static_cast<model::MetricType>(st.ColumnInt(5));
      metric.temporality = static_cast<model::Temporality>(st.ColumnInt(6));
      metric.monotonic = st.ColumnInt(7) != 0;
      stream_ids.push_back(st.ColumnInt(0));
      streams.emplace(st.ColumnInt(0), Stream{std::move(metric), st.ColumnInt(1), st.ColumnInt(2)});
    }
  }
  std::vector<TimeId> ids;
  if (Status s = CollectTimeIds(kPointTimesOfMetric, &stream_ids, query.from_unix_nano, query.to_unix_nano, query.limit,
                                std::nullopt, &ids);
      !s.ok()) {
    return s;
  }
  auto stmt = Statement(kPointById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  std::unordered_map<int64_t, size_t> metric_index;  // stream id -> index in batch.metrics
  for (const TimeId& t : ids) {
    ResetOnExit reset(st);
    st.BindInt(1, t.id);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    const int64_t stream_id = st.ColumnInt(0);
    auto it = metric_index.find(stream_id);
    if (it == metric_index.end()) {
      Stream& stream = streams[stream_id];
      model::Metric metric = std::move(stream.metric);
      auto resource = builder.Resource(stream.resource_id);
      if (!resource.ok()) return resource.status();
      auto scope = builder.Scope(stream.scope_id);
      if (!scope.ok()) return scope.status();
      metric.resource_index = *resource;
      metric.scope_index = *scope;
      it = metric_index.emplace(stream_id, builder.batch.metrics.size()).first;
      builder.batch.metrics.push_back(std::move(metric));
    }
    model::MetricPoint point;
    point.start_time_unix_nano = st.ColumnUint(1);
    point.time_unix_nano = st.ColumnUint(2);
    point.attributes = DecodeAttributes(st.ColumnText(3));
    point.flags = static_cast<uint32_t>(st.ColumnInt(4));
    point.value = st.IsNull(5) ? std::numeric_limits<double>::quiet_NaN() : st.ColumnDouble(5);
    point.is_int = st.ColumnInt(6) != 0;
    if (!st.IsNull(7)) DecodeDistribution(st.ColumnText(7), &point);
    builder.batch.metrics[it->second].points.push_back(std::move(point));
  }
  return std::move(builder.batch);
}

StatusOr<StoreStats> Reader::Stats() {
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  StoreStats stats;
  {
    auto stmt = Statement(kIdRanges);
    if (!stmt.ok()) return stmt.status();
    Stmt& st = **stmt;
    ResetOnExit reset(st);
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      stats.spans = RowCount(st, 0);
      stats.metric_points = RowCount(st, 2);
      stats.log_records = RowCount(st, 4);
    }
  }
  auto used = UsedBytes(db_);
  if (!used.ok()) return used.status();
  stats.database_bytes = *used;
  return stats;
}

}  // namespace augur::store
