// Insight: one incident, explained. A group of anomalies that belong
// together (by time and topology), the change events that probably caused
// them, a ranked root cause with its evidence, recommendations and a
// summary in plain words. Modelled on DevOps Guru's ReactiveInsight /
// ProactiveInsight so its users find their way (docs/api.md).
//
// Built and updated by the correlator (src/insight/), persisted by the store,
// served at GET /api/v1/insights. Identity: `id` derives from the anomaly
// that opened it, so a replay yields the same ids. An insight is rewritten
// (same id) whenever it changes; `revision` counts the changes.
// Times are Unix ns of event time. Plain value; copy freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/anomaly.h"
#include "model/change_event.h"

namespace augur::model {

struct InsightAnomaly {
  Anomaly anomaly;
  std::string role;    // "causal" or "contextual"
  std::string reason;  // why that role, in words
  bool operator==(const InsightAnomaly&) const = default;
};

struct RootCause {
  std::string service;
  std::string operation;   // "" when the whole service
  std::string dependency;  // a peer such as "redis/items" when the cause lies there, else ""
  // What went wrong there: "latency", "errors", "traffic", "saturation", "metric"
  std::string kind;
  double confidence = 0;              // [0, 1]
  std::vector<std::string> evidence;  // one sentence each, strongest first
  bool operator==(const RootCause&) const = default;
};

// One ranked root-cause candidate (the winner is first and is also
// Insight::root_cause).
struct CauseCandidate {
  std::string service;
  std::string operation;
  std::string dependency;
  double score = 0;
  bool operator==(const CauseCandidate&) const = default;
};

struct Recommendation {
  std::string name;                            // "Roll back deployment ev-… of writer"
  std::string description;                     // what to do
  std::string reason;                          // why augur recommends it
  std::vector<std::string> related_events;     // event ids
  std::vector<std::string> related_anomalies;  // anomaly ids
  bool operator==(const Recommendation&) const = default;
};

struct LogSnippet {
  uint64_t time_ns = 0;
  std::string service;
  std::string severity;
  std::string body;
  std::string trace_id;  // hex, "" when none
  std::string template_id;
  std::string reason;  // why this line was chosen
  bool operator==(const LogSnippet&) const = default;
};

// An insight's severity as a number to compare: LOW 0, MEDIUM 1, HIGH 2;
// anything else 0 (ranks stored insights; input is validated where read).
inline int SeverityRank(std::string_view severity) {
  if (severity == "HIGH") return 2;
  if (severity == "MEDIUM") return 1;
  return 0;
}

struct Insight {
  std::string id;                  // "in-" + 16 hex digits
  std::string name;                // one-line title
  std::string type = "REACTIVE";   // or "PROACTIVE"
  std::string severity = "LOW";    // LOW, MEDIUM, HIGH
  std::string status = "ONGOING";  // ONGOING, CLOSED
  uint64_t start_ns = 0;           // earliest onset
  uint64_t end_ns = 0;             // 0 while ongoing
  uint64_t detected_ns = 0;        // event time the insight was first raised
  uint64_t updated_ns = 0;         // event time of the last change
  uint32_t revision = 0;
  RootCause root_cause;
  std::vector<CauseCandidate> candidates;  // best first, at most 10
  std::vector<InsightAnomaly> anomalies;
  std::vector<ChangeEvent> related_events;
  std::vector<Recommendation> recommendations;
  std::vector<LogSnippet> log_snippets;
  std::string summary;
  // Latest user feedback: "", USEFUL, NOT_USEFUL, TOO_SENSITIVE, INCORRECT.
  std::string feedback;
  bool ongoing() const { return status == "ONGOING"; }
  bool operator==(const Insight&) const = default;
};

}  // namespace augur::model
