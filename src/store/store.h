// Store: augur's durable embedded storage, one SQLite database in the data
// directory (DATA_DIR/augur.db, WAL mode).
//
// What it keeps: resources (deduplicated, with first/last seen in event
// time), scopes, spans, metrics with their points, and log records; and
// what augur makes of them: anomalies, insights with their users' feedback,
// change events, analysis state. Only this folder speaks SQL.
//
// Durability: Write() returns after the transaction has committed to the WAL
// (synchronous=NORMAL), so what it acknowledged survives a kill -9 of augur.
//
// Retention: EnforceRetention() deletes the oldest rows, by the wall-clock
// time they were ingested (an age limit) and by database size (a byte limit),
// so replayed telemetry with old timestamps is not deleted on arrival and the
// disk never fills. Rows are deleted oldest-first by rowid, which grows with
// ingest order. Anomalies and insights are deleted by the same rules, by the
// time they were last written; an insight's feedback goes with it, never
// before. Change events and analysis state are never deleted; the
// notification outbox bounds itself (outbox.h).
//
// Threads: Write() and EnforceRetention() are called from one writer thread
// only. The query methods may be called from any number of threads at once;
// they use their own read connections and never block the writer (WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "model/telemetry.h"

namespace augur::store {

class Outbox;

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

// Anomalies whose [onset, end] (end = +inf while ongoing) overlaps
// [from, to]; newest onset first.
struct AnomalyQuery {
  std::string service;
  std::string status;  // "", "ongoing" or "closed"
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 1000;
};

// Insights whose [start, end] (end = +inf while ONGOING) overlaps
// [from, to]; newest start first. `service` matches the root cause's
// service or any of the insight's anomalies' services.
struct InsightQuery {
  std::string status;  // "", "ONGOING" or "CLOSED"
  std::string service;
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 1000;
};

// One feedback submission on an insight.
struct FeedbackRecord {
  std::string insight_id;
  std::string feedback;         // USEFUL, NOT_USEFUL, TOO_SENSITIVE, INCORRECT
  uint64_t time_unix_nano = 0;  // wall clock when it was given
  bool operator==(const FeedbackRecord&) const = default;
};

// Feedback in the order it was given, oldest first; of one insight, or of
// all when `insight_id` is empty.
struct FeedbackQuery {
  std::string insight_id;
  size_t limit = 1000;
};

// The feedback values PutFeedback accepts: USEFUL, NOT_USEFUL,
// TOO_SENSITIVE (detectors should be less sensitive), INCORRECT (wrong
// root cause or grouping). docs/api.md maps them to DevOps Guru's.
bool IsValidFeedback(std::string_view feedback);

// Events with time in [from, to], oldest first.
struct EventQuery {
  std::string service;
  uint64_t from_unix_nano = 0;
  uint64_t to_unix_nano = UINT64_MAX;
  size_t limit = 1000;
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

  // --- Analysis results, insights and change events ---
  // These writes use their own connection, serialized by the store, and may
  // be called from any thread; they never wait for the ingest writer longer
  // than SQLite's busy timeout. Reads as above.

  // Inserts or replaces each anomaly by id, in one transaction.
  virtual Status PutAnomalies(const std::vector<model::Anomaly>& anomalies) = 0;
  virtual StatusOr<std::vector<model::Anomaly>> QueryAnomalies(const AnomalyQuery& query) = 0;
  // NotFound when there is no such id.
  virtual StatusOr<model::Anomaly> GetAnomaly(const std::string& id) = 0;

  // Inserts or replaces each insight by id, in one transaction. An insight
  // with an empty `feedback` keeps the feedback stored for its id: feedback
  // comes from users, insights from the correlator, which does not know it.
  // InvalidArgument for an empty id.
  virtual Status PutInsights(const std::vector<model::Insight>& insights) = 0;
  virtual StatusOr<std::vector<model::Insight>> QueryInsights(const InsightQuery& query) = 0;
  // NotFound when there is no such id.
  virtual StatusOr<model::Insight> GetInsight(const std::string& id) = 0;
  // Records a user's feedback on an insight: appended to its history (the
  // newest 100 per insight are kept) and set as the insight's `feedback`,
  // without counting as a write of the insight for retention. Returns the
  // updated insight. InvalidArgument unless IsValidFeedback(feedback);
  // NotFound when there is no such insight. `now_unix_nano` is the wall clock.
  virtual StatusOr<model::Insight> PutFeedback(const std::string& insight_id, const std::string& feedback,
                                               uint64_t now_unix_nano) = 0;
  virtual StatusOr<std::vector<FeedbackRecord>> ListFeedback(const FeedbackQuery& query) = 0;

  // Records a change event and returns it as stored. Merging: an event for
  // the same service, type DEPLOYMENT and non-empty version as an existing
  // one, within model::kDeploymentMergeWindowNs of it and with no deployment
  // of another version of the service between them, is the same change (the
  // nearest such one, when there are several): the stored event keeps the explicit
  // (non-"telemetry") event's id, source, description and changes, the
  // earliest time, and the union of `sources` (event_merge.h has the
  // details, e.g. two explicit reports). Otherwise an event with the id of
  // an existing one replaces it. An empty id gets a deterministic one,
  // "ev-" + 16 hex digits of a hash of (type, service, time, version), so
  // posting the same event twice stores it once. `source` is always listed
  // in `sources`. A change with an empty old value takes the new value of
  // the latest earlier event (by event time) of the same service that
  // changed the same key, when augur has one.
  virtual StatusOr<model::ChangeEvent> PutEvent(const model::ChangeEvent& event) = 0;
  virtual StatusOr<std::vector<model::ChangeEvent>> QueryEvents(const EventQuery& query) = 0;
  virtual StatusOr<model::ChangeEvent> GetEvent(const std::string& id) = 0;

  // Opaque analysis state (detector checkpoints), by name. Put replaces;
  // Get returns NotFound when absent.
  virtual Status PutState(const std::string& name, const std::string& bytes) = 0;
  virtual StatusOr<std::string> GetState(const std::string& name) = 0;

  // --- Notifications ---
  // The durable queue of notifications (outbox.h), in the same database.
  // Any thread; valid for the store's lifetime.
  virtual Outbox* outbox() = 0;
};

}  // namespace augur::store
