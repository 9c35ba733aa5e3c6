// LogAnalyzer's numbers inside lines (NUMERICAL_POINT, log_numeric): which
// values of a template are watched, their points, and the anomalies they
// raise (see log_analyzer.h and numeric_series.h).

#include <algorithm>
#include <cmath>

#include "logs/analyzer_impl.h"
#include "logs/log_analyzer.h"

namespace augur::logs {

using internal::Incident;
using internal::NumericPosition;
using internal::NumericTemplate;
using internal::Rule;
using internal::ServiceState;
using internal::TemplateState;

namespace {

// Did the value move by at least `ratio` (or change sign)?
bool Moved(double before, double observed, double ratio) {
  if ((before < 0) != (observed < 0)) return true;
  const double a = std::abs(before), b = std::abs(observed);
  return std::max(a, b) > 0 && std::max(a, b) >= ratio * std::min(a, b);
}

std::optional<NumericValue> ValueAt(const std::vector<MaskedToken>& tokens, size_t position) {
  const MaskedToken& t = tokens[position];
  if (!t.has_wildcard) return std::nullopt;
  const auto text = ValueText(t.shape, t.raw);
  if (!text) return std::nullopt;
  return ParseNumericValue(*text, position + 1 < tokens.size() ? tokens[position + 1].raw : std::string_view());
}

// An HTTP status code (HTTP_CODE's business, and a category, not a measure).
bool LooksLikeStatus(const NumericValue& v) {
  return v.unit == NumericUnit::kNone && v.value >= 100 && v.value <= 599 && v.value == std::floor(v.value);
}

}  // namespace

void LogAnalyzer::Impl::StartNumeric(ServiceState& s, TemplateState& ts, uint64_t id) {
  ts.flags |= internal::kTplNumericDone;  // looked at once, whatever comes of it
  const auto& tokens = s.miner->last_tokens();
  if (const auto view = s.miner->Find(id); !view || view->variable_length || tokens.size() != view->tokens) return;
  NumericTemplate nt;
  nt.tokens = static_cast<uint32_t>(tokens.size());
  uint8_t ordinal = 0;
  for (size_t i = 0; i < tokens.size() && i <= UINT8_MAX; ++i) {
    if (!tokens[i].has_wildcard) continue;
    if (ordinal < UINT8_MAX) ++ordinal;
    const auto value = ValueAt(tokens, i);
    if (!value || ((ts.flags & internal::kTplHttp) && LooksLikeStatus(*value))) continue;
    if (nt.positions.size() >= options.numeric_positions_per_template ||
        s.numeric_series + nt.positions.size() >= options.max_numeric_series_per_service) {
      ++counters.numeric_overflow;
      continue;
    }
    nt.positions.push_back(NumericPosition{static_cast<uint8_t>(i), ordinal, NumericSeries()});
  }
  if (nt.positions.empty()) return;
  s.numeric_series += nt.positions.size();
  s.numeric.emplace(id, std::move(nt));
  ts.flags = static_cast<uint8_t>((ts.flags & ~internal::kTplNumericDone) | internal::kTplNumeric);
}

void LogAnalyzer::Impl::NumericLine(ServiceState& s, TemplateState& ts, uint64_t id, uint64_t t, uint64_t bucket,
                                    uint8_t /*severity*/) {
  if (!(ts.flags & internal::kTplNumeric)) {
    if (++ts.lines >= options.numeric_min_lines) StartNumeric(s, ts, id);
    if (!(ts.flags & internal::kTplNumeric)) return;
  }
  auto it = s.numeric.find(id);
  if (it == s.numeric.end()) {  // dropped (merged away); not looked at again
    ts.flags = static_cast<uint8_t>((ts.flags & ~internal::kTplNumeric) | internal::kTplNumericDone);
    return;
  }
  NumericTemplate& nt = it->second;
  const auto& tokens = s.miner->last_tokens();
  if (tokens.size() != nt.tokens) return;
  bool refused = false;
  for (NumericPosition& p : nt.positions) {
    detect::Verdict v;
    if (p.series.Add(bucket, ValueAt(tokens, p.position), options.bucket_ns, options.numeric, &v)) {
      OnNumericPoint(s, id, p, v, t);
    }
    refused = refused || p.series.phase() == NumericSeries::Phase::kRefused;
  }
  if (!refused) return;
  const size_t before = nt.positions.size();
  std::erase_if(nt.positions, [&](const NumericPosition& p) {
    return p.series.phase() == NumericSeries::Phase::kRefused &&
           FindOpen(s, Rule::kNumeric, internal::NumericSubject(id, p.ordinal, p.position)) == nullptr;
  });
  counters.numeric_refused += before - nt.positions.size();
  s.numeric_series -= before - nt.positions.size();
  if (nt.positions.empty()) {
    s.numeric.erase(it);
    ts.flags = static_cast<uint8_t>((ts.flags & ~internal::kTplNumeric) | internal::kTplNumericDone);
  }
}

void LogAnalyzer::Impl::CloseNumericBuckets(ServiceState& s, uint64_t now_bucket) {
  for (auto& [id, nt] : s.numeric) {
    for (NumericPosition& p : nt.positions) {
      detect::Verdict v;
      if (p.series.Close(now_bucket, options.bucket_ns, options.numeric, &v)) OnNumericPoint(s, id, p, v, watermark);
    }
  }
}

void LogAnalyzer::Impl::OnNumericPoint(ServiceState& s, uint64_t id, const NumericPosition& p, const detect::Verdict& v,
                                       uint64_t t) {
  const uint64_t subject = internal::NumericSubject(id, p.ordinal, p.position);
  Incident* in = FindOpen(s, Rule::kNumeric, subject);
  const detect::Finding& f = v.finding;
  switch (v.event) {
    case detect::Event::kNone:
      // A point further off than the one reported makes the next update (at a
      // line, or at the sweep once a bucket has passed).
      if (in != nullptr) {
        model::Anomaly& a = in->anomaly;
        if (std::abs(p.series.last_median() - a.before) > std::abs(a.observed - a.before)) {
          a.observed = p.series.last_median();
          in->dirty = true;
        }
      }
      return;
    case detect::Event::kEnded:
      if (in != nullptr) End(s, static_cast<size_t>(in - s.open.data()), std::max(f.ended_ns, in->last_line_ns));
      return;
    case detect::Event::kRaised:
    case detect::Event::kUpdated: break;
  }
  if (in != nullptr) {  // a spike that stayed: now a level shift
    in->anomaly.detector = f.detector;
    in->anomaly.observed = f.observed;
    in->anomaly.score = std::max(in->anomaly.score, std::min(f.score, 1.0));
    in->dirty = true;
    return;
  }
  if (!Moved(f.before, f.observed, options.numeric.min_ratio)) {
    ++counters.below_bar;
    return;
  }
  if (!Admit(s, t, f.score)) return;
  auto ts = s.templates.find(id);
  const uint8_t severity = ts != s.templates.end() ? ts->second.max_severity : 0;
  const auto view = s.miner->Find(id);
  model::SeriesKey key{
      "log.numeric", s.name, "", {{"position", std::to_string(p.position)}, {"template_id", std::to_string(id)}}};
  std::string text = view ? std::string(view->text) : std::string();
  if (text.size() > 160) text = text.substr(0, 160) + "…";
  in = Open(s, Rule::kNumeric, subject, f.onset_ns, t, severity, f.score, std::move(key), "log_numeric", f.detector,
            std::move(text));
  model::Anomaly& a = in->anomaly;
  a.direction = f.direction == detect::Direction::kUp ? "up" : "down";
  a.quantity = "p50";
  a.unit = std::string(NumericUnitName(p.series.unit()));
  a.before = f.before;
  a.observed = f.observed;
  a.expected_low = f.expected_low;
  a.expected_high = f.expected_high;
  if (ts != s.templates.end()) ts->second.flags |= internal::kTplNumericOpen;
  in->emitted = true;
  in->last_line_ns = t;
  Describe(s, *in);
  a.updated_ns = std::max(t, a.detected_ns);
  in->reported = 1;
  in->reported_ns = t;
  Emit(*in);
  ++counters.anomalies_raised;
}

void LogAnalyzer::Impl::DropNumeric(ServiceState& s, uint64_t id) {
  auto it = s.numeric.find(id);
  if (it == s.numeric.end()) return;
  for (const NumericPosition& p : it->second.positions) {
    if (FindOpen(s, Rule::kNumeric, internal::NumericSubject(id, p.ordinal, p.position)) != nullptr) return;
  }
  s.numeric_series -= it->second.positions.size();
  s.numeric.erase(it);
}

bool LogAnalyzer::Impl::NumericSeriesExists(const ServiceState& s, uint64_t subject) const {
  auto it = s.numeric.find(internal::NumericTemplateOf(subject));
  if (it == s.numeric.end()) return false;
  return std::any_of(it->second.positions.begin(), it->second.positions.end(),
                     [&](const NumericPosition& p) { return p.position == internal::NumericPositionOf(subject); });
}

}  // namespace augur::logs
