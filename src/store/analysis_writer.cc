#include "store/analysis_writer.h"

#include <optional>

#include "model/event_merge.h"
#include "store/analysis_rows.h"
#include "store/schema.h"

namespace augur::store {
namespace {

constexpr const char* kInsertAnomaly =
    "INSERT OR REPLACE INTO anomalies (" AUGUR_ANOMALY_COLUMNS ") VALUES (" AUGUR_ANOMALY_PARAMETERS ")";

// The merge partner (model::MayBeSameDeployment): a deployment of the same
// service and version at most ?4 (the merge window) from ?3, with no
// deployment of another version of the service between the two, the
// nearest in time when there are several. Uses the events_deployment index.
constexpr const char* kFindDeployment =
    "SELECT " AUGUR_EVENT_COLUMNS
    " FROM events e WHERE e.service = ?1 AND e.version = ?2 AND e.type = 'DEPLOYMENT' AND e.version <> ''"
    " AND e.time BETWEEN ?3 - ?4 AND ?3 + ?4"
    " AND NOT EXISTS (SELECT 1 FROM events o WHERE o.service = ?1 AND o.type = 'DEPLOYMENT' AND o.version <> ''"
    " AND o.version <> ?2 AND o.time > min(e.time, ?3) AND o.time < max(e.time, ?3))"
    " ORDER BY abs(e.time - ?3), e.seq LIMIT 1";

// The new value of `key` in the latest event of a service before ?2 that
// changed it, other than the event being written (?3) and its merge
// partner (?4). The (service, time) index is walked backwards from ?2, so
// the lookup stops at the first event that changed the key.
constexpr const char* kLastValue =
    "SELECT json_extract(c.value, '$.new') FROM events e, json_each(e.changes) c "
    "WHERE e.service = ?1 AND e.time < ?2 AND e.id <> ?3 AND e.id <> ?4 AND json_extract(c.value, '$.key') = ?5 "
    "ORDER BY e.time DESC, e.seq DESC LIMIT 1";

constexpr const char* kDeleteEvents = "DELETE FROM events WHERE id = ?1 OR id = ?2";
constexpr const char* kInsertEvent = "INSERT INTO events (" AUGUR_EVENT_COLUMNS ") VALUES (" AUGUR_EVENT_PARAMETERS ")";
constexpr const char* kInsightFeedback = "SELECT feedback FROM insights WHERE id = ?1";
constexpr const char* kInsertInsight =
    "INSERT OR REPLACE INTO insights (" AUGUR_INSIGHT_COLUMNS ") VALUES (" AUGUR_INSIGHT_PARAMETERS ")";
constexpr const char* kDeleteInsightServices = "DELETE FROM insight_services WHERE insight_id = ?1";
constexpr const char* kInsertInsightService =
    "INSERT OR IGNORE INTO insight_services (service, start_time, insight_id) VALUES (?1, ?2, ?3)";
constexpr const char* kInsightData = "SELECT data FROM insights WHERE id = ?1";
constexpr const char* kUpdateInsightFeedback = "UPDATE insights SET feedback = ?2, data = ?3 WHERE id = ?1";
constexpr const char* kInsertFeedback = "INSERT INTO insight_feedback (" AUGUR_FEEDBACK_COLUMNS ") VALUES (?1, ?2, ?3)";
// All but the newest ?2 of an insight's feedback (walks the insight_id index).
constexpr const char* kTrimFeedback =
    "DELETE FROM insight_feedback WHERE insight_id = ?1 AND seq <= "
    "(SELECT seq FROM insight_feedback WHERE insight_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)";
constexpr const char* kPutState = "INSERT OR REPLACE INTO analysis_state (name, data) VALUES (?1, ?2)";

}  // namespace

StatusOr<std::unique_ptr<AnalysisWriter>> AnalysisWriter::Open(const std::string& path) {
  auto db = OpenAnalysisWriteConnection(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<AnalysisWriter> writer(new AnalysisWriter(std::move(*db)));
  if (Status s = writer->Prepare(); !s.ok()) return s;
  return writer;
}

Status AnalysisWriter::Prepare() {
  const std::pair<Stmt*, const char*> statements[] = {
      {&insert_anomaly_, kInsertAnomaly},
      {&find_deployment_, kFindDeployment},
      {&last_value_, kLastValue},
      {&delete_events_, kDeleteEvents},
      {&insert_event_, kInsertEvent},
      {&put_state_, kPutState},
      {&insight_feedback_, kInsightFeedback},
      {&insert_insight_, kInsertInsight},
      {&delete_insight_services_, kDeleteInsightServices},
      {&insert_insight_service_, kInsertInsightService},
      {&insight_data_, kInsightData},
      {&update_insight_feedback_, kUpdateInsightFeedback},
      {&insert_feedback_, kInsertFeedback},
      {&trim_feedback_, kTrimFeedback},
  };
  for (const auto& [stmt, sql] : statements) {
    auto prepared = Stmt::Prepare(db_.get(), sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return Status::OK();
}

Status AnalysisWriter::PutAnomalies(const std::vector<model::Anomaly>& anomalies) {
  if (anomalies.empty()) return Status::OK();
  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  std::string scratch;
  for (const auto& anomaly : anomalies) {
    BindAnomaly(insert_anomaly_, anomaly, &scratch);
    if (Status s = insert_anomaly_.Run(); !s.ok()) return s;
  }
  return tx->Commit();
}

StatusOr<std::optional<model::ChangeEvent>> AnalysisWriter::FindDeployment(const model::ChangeEvent& event) {
  if (!model::IsVersionedDeployment(event)) return std::optional<model::ChangeEvent>();
  ResetOnExit reset(find_deployment_);
  find_deployment_.BindText(1, event.service);
  find_deployment_.BindText(2, event.version);
  find_deployment_.BindUint(3, event.time_ns);
  find_deployment_.BindUint(4, model::kDeploymentMergeWindowNs);
  auto row = find_deployment_.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<model::ChangeEvent>();
  return std::optional<model::ChangeEvent>(ReadEvent(find_deployment_));
}

Status AnalysisWriter::FillOldValues(const std::string& other_id, model::ChangeEvent* event) {
  for (auto& change : event->changes) {
    if (!change.old_value.empty()) continue;
    ResetOnExit reset(last_value_);
    last_value_.BindText(1, event->service);
    last_value_.BindUint(2, event->time_ns);
    last_value_.BindText(3, event->id);
    last_value_.BindText(4, other_id);
    last_value_.BindText(5, change.key);
    auto row = last_value_.Step();
    if (!row.ok()) return row.status();
    if (*row) change.old_value = last_value_.ColumnText(0);
  }
  return Status::OK();
}

StatusOr<model::ChangeEvent> AnalysisWriter::PutEvent(const model::ChangeEvent& posted) {
  model::ChangeEvent event = posted;
  model::NormalizeSources(&event);
  if (event.id.empty()) event.id = model::DerivedEventId(event);

  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  auto partner = FindDeployment(event);
  if (!partner.ok()) return partner.status();
  const std::string partner_id = *partner ? (*partner)->id : std::string();
  if (Status s = FillOldValues(partner_id, &event); !s.ok()) return s;
  model::ChangeEvent stored = *partner ? model::MergeEvents(**partner, event) : std::move(event);

  // The partner's row and any other row with the result's id are replaced.
  delete_events_.BindText(1, stored.id);
  delete_events_.BindText(2, partner_id);
  if (Status s = delete_events_.Run(); !s.ok()) return s;
  std::string scratch[2];
  BindEvent(insert_event_, stored, &scratch);
  if (Status s = insert_event_.Run(); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return stored;
}

StatusOr<model::Insight> AnalysisWriter::StoredInsight(const std::string& id) {
  ResetOnExit reset(insight_data_);
  insight_data_.BindText(1, id);
  auto row = insight_data_.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no insight " + id);
  return ReadInsight(insight_data_, 0);
}

StatusOr<std::string> AnalysisWriter::StoredFeedback(const std::string& id) {
  ResetOnExit reset(insight_feedback_);
  insight_feedback_.BindText(1, id);
  auto row = insight_feedback_.Step();
  if (!row.ok()) return row.status();
  return *row ? std::string(insight_feedback_.ColumnText(0)) : std::string();
}

Status AnalysisWriter::WriteInsight(const model::Insight& insight, std::string* scratch) {
  BindInsight(insert_insight_, insight, scratch);
  if (Status s = insert_insight_.Run(); !s.ok()) return s;
  // The services may have changed with the anomalies: written afresh.
  delete_insight_services_.BindText(1, insight.id);
  if (Status s = delete_insight_services_.Run(); !s.ok()) return s;
  for (const std::string& service : InsightServices(insight)) {
    insert_insight_service_.BindText(1, service);
    insert_insight_service_.BindUint(2, insight.start_ns);
    insert_insight_service_.BindText(3, insight.id);
    if (Status s = insert_insight_service_.Run(); !s.ok()) return s;
  }
  return Status::OK();
}

Status AnalysisWriter::PutInsights(const std::vector<model::Insight>& insights) {
  if (insights.empty()) return Status::OK();
  for (const auto& insight : insights) {
    if (insight.id.empty()) return Status::InvalidArgument("an insight needs an id");
  }
  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  std::string scratch;
  for (const auto& insight : insights) {
    const model::Insight* written = &insight;
    model::Insight kept;
    if (insight.feedback.empty()) {
      auto stored = StoredFeedback(insight.id);
      if (!stored.ok()) return stored.status();
      if (!stored->empty()) {
        kept = insight;
        kept.feedback = std::move(*stored);
        written = &kept;
      }
    }
    if (Status s = WriteInsight(*written, &scratch); !s.ok()) return s;
  }
  return tx->Commit();
}

StatusOr<model::Insight> AnalysisWriter::PutFeedback(const std::string& insight_id, const std::string& feedback,
                                                     uint64_t now_unix_nano) {
  if (!IsValidFeedback(feedback)) {
    constexpr size_t kShown = 64;  // of what the client sent, in the error
    return Status::InvalidArgument("feedback must be USEFUL, NOT_USEFUL, TOO_SENSITIVE or INCORRECT, got '" +
                                   feedback.substr(0, kShown) + (feedback.size() > kShown ? "...'" : "'"));
  }
  std::lock_guard lock(mu_);
  auto tx = Transaction::Begin(&db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return tx.status();
  auto insight = StoredInsight(insight_id);
  if (!insight.ok()) return insight.status();
  insight->feedback = feedback;
  const std::string data = InsightData(*insight);
  update_insight_feedback_.BindText(1, insight_id);
  update_insight_feedback_.BindText(2, feedback);
  update_insight_feedback_.BindText(3, data);
  if (Status s = update_insight_feedback_.Run(); !s.ok()) return s;
  insert_feedback_.BindText(1, insight_id);
  insert_feedback_.BindText(2, feedback);
  insert_feedback_.BindUint(3, now_unix_nano);
  if (Status s = insert_feedback_.Run(); !s.ok()) return s;
  trim_feedback_.BindText(1, insight_id);
  trim_feedback_.BindInt(2, kMaxFeedbackPerInsight);
  if (Status s = trim_feedback_.Run(); !s.ok()) return s;
  if (Status s = tx->Commit(); !s.ok()) return s;
  return insight;
}

Status AnalysisWriter::PutState(const std::string& name, const std::string& bytes) {
  std::lock_guard lock(mu_);
  put_state_.BindText(1, name);
  put_state_.BindBlob(2, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  return put_state_.Run();
}

}  // namespace augur::store
