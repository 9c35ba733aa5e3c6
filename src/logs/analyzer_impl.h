// Internals of LogAnalyzer (log_analyzer.h), shared by its source files:
// log_analyzer.cc (records and rules), log_incidents.cc (anomalies from
// raise to end), log_numeric.cc (values inside lines), log_snippets.cc
// (choosing lines) and analyzer_state.cc (SaveState/LoadState). Not part of the library's interface.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "logs/line_ring.h"
#include "logs/log_analyzer.h"
#include "logs/log_rules.h"
#include "logs/numeric_series.h"
#include "logs/rate_tracker.h"
#include "logs/template_miner.h"
#include "model/anomaly.h"

namespace augur::logs {
namespace internal {

// What a template's state knows beyond the miner (TemplateState::flags).
enum TemplateFlag : uint8_t {
  kTplNovel = 1,         // first seen after the service's warm-up
  kTplNewHandled = 2,    // its new-pattern anomaly was raised, refused, or its novelty ran out
  kTplHttp = 4,          // its lines may carry a status code (MayHoldHttpStatus)
  kTplOpen = 8,          // an incident on it is open
  kTplNumeric = 16,      // its values are watched (ServiceState::numeric has it)
  kTplNumericDone = 32,  // its values were looked at: none to watch, or no room
  kTplNumericOpen = 64,  // a numeric incident on one of its values is open
};

struct TemplateState {
  RateTracker rate;
  uint64_t first_seen_ns = 0;
  uint32_t keywords = 0;  // FindKeywords over its text when first seen
  uint8_t max_severity = 0;
  uint8_t flags = 0;
  uint16_t lines = 0;  // counted up to numeric_min_lines only
};

enum class Rule : uint8_t {
  kNewTemplate = 0,
  kTemplateRate = 1,
  kKeywordRate = 2,
  kHttpRate = 3,
  kNewField = 4,
  kNumeric = 5,
};

// kNumeric incidents' subject: template id, the value's ordinal among the
// line's values (1-based, for explanations) and its token position.
inline uint64_t NumericSubject(uint64_t template_id, uint8_t ordinal, uint8_t position) {
  return template_id << 16 | uint64_t{ordinal} << 8 | position;
}
inline uint64_t NumericTemplateOf(uint64_t subject) {
  return subject >> 16;
}
inline uint8_t NumericOrdinalOf(uint64_t subject) {
  return static_cast<uint8_t>(subject >> 8);
}
inline uint8_t NumericPositionOf(uint64_t subject) {
  return static_cast<uint8_t>(subject);
}

// The watched values of one template (NUMERICAL_POINT).
struct NumericPosition {
  uint8_t position = 0;  // token index in the line
  uint8_t ordinal = 0;   // 1-based among the line's values
  NumericSeries series;
};
struct NumericTemplate {
  uint32_t tokens = 0;  // lines with another token count are not read
  std::vector<NumericPosition> positions;
};

// One log anomaly while open, and for a while after it ended (snippets).
struct Incident {
  Rule rule = Rule::kNewTemplate;
  uint64_t subject = 0;  // template id; keyword; status class (4, 5); 0 for fields
  uint8_t severity = 0;  // of the line that raised it
  model::Anomaly anomaly;
  std::string text;    // template text (cut) or keyword, for explanations
  uint64_t lines = 0;  // lines since the onset
  uint64_t last_line_ns = 0;
  bool emitted = false;  // raised (its first line came)
  double reported = 0;   // the count (or peak rate) last emitted
  uint64_t reported_ns = 0;
  std::vector<KeptLine> samples;    // its first lines
  std::vector<std::string> fields;  // kNewField: the first names
  uint64_t more_fields = 0;         // and how many more
  std::vector<uint64_t> members;    // kNewTemplate: new templates that joined it (bounded)
  uint64_t more_members = 0;        // and how many more
  uint8_t top_severity = 0;         // the highest severity of its templates
  bool dirty = false;               // changed (a member or field joined) since last emitted
};

// Does the incident (a template rule) stand for template `id`?
inline bool Covers(const Incident& in, uint64_t id) {
  if (in.rule != Rule::kNewTemplate && in.rule != Rule::kTemplateRate) return false;
  if (in.subject == id) return true;
  for (uint64_t m : in.members) {
    if (m == id) return true;
  }
  return false;
}

struct ServiceState {
  std::string name;
  std::unique_ptr<TemplateMiner> miner;
  size_t miner_cap = 0;  // the miner's max_templates
  uint64_t first_ns = 0, last_ns = 0;
  uint64_t records = 0;
  bool warm = false;

  std::unordered_map<uint64_t, TemplateState> templates;
  std::array<RateTracker, kKeywordCount> keywords;
  std::array<RateTracker, 2> http;                   // 4xx, 5xx
  uint64_t codes_bucket = 0;                         // the bucket `codes` counts
  std::vector<std::pair<uint16_t, uint32_t>> codes;  // status code -> lines in codes_bucket (a few)

  std::unordered_map<uint64_t, NumericTemplate> numeric;  // by template id
  size_t numeric_series = 0;                              // positions in `numeric`

  std::unordered_set<std::string> fields;
  std::unordered_set<uint64_t> field_sets;  // hashes of attribute-name lists already checked
  std::vector<std::string> last_names;      // the last record's attribute names, all known

  uint64_t hour = 0;  // event-time hour of raised_in_hour
  uint32_t raised_in_hour = 0;

  std::vector<Incident> open;
  std::deque<Incident> ended;  // newest last
  LineRing notable;            // notable lines (see Keep)
  LineRing traced;             // the other lines that carry a trace id
  uint64_t next_seq = 1;
};

}  // namespace internal

struct LogAnalyzer::Impl {
  explicit Impl(LogAnalyzerOptions o);

  // Records and rules (log_analyzer.cc).
  internal::ServiceState* Service(const std::string& name, uint64_t time_ns);
  std::unique_ptr<TemplateMiner> NewMiner(size_t cap) const;
  void AddRecord(internal::ServiceState& s, const model::LogRecord& r, uint64_t time_ns);
  void CheckFields(internal::ServiceState& s, const model::LogRecord& r, uint64_t time_ns, uint8_t severity,
                   int* http_code, bool* new_field);
  // Keeps the line for snippets; returns it (views into the record).
  LineView Keep(internal::ServiceState& s, const model::LogRecord& r, std::string_view body, uint64_t time_ns,
                uint64_t template_id, uint8_t severity, uint8_t flags, int http_code, bool notable);

  // Values inside lines (log_numeric.cc).
  void NumericLine(internal::ServiceState& s, internal::TemplateState& ts, uint64_t id, uint64_t time_ns,
                   uint64_t bucket, uint8_t severity);
  void StartNumeric(internal::ServiceState& s, internal::TemplateState& ts, uint64_t id);
  void OnNumericPoint(internal::ServiceState& s, uint64_t id, const internal::NumericPosition& p,
                      const detect::Verdict& v, uint64_t time_ns);
  void CloseNumericBuckets(internal::ServiceState& s, uint64_t now_bucket);
  void DropNumeric(internal::ServiceState& s, uint64_t id);
  bool NumericSeriesExists(const internal::ServiceState& s, uint64_t subject) const;

  // Incidents (log_incidents.cc).
  bool Admit(internal::ServiceState& s, uint64_t time_ns, double score);
  internal::Incident* Open(internal::ServiceState& s, internal::Rule rule, uint64_t subject, uint64_t onset_ns,
                           uint64_t time_ns, uint8_t severity, double score, model::SeriesKey key, std::string kind,
                           std::string detector, std::string text);
  internal::Incident* FindOpen(internal::ServiceState& s, internal::Rule rule, uint64_t subject);
  internal::Incident* FindTemplateIncident(internal::ServiceState& s, uint64_t id);  // either template rule
  // The open new-pattern incident of this kind that a new template joins.
  internal::Incident* FindGroup(internal::ServiceState& s, std::string_view kind);
  // Adds a template to a grouped anomaly; false when it is only counted (over max_members_named).
  bool Join(internal::Incident& in, uint64_t id, uint8_t severity, double score);
  void OnLine(internal::ServiceState& s, internal::Incident& in, uint64_t time_ns, const LineView& line);
  void Describe(const internal::ServiceState& s, internal::Incident& in) const;
  // Emits the incident when it is new, or when its count doubled (or it
  // changed) and a bucket has passed since its last report, at time_ns.
  void Report(internal::ServiceState& s, internal::Incident& in, uint64_t time_ns);
  void Emit(const internal::Incident& in) { out.push_back(in.anomaly); }
  void End(internal::ServiceState& s, size_t index, uint64_t end_ns);
  // The tracker a rate incident watches (nullptr for the other rules).
  static RateTracker* TrackerOf(internal::ServiceState& s, const internal::Incident& in);
  static const RateTracker* TrackerOf(const internal::ServiceState& s, const internal::Incident& in) {
    return TrackerOf(const_cast<internal::ServiceState&>(s), in);
  }
  const RateRule& RuleOf(const internal::Incident& in) const;
  void Sweep();
  void KeepTemplatesBounded();
  void Prune(internal::ServiceState& s);

  // Snippets (log_snippets.cc).
  model::LogSnippet ToSnippet(const internal::ServiceState& s, const LineView& l, std::string reason) const;

  // State (analyzer_state.cc).
  void Save(analysis::StateWriter* w) const;
  Status Load(analysis::StateReader* r);

  LogAnalyzerOptions options;
  LogAnalyzerStats counters;
  std::vector<std::unique_ptr<internal::ServiceState>> services;  // in order of first record
  std::map<std::string, size_t, std::less<>> by_name;
  uint64_t watermark = 0;
  size_t open_incidents = 0;
  std::vector<model::Anomaly> out;

  // Scratch, reused across batches.
  std::vector<internal::ServiceState*> by_resource;
  std::vector<uint64_t> template_ids;
  std::string body_scratch;
};

// Shared helpers.
namespace internal {
std::string Clock(uint64_t ns);               // "14:03:10" (UTC)
std::string SeverityLabel(uint8_t severity);  // "ERROR", or "INFO" for unspecified
uint64_t Bucket(uint64_t time_ns, uint64_t width_ns);
// A new template's weight by severity (an error keyword makes a line under
// WARN count; *by_keyword says so): the bar a new pattern is raised at.
double NewPatternScore(uint8_t severity, uint32_t keywords, bool* by_keyword);
}  // namespace internal

}  // namespace augur::logs
