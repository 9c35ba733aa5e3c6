// OperationLines: which log lines each operation writes, and a line that
// stops while its operation goes on.
//
// A log line that stops may mean its code stopped running (an exception
// thrown before it: the fault) or that the requests which ran it stopped
// coming (a change in the traffic's mix: normal). Counted in the lines of
// its service, both look alike. Counted in the spans of the operation that
// writes it they do not: log records carry the trace and span id of the
// span they were written in, and that span carries its operation's name.
// So, per (service, span name) = operation, this counts the share of the
// operation's spans that wrote each template, and raises when an operation
// keeps running but a template it wrote in a steady share p of its spans is
// absent from the last N of them, with (1 - p)^N below max_chance:
//
//   kind log_rate, direction down, detector "operation_share", series
//   log.template {operation, severity, template_id} of the service (the
//   series' operation stays "" like every log anomaly's; the span name is an
//   attribute), onset = the template's last line in that operation, score
//   `score`; "INFO log line of PriceController.query in ts-price-service
//   stopped: '...' (in 49 of its 49 spans before, in none of the 20 since)".
//   It ends at the template's next line in that operation (end = that line)
//   or after max_open_ns (the template is then learned again from scratch).
//
// An operation that stops altogether raises nothing (no spans, no count);
// a rare line needs many spans (p = 0.05: 270 at 1e-6).
//
// Joining: spans and lines arrive in either order (separate exports). Each
// span id (with its trace id) has one pending entry holding the span's
// operation once its span came and the templates of its lines so far. A
// span is judged once event time is `lateness_ns` past its end (its lines
// were written before it ended and are exported within seconds); lines
// whose span has not come after `max_line_wait_ns` are forgotten (counted:
// spans not sampled, or dropped upstream). Only the spans of services
// that have written a line with a span id are held (services without such
// lines, or not logging at all, cost a set lookup per resource and batch:
// augur's ingest is measured at 350k spans a second); a service's spans
// count from the batch after its first such line on. Every span of such a
// service is held: its operation may write its first line later.
//
// The share p of a template is learned over its window: the operation's
// spans from the template's first to its last line, p = (spans of the
// window that wrote it) / (window + 1) (never 1: a template in all of 30 spans is p = 0.97, not a certainty), and
// judged only once the window holds min_learned_spans spans; windows longer
// than max_window_spans are halved (the share follows slow changes). The
// test takes spans as independent, and they are not: traffic comes in
// sessions, the same request type many times in a row. So N must also be
// gap_factor times the longest absence the template had (in spans, between
// two of its lines), learned; a template absent for N spans that then comes
// back has learned that it can be absent that long.
// Templates at WARN or above, or with an error keyword, are not watched: an
// error that stops is a recovery. Nor is a template judged before
// min_learned_ns of event time separate its first and last line (a warm-up,
// as the log analyzer's: traffic comes in sessions, and the first minutes
// of an operation do not show its mix).
//
// A line whose words change: the miner starts templates specific and
// generalizes a word only after several values (template_miner.h), so the
// same line with a value not seen before ("stations: [a, b]" after only
// "[c, d]", or a list of another length) is another template for a while,
// and the old one stops while the line goes on. So a template is not
// raised (counted as variants) when the operation's spans since its last
// line wrote about as many templates as its spans did before (fewer by at
// most half the stopped template's share: a line that stops takes its
// share with it, a line written with other values does not), or when a
// template seen since is the same line with other values (the same tokens
// but for two, a "<*>" fitting any, or but for one run of at most three).
// A line that an error replaced is left to the new-pattern rule.
//
// Bounds: pending entries (spans and lines waiting to be joined; at most
// 32 templates each, about 1 KiB), operations, templates per operation,
// raises per service and event-time hour; what does not fit is counted (stats()). Template ids are the log
// analyzer's; a template merged into another (LogAnalyzer::ResolveTemplate)
// has its counts folded into the one it joined before it is judged.
//
// Pure and deterministic: no clock, no I/O; time is event time (span end,
// line time). SaveState/LoadState carry the learned shares and open
// anomalies; the pending joins (seconds of data) are not saved, and spans
// that started before the restart are not counted after it.
// Not thread-safe; one owner thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/anomaly.h"
#include "model/telemetry.h"

namespace augur::logs {

class LogAnalyzer;

struct OperationLinesOptions {
  bool enabled = true;
  uint64_t lateness_ns = 30'000'000'000ULL;        // a span is judged this long after its end
  uint64_t max_line_wait_ns = 300'000'000'000ULL;  // a line waits this long for its span
  size_t max_pending = 100'000;                    // spans and lines waiting to be joined
  size_t max_operations = 8'192;
  size_t max_templates_per_operation = 64;
  uint32_t min_learned_spans = 30;               // spans in a template's window before it is judged
  uint64_t min_learned_ns = 600'000'000'000ULL;  // and event time from its first to its last line
  uint32_t min_absent_spans = 10;                // N is never below this
  double max_chance = 1e-6;                      // (1 - p)^N below this raises
  uint32_t gap_factor = 3;                       // and N is at least this many times the longest absence learned
  uint32_t max_window_spans = 4'096;
  uint64_t max_open_ns = 3'600'000'000'000ULL;
  size_t max_raises_per_service_hour = 10;
  double score = 0.6;
};

struct OperationLinesStats {
  uint64_t spans = 0;                // spans judged
  uint64_t lines_joined = 0;         // templates counted in an operation's spans (once a span)
  uint64_t lines_unjoined = 0;       // templates whose span never came (or of another service)
  uint64_t pending_overflow = 0;     // spans or lines not held: max_pending, or 32 templates in one span
  uint64_t operations_overflow = 0;  // spans of operations not counted: max_operations
  uint64_t templates_overflow = 0;   // templates not counted: max_templates_per_operation
  uint64_t suppressed = 0;           // raises over max_raises_per_service_hour
  uint64_t variants = 0;             // not raised: the line goes on as another template (above)
  uint64_t raised = 0;
  uint64_t ended = 0;
};

class OperationLines {
 public:
  explicit OperationLines(OperationLinesOptions options = {});

  // The batch's spans, and its log records with the template ids `logs`
  // gave them in its last Add (LogAnalyzer::last_template_ids; call this
  // right after it). `logs` also resolves merged templates and gives texts.
  void Add(const model::Batch& batch, const LogAnalyzer& logs);
  // Moves event time on (live mode, sources idle): spans come due.
  void AdvanceTo(uint64_t time_ns, const LogAnalyzer& logs);

  // Anomalies raised or ended since the last call, in order.
  void TakeAnomalies(std::vector<model::Anomaly>* out);

  std::string SaveState() const;
  // On bad bytes returns InvalidArgument; the tracker must then be replaced.
  Status LoadState(std::string_view bytes);

  const OperationLinesStats& stats() const { return stats_; }
  uint64_t watermark() const { return watermark_; }

 private:
  struct Line {
    uint64_t template_id;
    uint64_t time_ns;
    uint64_t service;  // hash of the line's service (a span of another service does not take it)
    uint8_t severity;
  };
  struct Pending {
    uint32_t op = kNoOp;  // set when the span came
    uint64_t end_ns = 0;  // the span's end; before it came, the first line's time
    std::vector<Line> lines;
  };
  struct Template {
    uint64_t id = 0;
    uint64_t first_seq = 0, last_seq = 0;  // the operation's span numbers of its first and last line
    uint64_t count = 0;                    // spans in the window with a line of it
    uint64_t first_ns = 0, last_ns = 0;    // its first and last line
    uint64_t due_seq = 0;                  // absent up to this span number: raised (0: not judged)
    uint64_t max_gap = 0;                  // the most spans from one of its lines to the next, learned
    uint64_t lines_at_last = 0;            // the operation's `lines` after the span of its last line
    uint8_t severity = 0;                  // the highest of its lines
    bool open = false;
    model::Anomaly anomaly;  // when open
  };
  struct Operation {
    std::string service, name;
    uint64_t seq = 0;    // spans counted
    uint64_t lines = 0;  // templates in them, summed (each span's distinct templates)
    std::vector<Template> templates;
  };
  struct Key {
    uint64_t trace, span;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.trace * 0x9e3779b97f4a7c15ULL ^ k.span; }
  };
  static constexpr uint32_t kNoOp = UINT32_MAX;

  uint32_t OperationOf(const std::string& service, const std::string& name);
  void Judge(const LogAnalyzer& logs);
  void CountSpan(Operation& op, const Pending& p, const LogAnalyzer& logs);
  void Learned(Template& t) const;  // sets due_seq from the window
  void Check(Operation& op, const LogAnalyzer& logs);
  bool Admit(const std::string& service, uint64_t time_ns);
  void Raise(Operation& op, Template& t, const LogAnalyzer& logs);
  void End(Template& t, uint64_t end_ns);

  OperationLinesOptions options_;
  OperationLinesStats stats_;
  std::unordered_map<Key, Pending, KeyHash> pending_;
  // Hashes of the services that wrote a line with a span id (at most
  // max_operations; more counted in operations_overflow), and per resource
  // of the batch in Add whether its spans are held (scratch).
  std::unordered_set<uint64_t> logging_services_;
  std::vector<bool> holds_;
  std::vector<Operation> ops_;
  std::map<std::pair<std::string, std::string>, uint32_t, std::less<>> by_name_;
  std::map<std::string, std::pair<uint64_t, uint32_t>, std::less<>> raises_;  // service -> (hour, raises)
  uint64_t watermark_ = 0;
  uint64_t judged_to_ns_ = 0;  // the watermark spans were last judged at
  size_t open_ = 0;            // templates with an open anomaly
  // The watermark a saved state was loaded at: spans that started before it
  // may have written lines before the restart, which the state does not
  // hold, so they are not counted.
  uint64_t resumed_ns_ = 0;
  std::vector<model::Anomaly> out_;
};

}  // namespace augur::logs
