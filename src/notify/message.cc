#include "notify/message.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "analysis/stable_id.h"

namespace augur::notify {
namespace {

constexpr std::string_view kTypeNames[kMessageTypeCount] = {
    "NEW_INSIGHT", "NEW_ANOMALY_ASSOCIATION", "SEVERITY_UPGRADED", "NEW_RECOMMENDATION", "CLOSED_INSIGHT",
};

std::string MessageId(const model::Insight& insight, MessageType type, std::string_view subject) {
  return analysis::StableId().Mix(insight.id).Mix(MessageTypeName(type)).Mix(subject).Id("nt-");
}

Message Make(const model::Insight& insight, MessageType type, std::string_view subject) {
  Message m;
  m.id = MessageId(insight, type, subject);
  m.type = type;
  m.time_ns = insight.updated_ns != 0 ? insight.updated_ns : insight.detected_ns;
  return m;
}

// Sorted, without repeats, at most kMaxMarkedIds.
std::vector<std::string> Bounded(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (v.size() > kMaxMarkedIds) v.resize(kMaxMarkedIds);
  return v;
}

bool Contains(const std::vector<std::string>& sorted, const std::string& s) {
  return std::binary_search(sorted.begin(), sorted.end(), s);
}

// An anomaly listed twice in one revision is announced once.
bool Announced(const std::vector<Message>& out, const std::string& anomaly_id) {
  return std::any_of(out.begin(), out.end(),
                     [&](const Message& m) { return m.anomaly && m.anomaly->id == anomaly_id; });
}

}  // namespace

std::string_view MessageTypeName(MessageType type) {
  return kTypeNames[static_cast<int>(type)];
}

std::optional<MessageType> MessageTypeFromName(std::string_view name) {
  for (int i = 0; i < kMessageTypeCount; ++i) {
    if (kTypeNames[i] == name) return static_cast<MessageType>(i);
  }
  return std::nullopt;
}

InsightMark MarkOf(const model::Insight& insight) {
  InsightMark mark;
  mark.revision = insight.revision;
  mark.severity = insight.severity;
  mark.status = insight.status;
  std::vector<std::string> anomalies, recommendations;
  for (const auto& a : insight.anomalies) anomalies.push_back(a.anomaly.id);
  for (const auto& r : insight.recommendations) recommendations.push_back(r.name);
  mark.anomaly_ids = Bounded(std::move(anomalies));
  mark.recommendations = Bounded(std::move(recommendations));
  return mark;
}

std::string EncodeMark(const InsightMark& mark) {
  return nlohmann::json{{"revision", mark.revision},
                        {"severity", mark.severity},
                        {"status", mark.status},
                        {"anomalies", mark.anomaly_ids},
                        {"recommendations", mark.recommendations}}
      .dump();
}

StatusOr<InsightMark> DecodeMark(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("a notification mark must be a JSON object");
  InsightMark mark;
  try {
    mark.revision = j.at("revision").get<uint32_t>();
    mark.severity = j.at("severity").get<std::string>();
    mark.status = j.at("status").get<std::string>();
    mark.anomaly_ids = Bounded(j.at("anomalies").get<std::vector<std::string>>());
    mark.recommendations = Bounded(j.at("recommendations").get<std::vector<std::string>>());
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("bad notification mark: ") + e.what());
  }
  return mark;
}

std::vector<Message> Derive(const InsightMark* previous, const model::Insight& current) {
  std::vector<Message> out;
  const bool closed = current.status == "CLOSED";
  if (previous == nullptr) {
    out.push_back(Make(current, MessageType::kNewInsight, ""));
    if (closed) out.push_back(Make(current, MessageType::kClosedInsight, ""));
    return out;
  }
  if (current.revision <= previous->revision) return out;

  if (model::SeverityRank(current.severity) > model::SeverityRank(previous->severity)) {
    Message m = Make(current, MessageType::kSeverityUpgraded, std::to_string(current.revision));
    m.previous_severity = previous->severity;
    out.push_back(std::move(m));
  }
  if (previous->anomaly_ids.size() < kMaxMarkedIds) {
    size_t sent = 0;
    for (const auto& a : current.anomalies) {
      if (sent == kMaxItemMessages) break;
      if (Contains(previous->anomaly_ids, a.anomaly.id) || Announced(out, a.anomaly.id)) continue;
      Message m = Make(current, MessageType::kNewAnomalyAssociation, a.anomaly.id);
      m.anomaly = a.anomaly;
      out.push_back(std::move(m));
      ++sent;
    }
  }
  if (previous->recommendations.size() < kMaxMarkedIds) {
    size_t sent = 0;
    for (const auto& r : current.recommendations) {
      if (sent == kMaxItemMessages) break;
      if (Contains(previous->recommendations, r.name)) continue;
      Message m = Make(current, MessageType::kNewRecommendation, r.name);
      m.recommendation = r;
      out.push_back(std::move(m));
      ++sent;
    }
  }
  if (closed && previous->status != "CLOSED") out.push_back(Make(current, MessageType::kClosedInsight, ""));
  return out;
}

}  // namespace augur::notify
