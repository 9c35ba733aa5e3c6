// AnalysisWriter: the store's second write connection, for what the
// analysis and the API write: anomalies, insights and their feedback, change
// events and analysis state. Internal to the store.
//
// The ingest writer thread keeps the first connection to itself (store.h);
// these writes come from other threads (the analysis stage, API handlers),
// so they get their own connection, serialized by a mutex. SQLite lets one
// writer at a time into the database: a call waits for the ingest writer's
// transaction at most the connection's busy timeout (schema.cc), then fails
// with kIOError ("database is locked").
//
// PutEvent applies the rules of store.h (event_merge.h), in one
// transaction with the lookups they need:
//  - an empty id becomes DerivedEventId();
//  - a change with an empty old value takes the new value of the latest
//    event of the same service before it (by event time) that changed the
//    same key, when there is one;
//  - a versioned deployment merges into the stored event of the same
//    service and version, if any (MergeEvents());
//  - the result replaces the event with its id, if any.
//
// PutInsights and PutFeedback keep store.h's rules on feedback, each in one
// transaction: an insight written without feedback takes the stored one;
// feedback updates the stored insight in place (its row keeps its `seq`,
// so feedback does not make retention keep an insight longer) and appends
// to its history, of which the newest kMaxFeedbackPerInsight are kept, so a
// client posting feedback in a loop cannot grow the table without bound.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "store/sqlite_util.h"

namespace augur::store {

class AnalysisWriter {
 public:
  static constexpr int kMaxFeedbackPerInsight = 100;

  // Opens the connection to the database at `path`, which the ingest
  // writer's connection has created (schema.h).
  static StatusOr<std::unique_ptr<AnalysisWriter>> Open(const std::string& path);

  Status PutAnomalies(const std::vector<model::Anomaly>& anomalies);
  StatusOr<model::ChangeEvent> PutEvent(const model::ChangeEvent& event);
  Status PutInsights(const std::vector<model::Insight>& insights);
  StatusOr<model::Insight> PutFeedback(const std::string& insight_id, const std::string& feedback,
                                       uint64_t now_unix_nano);
  Status PutState(const std::string& name, const std::string& bytes);

 private:
  explicit AnalysisWriter(Db db) : db_(std::move(db)) {}
  Status Prepare();
  // Within PutEvent's transaction.
  StatusOr<std::optional<model::ChangeEvent>> FindDeployment(const model::ChangeEvent& event);
  Status FillOldValues(const std::string& other_id, model::ChangeEvent* event);
  // Within PutInsights' and PutFeedback's transactions: the stored
  // feedback of `id` ("" when none), the stored insight (NotFound).
  StatusOr<std::string> StoredFeedback(const std::string& id);
  StatusOr<model::Insight> StoredInsight(const std::string& id);
  Status WriteInsight(const model::Insight& insight, std::string* scratch);

  std::mutex mu_;
  Db db_;  // guarded by mu_, as are the statements
  Stmt insert_anomaly_, find_deployment_, last_value_, delete_events_, insert_event_, put_state_;
  Stmt insight_feedback_, insert_insight_, delete_insight_services_, insert_insight_service_;
  Stmt insight_data_, update_insight_feedback_, insert_feedback_, trim_feedback_;
};

}  // namespace augur::store
