#include "notify/payload.h"

#include <cmath>

#include "common/time_format.h"
#include "model/insight_json.h"
#include "model/json.h"

namespace augur::notify {
namespace {

using nlohmann::json;

// Slack's limits: a header's text, a section's text.
constexpr size_t kMaxHeader = 150;
constexpr size_t kMaxSection = 3000;
constexpr size_t kMaxEvidence = 3;
constexpr size_t kMaxListedRecommendations = 3;

// At most `max` bytes, cut at a UTF-8 character boundary, "…" when cut.
std::string Cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  const std::string_view ellipsis = "\u2026";
  if (max < ellipsis.size()) return "";
  size_t end = max - ellipsis.size();
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + std::string(ellipsis);
}

// Slack's mrkdwn treats these three as control characters.
std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Title(const Message& m, const model::Insight& in) {
  switch (m.type) {
    case MessageType::kNewInsight: return "New insight: " + in.name;
    case MessageType::kNewAnomalyAssociation: return "New anomaly in insight: " + in.name;
    case MessageType::kSeverityUpgraded: return "Severity raised to " + in.severity + ": " + in.name;
    case MessageType::kNewRecommendation: return "New recommendation: " + in.name;
    case MessageType::kClosedInsight: return "Insight closed: " + in.name;
  }
  return in.name;
}

std::string Time(uint64_t ns) {
  return ns == 0 ? std::string("-") : FormatRfc3339(ns);
}

json Section(const std::string& mrkdwn) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", Cut(mrkdwn, kMaxSection)}}}};
}

// What this message adds to the insight, in words; "" for NEW_INSIGHT.
std::string Subject(const Message& m, const model::Insight& in) {
  switch (m.type) {
    case MessageType::kNewInsight: return "";
    case MessageType::kSeverityUpgraded:
      return "*Severity raised* from " + Escape(m.previous_severity) + " to " + Escape(in.severity) + ".";
    case MessageType::kNewAnomalyAssociation: {
      if (!m.anomaly) return "";
      const model::Anomaly& a = *m.anomaly;
      std::string where = a.series.service;
      if (!a.series.operation.empty()) where += " " + a.series.operation;
      return "*New anomaly* (" + Escape(a.kind) + ") on " + Escape(where) + ": " + Escape(a.explanation);
    }
    case MessageType::kNewRecommendation: {
      if (!m.recommendation) return "";
      const model::Recommendation& r = *m.recommendation;
      std::string text = "*Recommendation:* " + Escape(r.name);
      if (!r.description.empty()) text += "\n" + Escape(r.description);
      if (!r.reason.empty()) text += "\n_Why:_ " + Escape(r.reason);
      return text;
    }
    case MessageType::kClosedInsight: return "*Closed*: its anomalies ended at " + Time(in.end_ns) + ".";
  }
  return "";
}

std::string RootCause(const model::Insight& in) {
  const model::RootCause& rc = in.root_cause;
  if (rc.service.empty()) return "";
  std::string where = rc.service;
  if (!rc.operation.empty()) where += " " + rc.operation;
  if (!rc.dependency.empty()) where += " \u2192 " + rc.dependency;
  std::string text = "*Root cause:* " + Escape(where);
  if (!rc.kind.empty()) text += " (" + Escape(rc.kind);
  if (std::isfinite(rc.confidence) && rc.confidence > 0) {
    text += (rc.kind.empty() ? " (" : ", ") + std::string("confidence ") +
            std::to_string(static_cast<int>(std::lround(rc.confidence * 100))) + "%)";
  } else if (!rc.kind.empty()) {
    text += ")";
  }
  for (size_t i = 0; i < rc.evidence.size() && i < kMaxEvidence; ++i) text += "\n\u2022 " + Escape(rc.evidence[i]);
  return text;
}

}  // namespace

std::string InsightLink(std::string_view public_url, std::string_view insight_id) {
  if (public_url.empty()) return "";
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return std::string(public_url) + "/insights/" + std::string(insight_id);
}

json WebhookPayload(const Message& m, const model::Insight& in, std::string_view public_url) {
  json j = {{"id", m.id},
            {"type", MessageTypeName(m.type)},
            {"time", m.time_ns == 0 ? json(nullptr) : json(FormatRfc3339(m.time_ns))},
            {"insight", model::InsightSummaryToJson(in)}};
  if (m.type == MessageType::kSeverityUpgraded) j["previous_severity"] = m.previous_severity;
  if (m.anomaly) j["anomaly"] = model::AnomalyToJson(*m.anomaly);
  if (m.recommendation) {
    const model::Recommendation& r = *m.recommendation;
    j["recommendation"] = {{"name", r.name},
                           {"description", r.description},
                           {"reason", r.reason},
                           {"related_events", r.related_events},
                           {"related_anomalies", r.related_anomalies}};
  }
  if (const std::string url = InsightLink(public_url, in.id); !url.empty()) j["url"] = url;
  return j;
}

json SlackPayload(const Message& m, const model::Insight& in, std::string_view public_url) {
  const std::string title = Title(m, in);
  json blocks = json::array();
  blocks.push_back({{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", Cut(title, kMaxHeader)}}}});
  std::string overview =
      "*Severity:* " + Escape(in.severity) + "   *Status:* " + Escape(in.status) + "   *Started:* " + Time(in.start_ns);
  if (!in.summary.empty()) overview += "\n" + Escape(in.summary);
  blocks.push_back(Section(overview));
  if (const std::string subject = Subject(m, in); !subject.empty()) blocks.push_back(Section(subject));
  if (const std::string cause = RootCause(in); !cause.empty()) blocks.push_back(Section(cause));
  if (m.type == MessageType::kNewInsight && !in.recommendations.empty()) {
    std::string text = "*Recommendations:*";
    for (size_t i = 0; i < in.recommendations.size() && i < kMaxListedRecommendations; ++i) {
      text += "\n\u2022 " + Escape(in.recommendations[i].name);
    }
    blocks.push_back(Section(text));
  }
  const std::string url = InsightLink(public_url, in.id);
  if (!url.empty()) blocks.push_back(Section("<" + url + "|Open " + in.id + " in augur>"));
  blocks.push_back(
      {{"type", "context"},
       {"elements", json::array({{{"type", "mrkdwn"},
                                  {"text", "augur \u00b7 " + std::string(MessageTypeName(m.type)) + " \u00b7 insight " +
                                               in.id + " \u00b7 message " + m.id}}})}});
  // `text` is what notifications and clients without blocks show.
  std::string text = Cut(Escape("[" + in.severity + "] " + title), kMaxSection);
  if (!url.empty()) text += " <" + url + "|open>";
  return {{"text", std::move(text)}, {"blocks", std::move(blocks)}};
}

std::string RenderBody(SinkType type, const Message& message, const model::Insight& insight,
                       std::string_view public_url) {
  const json j = type == SinkType::kSlack ? SlackPayload(message, insight, public_url)
                                          : WebhookPayload(message, insight, public_url);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace augur::notify
