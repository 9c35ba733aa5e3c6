#include "store/reader.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <tuple>
#include <variant>

#include "store/record_codec.h"
#include "store/schema.h"
#include "store/span_codec.h"
#include "store/trace_index.h"

namespace augur::store {
namespace {

// A trace answer is capped like any list the API returns.
constexpr size_t kMaxTraceSpans = 10000;

// Span blocks overlapping a time range, in the order of their lowest start
// (the index's, so no sort step): ?1 the lowest min_start a block can have
// (schema.h), ?2 to, ?3 from, ?4 the resource.
constexpr const char* kBlocksInRange =
    "SELECT id, min_start FROM span_blocks WHERE min_start BETWEEN ?1 AND ?2 AND max_start >= ?3 ORDER BY min_start";
constexpr const char* kBlocksOfResourceInRange =
    "SELECT id, min_start FROM span_blocks WHERE resource_id = ?4 AND min_start BETWEEN ?1 AND ?2 "
    "AND max_start >= ?3 ORDER BY min_start";
// The trace index (trace_index.h): in each sealed epoch, from the oldest to
// the newest, the one run that may hold ?1; then the unsealed epoch's blocks.
constexpr const char* kTraceRuns =
    "WITH RECURSIVE epochs(epoch) AS (SELECT min(epoch) FROM span_trace_runs UNION ALL "
    "SELECT epoch + 1 FROM epochs WHERE epoch < (SELECT max(epoch) FROM span_trace_runs)) "
    "SELECT (SELECT entries FROM span_trace_runs r WHERE r.epoch = epochs.epoch AND r.first_key <= ?1 "
    "ORDER BY r.first_key DESC LIMIT 1) FROM epochs";
constexpr const char* kUnsealedBlocks =
    "SELECT id, trace_keys FROM span_blocks WHERE id >= ((SELECT max(id) FROM span_blocks) >> ?1) << ?1";
constexpr const char* kBlockById = "SELECT resource_id, scope_id, data FROM span_blocks WHERE id = ?1";

// Range queries of the other items select (time, id) first; the `limit`
// oldest are then read whole by id. ?1 from, ?2 to, ?3 limit, ?4 the resource
// or metric stream, ?5 the minimum severity. "ORDER BY time, id" is the order
// of the indexes (an index entry ends with the rowid), so no sort step is
// needed.
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

// Ids are contiguous per table in what they count (see schema.cc), so
// max - min + 1 counts items without a scan.
constexpr const char* kIdRanges =
    "SELECT (SELECT min(id) FROM span_blocks), (SELECT id + span_count - 1 FROM span_blocks ORDER BY id DESC LIMIT 1), "
    "(SELECT min(id) FROM metric_points), (SELECT max(id) FROM metric_points), (SELECT min(id) FROM logs), "
    "(SELECT max(id) FROM logs)";

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

void SortKeys(model::Attributes* attributes);

void SortKeys(model::AnyValue* value) {
  if (auto* array = std::get_if<model::ArrayValue>(&value->value)) {
    for (auto& v : *array) SortKeys(&v);
  } else if (auto* kvs = std::get_if<model::Attributes>(&value->value)) {
    SortKeys(kvs);
  }
}

void SortKeys(model::Attributes* attributes) {
  for (auto& kv : *attributes) SortKeys(&kv.value);
  const auto by_key = [](const model::KeyValue& a, const model::KeyValue& b) { return a.key < b.key; };
  if (!std::is_sorted(attributes->begin(), attributes->end(), by_key)) {
    std::stable_sort(attributes->begin(), attributes->end(), by_key);
  }
}

void SortKeys(model::Span* span) {
  SortKeys(&span->attributes);
  for (auto& event : span->events) SortKeys(&event.attributes);
  for (auto& link : span->links) SortKeys(&link.attributes);
}

}  // namespace

// The keys of the first `limit` spans of those offered. Memory stays within
// twice the limit: past that, all but the first `limit` are dropped.
class Reader::SpanSelection {
 public:
  explicit SpanSelection(size_t limit) : limit_(limit) {}  // limit > 0

  // The latest start a span can have and still be selected.
  uint64_t bound() const { return full_ ? last_.start : UINT64_MAX; }

  void Offer(const SpanKey& key) {
    if (full_ && !(key < last_)) return;
    keys_.push_back(key);
    if (!full_ && keys_.size() == limit_) {
      last_ = *std::max_element(keys_.begin(), keys_.end());
      full_ = true;
    } else if (keys_.size() >= 2 * limit_) {
      std::nth_element(keys_.begin(), keys_.begin() + (limit_ - 1), keys_.end());
      keys_.resize(limit_);
      last_ = keys_.back();
    }
  }

  // The selected keys, in order.
  const std::vector<SpanKey>& Finish() {
    std::sort(keys_.begin(), keys_.end());
    if (keys_.size() > limit_) keys_.resize(limit_);
    return keys_;
  }

 private:
  const size_t limit_;
  std::vector<SpanKey> keys_;
  bool full_ = false;  // `limit` keys were offered: last_ is set
  SpanKey last_{};     // the latest of the first `limit` so far
};

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

Status Reader::TraceBlocks(int64_t key, std::vector<int64_t>* blocks) {
  auto runs = Statement(kTraceRuns);
  if (!runs.ok()) return runs.status();
  {
    Stmt& st = **runs;
    ResetOnExit reset(st);
    st.BindInt(1, key);
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (Status s = FindInRun(st.ColumnBlob(0), key, blocks); !s.ok()) return s;
    }
  }
  auto unsealed = Statement(kUnsealedBlocks);
  if (!unsealed.ok()) return unsealed.status();
  Stmt& st = **unsealed;
  ResetOnExit reset(st);
  st.BindInt(1, kTraceEpochBits);
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::OK();
    auto has = HasTraceKey(st.ColumnBlob(1), key);
    if (!has.ok()) return has.status();
    if (*has) blocks->push_back(st.ColumnInt(0));
  }
}

Status Reader::ScanBlocks(const char* sql, std::optional<int64_t> resource, uint64_t from, uint64_t to,
                          SpanSelection& selection) {
  auto stmt = Statement(sql);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindInt(1, SqlTime(from > kMaxBlockStartSpread ? from - kMaxBlockStartSpread : 0));
  st.BindInt(2, SqlTime(to));
  st.BindInt(3, SqlTime(from));
  if (resource) st.BindInt(4, *resource);
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::OK();
    // Blocks come in the order of their lowest start: past the bound, no
    // further block holds a span the selection would take.
    if (st.ColumnUint(1) > selection.bound()) return Status::OK();
    if (Status s = SelectSpans(st.ColumnInt(0), nullptr, from, to, selection); !s.ok()) return s;
  }
}

StatusOr<Stmt*> Reader::Block(int64_t id) {
  auto stmt = Statement(kBlockById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  st.BindInt(1, id);
  auto row = st.Step();
  if (!row.ok()) {
    st.Reset();
    return row.status();
  }
  if (!*row) {
    st.Reset();
    return static_cast<Stmt*>(nullptr);
  }
  return &st;
}

Status Reader::SelectSpans(int64_t id, const model::TraceId* trace_id, uint64_t from, uint64_t to,
                           SpanSelection& selection) {
  auto block = Block(id);
  if (!block.ok()) return block.status();
  if (*block == nullptr) return Status::OK();  // deleted, its trace index entry not yet (schema.cc)
  ResetOnExit reset(**block);
  SpanBlockReader spans((*block)->ColumnBlob(2));
  for (uint32_t place = 0; spans.Next(); ++place) {
    const uint64_t start = spans.start_time();
    if ((trace_id == nullptr || spans.trace_id() == *trace_id) && start >= from && start <= to) {
      selection.Offer({start, id, place});
    }
  }
  if (!spans.status().ok())
    return Status::IOError("span block " + std::to_string(id) + ": " + spans.status().message());
  return Status::OK();
}

Status Reader::ReadSpans(const std::vector<SpanKey>& keys, BatchBuilder& builder) {
  // Each block is read once, its spans in order.
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(keys[a].block, keys[a].place) < std::tie(keys[b].block, keys[b].place);
  });
  std::vector<model::Span> spans(keys.size());
  std::vector<std::pair<int64_t, int64_t>> contexts(keys.size());  // resource id, scope id
  for (size_t i = 0; i < order.size();) {
    const int64_t id = keys[order[i]].block;
    auto block = Block(id);
    if (!block.ok()) return block.status();
    const auto changed = [&] {
      return Status::Internal("span block " + std::to_string(id) + " changed in a snapshot");
    };
    if (*block == nullptr) return changed();
    Stmt& st = **block;
    ResetOnExit reset(st);
    SpanBlockReader reader(st.ColumnBlob(2));
    uint32_t read = 0;  // spans the reader moved past
    for (; i < order.size() && keys[order[i]].block == id; ++i) {
      const size_t k = order[i];
      while (read <= keys[k].place && reader.Next()) ++read;
      if (read <= keys[k].place) return reader.status().ok() ? changed() : reader.status();
      if (!reader.Decode(&spans[k])) break;
      contexts[k] = {st.ColumnInt(0), st.ColumnInt(1)};
    }
    if (!reader.status().ok()) {
      return Status::IOError("span block " + std::to_string(id) + ": " + reader.status().message());
    }
  }
  builder.batch.spans.reserve(spans.size());
  for (size_t k = 0; k < spans.size(); ++k) {
    auto resource = builder.Resource(contexts[k].first);
    if (!resource.ok()) return resource.status();
    auto scope = builder.Scope(contexts[k].second);
    if (!scope.ok()) return scope.status();
    spans[k].resource_index = *resource;
    spans[k].scope_index = *scope;
    SortKeys(&spans[k]);
    builder.batch.spans.push_back(std::move(spans[k]));
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
  std::vector<int64_t> blocks;
  if (Status s = TraceBlocks(TraceKey(trace_id), &blocks); !s.ok()) return s;
  SpanSelection selection(kMaxTraceSpans);
  for (const int64_t block : blocks) {
    if (Status s = SelectSpans(block, &trace_id, 0, UINT64_MAX, selection); !s.ok()) return s;
  }
  BatchBuilder builder(this);
  if (Status s = ReadSpans(selection.Finish(), builder); !s.ok()) return s;
  return std::move(builder.batch);
}

StatusOr<model::Batch> Reader::QuerySpans(const SpanQuery& query) {
  if (query.limit == 0) return model::Batch();
  auto tx = Transaction::Begin(&db_, "BEGIN");
  if (!tx.ok()) return tx.status();
  SpanSelection selection(query.limit);
  if (query.service.empty()) {
    if (Status s = ScanBlocks(kBlocksInRange, std::nullopt, query.from_unix_nano, query.to_unix_nano, selection);
        !s.ok()) {
      return s;
    }
  } else {
    std::vector<int64_t> resources;
    if (Status s = ServiceResources(query.service, &resources); !s.ok()) return s;
    // One resource after another: the selection's bound, once it has
    // `limit` spans, cuts the scans of the others short.
    for (const int64_t resource : resources) {
      if (Status s =
              ScanBlocks(kBlocksOfResourceInRange, resource, query.from_unix_nano, query.to_unix_nano, selection);
          !s.ok()) {
        return s;
      }
    }
  }
  BatchBuilder builder(this);
  if (Status s = ReadSpans(selection.Finish(), builder); !s.ok()) return s;
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
