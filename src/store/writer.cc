#include "store/writer.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "model/json.h"
#include "store/record_codec.h"

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
constexpr const char* kInsertSpan =
    "INSERT INTO spans (trace_id, span_id, parent_span_id, resource_id, scope_id, name, kind, start_time, end_time, "
    "status_code, status_message, flags, trace_state, attributes, events, links) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
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
  return writer;
}

Status Writer::Prepare() {
  struct {
    Stmt* stmt;
    const char* sql;
  } const statements[] = {
      {&find_resource_, kFindResource}, {&insert_resource_, kInsertResource}, {&update_seen_, kUpdateSeen},
      {&find_scope_, kFindScope},       {&insert_scope_, kInsertScope},       {&find_metric_, kFindMetric},
      {&insert_metric_, kInsertMetric}, {&insert_span_, kInsertSpan},         {&insert_point_, kInsertPoint},
      {&insert_log_, kInsertLog},
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
  auto tx = Transaction::Begin(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  Status s;
  for (const model::Batch* batch : batches) {
    s = WriteBatch(*batch);
    if (!s.ok()) break;
  }
  if (s.ok()) s = UpdateSeen();
  if (s.ok()) s = tx->Commit();
  // Ids cached during a rolled-back transaction name rows that do not exist.
  if (!s.ok()) ClearCaches();
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
    if (Status s = WriteSpan(span, resource_id, scope_id); !s.ok()) return s;
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
  // Canonical: nlohmann objects sort their keys, so attribute order does not
  // make a different resource.
  json attributes = model::ToJson(resource.attributes);
  key_ = Dump(json::array({resource.service_name, resource.schema_url, attributes}));
  if (const int64_t* id = resource_ids_.Find(key_)) return *id;
  attributes_ = Dump(attributes);
  find_resource_.BindText(1, key_);
  insert_resource_.BindText(1, key_);
  insert_resource_.BindText(2, resource.service_name);
  insert_resource_.BindText(3, resource.schema_url);
  insert_resource_.BindText(4, attributes_);
  auto id = FindOrInsert(find_resource_, insert_resource_);
  if (id.ok()) resource_ids_.Insert(key_, *id);
  return id;
}

StatusOr<int64_t> Writer::ScopeId(const model::Scope& scope) {
  json attributes = model::ToJson(scope.attributes);
  key_ = Dump(json::array({scope.name, scope.version, attributes}));
  if (const int64_t* id = scope_ids_.Find(key_)) return *id;
  attributes_ = Dump(attributes);
  find_scope_.BindText(1, key_);
  insert_scope_.BindText(1, key_);
  insert_scope_.BindText(2, scope.name);
  insert_scope_.BindText(3, scope.version);
  insert_scope_.BindText(4, attributes_);
  auto id = FindOrInsert(find_scope_, insert_scope_);
  if (id.ok()) scope_ids_.Insert(key_, *id);
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

Status Writer::WriteSpan(const model::Span& span, int64_t resource_id, int64_t scope_id) {
  Stmt& st = insert_span_;
  EncodeAttributes(span.attributes, &attributes_);
  st.BindBlob(1, span.trace_id);
  st.BindBlob(2, span.span_id);
  BindIdOrNull(st, 3, span.parent_span_id);
  st.BindInt(4, resource_id);
  st.BindInt(5, scope_id);
  st.BindText(6, span.name);
  st.BindInt(7, static_cast<int64_t>(span.kind));
  st.BindUint(8, span.start_time_unix_nano);
  st.BindUint(9, span.end_time_unix_nano);
  st.BindInt(10, static_cast<int64_t>(span.status_code));
  st.BindText(11, span.status_message);
  st.BindInt(12, span.flags);
  st.BindText(13, span.trace_state);
  st.BindText(14, attributes_);
  if (span.events.empty()) {
    st.BindNull(15);
  } else {
    EncodeEvents(span.events, &events_);
    st.BindText(15, events_);
  }
  if (span.links.empty()) {
    st.BindNull(16);
  } else {
    EncodeLinks(span.links, &links_);
    st.BindText(16, links_);
  }
  return st.Run();
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
