#include "insight/narrative.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/time_format.h"

namespace augur::insight {
namespace {

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), std::abs(ms) >= 100 ? "%.0f ms" : "%.1f ms", ms);
  return buf;
}

std::string Clock(uint64_t ns) {  // "14:03:10" (UTC) from an RFC 3339 time
  const std::string t = FormatRfc3339(ns);
  return t.size() >= 19 ? t.substr(11, 8) : t;
}

std::string Where(const model::RootCause& rc) {
  if (!rc.dependency.empty()) return "calls from " + rc.service + " to " + rc.dependency;
  return rc.operation.empty() ? rc.service : rc.operation + " on " + rc.service;
}

std::string Diff(const model::ChangeEvent& e) {
  std::string text;
  for (const auto& c : e.changes) {
    if (c.key == "service.version" || c.key == "faas.version") continue;  // said by the version already
    if (!text.empty()) text += ", ";
    text += c.key + " " + (c.old_value.empty() ? "?" : c.old_value) + " → " + c.new_value;
  }
  return text;
}

std::string EventName(const model::ChangeEvent& e) {
  std::string name = e.type == model::ChangeType::kDeployment ? "deployment" : "change";
  name += " " + e.id + " of " + e.service;
  if (!e.version.empty()) name += " (version " + e.version + ")";
  return name;
}

const model::InsightAnomaly* Headline(const model::Insight& in) {
  const model::InsightAnomaly* best = nullptr;
  for (const auto& a : in.anomalies) {
    const bool causal = a.role == "causal";
    if (best == nullptr || (causal && best->role != "causal") ||
        (causal == (best->role == "causal") && a.anomaly.score > best->anomaly.score)) {
      best = &a;
    }
  }
  return best;
}

std::string Severity(const model::Insight& in) {
  std::set<std::string> services;
  bool medium = false, high = false;
  for (const auto& ia : in.anomalies) {
    const model::Anomaly& a = ia.anomaly;
    services.insert(a.series.service);
    if (a.kind == "errors") {
      medium = true;
      if (a.observed >= 0.10) high = true;
    } else if (a.kind == "latency" && a.direction == "up") {
      medium = true;
      if (a.before > 0 && a.observed >= 3 * a.before) high = true;
    } else if (a.kind == "traffic" && a.direction == "down" && a.observed <= 0.2 * a.before) {
      medium = true;
    }
    if (a.score >= 0.9) medium = true;
  }
  if (services.size() >= 3) high = true;
  return high ? "HIGH" : medium ? "MEDIUM" : "LOW";
}

}  // namespace

void Narrate(const Ranking& r, model::Insight* in) {
  const model::RootCause& rc = in->root_cause;
  const model::InsightAnomaly* head = Headline(*in);
  const model::ChangeEvent* cause_event = r.cause_events.empty() ? nullptr : &r.cause_events.front();
  in->severity = Severity(*in);

  // Title.
  std::string what;
  if (in->type == "PROACTIVE") {
    what = head != nullptr ? head->anomaly.explanation : "A limit will be reached";
  } else if (rc.kind == "latency") {
    what = "High latency in " + Where(rc);
  } else if (rc.kind == "errors") {
    what = "Errors in " + Where(rc);
  } else if (rc.kind == "traffic") {
    what =
        std::string(head != nullptr && head->anomaly.direction == "down" ? "Traffic drop in " : "Traffic surge in ") +
        Where(rc);
  } else {
    what = "Anomalous " + (head != nullptr ? head->anomaly.series.metric : std::string("metric")) + " of " + rc.service;
  }
  if (cause_event != nullptr) what += " after " + EventName(*cause_event);
  in->name = what;

  // Summary.
  std::string s;
  if (head != nullptr) {
    s = head->anomaly.explanation;
    if (!s.empty() && s.back() == '.') s.pop_back();
    s += ", from " + Clock(head->anomaly.onset_ns);
    if (cause_event != nullptr) {
      s += ", " + OnsetGap(cause_event->time_ns, head->anomaly.onset_ns) + " " + EventName(*cause_event);
      const std::string diff = Diff(*cause_event);
      if (!diff.empty()) s += " (" + diff + ")";
    }
    s += ".";
  }
  if (r.has_split && rc.dependency.empty() && r.self_delta_ms > 0 && r.self_delta_ms >= r.downstream_delta_ms) {
    s += " The added time is spent inside " + rc.service + " itself (self time +" + Ms(r.self_delta_ms) + ")";
    s += std::abs(r.downstream_delta_ms) < std::max(2.0, 0.1 * r.self_delta_ms) ? "; its calls did not change." : ".";
  } else if (!r.network.empty()) {
    std::string sentence = r.network;
    sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
    s += " " + sentence + ".";
  } else if (!rc.dependency.empty()) {
    s += " The cause lies in " + rc.dependency + ": " + rc.service + "'s calls to it changed";
    s += r.has_split && r.self_delta_ms < std::max(2.0, 0.1 * r.self_before_ms) ? ", while its own time did not." : ".";
  }
  size_t contextual = 0;
  std::set<std::string> symptom_services;
  for (const auto& a : in->anomalies) {
    if (a.role == "contextual") {
      ++contextual;
      symptom_services.insert(a.anomaly.series.service);
    }
  }
  if (contextual > 0) {
    std::string list;
    for (const auto& svc : symptom_services) {
      if (!list.empty()) list += ", ";
      list += svc;
    }
    s += " " + std::to_string(contextual) + " related anomal" + (contextual == 1 ? "y" : "ies") + " (in " + list +
         ") look like symptoms of it.";
  }

  // Recommendations.
  in->recommendations.clear();
  std::vector<std::string> causal_ids;
  for (const auto& a : in->anomalies) {
    if (a.role == "causal") causal_ids.push_back(a.anomaly.id);
  }
  if (cause_event != nullptr) {
    model::Recommendation rec;
    const bool deployment = cause_event->type == model::ChangeType::kDeployment;
    rec.name = (deployment ? "Roll back " : "Revert ") + EventName(*cause_event);
    const std::string diff = Diff(*cause_event);
    rec.description =
        deployment ? "Redeploy the previous version of " + cause_event->service +
                         (cause_event->previous_version.empty() ? "" : " (" + cause_event->previous_version + ")") +
                         (diff.empty() ? "" : ", or undo " + diff) + ", and watch whether the anomaly ends."
                   : "Undo " + (diff.empty() ? "the change" : diff) + " on " + cause_event->service +
                         " and watch whether the anomaly ends.";
    rec.reason = "The anomaly on " + Where(rc) + " started " + OnsetGap(cause_event->time_ns, r.onset_ns) +
                 " this change, and nothing upstream explains it.";
    rec.related_events = {cause_event->id};
    rec.related_anomalies = causal_ids;
    in->recommendations.push_back(rec);
  }
  if (in->type == "PROACTIVE" && head != nullptr) {
    model::Recommendation rec;
    rec.name =
        "Act before " + head->anomaly.series.metric + " of " + head->anomaly.series.service + " reaches its limit";
    rec.description = "Add capacity, clean up, or find what drives the growth before " +
                      FormatRfc3339(head->anomaly.predicted_ns) + ".";
    rec.reason = "Its steady trend crosses the limit then.";
    rec.related_anomalies = causal_ids;
    in->recommendations.push_back(rec);
  } else if (!rc.dependency.empty()) {
    model::Recommendation rec;
    rec.name = "Check " + rc.dependency;
    rec.description = "Look at the health, load, slow queries and recent changes of " + rc.dependency + ", which " +
                      rc.service + " calls" + (rc.operation.empty() ? "" : " (" + rc.operation + ")") + ".";
    rec.reason = "The calls to it changed first, and " + rc.service + "'s own time did not explain the symptoms.";
    rec.related_anomalies = causal_ids;
    in->recommendations.push_back(rec);
  } else if (rc.kind == "errors") {
    model::Recommendation rec;
    rec.name = "Read the error logs of " + rc.service;
    rec.description = "Look at the failing " + (rc.operation.empty() ? std::string() : rc.operation + " ") +
                      "requests of " + rc.service + " from " + Clock(r.onset_ns) +
                      " on: the log snippets and traces with errors.";
    rec.reason = "Its errors rose and nothing it calls shows errors first.";
    rec.related_anomalies = causal_ids;
    in->recommendations.push_back(rec);
  } else if (cause_event == nullptr && rc.kind == "latency") {
    model::Recommendation rec;
    rec.name = "Profile " + Where(rc);
    rec.description = "Find what in " + rc.service + " got slower from " + Clock(r.onset_ns) +
                      ": CPU, memory, locks, garbage collection, or a code path the traffic started to take.";
    rec.reason = r.has_split && r.self_delta_ms > 0 ? "The added time is spent in its own code (self time +" +
                                                          Ms(r.self_delta_ms) + ") and no recorded change explains it."
                                                    : "Its latency rose and no recorded change explains it.";
    rec.related_anomalies = causal_ids;
    in->recommendations.push_back(rec);
  }
  if (!in->recommendations.empty()) s += " Recommended: " + in->recommendations.front().name + ".";
  in->summary = s;
}

}  // namespace augur::insight
