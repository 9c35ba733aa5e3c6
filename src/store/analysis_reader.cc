// The Reader's queries of anomalies, insights, feedback, change events and
// analysis state
// (reader.h); the tables are described in schema.cc.
#include "store/analysis_rows.h"
#include "store/reader.h"

namespace augur::store {
namespace {

// Anomalies overlapping [?1, ?2] (an ongoing one extends to +inf), newest
// onset first, at most ?3; ?4 the service. One statement per filter
// combination, so each can use its index (schema.cc).
#define AUGUR_ANOMALIES_OVERLAPPING \
  "SELECT " AUGUR_ANOMALY_COLUMNS " FROM anomalies WHERE onset <= ?2 AND (end_time IS NULL OR end_time >= ?1)"
#define AUGUR_ANOMALIES_ORDER " ORDER BY onset DESC, seq DESC LIMIT ?3"
constexpr const char* kAnomalies[2][3] = {
    {
        AUGUR_ANOMALIES_OVERLAPPING AUGUR_ANOMALIES_ORDER,
        AUGUR_ANOMALIES_OVERLAPPING " AND end_time IS NULL" AUGUR_ANOMALIES_ORDER,
        AUGUR_ANOMALIES_OVERLAPPING " AND end_time IS NOT NULL" AUGUR_ANOMALIES_ORDER,
    },
    {
        AUGUR_ANOMALIES_OVERLAPPING " AND service = ?4" AUGUR_ANOMALIES_ORDER,
        AUGUR_ANOMALIES_OVERLAPPING " AND service = ?4 AND end_time IS NULL" AUGUR_ANOMALIES_ORDER,
        AUGUR_ANOMALIES_OVERLAPPING " AND service = ?4 AND end_time IS NOT NULL" AUGUR_ANOMALIES_ORDER,
    },
};
#undef AUGUR_ANOMALIES_OVERLAPPING
#undef AUGUR_ANOMALIES_ORDER
constexpr const char* kAnomalyById = "SELECT " AUGUR_ANOMALY_COLUMNS " FROM anomalies WHERE id = ?1";

// Insights overlapping [?1, ?2] (an ongoing one extends to +inf), newest
// start first, at most ?3; ?4 the service, through insight_services, whose
// (service, start_time) key orders them.
#define AUGUR_INSIGHTS_OVERLAPPING \
  "SELECT data FROM insights WHERE start_time <= ?2 AND (end_time IS NULL OR end_time >= ?1)"
#define AUGUR_INSIGHTS_ORDER " ORDER BY start_time DESC, seq DESC LIMIT ?3"
#define AUGUR_SERVICE_INSIGHTS_OVERLAPPING                                        \
  "SELECT i.data FROM insight_services s JOIN insights i ON i.id = s.insight_id " \
  "WHERE s.service = ?4 AND s.start_time <= ?2 AND (i.end_time IS NULL OR i.end_time >= ?1)"
#define AUGUR_SERVICE_INSIGHTS_ORDER " ORDER BY s.start_time DESC, i.seq DESC LIMIT ?3"
constexpr const char* kInsights[2][3] = {
    {
        AUGUR_INSIGHTS_OVERLAPPING AUGUR_INSIGHTS_ORDER,
        AUGUR_INSIGHTS_OVERLAPPING " AND end_time IS NULL" AUGUR_INSIGHTS_ORDER,
        AUGUR_INSIGHTS_OVERLAPPING " AND end_time IS NOT NULL" AUGUR_INSIGHTS_ORDER,
    },
    {
        AUGUR_SERVICE_INSIGHTS_OVERLAPPING AUGUR_SERVICE_INSIGHTS_ORDER,
        AUGUR_SERVICE_INSIGHTS_OVERLAPPING " AND i.end_time IS NULL" AUGUR_SERVICE_INSIGHTS_ORDER,
        AUGUR_SERVICE_INSIGHTS_OVERLAPPING " AND i.end_time IS NOT NULL" AUGUR_SERVICE_INSIGHTS_ORDER,
    },
};
#undef AUGUR_INSIGHTS_OVERLAPPING
#undef AUGUR_INSIGHTS_ORDER
#undef AUGUR_SERVICE_INSIGHTS_OVERLAPPING
#undef AUGUR_SERVICE_INSIGHTS_ORDER
constexpr const char* kInsightById = "SELECT data FROM insights WHERE id = ?1";

// Feedback in the order it was given, at most ?1; ?2 the insight.
constexpr const char* kFeedback = "SELECT " AUGUR_FEEDBACK_COLUMNS " FROM insight_feedback ORDER BY seq LIMIT ?1";
constexpr const char* kFeedbackOfInsight =
    "SELECT " AUGUR_FEEDBACK_COLUMNS " FROM insight_feedback WHERE insight_id = ?2 ORDER BY seq LIMIT ?1";

// Events with time in [?1, ?2], oldest first (then in write order), at most
// ?3; ?4 the service.
constexpr const char* kEvents =
    "SELECT " AUGUR_EVENT_COLUMNS " FROM events WHERE time BETWEEN ?1 AND ?2 ORDER BY time, seq LIMIT ?3";
constexpr const char* kEventsOfService = "SELECT " AUGUR_EVENT_COLUMNS
                                         " FROM events WHERE service = ?4 AND time BETWEEN ?1 AND ?2 "
                                         "ORDER BY time, seq LIMIT ?3";
constexpr const char* kEventById = "SELECT " AUGUR_EVENT_COLUMNS " FROM events WHERE id = ?1";

constexpr const char* kStateByName = "SELECT data FROM analysis_state WHERE name = ?1";

// The insight whose JSON is the statement's first column.
StatusOr<model::Insight> ReadInsightData(const Stmt& st) {
  return ReadInsight(st, 0);
}

// Binds the range every list query shares: ?1 from, ?2 to, ?3 limit, and
// ?4 the service when one is asked for.
void BindRange(Stmt& st, uint64_t from, uint64_t to, size_t limit, const std::string& service) {
  st.BindInt(1, SqlTime(from));
  st.BindInt(2, SqlTime(to));
  st.BindInt(3, SqlLimit(limit));
  if (!service.empty()) st.BindText(4, service);
}

// `read` of a row as a StatusOr, whether it returns a value or a StatusOr.
template <typename T, typename Read>
StatusOr<T> ReadRow(const Stmt& st, Read& read) {
  return StatusOr<T>(read(st));
}

// Every row of the bound statement `st`, each read by `read`.
template <typename T, typename Read>
StatusOr<std::vector<T>> AllRows(Stmt& st, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    auto item = ReadRow<T>(st, read);
    if (!item.ok()) return item.status();
    out.push_back(std::move(*item));
  }
}

// The one row of the bound statement `st`, or NotFound(`missing`).
template <typename T, typename Read>
StatusOr<T> OneRow(Stmt& st, Read read, const std::string& missing) {
  auto row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(missing);
  return ReadRow<T>(st, read);
}

}  // namespace

StatusOr<std::vector<model::Anomaly>> Reader::QueryAnomalies(const AnomalyQuery& query) {
  int status = 0;
  if (query.status == "ongoing") {
    status = 1;
  } else if (query.status == "closed") {
    status = 2;
  } else if (!query.status.empty()) {
    return Status::InvalidArgument("status must be ongoing or closed, got '" + query.status + "'");
  }
  auto stmt = Statement(kAnomalies[query.service.empty() ? 0 : 1][status]);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  BindRange(st, query.from_unix_nano, query.to_unix_nano, query.limit, query.service);
  return AllRows<model::Anomaly>(st, ReadAnomaly);
}

StatusOr<model::Anomaly> Reader::GetAnomaly(const std::string& id) {
  auto stmt = Statement(kAnomalyById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindText(1, id);
  return OneRow<model::Anomaly>(st, ReadAnomaly, "no anomaly " + id);
}

StatusOr<std::vector<model::Insight>> Reader::QueryInsights(const InsightQuery& query) {
  int status = 0;
  if (query.status == "ONGOING") {
    status = 1;
  } else if (query.status == "CLOSED") {
    status = 2;
  } else if (!query.status.empty()) {
    return Status::InvalidArgument("status must be ONGOING or CLOSED, got '" + query.status + "'");
  }
  auto stmt = Statement(kInsights[query.service.empty() ? 0 : 1][status]);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  BindRange(st, query.from_unix_nano, query.to_unix_nano, query.limit, query.service);
  return AllRows<model::Insight>(st, ReadInsightData);
}

StatusOr<model::Insight> Reader::GetInsight(const std::string& id) {
  auto stmt = Statement(kInsightById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindText(1, id);
  return OneRow<model::Insight>(st, ReadInsightData, "no insight " + id);
}

StatusOr<std::vector<FeedbackRecord>> Reader::ListFeedback(const FeedbackQuery& query) {
  auto stmt = Statement(query.insight_id.empty() ? kFeedback : kFeedbackOfInsight);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindInt(1, SqlLimit(query.limit));
  if (!query.insight_id.empty()) st.BindText(2, query.insight_id);
  return AllRows<FeedbackRecord>(st, ReadFeedback);
}

StatusOr<std::vector<model::ChangeEvent>> Reader::QueryEvents(const EventQuery& query) {
  auto stmt = Statement(query.service.empty() ? kEvents : kEventsOfService);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  BindRange(st, query.from_unix_nano, query.to_unix_nano, query.limit, query.service);
  return AllRows<model::ChangeEvent>(st, ReadEvent);
}

StatusOr<model::ChangeEvent> Reader::GetEvent(const std::string& id) {
  auto stmt = Statement(kEventById);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindText(1, id);
  return OneRow<model::ChangeEvent>(st, ReadEvent, "no event " + id);
}

StatusOr<std::string> Reader::GetState(const std::string& name) {
  auto stmt = Statement(kStateByName);
  if (!stmt.ok()) return stmt.status();
  Stmt& st = **stmt;
  ResetOnExit reset(st);
  st.BindText(1, name);
  return OneRow<std::string>(
      st,
      [](const Stmt& row) {
        const auto blob = row.ColumnBlob(0);
        return std::string(blob.begin(), blob.end());
      },
      "no analysis state " + name);
}

}  // namespace augur::store
