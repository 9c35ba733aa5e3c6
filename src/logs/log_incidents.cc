// LogAnalyzer's incidents: admitting, opening, joining, updating,
// describing and ending log anomalies (see log_analyzer.h).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "analysis/stable_id.h"
#include "logs/analyzer_impl.h"
#include "logs/log_analyzer.h"

namespace augur::logs {

using internal::Incident;
using internal::Rule;
using internal::ServiceState;

namespace {

constexpr uint64_t kHourNs = 3'600'000'000'000ULL;

std::string Num(double v) {
  char buf[32];
  if (v >= 100 || v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

// A value with its unit, for numeric anomalies: "420 ms", "1500000 bytes",
// "99%", "-3.2".
std::string Value(double v, std::string_view unit) {
  char buf[32];
  const double m = std::abs(v);
  if (m >= 10 || m == std::floor(m)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (m >= 1) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  std::string out = buf;
  if (unit == "%") return out + "%";
  return unit.empty() ? out : out + " " + std::string(unit);
}

std::string Lines(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " line" : " lines");
}

// The score a new-pattern anomaly reports: its severity's weight (the bar it
// was raised at, unchanged), less 0.1 while it is one line and up to 0.1
// more from 16 lines on (a group of new templates counts each template
// once). One new ERROR line is one request that failed once; the same
// pattern in dozens of lines is a failure that goes on, and ranks above it
// (an ERROR pattern: 0.7 at one line, 0.8 at four, 0.9 from sixteen).
double NewPatternReportedScore(const Incident& in) {
  bool by_keyword = false;
  const double weight = in.anomaly.kind == "log_keyword"
                            ? internal::NewPatternScore(0, ~0u, &by_keyword)
                            : internal::NewPatternScore(std::max(in.severity, in.top_severity), 0, &by_keyword);
  // Lines that repeat a template: a burst of new patterns (a stack trace,
  // one line per frame) is one event, not a failure that goes on.
  const uint64_t templates = 1 + in.members.size() + in.more_members;
  const double lines = static_cast<double>(in.lines > templates ? in.lines - templates + 1 : 1);
  return std::clamp(weight - 0.1 + std::min(0.2, 0.05 * std::log2(lines)), 0.0, 1.0);
}

}  // namespace

bool LogAnalyzer::Impl::Admit(ServiceState& s, uint64_t t, double score) {
  if (score < options.min_score) {
    ++counters.below_bar;
    return false;
  }
  if (open_incidents >= options.max_open_incidents) {
    ++counters.incidents_overflow;
    return false;
  }
  const uint64_t hour = t / kHourNs;
  if (hour > s.hour) {
    s.hour = hour;
    s.raised_in_hour = 0;
  }
  if (s.raised_in_hour >= options.max_anomalies_per_service_hour) {
    ++counters.suppressed;
    return false;
  }
  ++s.raised_in_hour;
  return true;
}

Incident* LogAnalyzer::Impl::Open(ServiceState& s, Rule rule, uint64_t subject, uint64_t onset_ns, uint64_t t,
                                  uint8_t severity, double score, model::SeriesKey key, std::string kind,
                                  std::string detector, std::string text) {
  Incident in;
  in.rule = rule;
  in.subject = subject;
  in.severity = in.top_severity = severity;
  in.text = std::move(text);
  model::Anomaly& a = in.anomaly;
  a.id = analysis::StableId().Mix(key.ToString()).Mix(t).Id("an-");
  a.series = std::move(key);
  a.kind = std::move(kind);
  a.direction = "up";
  a.quantity = "count";
  const bool rate = rule == Rule::kTemplateRate || rule == Rule::kKeywordRate || rule == Rule::kHttpRate;
  a.unit = rate ? "1/min" : "";
  a.detector = std::move(detector);
  a.onset_ns = std::min(onset_ns, t);
  a.detected_ns = t;
  a.score = std::min(score, 1.0);
  // A rate anomaly counts the lines of its bucket so far (OnLine adds this one).
  if (const RateTracker* tr = TrackerOf(s, in); tr != nullptr && tr->count() > 0) in.lines = tr->count() - 1;
  s.open.push_back(std::move(in));
  ++open_incidents;
  return &s.open.back();
}

Incident* LogAnalyzer::Impl::FindOpen(ServiceState& s, Rule rule, uint64_t subject) {
  for (Incident& in : s.open) {
    if (in.rule == rule && in.subject == subject) return &in;
  }
  return nullptr;
}

Incident* LogAnalyzer::Impl::FindTemplateIncident(ServiceState& s, uint64_t id) {
  for (Incident& in : s.open) {
    if (internal::Covers(in, id)) return &in;
  }
  return nullptr;
}

Incident* LogAnalyzer::Impl::FindGroup(ServiceState& s, std::string_view kind) {
  for (Incident& in : s.open) {
    if (in.rule == Rule::kNewTemplate && in.anomaly.kind == kind) return &in;
  }
  return nullptr;
}

bool LogAnalyzer::Impl::Join(Incident& in, uint64_t id, uint8_t severity, double score) {
  in.top_severity = std::max(in.top_severity, severity);
  in.anomaly.score = std::max(in.anomaly.score, std::min(score, 1.0));
  in.dirty = true;
  ++counters.patterns_grouped;
  if (in.members.size() >= options.max_members_named) {
    ++in.more_members;
    return false;
  }
  in.members.push_back(id);
  return true;
}

RateTracker* LogAnalyzer::Impl::TrackerOf(ServiceState& s, const Incident& in) {
  switch (in.rule) {
    case Rule::kTemplateRate: {
      auto it = s.templates.find(in.subject);
      return it == s.templates.end() ? nullptr : &it->second.rate;
    }
    case Rule::kKeywordRate: return in.subject < s.keywords.size() ? &s.keywords[in.subject] : nullptr;
    case Rule::kHttpRate: return in.subject == 4 || in.subject == 5 ? &s.http[in.subject - 4] : nullptr;
    default: return nullptr;
  }
}

const RateRule& LogAnalyzer::Impl::RuleOf(const Incident& in) const {
  switch (in.rule) {
    case Rule::kKeywordRate: return options.keyword_rate;
    case Rule::kHttpRate: return in.subject == 5 ? options.http_5xx_rate : options.http_4xx_rate;
    default: return options.template_rate;
  }
}

void LogAnalyzer::Impl::OnLine(ServiceState& s, Incident& in, uint64_t t, const LineView& line) {
  ++in.lines;
  in.last_line_ns = std::max(in.last_line_ns, t);
  if (in.samples.size() < 2 * options.samples_per_incident) {
    // The first lines, and the first line of each template that joined later.
    const bool first_of_template = std::none_of(in.samples.begin(), in.samples.end(),
                                                [&](const KeptLine& k) { return k.template_id == line.template_id; });
    if (in.samples.size() < options.samples_per_incident || first_of_template) in.samples.emplace_back(line);
  }
  Report(s, in, t);
}

void LogAnalyzer::Impl::Report(ServiceState& s, Incident& in, uint64_t t) {
  const RateTracker* tr = TrackerOf(s, in);
  const double value = tr != nullptr ? static_cast<double>(tr->peak()) : static_cast<double>(in.lines);
  const bool first = !in.emitted;
  if (!first && !((value >= 2 * in.reported || in.dirty) && t >= in.reported_ns + options.bucket_ns)) return;
  in.emitted = true;
  in.dirty = false;
  Describe(s, in);
  in.anomaly.updated_ns = std::max(t, in.anomaly.detected_ns);
  in.reported = std::max(value, 1.0);
  in.reported_ns = t;
  Emit(in);
  ++(first ? counters.anomalies_raised : counters.anomalies_updated);
}

void LogAnalyzer::Impl::Describe(const ServiceState& s, Incident& in) const {
  model::Anomaly& a = in.anomaly;
  const double per_minute = 60'000'000'000.0 / static_cast<double>(options.bucket_ns);
  const std::string since = " since " + internal::Clock(a.onset_ns);
  switch (in.rule) {
    case Rule::kNewTemplate: {
      a.before = 0;
      a.observed = static_cast<double>(in.lines);
      a.score = NewPatternReportedScore(in);
      a.expected_low = a.expected_high = 0;
      const std::string sev = in.severity == 0 ? "" : internal::SeverityLabel(in.severity) + " ";
      if (!in.members.empty()) {
        const uint64_t more = in.members.size() + in.more_members;
        const std::string top = in.top_severity == 0 ? "" : ", up to " + internal::SeverityLabel(in.top_severity);
        a.explanation =
            std::string(a.kind == "log_keyword" ? "new log patterns with error keywords in " : "new log patterns in ") +
            s.name + top + ": '" + in.text + "' and " + std::to_string(more) + " more (" + Lines(in.lines) + since +
            ")";
      } else if (a.kind == "log_keyword") {
        const uint32_t kw = s.templates.count(in.subject) ? s.templates.at(in.subject).keywords : 0;
        int first = 0;
        while (first < kKeywordCount && !(kw & (1u << first))) ++first;
        a.explanation = "new " + sev + "log pattern with error keyword '" + std::string(KeywordName(first)) + "' in " +
                        s.name + ": '" + in.text + "' (" + Lines(in.lines) + since + ")";
      } else {
        a.explanation =
            "new " + sev + "log pattern in " + s.name + ": '" + in.text + "' (" + Lines(in.lines) + since + ")";
      }
      return;
    }
    case Rule::kNewField: {
      a.before = 0;
      a.observed = static_cast<double>(in.lines);
      a.expected_low = a.expected_high = 0;
      std::string names;
      for (size_t i = 0; i < in.fields.size(); ++i) {
        if (i > 0) names += i + 1 == in.fields.size() && in.more_fields == 0 ? " and " : ", ";
        names += "'" + in.fields[i] + "'";
      }
      if (in.more_fields > 0) names += " and " + std::to_string(in.more_fields) + " more";
      const bool several = in.fields.size() + in.more_fields > 1;
      a.explanation = std::string(several ? "new log fields " : "new log field ") + names + " in " + s.name + since +
                      " (" + Lines(in.lines) + ")";
      return;
    }
    case Rule::kNumeric: {
      // before, observed and the band are set from the detector's finding.
      const std::string every = options.bucket_ns == 60'000'000'000ULL
                                    ? "per minute"
                                    : "per " + std::to_string(options.bucket_ns / 1'000'000'000ULL) + " s";
      a.explanation = "value " + std::to_string(internal::NumericOrdinalOf(in.subject)) + " of '" + in.text + "' in " +
                      s.name + (a.direction == "down" ? " fell" : " rose") + " from ~" + Value(a.before, a.unit) +
                      " to ~" + Value(a.observed, a.unit) + " (p50 " + every + "; expected " +
                      Value(a.expected_low, "") + "–" + Value(a.expected_high, a.unit) + "; " + Lines(in.lines) +
                      since + ")";
      return;
    }
    default: break;
  }
  // Rates.
  const RateTracker* tr = TrackerOf(s, in);
  const double before = tr != nullptr ? tr->mean() * per_minute : 0;
  const double peak = tr != nullptr ? tr->peak() * per_minute : 0;
  const double calm = tr != nullptr ? tr->calm() * per_minute : 0;
  a.before = before;
  a.observed = std::max(a.observed, peak);
  a.expected_low = 0;
  a.expected_high = calm;
  const std::string change = " rose from " + Num(before) + " to " + Num(a.observed) + " per minute";
  const std::string expected = "; expected at most " + Num(calm);
  if (in.rule == Rule::kTemplateRate) {
    const std::string sev = in.severity == 0 ? "" : internal::SeverityLabel(in.severity) + " ";
    a.explanation = sev + "log pattern in " + s.name + change + ": '" + in.text + "'" + expected + " (" +
                    Lines(in.lines) + since + ")";
  } else if (in.rule == Rule::kKeywordRate) {
    a.explanation =
        "log lines with '" + in.text + "' in " + s.name + change + expected + " (" + Lines(in.lines) + since + ")";
  } else {
    std::string codes;
    for (const auto& [code, n] : s.codes) {
      if ((code >= 500) != (in.subject == 5)) continue;
      codes += (codes.empty() ? "" : ", ") + std::to_string(code) + " ×" + std::to_string(n);
    }
    a.explanation = "HTTP " + in.text + " status codes in " + s.name + "'s logs" + change +
                    (codes.empty() ? "" : " (" + codes + " in the last minute)") + expected + " (" + Lines(in.lines) +
                    since + ")";
  }
}

void LogAnalyzer::Impl::End(ServiceState& s, size_t index, uint64_t end_ns) {
  Incident in = std::move(s.open[index]);
  s.open.erase(s.open.begin() + static_cast<std::ptrdiff_t>(index));
  --open_incidents;
  if (RateTracker* tr = TrackerOf(s, in)) tr->set_open(false, RuleOf(in));
  if (in.rule == Rule::kNewTemplate || in.rule == Rule::kTemplateRate) {
    auto close = [&](uint64_t id) {
      if (auto it = s.templates.find(id); it != s.templates.end()) it->second.flags &= ~internal::kTplOpen;
    };
    close(in.subject);
    for (uint64_t m : in.members) close(m);
  }
  if (in.rule == Rule::kNumeric) {
    const uint64_t id = internal::NumericTemplateOf(in.subject);
    const bool other = std::any_of(s.open.begin(), s.open.end(), [&](const Incident& o) {
      return o.rule == Rule::kNumeric && internal::NumericTemplateOf(o.subject) == id;
    });
    if (auto it = s.templates.find(id); it != s.templates.end() && !other) {
      it->second.flags &= ~internal::kTplNumericOpen;
    }
  }
  model::Anomaly& a = in.anomaly;
  a.end_ns = std::max(end_ns, a.onset_ns + 1);
  Describe(s, in);
  a.updated_ns = std::max({watermark, a.end_ns, a.updated_ns});
  if (in.emitted) {
    Emit(in);
    ++counters.anomalies_ended;
  }
  if (options.ended_incidents_kept == 0) return;
  s.ended.push_back(std::move(in));
  while (s.ended.size() > options.ended_incidents_kept) s.ended.pop_front();
}

void LogAnalyzer::Impl::Sweep() {
  const uint64_t now_bucket = internal::Bucket(watermark, options.bucket_ns);
  for (auto& sp : services) {
    ServiceState& s = *sp;
    if (!s.numeric.empty()) CloseNumericBuckets(s, now_bucket);
    for (size_t i = 0; i < s.open.size();) {
      Incident& in = s.open[i];
      bool end = false;
      uint64_t end_ns = 0;
      if (in.rule == Rule::kNewTemplate || in.rule == Rule::kNewField) {
        end = watermark >= in.last_line_ns + options.incident_quiet_ns;
        end_ns = in.last_line_ns;
      } else if (in.rule == Rule::kNumeric) {
        // Its detector ends it (OnNumericPoint); or its lines stopped, or its series is gone.
        end = watermark >= in.last_line_ns + options.incident_quiet_ns || !NumericSeriesExists(s, in.subject);
        end_ns = in.last_line_ns;
      } else if (RateTracker* tr = TrackerOf(s, in); tr == nullptr) {
        end = true;  // its template is gone
        end_ns = in.last_line_ns;
      } else {
        const RateRule& rule = RuleOf(in);
        tr->AdvanceTo(now_bucket, rule);
        if (tr->ShouldEnd(rule)) {
          end = true;
          end_ns = tr->quiet() >= rule.end_quiet_buckets ? tr->quiet_start() * options.bucket_ns : watermark;
        }
      }
      if (end) {
        End(s, i, end_ns);
      } else {
        // A count that doubled after its last report, when the lines then
        // stopped within the bucket that holds further reports back: it is
        // reported once the bucket has passed, not only at a next line that
        // may never come (five lines within 30 s read "1 line" for good).
        if (in.emitted) Report(s, in, watermark);
        ++i;
      }
    }
  }
}

}  // namespace augur::logs
