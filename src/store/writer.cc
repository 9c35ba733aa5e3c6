#include "store/writer.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "model/json.h"
#include "store/record_codec.h"
#include "store/schema.h"
#include "store/trace_index.h"

namespace augur::store {
namespace {

using nlohmann::json;

constexpr const char* kFindResource = "SELECT id FROM resources WHERE fingerprint = ?1";
constexpr const char* kInsertResource =
    "INSERT INTO resources (fingerprint, service_name, schema_url, attributes) VALUES (?1, ?2, ?3, ?4)";
// NULL first/last seen (no item with a time yet) give way to the first range.
constexpr const char* kUpdateSeen =
    "UPDATE resources SET first_seen = min(coalesce(first_seen, ?2), ?2), last_seen = max(coalesce(last_seen, ?3), ?3) "
    "WHERE id = ?1";
constexpr const char* kFindScope = "SELECT id FROM scopes WHERE fingerprint = ?1";
constexpr const char* kInsertScope =
    "INSERT INTO scopes (fingerprint, name, version, attributes) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kFindMetric =
    "SELECT id FROM metrics WHERE name = ?1 AND resource_id = ?2 AND scope_id = ?3 AND description = ?4 AND unit = ?5 "
    "AND type = ?6 AND temporality = ?7 AND monotonic = ?8";
constexpr const char* kInsertMetric =
    "INSERT INTO metrics (name, resource_id, scope_id, description, unit, type, temporality, monotonic) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kInsertBlock =
    "INSERT INTO span_blocks (id, resource_id, scope_id, min_start, max_start, span_count, trace_keys, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kEpochTraceKeys = "SELECT id, trace_keys FROM span_blocks WHERE id >= ?1 AND id < ?2";
constexpr const char* kInsertRun = "INSERT INTO span_trace_runs (epoch, first_key, entries) VALUES (?1, ?2, ?3)";
constexpr const char* kNextSpanId =
    "SELECT coalesce((SELECT id + span_count FROM span_blocks ORDER BY id DESC LIMIT 1), 1)";
constexpr const char* kInsertPoint =
    "INSERT INTO metric_points (metric_id, start_time, time, attributes, flags, value, is_int, distribution) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kInsertLog =
    "INSERT INTO logs (time, observed_time, resource_id, scope_id, severity_number, severity_text, body, attributes, "
    "flags, trace_id, span_id, event_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Appends a length-prefixed field, so concatenated fields cannot be confused.
void AppendField(std::string* key, std::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  key->append(reinterpret_cast<const char*>(&n), sizeof n);
  key->append(field);
}

void AppendInt(std::string* key, int64_t v) {
  key->append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <size_t N>
void BindIdOrNull(Stmt& stmt, int i, const std::array<uint8_t, N>& id) {
  if (model::IsZero(id)) {
    stmt.BindNull(i);
  } else {
    stmt.BindBlob(i, id);
  }
}

}  // namespace

void Writer::Seen::Add(uint64_t t) {
  if (t == 0) return;
  first = first == 0 ? t : std::min(first, t);
  last = std::max(last, t);
}

void Writer::Seen::Add(const Seen& other) {
  Add(other.first);
  Add(other.last);
}

StatusOr<std::unique_ptr<Writer>> Writer::Create(Db* db) {
  std::unique_ptr<Writer> writer(new Writer(db));
  if (Status s = writer->Prepare(); !s.ok()) return s;
  auto next = db->QueryInt(kNextSpanId);
  if (!next.ok()) return next.status();
  writer->next_span_id_ = *next;
  writer->epoch_ = TraceEpoch(*next - 1);
  return writer;
}

Status Writer::Prepare() {
  struct {
    Stmt* stmt;
    const char* sql;
  } const statements[] = {
      {&find_resource_, kFindResource}, {&insert_resource_, kInsertResource}, {&update_seen_, kUpdateSeen},
      {&find_scope_, kFindScope},       {&insert_scope_, kInsertScope},       {&find_metric_, kFindMetric},
      {&insert_metric_, kInsertMetric}, {&insert_block_, kInsertBlock},       {&epoch_trace_keys_, kEpochTraceKeys},
      {&insert_run_, kInsertRun},       {&insert_point_, kInsertPoint},       {&insert_log_, kInsertLog},
  };
  for (const auto& [stmt, sql] : statements) {
    auto prepared = Stmt::Prepare(db_->get(), sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return Status::OK();
}

void Writer::ClearCaches() {
  resource_ids_.Clear();
  scope_ids_.Clear();
  metric_ids_.Clear();
}

Status Writer::Write(const std::vector<const model::Batch*>& batches) {
  write_seen_.clear();
  span_groups_.clear();
  span_group_index_.clear();
  const int64_t next_span_id = next_span_id_;
  const int64_t epoch = epoch_;
  auto tx = Transaction::Begin(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  Status s;
  for (const model::Batch* batch : batches) {
    s = WriteBatch(*batch);
    if (!s.ok()) break;
  }
  if (s.ok()) s = WriteSpanBlocks();
  if (s.ok()) s = UpdateSeen();
  if (s.ok()) s = tx->Commit();
  if (!s.ok()) {
    // Ids cached during a rolled-back transaction name rows that do not
    // exist, and span numbers must go on without a gap.
    ClearCaches();
    next_span_id_ = next_span_id;
    epoch_ = epoch;
  }
  return s;
}

Status Writer::WriteBatch(const model::Batch& batch) {
  batch_ids_.resources.assign(batch.resources.size(), 0);
  batch_ids_.scopes.assign(batch.scopes.size(), 0);
  batch_ids_.seen.assign(batch.resources.size(), Seen{});
  int64_t resource_id = 0, scope_id = 0;
  for (const auto& span : batch.spans) {
    if (Status s =
            Ids(batch, span.resource_index, span.scope_index, span.start_time_unix_nano, &resource_id, &scope_id);
        !s.ok()) {
      return s;
    }
    AddSpan(span, resource_id, scope_id);
  }
  for (const auto& metric : batch.metrics) {
    for (const auto& point : metric.points) {
      if (Status s =
              Ids(batch, metric.resource_index, metric.scope_index, point.time_unix_nano, &resource_id, &scope_id);
          !s.ok()) {
        return s;
      }
    }
    if (metric.points.empty()) continue;
    auto metric_id = MetricId(metric, resource_id, scope_id);
    if (!metric_id.ok()) return metric_id.status();
    for (const auto& point : metric.points) {
      if (Status s = WritePoint(point, *metric_id); !s.ok()) return s;
    }
  }
  for (const auto& log : batch.logs) {
    const uint64_t time = log.time_unix_nano != 0 ? log.time_unix_nano : log.observed_time_unix_nano;
    if (Status s = Ids(batch, log.resource_index, log.scope_index, time, &resource_id, &scope_id); !s.ok()) return s;
    if (Status s = WriteLog(log, resource_id, scope_id); !s.ok()) return s;
  }
  for (size_t i = 0; i < batch_ids_.resources.size(); ++i) {
    if (batch_ids_.resources[i] != 0) write_seen_[batch_ids_.resources[i]].Add(batch_ids_.seen[i]);
  }
  return Status::OK();
}

Status Writer::Ids(const model::Batch& batch, uint32_t resource, uint32_t scope, uint64_t time, int64_t* resource_id,
                   int64_t* scope_id) {
  if (resource >= batch.resources.size() || scope >= batch.scopes.size()) {
    return Status::Internal("batch item refers to resource " + std::to_string(resource) + " / scope " +
                            std::to_string(scope) + " beyond the batch's " + std::to_string(batch.resources.size()) +
                            " / " + std::to_string(batch.scopes.size()));
  }
  if (batch_ids_.resources[resource] == 0) {
    auto id = ResourceId(batch.resources[resource]);
    if (!id.ok()) return id.status();
    batch_ids_.resources[resource] = *id;
  }
  if (batch_ids_.scopes[scope] == 0) {
    auto id = ScopeId(batch.scopes[scope]);
    if (!id.ok()) return id.status();
    batch_ids_.scopes[scope] = *id;
  }
  batch_ids_.seen[resource].Add(time);
  *resource_id = batch_ids_.resources[resource];
  *scope_id = batch_ids_.scopes[scope];
  return Status::OK();
}

StatusOr<int64_t> Writer::ResourceId(const model::Resource& resource) {
  return NamedRowId(resource.service_name, resource.schema_url, resource.attributes, &resource_ids_, find_resource_,
                    insert_resource_);
}

StatusOr<int64_t> Writer::ScopeId(const model::Scope& scope) {
  return NamedRowId(scope.name, scope.version, scope.attributes, &scope_ids_, find_scope_, insert_scope_);
}

StatusOr<int64_t> Writer::NamedRowId(const std::string& first, const std::string& second,
                                     const model::Attributes& attributes, IdCache<int64_t>* cache, Stmt& find,
                                     Stmt& insert) {
  // Canonical: nlohmann objects sort their keys, so attribute order does not
  // make a different row.
  json attributes_json = model::ToJson(attributes);
  key_ = Dump(json::array({first, second, attributes_json}));
  if (const int64_t* id = cache->Find(key_)) return *id;
  attributes_ = Dump(attributes_json);
  find.BindText(1, key_);
  insert.BindText(1, key_);
  insert.BindText(2, first);
  insert.BindText(3, second);
  insert.BindText(4, attributes_);
  auto id = FindOrInsert(find, insert);
  if (id.ok()) cache->Insert(key_, *id);
  return id;
}

StatusOr<int64_t> Writer::MetricId(const model::Metric& metric, int64_t resource_id, int64_t scope_id) {
  key_.clear();
  AppendInt(&key_, resource_id);
  AppendInt(&key_, scope_id);
  AppendInt(&key_, static_cast<int64_t>(metric.type) << 16 | static_cast<int64_t>(metric.temporality) << 8 |
                       static_cast<int64_t>(metric.monotonic));
  AppendField(&key_, metric.name);
  AppendField(&key_, metric.unit);
  AppendField(&key_, metric.description);
  if (const int64_t* id = metric_ids_.Find(key_)) return *id;
  for (Stmt* stmt : {&find_metric_, &insert_metric_}) {
    stmt->BindText(1, metric.name);
    stmt->BindInt(2, resource_id);
    stmt->BindInt(3, scope_id);
    stmt->BindText(4, metric.description);
    stmt->BindText(5, metric.unit);
    stmt->BindInt(6, static_cast<int64_t>(metric.type));
    stmt->BindInt(7, static_cast<int64_t>(metric.temporality));
    stmt->BindInt(8, metric.monotonic ? 1 : 0);
  }
  auto id = FindOrInsert(find_metric_, insert_metric_);
  if (id.ok()) metric_ids_.Insert(key_, *id);
  return id;
}

StatusOr<int64_t> Writer::FindOrInsert(Stmt& find, Stmt& insert) {
  {
    ResetOnExit reset(find);
    auto row = find.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      insert.Reset();
      return find.ColumnInt(0);
    }
  }
  if (Status s = insert.Run(); !s.ok()) return s;
  return sqlite3_last_insert_rowid(db_->get());
}

void Writer::AddSpan(const model::Span& span, int64_t resource_id, int64_t scope_id) {
  if (last_span_group_ >= span_groups_.size() || span_groups_[last_span_group_].resource_id != resource_id ||
      span_groups_[last_span_group_].scope_id != scope_id) {
    const auto [it, inserted] = span_group_index_.try_emplace({resource_id, scope_id}, span_groups_.size());
    if (inserted) span_groups_.push_back({resource_id, scope_id, {}});
    last_span_group_ = it->second;
  }
  span_groups_[last_span_group_].spans.push_back(&span);
}

Status Writer::WriteSpanBlocks() {
  for (const SpanGroup& group : span_groups_) {
    const auto& spans = group.spans;
    for (size_t i = 0; i < spans.size();) {
      // The next block's spans by count and start spread, and the lowest start
      // among them as the block's base time.
      uint64_t lo = spans[i]->start_time_unix_nano, hi = lo;
      size_t end = i + 1;
      for (; end < spans.size() && end - i < kMaxBlockSpans; ++end) {
        const uint64_t t = spans[end]->start_time_unix_nano;
        if (std::max(hi, t) - std::min(lo, t) > kMaxBlockStartSpread) break;
        lo = std::min(lo, t);
        hi = std::max(hi, t);
      }
      // The byte limit may end the block earlier.
      block_.Reset(lo);
      do {
        block_.Add(*spans[i++]);
      } while (i < end && block_.size_bytes() < kMaxBlockBytes);
      if (Status s = WriteBlock(group); !s.ok()) return s;
    }
  }
  return Status::OK();
}

Status Writer::WriteBlock(const SpanGroup& group) {
  const int64_t id = next_span_id_;
  if (TraceEpoch(id) != epoch_) {
    if (Status s = SealEpoch(epoch_); !s.ok()) return s;
    epoch_ = TraceEpoch(id);
  }
  trace_keys_.clear();
  for (const auto& trace_id : block_.trace_ids()) trace_keys_.push_back(TraceKey(trace_id));
  std::sort(trace_keys_.begin(), trace_keys_.end());
  trace_keys_.erase(std::unique(trace_keys_.begin(), trace_keys_.end()), trace_keys_.end());
  EncodeTraceKeys(trace_keys_, &trace_keys_blob_);
  block_.Finish(&block_data_);
  Stmt& st = insert_block_;
  st.BindInt(1, id);
  st.BindInt(2, group.resource_id);
  st.BindInt(3, group.scope_id);
  st.BindUint(4, block_.min_start());
  st.BindUint(5, block_.max_start());
  st.BindInt(6, static_cast<int64_t>(block_.span_count()));
  st.BindBlob(7, {reinterpret_cast<const uint8_t*>(trace_keys_blob_.data()), trace_keys_blob_.size()});
  st.BindBlob(8, {reinterpret_cast<const uint8_t*>(block_data_.data()), block_data_.size()});
  if (Status s = st.Run(); !s.ok()) return s;
  next_span_id_ += static_cast<int64_t>(block_.span_count());
  return Status::OK();
}

Status Writer::SealEpoch(int64_t epoch) {
  trace_entries_.clear();
  {
    Stmt& st = epoch_trace_keys_;
    ResetOnExit reset(st);
    st.BindInt(1, epoch << kTraceEpochBits);
    st.BindInt(2, (epoch + 1) << kTraceEpochBits);
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (Status s = AppendTraceEntries(st.ColumnBlob(1), st.ColumnInt(0), &trace_entries_); !s.ok()) return s;
    }
  }
  std::sort(trace_entries_.begin(), trace_entries_.end());
  runs_.clear();
  BuildRuns(trace_entries_, &runs_);
  for (const auto& [first_key, run] : runs_) {
    insert_run_.BindInt(1, epoch);
    insert_run_.BindInt(2, first_key);
    insert_run_.BindBlob(3, {reinterpret_cast<const uint8_t*>(run.data()), run.size()});
    if (Status s = insert_run_.Run(); !s.ok()) return s;
  }
  return Status::OK();
}

Status Writer::WritePoint(const model::MetricPoint& point, int64_t metric_id) {
  Stmt& st = insert_point_;
  EncodeAttributes(point.attributes, &attributes_);
  st.BindInt(1, metric_id);
  st.BindUint(2, point.start_time_unix_nano);
  st.BindUint(3, point.time_unix_nano);
  st.BindText(4, attributes_);
  st.BindInt(5, point.flags);
  if (std::isnan(point.value)) {
    st.BindNull(6);
  } else {
    st.BindDouble(6, point.value);
  }
  st.BindInt(7, point.is_int ? 1 : 0);
  if (std::holds_alternative<std::monostate>(point.distribution)) {
    st.BindNull(8);
  } else {
    EncodeDistribution(point, &distribution_);
    st.BindText(8, distribution_);
  }
  return st.Run();
}

Status Writer::WriteLog(const model::LogRecord& log, int64_t resource_id, int64_t scope_id) {
  Stmt& st = insert_log_;
  EncodeAttributes(log.attributes, &attributes_);
  st.BindUint(1, log.time_unix_nano);
  st.BindUint(2, log.observed_time_unix_nano);
  st.BindInt(3, resource_id);
  st.BindInt(4, scope_id);
  st.BindInt(5, log.severity_number);
  st.BindText(6, log.severity_text);
  if (std::holds_alternative<std::monostate>(log.body.value)) {
    st.BindNull(7);
  } else {
    EncodeValue(log.body, &body_);
    st.BindText(7, body_);
  }
  st.BindText(8, attributes_);
  st.BindInt(9, log.flags);
  BindIdOrNull(st, 10, log.trace_id);
  BindIdOrNull(st, 11, log.span_id);
  st.BindText(12, log.event_name);
  return st.Run();
}

Status Writer::UpdateSeen() {
  for (const auto& [id, seen] : write_seen_) {
    if (seen.first == 0) continue;
    update_seen_.BindInt(1, id);
    update_seen_.BindUint(2, seen.first);
    update_seen_.BindUint(3, seen.last);
    if (Status s = update_seen_.Run(); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace augur::store
