#include "cli/render.h"

#include <algorithm>
#include <cstdio>

namespace augur::cli {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "-";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

size_t Width(const std::string& s) {  // code points, good enough for a terminal
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

std::string SeriesName(const json& s) {
  if (!s.is_object()) return "-";
  std::string name = Str(s, "metric");
  if (s.contains("operation") && s["operation"].is_string() && !s["operation"].get<std::string>().empty()) {
    name += " " + s["operation"].get<std::string>();
  }
  if (s.contains("attributes") && s["attributes"].is_object()) {
    for (const auto& [k, v] : s["attributes"].items()) {
      if (k == "peer") name += " → " + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  return name;
}

}  // namespace

std::string ShortTime(const json& time) {
  if (!time.is_string()) return time.is_null() ? "-" : time.dump();
  std::string t = time.get<std::string>();
  if (t.size() >= 19 && t[10] == 'T') return t.substr(0, 10) + " " + t.substr(11, 8);
  return t;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - Width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string RenderEvents(const json& answer) {
  const json& events = answer.is_object() && answer.contains("events") ? answer["events"] : json::array();
  if (!events.is_array() || events.empty()) return "no events\n";
  std::vector<std::vector<std::string>> rows = {{"TIME", "TYPE", "SERVICE", "VERSION", "SOURCE", "CHANGES", "ID"}};
  for (const auto& e : events) {
    std::string changes;
    if (e.contains("changes") && e["changes"].is_array()) {
      for (const auto& c : e["changes"]) {
        if (!changes.empty()) changes += ", ";
        changes += Str(c, "key") + "=" + Str(c, "new");
      }
    }
    rows.push_back({ShortTime(e.value("time", json())), Str(e, "type"), Str(e, "service"), Str(e, "version"),
                    Str(e, "source"), changes.empty() ? "-" : changes, Str(e, "id")});
  }
  return Table(rows);
}

std::string RenderEvent(const json& e) {
  std::string out = Str(e, "type") + " " + Str(e, "id") + " of " + Str(e, "service");
  if (Str(e, "version") != "-") out += " → version " + Str(e, "version");
  if (Str(e, "previous_version") != "-") out += " (was " + Str(e, "previous_version") + ")";
  out += "\n  time:    " + ShortTime(e.value("time", json())) + "\n  source:  " + Str(e, "source");
  if (e.contains("sources") && e["sources"].is_array() && e["sources"].size() > 1) out += " " + e["sources"].dump();
  if (Str(e, "description") != "-") out += "\n  what:    " + Str(e, "description");
  if (e.contains("changes") && e["changes"].is_array() && !e["changes"].empty()) {
    out += "\n  changes:";
    for (const auto& c : e["changes"]) {
      const std::string old_value = Str(c, "old");
      out += "\n    " + Str(c, "key") + ": " + (old_value == "-" ? "(unknown)" : old_value) + " → " + Str(c, "new");
    }
  }
  return out + "\n";
}

std::string RenderAnomalies(const json& answer) {
  const json& list = answer.is_object() && answer.contains("anomalies") ? answer["anomalies"] : json::array();
  if (!list.is_array() || list.empty()) return "no anomalies\n";
  std::vector<std::vector<std::string>> rows = {{"ONSET", "STATUS", "KIND", "SERVICE", "SERIES", "SCORE", "ID"}};
  for (const auto& a : list) {
    const json series = a.value("series", json::object());
    rows.push_back({ShortTime(a.value("onset_time", json())), Str(a, "status"),
                    Str(a, "kind") + " " + Str(a, "direction"), Str(series, "service"), SeriesName(series),
                    a.contains("score") && a["score"].is_number() ? Number(a["score"].get<double>()) : "-",
                    Str(a, "id")});
  }
  return Table(rows);
}

std::string RenderAnomaly(const json& a) {
  const json series = a.value("series", json::object());
  std::string out = Str(a, "id") + "  " + Str(a, "kind") + " " + Str(a, "direction") + "  " + Str(a, "status") + "\n";
  out += "  " + Str(a, "explanation") + "\n";
  out += "  series:   " + Str(series, "service") + " / " + SeriesName(series) + "\n";
  out += "  onset:    " + ShortTime(a.value("onset_time", json())) + "\n";
  out += "  detected: " + ShortTime(a.value("detected_time", json())) + "\n";
  out += "  ended:    " + ShortTime(a.value("end_time", json())) + "\n";
  out += "  detector: " + Str(a, "detector") + "  score " +
         (a.contains("score") && a["score"].is_number() ? Number(a["score"].get<double>()) : "-") + "\n";
  return out;
}

std::string RenderInsights(const json& answer) {
  const json& list = answer.is_object() && answer.contains("insights") ? answer["insights"] : json::array();
  if (!list.is_array() || list.empty()) return "no insights\n";
  std::vector<std::vector<std::string>> rows = {{"START", "STATUS", "SEVERITY", "ROOT CAUSE", "NAME", "ID"}};
  for (const auto& in : list) {
    const json rc = in.value("root_cause", json::object());
    std::string cause = Str(rc, "service");
    if (Str(rc, "dependency") != "-") cause += " → " + Str(rc, "dependency");
    rows.push_back({ShortTime(in.value("start_time", json())), Str(in, "status"), Str(in, "severity"), cause,
                    Str(in, "name"), Str(in, "id")});
  }
  return Table(rows);
}

std::string RenderInsight(const json& in) {
  std::string out = Str(in, "name") + "\n";
  out += "  " + Str(in, "id") + "  " + Str(in, "type") + "  " + Str(in, "severity") + "  " + Str(in, "status") + "\n";
  out += "  started " + ShortTime(in.value("start_time", json())) + ", detected " +
         ShortTime(in.value("detected_time", json()));
  if (in.contains("end_time") && !in["end_time"].is_null()) out += ", ended " + ShortTime(in["end_time"]);
  out += "\n\n" + Str(in, "summary") + "\n";
  const json rc = in.value("root_cause", json::object());
  out += "\nRoot cause: " + Str(rc, "service");
  if (Str(rc, "operation") != "-") out += " / " + Str(rc, "operation");
  if (Str(rc, "dependency") != "-") out += " → " + Str(rc, "dependency");
  out += " (" + Str(rc, "kind") + ", confidence " +
         (rc.contains("confidence") && rc["confidence"].is_number() ? Number(rc["confidence"].get<double>()) : "-") +
         ")\n";
  if (rc.contains("evidence") && rc["evidence"].is_array()) {
    for (const auto& e : rc["evidence"]) out += "  - " + (e.is_string() ? e.get<std::string>() : e.dump()) + "\n";
  }
  if (in.contains("related_events") && in["related_events"].is_array() && !in["related_events"].empty()) {
    out += "\nRelated events:\n";
    for (const auto& e : in["related_events"]) {
      std::string line = RenderEvent(e);
      std::string indented;
      size_t pos = 0;
      while (pos < line.size()) {
        size_t nl = line.find('\n', pos);
        if (nl == std::string::npos) nl = line.size();
        indented += "  " + line.substr(pos, nl - pos) + "\n";
        pos = nl + 1;
      }
      out += indented;
    }
  }
  if (in.contains("anomalies") && in["anomalies"].is_array()) {
    out += "\nAnomalies:\n";
    for (const auto& a : in["anomalies"]) {
      out += "  [" + Str(a, "role") + "] " + Str(a, "explanation") + "\n";
    }
  }
  if (in.contains("recommendations") && in["recommendations"].is_array() && !in["recommendations"].empty()) {
    out += "\nRecommendations:\n";
    for (const auto& r : in["recommendations"]) {
      out += "  * " + Str(r, "name") + "\n    " + Str(r, "description") + "\n    why: " + Str(r, "reason") + "\n";
    }
  }
  if (in.contains("log_snippets") && in["log_snippets"].is_array() && !in["log_snippets"].empty()) {
    out += "\nLog snippets:\n";
    for (const auto& l : in["log_snippets"]) {
      out += "  " + ShortTime(l.value("time", json())) + " " + Str(l, "service") + " " + Str(l, "severity") + " " +
             Str(l, "body") + "\n    (" + Str(l, "reason") + ")\n";
    }
  }
  if (Str(in, "feedback") != "-") out += "\nFeedback: " + Str(in, "feedback") + "\n";
  return out;
}

}  // namespace augur::cli
