// Row codecs of the analysis tables (schema.cc): anomalies, change events,
// insights and feedback to and from statement columns, shared by the analysis writer and
// the readers. Internal to the store.
//
// The column lists are macros so that statements can be string constants
// (readers key their prepared statements by the constant). Binding writes
// parameters ?1.. in column order; reading takes columns 0.. in that order.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "store/sqlite_util.h"
#include "store/store.h"

namespace augur::store {

// 22 columns.
#define AUGUR_ANOMALY_COLUMNS                                                                                          \
  "id, metric, service, operation, attributes, kind, direction, quantity, unit, detector, onset, detected, end_time, " \
  "updated, value_before, observed, expected_low, expected_high, score, limit_value, predicted, explanation"
#define AUGUR_ANOMALY_PARAMETERS \
  "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22"

// 10 columns.
#define AUGUR_EVENT_COLUMNS "id, type, service, time, version, previous_version, source, sources, description, changes"
#define AUGUR_EVENT_PARAMETERS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"

// 6 columns; readers select `data` alone.
#define AUGUR_INSIGHT_COLUMNS "id, status, start_time, end_time, feedback, data"
#define AUGUR_INSIGHT_PARAMETERS "?1, ?2, ?3, ?4, ?5, ?6"

// 3 columns.
#define AUGUR_FEEDBACK_COLUMNS "insight_id, feedback, wall_time"

// Text is bound without copying: `anomaly` and `scratch` (which holds the
// encoded columns) must stay unchanged until the statement is reset.
void BindAnomaly(Stmt& stmt, const model::Anomaly& anomaly, std::string* scratch);
model::Anomaly ReadAnomaly(const Stmt& stmt);

// As BindAnomaly; `scratch` holds the two JSON columns: sources, an array
// of strings, and changes, an array of {"key", "old", "new"} (which the
// old-value lookup reads with json_each, analysis_writer.cc).
void BindEvent(Stmt& stmt, const model::ChangeEvent& event, std::string (*scratch)[2]);
model::ChangeEvent ReadEvent(const Stmt& stmt);

// The `data` column of an insight: its JSON (InsightToJson).
std::string InsightData(const model::Insight& insight);
// As BindAnomaly; `scratch` holds InsightData(insight).
// end_time is NULL while the insight is ONGOING; a closed insight ends no
// earlier than it started, so that range queries find it.
void BindInsight(Stmt& stmt, const model::Insight& insight, std::string* scratch);
// The insight whose JSON is in column `column`. IOError when it is not an
// insight's JSON (augur never writes such a row).
StatusOr<model::Insight> ReadInsight(const Stmt& stmt, int column);
// The services an insight touches, for the service filter: its root
// cause's and its anomalies' series', without "" or repeats, sorted.
std::vector<std::string> InsightServices(const model::Insight& insight);

FeedbackRecord ReadFeedback(const Stmt& stmt);

}  // namespace augur::store
