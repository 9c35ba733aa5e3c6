// Notification messages and how they are derived from insight revisions.
//
// The analysis rewrites an insight (same id, revision + 1) whenever it
// changes. The notifier remembers a little of the last revision it saw of
// each insight (InsightMark) and compares each new revision with it; the
// differences become messages, with DevOps Guru's message types:
//
//   NEW_INSIGHT              first sight of the insight
//   SEVERITY_UPGRADED        its severity rose (LOW < MEDIUM < HIGH); falls are not news
//   NEW_ANOMALY_ASSOCIATION  an anomaly joined it, one message per anomaly
//   NEW_RECOMMENDATION       a recommendation was added, one per recommendation
//   CLOSED_INSIGHT           it went from ONGOING to CLOSED
//
// in that order within one revision. What a NEW_INSIGHT already holds
// (anomalies, recommendations) is part of it, not announced again. An
// insight first seen already CLOSED gives NEW_INSIGHT and CLOSED_INSIGHT. A
// revision no newer than the remembered one gives nothing (a repeated write).
//
// Message ids are derived from the insight id, the type and what the
// message is about (the anomaly, the recommendation, the revision of a
// severity change), so deriving the same message again, e.g. after a
// restart, gives the same id: receivers deduplicate on it.
//
// Bounds: a mark remembers at most kMaxMarkedIds anomalies and as many
// recommendations; an insight that has more gets no further messages of
// that kind. One revision gives at most kMaxItemMessages messages of each
// of the per-anomaly and per-recommendation kinds.
//
// Pure: no I/O, no clock. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/insight.h"

namespace augur::notify {

enum class MessageType : uint8_t {
  kNewInsight,
  kNewAnomalyAssociation,
  kSeverityUpgraded,
  kNewRecommendation,
  kClosedInsight,
};
inline constexpr int kMessageTypeCount = 5;

// "NEW_INSIGHT", ...; and back (nullopt for an unknown name).
std::string_view MessageTypeName(MessageType type);
std::optional<MessageType> MessageTypeFromName(std::string_view name);

struct Message {
  std::string id;  // "nt-" + 16 hex digits
  MessageType type = MessageType::kNewInsight;
  uint64_t time_ns = 0;                                 // event time of the insight revision it comes from
  std::string previous_severity;                        // SEVERITY_UPGRADED only
  std::optional<model::Anomaly> anomaly;                // NEW_ANOMALY_ASSOCIATION only
  std::optional<model::Recommendation> recommendation;  // NEW_RECOMMENDATION only
  bool operator==(const Message&) const = default;
};

// What the notifier remembers of the last revision of an insight it saw.
struct InsightMark {
  uint32_t revision = 0;
  std::string severity;
  std::string status;
  std::vector<std::string> anomaly_ids;      // sorted
  std::vector<std::string> recommendations;  // names, sorted
  bool operator==(const InsightMark&) const = default;
};

inline constexpr size_t kMaxMarkedIds = 256;
inline constexpr size_t kMaxItemMessages = 10;

InsightMark MarkOf(const model::Insight& insight);

// The mark as the outbox keeps it (JSON), and back.
std::string EncodeMark(const InsightMark& mark);
StatusOr<InsightMark> DecodeMark(std::string_view text);

// The messages `current` gives against `previous` (nullptr: never seen).
std::vector<Message> Derive(const InsightMark* previous, const model::Insight& current);

}  // namespace augur::notify
