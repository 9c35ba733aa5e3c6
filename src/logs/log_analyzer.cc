#include "logs/log_analyzer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <functional>

#include "logs/analyzer_impl.h"

namespace augur::logs {

using internal::Incident;
using internal::Rule;
using internal::ServiceState;
using internal::TemplateState;

namespace internal {

std::string Clock(uint64_t ns) {
  const uint64_t s = ns / 1'000'000'000ULL;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", static_cast<unsigned>((s / 3600) % 24),
                static_cast<unsigned>((s / 60) % 60), static_cast<unsigned>(s % 60));
  return buf;
}

std::string SeverityLabel(uint8_t severity) {
  return severity == 0 ? "UNSPECIFIED" : model::SeverityName(severity);
}

uint64_t Bucket(uint64_t time_ns, uint64_t width_ns) {
  return time_ns / width_ns;
}

double NewPatternScore(uint8_t severity, uint32_t keywords, bool* by_keyword) {
  *by_keyword = false;
  if (severity >= 1 && severity < kSeverityInfo) return 0;  // DEBUG, TRACE
  if (severity >= kSeverityFatal) return 0.9;
  if (severity >= kSeverityError) return 0.8;
  if (severity >= kSeverityWarn) return 0.6;
  if (keywords != 0) {
    *by_keyword = true;
    return 0.55;
  }
  return 0.3;
}

}  // namespace internal

namespace {

constexpr std::string_view kStatusKey = "http.response.status_code";  // semantic conventions 1.23
constexpr std::string_view kStatusKeyOld = "http.status_code";
constexpr size_t kTextInExplanation = 160;
constexpr size_t kFieldsNamed = 5;

bool IsDebug(uint8_t severity) {
  return severity >= 1 && severity < kSeverityInfo;
}

void AppendScalar(const model::AnyValue& v, std::string* out) {
  if (const auto* s = std::get_if<std::string>(&v.value)) {
    out->append(*s);
  } else if (const auto* i = std::get_if<int64_t>(&v.value)) {
    out->append(std::to_string(*i));
  } else if (const auto* d = std::get_if<double>(&v.value)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", *d);
    out->append(buf);
  } else if (const auto* b = std::get_if<bool>(&v.value)) {
    out->append(*b ? "true" : "false");
  } else if (const auto* a = std::get_if<model::ArrayValue>(&v.value)) {
    for (size_t k = 0; k < a->size(); ++k) {
      if (k > 0) out->push_back(' ');
      AppendScalar((*a)[k], out);
    }
  } else if (std::holds_alternative<model::Bytes>(v.value)) {
    out->append("<bytes>");
  } else if (std::holds_alternative<model::Attributes>(v.value)) {
    out->append("{...}");
  }
}

// The text of a body: a string as it is; for a map, its message field
// ("message", "msg", "log", "body", "text") or else "key=value ..."; other
// values rendered.
std::string_view BodyText(const model::AnyValue& body, std::string* scratch) {
  if (const auto* s = std::get_if<std::string>(&body.value)) return *s;
  scratch->clear();
  if (const auto* kv = std::get_if<model::Attributes>(&body.value)) {
    for (std::string_view key : {"message", "msg", "log", "body", "text"}) {
      const std::string_view v = model::StringAttribute(*kv, key);
      if (!v.empty()) return v;
    }
    for (const model::KeyValue& e : *kv) {
      if (!scratch->empty()) scratch->push_back(' ');
      scratch->append(e.key);
      scratch->push_back('=');
      AppendScalar(e.value, scratch);
    }
    return *scratch;
  }
  AppendScalar(body, scratch);
  return *scratch;
}

std::string Cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
  return std::string(text.substr(0, n)) + "…";
}

// How far past its threshold a bucket went: up to +0.2 at 16x.
double Strength(uint32_t count, uint32_t threshold) {
  if (threshold == 0 || count <= threshold) return 0;
  return std::min(0.2, 0.05 * std::log2(static_cast<double>(count) / threshold));
}

double TemplateRateScore(uint8_t severity, uint32_t keywords, uint32_t count, uint32_t threshold) {
  double base = 0.45;  // a chatty INFO template needs twice its threshold to reach the bar
  if (severity >= kSeverityError) {
    base = 0.7;
  } else if (severity >= kSeverityWarn) {
    base = 0.6;
  } else if (keywords != 0) {
    base = 0.55;
  }
  return base + Strength(count, threshold);
}

bool ErrorishField(std::string_view key) {
  auto contains = [&](std::string_view w) {
    for (size_t i = 0; i + w.size() <= key.size(); ++i) {
      bool eq = true;
      for (size_t k = 0; k < w.size() && eq; ++k) {
        char c = key[i + k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        eq = c == w[k];
      }
      if (eq) return true;
    }
    return false;
  };
  return contains("exception") || contains("error") || contains("stack");
}

model::SeriesKey TemplateKey(const ServiceState& s, uint64_t id, uint8_t severity) {
  return {"log.template",
          s.name,
          "",
          {{"severity", internal::SeverityLabel(severity)}, {"template_id", std::to_string(id)}}};
}

void Remember(std::vector<std::string>* names, const model::Attributes& attributes) {
  names->resize(attributes.size());
  for (size_t i = 0; i < attributes.size(); ++i) (*names)[i] = attributes[i].key;
}

uint64_t HashKey(uint64_t h, std::string_view key) {
  return (h ^ std::hash<std::string_view>()(key)) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
}

}  // namespace

// ---------------------------------------------------------------------------

MinerOptions DefaultLogMinerOptions() {
  MinerOptions m;
  m.max_templates = 20'000;
  m.max_aliases = 20'000;
  m.max_cache_entries = 50'000;
  return m;
}

LogAnalyzer::Impl::Impl(LogAnalyzerOptions o) : options(std::move(o)) {
  options.bucket_ns = std::max<uint64_t>(options.bucket_ns, 1);
  options.max_templates = std::max<size_t>(options.max_templates, 1);
  options.min_templates_per_service = std::clamp<size_t>(options.min_templates_per_service, 1, options.max_templates);
}

std::unique_ptr<TemplateMiner> LogAnalyzer::Impl::NewMiner(size_t cap) const {
  MinerOptions m = options.miner;
  m.max_templates = cap;
  return std::make_unique<TemplateMiner>(m);
}

ServiceState* LogAnalyzer::Impl::Service(const std::string& name, uint64_t time_ns) {
  if (auto it = by_name.find(name); it != by_name.end()) return services[it->second].get();
  if (services.size() >= options.max_services) return nullptr;
  auto s = std::make_unique<ServiceState>();
  s->name = name;
  s->miner_cap = std::min(options.miner.max_templates, options.max_templates);
  s->miner = NewMiner(s->miner_cap);
  s->first_ns = s->last_ns = time_ns;
  s->traced = LineRing(options.traced_bytes);
  s->notable = LineRing(options.notable_bytes);
  const uint64_t bucket = internal::Bucket(time_ns, options.bucket_ns);
  for (RateTracker& k : s->keywords) k.Start(bucket, options.keyword_rate);
  s->http[0].Start(bucket, options.http_4xx_rate);
  s->http[1].Start(bucket, options.http_5xx_rate);
  by_name.emplace(name, services.size());
  services.push_back(std::move(s));
  ++counters.services;
  return services.back().get();
}

LogAnalyzer::LogAnalyzer(LogAnalyzerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
LogAnalyzer::~LogAnalyzer() = default;

void LogAnalyzer::Add(const model::Batch& batch) {
  Impl& m = *impl_;
  m.template_ids.clear();
  m.by_resource.assign(batch.resources.size() + 1, nullptr);
  std::vector<bool> looked_up(batch.resources.size() + 1, false);
  for (const model::LogRecord& r : batch.logs) {
    ++m.counters.records;
    uint64_t t = r.time_unix_nano != 0 ? r.time_unix_nano : r.observed_time_unix_nano;
    if (t == 0) t = m.watermark;
    // Index resources.size() stands for a record whose resource is missing.
    const size_t ri = r.resource_index < batch.resources.size() ? r.resource_index : batch.resources.size();
    if (!looked_up[ri]) {
      looked_up[ri] = true;
      m.by_resource[ri] = m.Service(batch.ServiceOf(static_cast<uint32_t>(ri)), t);
    }
    ServiceState* s = m.by_resource[ri];
    if (s == nullptr) {
      ++m.counters.records_dropped;
      m.template_ids.push_back(0);
      continue;
    }
    m.AddRecord(*s, r, t);
  }
  m.Sweep();
  m.KeepTemplatesBounded();
}

void LogAnalyzer::AdvanceTo(uint64_t time_ns) {
  impl_->watermark = std::max(impl_->watermark, time_ns);
  impl_->Sweep();
}

void LogAnalyzer::TakeAnomalies(std::vector<model::Anomaly>* out) {
  for (auto& a : impl_->out) out->push_back(std::move(a));
  impl_->out.clear();
}

// ---------------------------------------------------------------------------
// One record.

void LogAnalyzer::Impl::AddRecord(ServiceState& s, const model::LogRecord& r, uint64_t t) {
  ++s.records;
  s.last_ns = std::max(s.last_ns, t);
  watermark = std::max(watermark, t);
  const bool warm = s.warm;
  const uint8_t severity = EffectiveSeverity(r.severity_number, r.severity_text);
  const bool debug = IsDebug(severity);
  const uint64_t bucket = internal::Bucket(t, options.bucket_ns);
  const std::string_view body = BodyText(r.body, &body_scratch);

  // Incidents this line belongs to, found again after Keep() (Open may move them).
  struct Touch {
    Rule rule;
    uint64_t subject;
  };
  std::array<Touch, kKeywordCount + 8> touched;
  size_t n_touched = 0;
  auto touch = [&](Rule rule, uint64_t subject) {
    if (n_touched < touched.size()) touched[n_touched++] = {rule, subject};
  };

  int http_code = 0;
  bool new_field = false;
  if (!r.attributes.empty() || std::holds_alternative<model::Attributes>(r.body.value)) {
    CheckFields(s, r, t, severity, &http_code, &new_field);
  }

  uint64_t id = 0;
  TemplateState* ts = nullptr;
  bool inserted = false;
  bool keyword_open = false;  // a keyword anomaly of this line is open
  uint8_t flags = new_field ? kLineNewField : 0;
  if (!body.empty()) {
    const AddResult res = s.miner->Add(body, static_cast<int64_t>(t));
    id = res.template_id;
    auto it = s.templates.find(id);
    if (it == s.templates.end()) {
      it = s.templates.emplace(id, TemplateState()).first;
      inserted = true;
    }
    ts = &it->second;
    if (inserted) {
      ts->first_seen_ns = t;
      ts->rate.Start(bucket, options.template_rate);
      if (const auto view = s.miner->Find(id)) {
        ts->keywords = FindKeywords(view->text);
        if (MayHoldHttpStatus(view->text)) ts->flags |= internal::kTplHttp;
      }
      if (res.new_template && warm && !debug) ts->flags |= internal::kTplNovel;
    }
  } else {
    ++counters.empty_bodies;
  }
  template_ids.push_back(id);

  if (ts != nullptr) {
    ts->max_severity = std::max(ts->max_severity, severity);
    if ((ts->flags & internal::kTplNovel) && t <= ts->first_seen_ns + options.novelty_ns) flags |= kLineNovel;
    if (ts->keywords != 0 && !debug) flags |= kLineKeyword;

    // A new template.
    if ((ts->flags & (internal::kTplNovel | internal::kTplNewHandled)) == internal::kTplNovel && !debug) {
      if (t > ts->first_seen_ns + options.novelty_ns) {
        ts->flags |= internal::kTplNewHandled;
      } else {
        bool by_keyword = false;
        const double score = internal::NewPatternScore(severity, ts->keywords, &by_keyword);
        bool ready = score >= options.min_score;
        if (ready && by_keyword && options.keyword_pattern_min_lines > 1) {
          const auto view = s.miner->Find(id);
          ready = view && view->count >= options.keyword_pattern_min_lines;
        }
        if (ready) {
          ts->flags |= internal::kTplNewHandled;  // raised, joined or refused: once
          const std::string_view kind = by_keyword ? "log_keyword" : "log_new_pattern";
          if (ts->flags & internal::kTplOpen) {
            // (a rate anomaly of its own is open already)
          } else if (Incident* group = options.group_new_patterns ? FindGroup(s, kind) : nullptr) {
            if (Join(*group, id, severity, score)) ts->flags |= internal::kTplOpen;
          } else if (Admit(s, t, score)) {
            const auto view = s.miner->Find(id);
            Incident* in =
                Open(s, Rule::kNewTemplate, id, ts->first_seen_ns, t, severity, score, TemplateKey(s, id, severity),
                     std::string(kind), by_keyword ? "keyword" : "new_template",
                     view ? Cut(view->text, kTextInExplanation) : std::string());
            if (view && view->count > 0) in->lines = view->count - 1;  // its earlier lines (OnLine adds this one)
            ts->flags |= internal::kTplOpen;
          }
        } else if (inserted) {
          ++counters.below_bar;  // counted at its first line only
        }
      }
    }

    // Its rate.
    if (ts->rate.Count(bucket, options.template_rate) && !debug && !IsDebug(ts->max_severity) &&
        !(ts->flags & internal::kTplOpen)) {
      const double score = TemplateRateScore(ts->max_severity, ts->keywords, ts->rate.count(), ts->rate.threshold());
      if (Admit(s, t, score)) {
        const auto view = s.miner->Find(id);
        Open(s, Rule::kTemplateRate, id, bucket * options.bucket_ns, t, ts->max_severity, score,
             TemplateKey(s, id, ts->max_severity), "log_rate", "poisson",
             view ? Cut(view->text, kTextInExplanation) : std::string());
        ts->rate.set_open(true, options.template_rate);
        ts->flags |= internal::kTplOpen;
      }
    }
    // kTemplateRate stands for either rule on a template (found below).
    if (ts->flags & internal::kTplOpen) touch(Rule::kTemplateRate, id);

    // Its values.
    if (options.numeric_values && !debug && !(ts->flags & internal::kTplNumericDone)) {
      NumericLine(s, *ts, id, t, bucket, severity);
    }
    if (ts->flags & internal::kTplNumericOpen) {
      for (const Incident& in : s.open) {
        if (in.rule == Rule::kNumeric && internal::NumericTemplateOf(in.subject) == id)
          touch(Rule::kNumeric, in.subject);
      }
    }

    // Error keywords in lines under WARN.
    if (ts->keywords != 0 && !debug && severity < kSeverityWarn) {
      for (uint32_t bits = ts->keywords; bits != 0; bits &= bits - 1) {
        const int k = std::countr_zero(bits);
        RateTracker& tr = s.keywords[k];
        // Lines of one template with an anomaly of its own would only say it twice.
        if (tr.Count(bucket, options.keyword_rate) && !tr.open() && !(ts->flags & internal::kTplOpen)) {
          const double score = 0.6 + Strength(tr.count(), tr.threshold());
          if (Admit(s, t, score)) {
            Open(s, Rule::kKeywordRate, k, bucket * options.bucket_ns, t, severity, score,
                 {"log.keyword", s.name, "", {{"keyword", std::string(KeywordName(k))}}}, "log_keyword", "poisson",
                 std::string(KeywordName(k)));
            tr.set_open(true, options.keyword_rate);
          }
        }
        if (tr.open()) {
          touch(Rule::kKeywordRate, k);
          keyword_open = true;
        }
      }
    }
    if (http_code == 0 && (ts->flags & internal::kTplHttp)) http_code = FindHttpStatus(body);
  }

  // HTTP status codes.
  if (http_code >= 400 && !debug) {
    const size_t cls = http_code >= 500 ? 1 : 0;
    flags |= cls == 1 ? kLineHttp5xx : kLineHttp4xx;
    if (s.codes_bucket != bucket) {
      s.codes_bucket = bucket;
      s.codes.clear();
    }
    auto c = std::find_if(s.codes.begin(), s.codes.end(), [&](const auto& e) { return e.first == http_code; });
    if (c != s.codes.end()) {
      ++c->second;
    } else if (s.codes.size() < 8) {
      s.codes.emplace_back(static_cast<uint16_t>(http_code), 1);
    }
    RateTracker& tr = s.http[cls];
    const RateRule& rule = cls == 1 ? options.http_5xx_rate : options.http_4xx_rate;
    if (tr.Count(bucket, rule) && !tr.open()) {
      const double score = (cls == 1 ? 0.7 : 0.55) + Strength(tr.count(), tr.threshold());
      if (Admit(s, t, score)) {
        Open(s, Rule::kHttpRate, cls + 4, bucket * options.bucket_ns, t, severity, score,
             {"log.http_code", s.name, "", {{"status_class", cls == 1 ? "5xx" : "4xx"}}}, "log_http_code", "poisson",
             cls == 1 ? "5xx" : "4xx");
        tr.set_open(true, rule);
      }
    }
    if (tr.open()) touch(Rule::kHttpRate, cls + 4);
  }
  if (new_field && FindOpen(s, Rule::kNewField, 0) != nullptr) touch(Rule::kNewField, 0);

  // Notable: what Snippets may choose without a trace. (Keyword lines only
  // while their keyword is anomalous: a chatty "error corrected" template
  // would push the ERROR lines out.)
  const bool notable = severity >= kSeverityWarn || keyword_open ||
                       (flags & (kLineHttp5xx | kLineNewField | kLineNovel)) ||
                       (ts != nullptr && (ts->flags & (internal::kTplOpen | internal::kTplNumericOpen)));
  const LineView line = Keep(s, r, body, t, id, severity, flags, http_code, notable);

  for (size_t i = 0; i < n_touched; ++i) {
    Incident* in = touched[i].rule == Rule::kTemplateRate ? FindTemplateIncident(s, id)
                                                          : FindOpen(s, touched[i].rule, touched[i].subject);
    if (in != nullptr) OnLine(s, *in, t, line);
  }

  if (!s.warm && s.records >= options.warmup_records && t >= s.first_ns + options.warmup_ns) s.warm = true;
}

void LogAnalyzer::Impl::CheckFields(ServiceState& s, const model::LogRecord& r, uint64_t t, uint8_t severity,
                                    int* http_code, bool* new_field) {
  const auto* body_map = std::get_if<model::Attributes>(&r.body.value);
  // Most services log the same attribute names on every line: compare with
  // the last record's before hashing.
  bool same = body_map == nullptr && r.attributes.size() == s.last_names.size();
  for (size_t i = 0; same && i < r.attributes.size(); ++i) same = r.attributes[i].key == s.last_names[i];
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const model::KeyValue& kv : r.attributes) {
    if (!same) h = HashKey(h, kv.key);
    const std::string_view key = kv.key;
    if (key.size() >= kStatusKeyOld.size() && (key == kStatusKey || key == kStatusKeyOld)) {
      if (const auto* i = std::get_if<int64_t>(&kv.value.value)) {
        *http_code = HttpStatusFromInt(*i);
      } else if (const auto* str = std::get_if<std::string>(&kv.value.value); str && str->size() == 3) {
        *http_code = HttpStatusFromInt(std::atoi(str->c_str()));
      }
    }
  }
  if (same) return;
  if (body_map != nullptr) {
    for (const model::KeyValue& kv : *body_map) h = HashKey(h, kv.key);
  }
  if (s.field_sets.count(h) != 0) {  // this list of names was checked before
    if (body_map == nullptr) Remember(&s.last_names, r.attributes);
    return;
  }

  bool complete = true;
  auto check = [&](const std::string& key) {
    if (s.fields.count(key) != 0) return;
    if (s.fields.size() >= options.max_fields_per_service) {
      ++counters.fields_overflow;
      complete = false;
      return;
    }
    s.fields.insert(key);
    if (!s.warm || IsDebug(severity)) return;
    *new_field = true;
    if (Incident* in = FindOpen(s, Rule::kNewField, 0)) {
      if (in->fields.size() < kFieldsNamed) {
        in->fields.push_back(key);
      } else {
        ++in->more_fields;
      }
      in->dirty = true;
      return;
    }
    const double score = (ErrorishField(key) || severity >= kSeverityError) ? 0.7 : 0.5;
    if (!Admit(s, t, score)) return;
    Incident* in = Open(s, Rule::kNewField, 0, t, t, severity, score, {"log.new_field", s.name, "", {{"field", key}}},
                        "log_new_field", "new_field", key);
    in->fields.push_back(key);
  };
  for (const model::KeyValue& kv : r.attributes) check(kv.key);
  if (body_map != nullptr) {
    for (const model::KeyValue& kv : *body_map) check(kv.key);
  }
  if (!complete) return;
  if (s.field_sets.size() >= 4 * options.max_fields_per_service + 16) s.field_sets.clear();
  s.field_sets.insert(h);
  if (body_map == nullptr) Remember(&s.last_names, r.attributes);
}

LineView LogAnalyzer::Impl::Keep(ServiceState& s, const model::LogRecord& r, std::string_view body, uint64_t t,
                                 uint64_t id, uint8_t severity, uint8_t flags, int http_code, bool notable) {
  LineView line;
  line.seq = s.next_seq++;
  line.time_ns = t;
  line.template_id = id;
  line.trace_id = r.trace_id;
  line.severity = severity;
  line.flags = flags;
  line.http_code = static_cast<uint16_t>(http_code > 0 ? http_code : 0);
  if (severity == 0) line.severity_text = std::string_view(r.severity_text).substr(0, 16);
  line.body = body.substr(0, options.max_body_bytes);
  if (body.size() > options.max_body_bytes) ++counters.bodies_cut;
  // Snippets choose only notable lines and lines of given traces, so a line
  // that is neither is not copied at all, and none is copied twice.
  if (notable) {
    s.notable.Push(line, line.severity_text, line.body);
  } else if (!model::IsZero(r.trace_id)) {
    s.traced.Push(line, line.severity_text, line.body);
  }
  return line;
}

// ---------------------------------------------------------------------------
// Bounds.

void LogAnalyzer::Impl::KeepTemplatesBounded() {
  size_t total = 0;
  for (const auto& s : services) total += s->miner->size();
  while (total > options.max_templates) {
    ServiceState* largest = nullptr;
    for (const auto& s : services) {
      if (largest == nullptr || s->miner->size() > largest->miner->size()) largest = s.get();
    }
    const size_t size = largest->miner->size();
    if (size <= options.min_templates_per_service) break;
    const size_t cap =
        std::max(options.min_templates_per_service, size - std::min(size, total - options.max_templates));
    // The miner keeps the most recently matched templates of the saved ones.
    auto smaller = NewMiner(cap);
    if (!smaller->LoadState(largest->miner->SaveState()).ok()) break;
    total -= size - smaller->size();
    largest->miner = std::move(smaller);
    largest->miner_cap = cap;
    ++counters.template_squeezes;
  }
  counters.templates = total;
  counters.numeric_series = 0;
  for (const auto& s : services) counters.numeric_series += s->numeric_series;
  for (const auto& s : services) {
    const size_t live = s->miner->size();
    if (s->templates.size() > live + live / 2 + 64) Prune(*s);
  }
}

void LogAnalyzer::Impl::Prune(ServiceState& s) {
  // States of templates merged away or evicted; one with an open incident
  // stays until the incident ends.
  for (auto it = s.templates.begin(); it != s.templates.end();) {
    if (!(it->second.flags & (internal::kTplOpen | internal::kTplNumericOpen)) &&
        s.miner->Resolve(it->first) != it->first) {
      DropNumeric(s, it->first);
      it = s.templates.erase(it);
    } else {
      ++it;
    }
  }
}

// ---------------------------------------------------------------------------
// Queries.

const std::vector<uint64_t>& LogAnalyzer::last_template_ids() const {
  return impl_->template_ids;
}

uint64_t LogAnalyzer::ResolveTemplate(std::string_view service, uint64_t id) const {
  auto it = impl_->by_name.find(service);
  return it == impl_->by_name.end() ? 0 : impl_->services[it->second]->miner->Resolve(id);
}

std::optional<TemplateView> LogAnalyzer::FindTemplate(std::string_view service, uint64_t id) const {
  auto it = impl_->by_name.find(service);
  if (it == impl_->by_name.end()) return std::nullopt;
  return impl_->services[it->second]->miner->Find(id);
}

std::vector<uint64_t> LogAnalyzer::AnomalyTemplates(const std::string& anomaly_id) const {
  for (const auto& sp : impl_->services) {
    const ServiceState& s = *sp;
    auto ids = [&](const Incident& in) {
      std::vector<uint64_t> out;
      if (in.rule != Rule::kNewTemplate && in.rule != Rule::kTemplateRate) return out;
      out.push_back(in.subject);
      out.insert(out.end(), in.members.begin(), in.members.end());
      for (uint64_t& id : out) {
        const uint64_t now = s.miner->Resolve(id);
        if (now != 0) id = now;
      }
      return out;
    };
    for (const Incident& in : s.open) {
      if (in.anomaly.id == anomaly_id) return ids(in);
    }
    for (const Incident& in : s.ended) {
      if (in.anomaly.id == anomaly_id) return ids(in);
    }
  }
  return {};
}

LogAnalyzerStats LogAnalyzer::stats() const {
  return impl_->counters;
}
uint64_t LogAnalyzer::watermark() const {
  return impl_->watermark;
}

size_t LogAnalyzer::MemoryBytes() const {
  size_t bytes = 0;
  for (const auto& sp : impl_->services) {
    const ServiceState& s = *sp;
    bytes += sizeof(ServiceState) + s.miner->MemoryBytes();
    bytes += s.templates.size() * (sizeof(TemplateState) + sizeof(uint64_t) + 16) + s.templates.bucket_count() * 8;
    for (const auto& f : s.fields) bytes += f.capacity() + 48;
    bytes += s.field_sets.size() * 24;
    bytes += s.numeric_series * sizeof(internal::NumericPosition) +
             s.numeric.size() * (sizeof(internal::NumericTemplate) + 32);
    bytes += (s.traced.size() > 0 ? s.traced.capacity() : 0) + (s.notable.size() > 0 ? s.notable.capacity() : 0);
    for (const auto* list : {&s.open}) {
      for (const Incident& in : *list) bytes += sizeof(Incident) + in.samples.size() * (sizeof(KeptLine) + 128);
    }
    for (const Incident& in : s.ended) bytes += sizeof(Incident) + in.samples.size() * (sizeof(KeptLine) + 128);
  }
  return bytes;
}

}  // namespace augur::logs
