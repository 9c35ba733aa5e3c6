#include "model/insight_json.h"

#include <cmath>
#include <limits>

#include "common/time_format.h"
#include "model/json.h"

namespace augur::model {
namespace {

using nlohmann::json;

json Time(uint64_t ns) {
  return ns == 0 ? json(nullptr) : json(FormatRfc3339(ns));
}

json Number(double d) {
  return std::isfinite(d) ? json(d) : json(nullptr);
}

json Strings(const std::vector<std::string>& v) {
  return json(v);
}

// Readers: absent or null give the zero value; a wrong type is an error.
class Reader {
 public:
  explicit Reader(const json& j) : j_(j) {}
  std::string Str(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return {};
    if (!it->is_string()) return Fail(key), std::string();
    return it->get<std::string>();
  }
  double Num(const char* key) {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return 0;
    if (it->is_string()) {  // DoubleToJson's non-finite spellings
      const auto& s = it->get_ref<const std::string&>();
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    if (!it->is_number()) return Fail(key), 0.0;
    return it->get<double>();
  }
  uint64_t Time(const char* key) {
    const std::string s = Str(key);
    if (s.empty()) return 0;
    auto t = ParseTimestamp(s);
    if (!t.ok()) return Fail(key), 0;
    return *t;
  }
  std::vector<std::string> Strings(const char* key) {
    std::vector<std::string> out;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return out;
    if (!it->is_array()) return Fail(key), out;
    for (const auto& v : *it) {
      if (!v.is_string()) return Fail(key), out;
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  const json& Sub(const char* key) {
    static const json kEmpty = json::object();
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return kEmpty;
    return *it;
  }
  void Fail(const char* key) {
    if (error_.empty()) error_ = std::string("field '") + key + "' has the wrong type";
  }
  Status status() const { return error_.empty() ? Status::OK() : Status::InvalidArgument(error_); }

 private:
  const json& j_;
  std::string error_;
};

}  // namespace

json InsightToJson(const Insight& in) {
  json anomalies = json::array();
  for (const auto& a : in.anomalies) {
    json j = AnomalyToJson(a.anomaly);
    j["role"] = a.role;
    j["role_reason"] = a.reason;
    anomalies.push_back(std::move(j));
  }
  json events = json::array();
  for (const auto& e : in.related_events) events.push_back(ChangeEventToJson(e));
  json recs = json::array();
  for (const auto& r : in.recommendations) {
    recs.push_back({{"name", r.name},
                    {"description", r.description},
                    {"reason", r.reason},
                    {"related_events", Strings(r.related_events)},
                    {"related_anomalies", Strings(r.related_anomalies)}});
  }
  json snippets = json::array();
  for (const auto& s : in.log_snippets) {
    snippets.push_back({{"time", Time(s.time_ns)},
                        {"service", s.service},
                        {"severity", s.severity},
                        {"body", s.body},
                        {"trace_id", s.trace_id},
                        {"template_id", s.template_id},
                        {"reason", s.reason}});
  }
  const RootCause& rc = in.root_cause;
  json candidates = json::array();
  for (const auto& c : in.candidates) {
    candidates.push_back(
        {{"service", c.service}, {"operation", c.operation}, {"dependency", c.dependency}, {"score", Number(c.score)}});
  }
  return {{"id", in.id},
          {"name", in.name},
          {"type", in.type},
          {"severity", in.severity},
          {"status", in.status},
          {"start_time", Time(in.start_ns)},
          {"end_time", Time(in.end_ns)},
          {"detected_time", Time(in.detected_ns)},
          {"updated_time", Time(in.updated_ns)},
          {"revision", in.revision},
          {"root_cause",
           {{"service", rc.service},
            {"operation", rc.operation},
            {"dependency", rc.dependency},
            {"kind", rc.kind},
            {"confidence", Number(rc.confidence)},
            {"evidence", Strings(rc.evidence)}}},
          {"root_cause_candidates", std::move(candidates)},
          {"summary", in.summary},
          {"anomalies", std::move(anomalies)},
          {"related_events", std::move(events)},
          {"recommendations", std::move(recs)},
          {"log_snippets", std::move(snippets)},
          {"feedback", in.feedback.empty() ? json(nullptr) : json(in.feedback)}};
}

json InsightSummaryToJson(const Insight& in) {
  json j = InsightToJson(in);
  size_t causal = 0;
  for (const auto& a : in.anomalies) causal += a.role == "causal";
  j.erase("anomalies");
  j.erase("log_snippets");
  j["anomaly_count"] = in.anomalies.size();
  j["causal_anomaly_count"] = causal;
  j["related_event_ids"] = json::array();
  for (const auto& e : in.related_events) j["related_event_ids"].push_back(e.id);
  j.erase("related_events");
  return j;
}

StatusOr<Anomaly> AnomalyFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an anomaly must be a JSON object");
  Reader r(j);
  Anomaly a;
  a.id = r.Str("id");
  const json& series = r.Sub("series");
  if (!series.is_object()) return Status::InvalidArgument("series must be an object");
  Reader s(series);
  a.series.metric = s.Str("metric");
  a.series.service = s.Str("service");
  a.series.operation = s.Str("operation");
  const json& attributes = s.Sub("attributes");
  if (!attributes.is_object()) return Status::InvalidArgument("series.attributes must be an object");
  for (const auto& [k, v] : attributes.items()) {
    if (!v.is_string()) return Status::InvalidArgument("series.attributes values must be strings");
    a.series.attributes.emplace_back(k, v.get<std::string>());  // nlohmann objects iterate in key order
  }
  a.kind = r.Str("kind");
  a.direction = r.Str("direction");
  a.quantity = r.Str("quantity");
  a.unit = r.Str("unit");
  a.detector = r.Str("detector");
  a.onset_ns = r.Time("onset_time");
  a.detected_ns = r.Time("detected_time");
  a.end_ns = r.Time("end_time");
  a.updated_ns = r.Time("updated_time");
  Reader v(r.Sub("values"));
  a.before = v.Num("before");
  a.observed = v.Num("observed");
  a.expected_low = v.Num("expected_low");
  a.expected_high = v.Num("expected_high");
  a.score = r.Num("score");
  Reader f(r.Sub("forecast"));
  a.limit = f.Num("limit");
  a.predicted_ns = f.Time("predicted_time");
  a.explanation = r.Str("explanation");
  for (const Status& st : {r.status(), s.status(), v.status(), f.status()}) {
    if (!st.ok()) return st;
  }
  return a;
}

StatusOr<Insight> InsightFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an insight must be a JSON object");
  Reader r(j);
  Insight in;
  in.id = r.Str("id");
  in.name = r.Str("name");
  in.type = r.Str("type");
  in.severity = r.Str("severity");
  in.status = r.Str("status");
  in.start_ns = r.Time("start_time");
  in.end_ns = r.Time("end_time");
  in.detected_ns = r.Time("detected_time");
  in.updated_ns = r.Time("updated_time");
  in.revision = static_cast<uint32_t>(r.Num("revision"));
  in.summary = r.Str("summary");
  in.feedback = r.Str("feedback");
  Reader rc(r.Sub("root_cause"));
  in.root_cause.service = rc.Str("service");
  in.root_cause.operation = rc.Str("operation");
  in.root_cause.dependency = rc.Str("dependency");
  in.root_cause.kind = rc.Str("kind");
  in.root_cause.confidence = rc.Num("confidence");
  in.root_cause.evidence = rc.Strings("evidence");
  if (Status st = rc.status(); !st.ok()) return st;
  for (const auto& cj : r.Sub("root_cause_candidates")) {
    Reader cr(cj);
    in.candidates.push_back({cr.Str("service"), cr.Str("operation"), cr.Str("dependency"), cr.Num("score")});
    if (Status st = cr.status(); !st.ok()) return st;
  }
  for (const auto& aj : r.Sub("anomalies")) {
    auto a = AnomalyFromJson(aj);
    if (!a.ok()) return a.status();
    Reader ar(aj);
    in.anomalies.push_back({std::move(*a), ar.Str("role"), ar.Str("role_reason")});
  }
  for (const auto& ej : r.Sub("related_events")) {
    auto e = ChangeEventFromJson(ej);
    if (!e.ok()) return e.status();
    in.related_events.push_back(std::move(*e));
  }
  for (const auto& recj : r.Sub("recommendations")) {
    Reader rr(recj);
    in.recommendations.push_back({rr.Str("name"), rr.Str("description"), rr.Str("reason"), rr.Strings("related_events"),
                                  rr.Strings("related_anomalies")});
    if (Status st = rr.status(); !st.ok()) return st;
  }
  for (const auto& sj : r.Sub("log_snippets")) {
    Reader sr(sj);
    in.log_snippets.push_back({sr.Time("time"), sr.Str("service"), sr.Str("severity"), sr.Str("body"),
                               sr.Str("trace_id"), sr.Str("template_id"), sr.Str("reason")});
    if (Status st = sr.status(); !st.ok()) return st;
  }
  if (Status st = r.status(); !st.ok()) return st;
  return in;
}

}  // namespace augur::model
