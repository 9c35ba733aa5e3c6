// LogAnalyzer: log records in; log anomalies and log snippets out.
//
// Every record of a batch gets a template from its service's TemplateMiner
// (template_miner.h; one miner per service, so templates never mix
// services), and the analyzer watches, per service, DevOps Guru's log
// anomaly classes: FORMAT (log_new_pattern), KEYWORD and KEYWORD_TOKEN
// (log_keyword), HTTP_CODE (log_http_code), NEW_FIELD_NAME (log_new_field),
// NUMERICAL_POINT (log_numeric), and a template's rate (log_rate).
//
//   kind              series (metric, attributes)           raised when
//   log_new_pattern   log.template {severity, template_id}  a template first seen after the warm-up, weighted by
//                                                           severity: FATAL 0.9, ERROR 0.8, WARN 0.6, INFO 0.3
//                                                           (under the bar), DEBUG/TRACE never; the score it
//                                                           reports is that weight less 0.1 at one line, and
//                                                           +0.05 per doubling of its lines (the weight at 4,
//                                                           +0.1 from 16: a failure that goes on). Later new
//                                                           templates join it while it is open (one anomaly for
//                                                           a burst of new patterns: a crash dump, a stack trace)
//   log_keyword       log.template {severity, template_id}  the same, for a template under WARN holding an error
//                                                           keyword (log_rules.h), from its third line: 0.55
//   log_keyword       log.keyword {keyword}                 lines under WARN with that keyword jumped (RateTracker)
//   log_rate          log.template {severity, template_id}  a known template's lines per bucket jumped; the score
//                                                           grows with severity and with the size of the jump
//   log_http_code     log.http_code {status_class}          lines with a 5xx (or, less sensitively, 4xx) status
//                                                           code in the message or in http.response.status_code jumped
//   log_new_field     log.new_field {field}                 an attribute name (or a key of a map body) new to the
//                                                           service after the warm-up; later new names within
//                                                           incident_quiet join the same anomaly
//   log_numeric       log.numeric {position, template_id}   the median per bucket of a number inside a template's
//                                                           lines shifted (numeric_series.h: qualified positions,
//                                                           detect::MetricDetector) and moved by numeric.min_ratio:
//                                                           "value 1 of 'processed batch in <*> ms' in batcher rose
//                                                           from ~40 ms to ~420 ms (p50 per minute; ...)". Only
//                                                           templates with numeric_min_lines lines, at most
//                                                           numeric_positions_per_template values each and
//                                                           max_numeric_series_per_service per service (counted)
//
// The correlator treats these kinds as contextual, metric-like evidence.
// Anomalies carry operation "", quantity "count", unit "" (lines) or "1/min"
// (rates), or quantity "p50" and the value's unit ("ms", "bytes", "%" or "";
// log_numeric), the template text in the explanation ("new ERROR log pattern in
// writer: 'timeout writing item <*> to table <*>' (12 lines since
// 14:03:10)"), onset = first line, and up to samples_per_incident sample
// lines (AnomalySamples, and first choice of Snippets).
//
// Incidents: one anomaly per template (keyword, status class, service for
// fields) at a time. A new-pattern or new-field anomaly ends when its lines
// stop for incident_quiet (end = the last line); a rate anomaly when its
// bucket counts are back at the baseline's calm level for end_quiet_buckets
// (end = the first calm bucket); a numeric anomaly when its detector ends
// it, or its template's lines stop for incident_quiet. Raised, then updated when its count has
// doubled (at most once per bucket: lines held back by that are reported when
// the bucket has passed, at a line or at the watermark), then ended: the same id each time,
// derived from the series and the raise time.
// Floods: besides one anomaly per subject, at most
// max_anomalies_per_service_hour raises per service and event-time hour;
// anomalies scoring under min_score are not raised (their lines still count
// as notable for snippets; a new pattern is judged by its weight, and may
// report less while it is one line). Both counted in stats().
//
// Warm-up: a service's first warmup (event time) and warmup_records
// records, whichever ends later, only teach it what is normal.
//
// Snippets (Snippets()): each service keeps its last notable_bytes of
// notable lines (WARN and above, 5xx, new fields, lines of templates that
// are new or have an anomaly (numeric included), lines of a keyword that has
// an anomaly) and,
// apart, its last traced_bytes of the other lines that carry a trace id, so
// the lines near an onset survive a busy service; open and recently ended
// incidents keep their first lines. Lines that are neither are not kept:
// Snippets would never choose them.
//
// Bounds: services (records of others are counted and skipped), templates
// of all services together (max_templates: when over, the service with the
// most templates has its miner shrunk to its most recently used ones), field
// names per service, watched numeric values per service, open incidents,
// ended incidents kept, kept lines (bytes per service), bytes per kept line.
// Everything dropped is counted. Memory per service is at most its miner
// (templates, aliases, and up to 50k cached shapes, about 2 MB), the two
// rings (128 KiB), its numeric series (32 × ~450 B) and ended incidents; the
// whole is bounded by max_services times that.
// A template evicted to keep the bounds and seen again comes back as a new
// template, so it may be reported as a new pattern (rare at 20k templates).
//
// Pure and deterministic: no clock, no I/O; time is the records' event time
// (time_unix_nano, else observed_time_unix_nano). Same batches in the same
// order (and AdvanceTo calls), same anomalies, ids and snippets.
// SaveState/LoadState carry everything across restarts. Not thread-safe; one
// owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "logs/numeric_series.h"
#include "logs/rate_tracker.h"
#include "logs/template_miner.h"
#include "model/anomaly.h"
#include "model/insight.h"
#include "model/telemetry.h"

namespace augur::logs {

// The miner defaults, scaled to one service among many: 20k templates and
// aliases, 50k cached shapes.
MinerOptions DefaultLogMinerOptions();

struct LogAnalyzerOptions {
  // Per-service miners; max_templates there is the most one service may
  // hold (the total is max_templates below).
  MinerOptions miner = DefaultLogMinerOptions();
  size_t max_services = 256;
  size_t max_templates = 20'000;           // all services together
  size_t min_templates_per_service = 100;  // a squeeze never takes a service below this

  uint64_t warmup_ns = 10 * 60'000'000'000ULL;
  uint64_t warmup_records = 100;

  uint64_t bucket_ns = 60'000'000'000ULL;  // rates are lines per bucket
  RateRule template_rate;                  // a template's lines
  RateRule keyword_rate{.min_count = 5};   // lines under WARN with one keyword
  RateRule http_5xx_rate{.min_count = 5};
  RateRule http_4xx_rate{.min_count = 20, .min_ratio = 5};

  // A template counts as new for this long after its first line: a later
  // line of higher severity may still raise it.
  uint64_t novelty_ns = 60 * 60'000'000'000ULL;
  // A new template under WARN raises on its error keyword only once it has
  // this many lines (within novelty): one INFO line that mentions an error is
  // weak evidence ("2 ddr errors detected and corrected").
  uint64_t keyword_pattern_min_lines = 3;
  // New templates that come while a new-pattern anomaly of the service (of
  // the same kind) is open join it, rather than each raising its own: a
  // crash dump or a stack trace is one incident, not twenty.
  bool group_new_patterns = true;
  size_t max_members_named = 32;  // templates a grouped anomaly lists (the rest are counted)
  // New-pattern and new-field anomalies end after this long without lines.
  uint64_t incident_quiet_ns = 10 * 60'000'000'000ULL;

  double min_score = 0.5;
  size_t max_anomalies_per_service_hour = 10;
  size_t max_open_incidents = 1'000;  // all services together

  size_t notable_bytes = 64 * 1024;  // per service: some 400 lines of 100 bytes
  size_t traced_bytes = 64 * 1024;   // per service
  size_t samples_per_incident = 5;
  size_t ended_incidents_kept = 32;  // per service, for snippets
  size_t max_body_bytes = 1'024;     // of a kept line
  size_t max_fields_per_service = 512;

  // Numbers inside lines (log_numeric): a template's values are looked at
  // once it has numeric_min_lines lines (then each position qualifies on its
  // own, numeric_series.h).
  bool numeric_values = true;
  NumericRule numeric;
  uint16_t numeric_min_lines = 100;
  size_t numeric_positions_per_template = 4;
  size_t max_numeric_series_per_service = 32;
};

struct LogAnalyzerStats {
  uint64_t records = 0;
  uint64_t records_dropped = 0;  // their service was over max_services
  uint64_t empty_bodies = 0;     // not mined
  uint64_t services = 0;
  uint64_t templates = 0;          // all services' miners, now
  uint64_t template_squeezes = 0;  // a miner shrunk to keep max_templates
  uint64_t anomalies_raised = 0;
  uint64_t anomalies_updated = 0;
  uint64_t anomalies_ended = 0;
  uint64_t below_bar = 0;           // candidates scored under min_score (or short of lines)
  uint64_t patterns_grouped = 0;    // new templates that joined an open new-pattern anomaly
  uint64_t suppressed = 0;          // over max_anomalies_per_service_hour
  uint64_t incidents_overflow = 0;  // over max_open_incidents
  uint64_t fields_overflow = 0;     // field names not learned: max_fields_per_service
  uint64_t bodies_cut = 0;          // kept lines over max_body_bytes
  uint64_t numeric_series = 0;      // values watched now (all services)
  uint64_t numeric_refused = 0;     // positions that did not qualify (not numbers, or counters and clocks)
  uint64_t numeric_overflow = 0;    // positions not watched: max_numeric_series_per_service
};

// A trace the caller cares about, for Snippets: its lines are chosen and
// the reason names the label ("same trace as a slow POST /items").
struct TraceRef {
  std::string trace_id_hex;
  std::string label;  // "a slow POST /items"; "" gives "a slow or failing request"
};

// One log pattern (template) of a service, for GET /api/v1/logs/patterns.
struct PatternInfo {
  std::string service;
  uint64_t template_id = 0;
  std::string text;    // with <*> for values
  uint64_t count = 0;  // records since first seen (templates merged into it included)
  uint64_t first_seen_ns = 0, last_seen_ns = 0;
  // "new" (first seen inside a window with a start), "anomalous" (has an open log
  // anomaly), "quiet" (not seen in the window's last tenth), else "steady".
  std::string trend;
};

class LogAnalyzer {
 public:
  explicit LogAnalyzer(LogAnalyzerOptions options = {});
  ~LogAnalyzer();
  LogAnalyzer(const LogAnalyzer&) = delete;
  LogAnalyzer& operator=(const LogAnalyzer&) = delete;

  // Analyses the batch's log records (spans and metrics are ignored).
  void Add(const model::Batch& batch);
  // Moves event time on (live mode, sources idle), so anomalies can end.
  void AdvanceTo(uint64_t time_ns);

  // Anomalies raised, updated or ended since the last call, in the order it
  // happened; the same id appears again when an anomaly changes.
  void TakeAnomalies(std::vector<model::Anomaly>* out);

  // Up to `max` lines of `service` ("" = every service) with event time in
  // [from_ns, to_ns] (to_ns 0 = no end), best first:
  //   1. lines of templates with a log anomaly (a few per template, in turn),
  //      lines with the status class or keyword of a log anomaly, lines with
  //      a new field: "new ERROR pattern first seen 14:03:10";
  //   2. lines of the given traces: "same trace as a slow POST /items";
  //   3. ERROR and FATAL lines, then WARN lines: "ERROR line near the onset".
  // Within a rank, earlier first. template_id is the template's current id.
  std::vector<model::LogSnippet> Snippets(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                          const std::vector<std::string>& trace_ids_hex, size_t max) const;
  std::vector<model::LogSnippet> Snippets(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                          const std::vector<TraceRef>& traces, size_t max) const;
  // Patterns of `service` ("" = all) seen in [from_ns, to_ns] (to_ns 0 = no
  // end), most frequent first, at most `max`.
  std::vector<PatternInfo> Patterns(const std::string& service, uint64_t from_ns, uint64_t to_ns, size_t max) const;

  // The sample lines of a log anomaly (open, or among the ended ones kept).
  std::vector<model::LogSnippet> AnomalySamples(const std::string& anomaly_id) const;
  // The templates a log.template anomaly stands for (its own and those that
  // joined it, as current ids); empty for other anomalies or unknown ids.
  std::vector<uint64_t> AnomalyTemplates(const std::string& anomaly_id) const;

  // The template ids given to the records of the last Add(), in order (0
  // for a record not mined): for evaluations and for storing ids with logs.
  const std::vector<uint64_t>& last_template_ids() const;
  // A template of a service: its current id after merges (0 when evicted),
  // and its view.
  uint64_t ResolveTemplate(std::string_view service, uint64_t id) const;
  std::optional<TemplateView> FindTemplate(std::string_view service, uint64_t id) const;

  std::string SaveState() const;
  // On bad bytes returns InvalidArgument and leaves the analyzer unchanged.
  Status LoadState(std::string_view bytes);

  LogAnalyzerStats stats() const;
  uint64_t watermark() const;  // the newest event time seen (or advanced to)
  // Bytes of heap held, estimated (miners, template states, kept lines).
  size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::logs
