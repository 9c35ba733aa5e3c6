#include "store/analysis_rows.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/insight_json.h"

namespace augur::store {
namespace {

using nlohmann::json;

// SQLite has no NaN (it would store NULL anyway): NULL reads back as NaN.
void BindValue(Stmt& stmt, int i, double v) {
  if (std::isnan(v)) {
    stmt.BindNull(i);
  } else {
    stmt.BindDouble(i, v);
  }
}

double ColumnValue(const Stmt& stmt, int i) {
  return stmt.IsNull(i) ? std::numeric_limits<double>::quiet_NaN() : stmt.ColumnDouble(i);
}

// Malformed JSON (never written by augur) reads as null.
json ParseColumn(const Stmt& stmt, int i) {
  const std::string_view text = stmt.ColumnText(i);
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json() : parsed;
}

std::string StringMember(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool IsValidFeedback(std::string_view feedback) {
  return feedback == "USEFUL" || feedback == "NOT_USEFUL" || feedback == "TOO_SENSITIVE" || feedback == "INCORRECT";
}

void BindAnomaly(Stmt& stmt, const model::Anomaly& a, std::string* scratch) {
  json attributes = json::object();
  for (const auto& [key, value] : a.series.attributes) attributes.emplace(key, value);
  *scratch = attributes.dump(-1, ' ', false, json::error_handler_t::replace);
  stmt.BindText(1, a.id);
  stmt.BindText(2, a.series.metric);
  stmt.BindText(3, a.series.service);
  stmt.BindText(4, a.series.operation);
  stmt.BindText(5, *scratch);
  stmt.BindText(6, a.kind);
  stmt.BindText(7, a.direction);
  stmt.BindText(8, a.quantity);
  stmt.BindText(9, a.unit);
  stmt.BindText(10, a.detector);
  stmt.BindUint(11, a.onset_ns);
  stmt.BindUint(12, a.detected_ns);
  if (a.ongoing()) {
    stmt.BindNull(13);
  } else {
    stmt.BindUint(13, a.end_ns);
  }
  stmt.BindUint(14, a.updated_ns);
  BindValue(stmt, 15, a.before);
  BindValue(stmt, 16, a.observed);
  BindValue(stmt, 17, a.expected_low);
  BindValue(stmt, 18, a.expected_high);
  BindValue(stmt, 19, a.score);
  BindValue(stmt, 20, a.limit);
  stmt.BindUint(21, a.predicted_ns);
  stmt.BindText(22, a.explanation);
}

model::Anomaly ReadAnomaly(const Stmt& stmt) {
  model::Anomaly a;
  a.id = stmt.ColumnText(0);
  a.series.metric = stmt.ColumnText(1);
  a.series.service = stmt.ColumnText(2);
  a.series.operation = stmt.ColumnText(3);
  const json attributes = ParseColumn(stmt, 4);
  if (attributes.is_object()) {
    for (const auto& [key, value] : attributes.items()) {  // in key order, as SeriesKey keeps them
      a.series.attributes.emplace_back(key, value.is_string() ? value.get<std::string>() : std::string());
    }
  }
  a.kind = stmt.ColumnText(5);
  a.direction = stmt.ColumnText(6);
  a.quantity = stmt.ColumnText(7);
  a.unit = stmt.ColumnText(8);
  a.detector = stmt.ColumnText(9);
  a.onset_ns = stmt.ColumnUint(10);
  a.detected_ns = stmt.ColumnUint(11);
  a.end_ns = stmt.IsNull(12) ? 0 : stmt.ColumnUint(12);
  a.updated_ns = stmt.ColumnUint(13);
  a.before = ColumnValue(stmt, 14);
  a.observed = ColumnValue(stmt, 15);
  a.expected_low = ColumnValue(stmt, 16);
  a.expected_high = ColumnValue(stmt, 17);
  a.score = ColumnValue(stmt, 18);
  a.limit = ColumnValue(stmt, 19);
  a.predicted_ns = stmt.ColumnUint(20);
  a.explanation = stmt.ColumnText(21);
  return a;
}

void BindEvent(Stmt& stmt, const model::ChangeEvent& e, std::string (*scratch)[2]) {
  json changes = json::array();
  for (const auto& c : e.changes) changes.push_back({{"key", c.key}, {"old", c.old_value}, {"new", c.new_value}});
  (*scratch)[0] = json(e.sources).dump(-1, ' ', false, json::error_handler_t::replace);
  (*scratch)[1] = changes.dump(-1, ' ', false, json::error_handler_t::replace);
  stmt.BindText(1, e.id);
  stmt.BindText(2, model::ChangeTypeName(e.type));
  stmt.BindText(3, e.service);
  stmt.BindUint(4, e.time_ns);
  stmt.BindText(5, e.version);
  stmt.BindText(6, e.previous_version);
  stmt.BindText(7, e.source);
  stmt.BindText(8, (*scratch)[0]);
  stmt.BindText(9, e.description);
  stmt.BindText(10, (*scratch)[1]);
}

model::ChangeEvent ReadEvent(const Stmt& stmt) {
  model::ChangeEvent e;
  e.id = stmt.ColumnText(0);
  if (!model::ParseChangeType(stmt.ColumnText(1), &e.type)) e.type = model::ChangeType::kDeployment;
  e.service = stmt.ColumnText(2);
  e.time_ns = stmt.ColumnUint(3);
  e.version = stmt.ColumnText(4);
  e.previous_version = stmt.ColumnText(5);
  e.source = stmt.ColumnText(6);
  if (const json sources = ParseColumn(stmt, 7); sources.is_array()) {
    for (const auto& s : sources) {
      if (s.is_string()) e.sources.push_back(s.get<std::string>());
    }
  }
  e.description = stmt.ColumnText(8);
  if (const json changes = ParseColumn(stmt, 9); changes.is_array()) {
    for (const auto& c : changes) {
      if (!c.is_object()) continue;
      e.changes.push_back({StringMember(c, "key"), StringMember(c, "old"), StringMember(c, "new")});
    }
  }
  return e;
}

std::string InsightData(const model::Insight& insight) {
  return model::InsightToJson(insight).dump(-1, ' ', false, json::error_handler_t::replace);
}

void BindInsight(Stmt& stmt, const model::Insight& in, std::string* scratch) {
  *scratch = InsightData(in);
  stmt.BindText(1, in.id);
  stmt.BindText(2, in.status);
  stmt.BindUint(3, in.start_ns);
  if (in.ongoing()) {
    stmt.BindNull(4);
  } else {
    stmt.BindUint(4, std::max(in.start_ns, in.end_ns));
  }
  stmt.BindText(5, in.feedback);
  stmt.BindText(6, *scratch);
}

StatusOr<model::Insight> ReadInsight(const Stmt& stmt, int column) {
  const json data = ParseColumn(stmt, column);
  auto insight = model::InsightFromJson(data);
  if (!insight.ok()) return Status::IOError("stored insight is corrupt: " + insight.status().message());
  return insight;
}

std::vector<std::string> InsightServices(const model::Insight& in) {
  std::vector<std::string> services;
  if (!in.root_cause.service.empty()) services.push_back(in.root_cause.service);
  for (const auto& a : in.anomalies) {
    if (!a.anomaly.series.service.empty()) services.push_back(a.anomaly.series.service);
  }
  std::sort(services.begin(), services.end());
  services.erase(std::unique(services.begin(), services.end()), services.end());
  return services;
}

FeedbackRecord ReadFeedback(const Stmt& stmt) {
  FeedbackRecord f;
  f.insight_id = stmt.ColumnText(0);
  f.feedback = stmt.ColumnText(1);
  f.time_unix_nano = stmt.ColumnUint(2);
  return f;
}

}  // namespace augur::store
