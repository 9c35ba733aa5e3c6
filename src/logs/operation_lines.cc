#include "logs/operation_lines.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "analysis/stable_id.h"
#include "analysis/state_codec.h"
#include "logs/log_analyzer.h"
#include "logs/log_rules.h"
#include "logs/template_ops.h"

namespace augur::logs {

namespace {

constexpr uint64_t kJudgeStepNs = 1'000'000'000ULL;  // spans come due at most once per event-time second
constexpr uint64_t kHourNs = 3'600'000'000'000ULL;
constexpr size_t kLinesPerSpan = 32;  // distinct templates of one span held for the join
constexpr size_t kTextInExplanation = 160;
constexpr uint32_t kStateVersion = 1;

uint64_t Fold(const uint8_t* bytes, size_t n) {
  uint64_t out = 0;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, bytes + i, std::min<size_t>(8, n - i));
    out ^= w * (i == 0 ? 1 : 0x9e3779b97f4a7c15ULL);
  }
  return out;
}

uint64_t ServiceHash(std::string_view service) {
  return std::hash<std::string_view>()(service);
}

// The same line with other values: the tokens of a and b are the same
// (a token with "<*>" stands for any token it fits) but for at most two
// tokens, or but for one run of at most three tokens in each (a value of
// another length: "[a, b]" and "[a, b, c]").
bool Variant(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      const size_t n = std::min(s.find(' '), s.size());
      if (n > 0) out.push_back(s.substr(0, n));
      s.remove_prefix(n);
    }
    return out;
  };
  const auto x = split(a), y = split(b);
  auto same = [](std::string_view p, std::string_view q) { return p == q || TokenFits(p, q) || TokenFits(q, p); };
  if (x.size() == y.size()) {
    int differ = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!same(x[i], y[i]) && ++differ > 2) return false;
    }
    return true;
  }
  size_t prefix = 0, suffix = 0;
  const size_t shorter = std::min(x.size(), y.size());
  while (prefix < shorter && same(x[prefix], y[prefix])) ++prefix;
  while (suffix < shorter - prefix && same(x[x.size() - 1 - suffix], y[y.size() - 1 - suffix])) ++suffix;
  return x.size() - prefix - suffix <= 3 && y.size() - prefix - suffix <= 3;
}

std::string Cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n)) + "…";
}

}  // namespace

OperationLines::OperationLines(OperationLinesOptions options) : options_(options) {
  options_.min_learned_spans = std::max<uint32_t>(options_.min_learned_spans, 1);
  options_.max_window_spans = std::max(options_.max_window_spans, 2 * options_.min_learned_spans);
  options_.max_chance = std::clamp(options_.max_chance, 1e-300, 0.5);
}

uint32_t OperationLines::OperationOf(const std::string& service, const std::string& name) {
  auto it = by_name_.find(std::make_pair(service, name));
  if (it != by_name_.end()) return it->second;
  if (ops_.size() >= options_.max_operations) return kNoOp;
  const auto index = static_cast<uint32_t>(ops_.size());
  ops_.push_back(Operation{service, name, 0, 0, {}});
  by_name_.emplace(std::make_pair(service, name), index);
  return index;
}

void OperationLines::Add(const model::Batch& batch, const LogAnalyzer& logs) {
  if (!options_.enabled) return;
  // Which resources' services write lines with span ids, once per batch.
  holds_.assign(batch.resources.size(), false);
  bool any = false;
  for (size_t i = 0; i < batch.resources.size(); ++i) {
    holds_[i] = logging_services_.contains(ServiceHash(batch.ServiceOf(static_cast<uint32_t>(i))));
    any = any || holds_[i];
  }
  for (const model::Span& s : batch.spans) {
    if (!any || s.resource_index >= holds_.size() || !holds_[s.resource_index]) continue;
    const uint64_t span = Fold(s.span_id.data(), s.span_id.size());
    if (span == 0 || s.start_time_unix_nano <= resumed_ns_) continue;
    watermark_ = std::max(watermark_, s.end_time_unix_nano);
    const uint32_t op = OperationOf(batch.ServiceOf(s.resource_index), s.name);
    if (op == kNoOp) {
      ++stats_.operations_overflow;
      continue;
    }
    const Key key{Fold(s.trace_id.data(), s.trace_id.size()), span};
    if (auto it = pending_.find(key); it != pending_.end()) {
      if (it->second.op == kNoOp) {  // its lines came first
        it->second.op = op;
        it->second.end_ns = s.end_time_unix_nano;
      }
      continue;  // else a duplicate span: counted once
    }
    if (pending_.size() >= options_.max_pending) {
      ++stats_.pending_overflow;
      continue;
    }
    pending_.emplace(key, Pending{op, s.end_time_unix_nano, {}});
  }

  const std::vector<uint64_t>& ids = logs.last_template_ids();
  if (ids.size() == batch.logs.size()) {
    for (size_t i = 0; i < batch.logs.size(); ++i) {
      const model::LogRecord& r = batch.logs[i];
      const uint64_t span = Fold(r.span_id.data(), r.span_id.size());
      if (ids[i] == 0 || span == 0) continue;
      const uint64_t t = r.time_unix_nano != 0 ? r.time_unix_nano : r.observed_time_unix_nano;
      if (t == 0) continue;
      watermark_ = std::max(watermark_, t);
      const Key key{Fold(r.trace_id.data(), r.trace_id.size()), span};
      auto it = pending_.find(key);
      if (it == pending_.end()) {
        if (pending_.size() >= options_.max_pending) {
          ++stats_.pending_overflow;
          continue;
        }
        it = pending_.emplace(key, Pending{kNoOp, t, {}}).first;
      }
      const Line line{ids[i], t, ServiceHash(batch.ServiceOf(r.resource_index)),
                      EffectiveSeverity(r.severity_number, r.severity_text)};
      if (!logging_services_.contains(line.service)) {
        if (logging_services_.size() < options_.max_operations) {
          logging_services_.insert(line.service);
        } else {
          ++stats_.operations_overflow;
        }
      }
      std::vector<Line>& lines = it->second.lines;
      // Presence is what counts: one entry per template (its latest line).
      auto same = std::find_if(lines.begin(), lines.end(), [&](const Line& l) {
        return l.template_id == line.template_id && l.service == line.service;
      });
      if (same != lines.end()) {
        if (line.time_ns > same->time_ns) *same = line;
      } else if (lines.size() < kLinesPerSpan) {
        lines.push_back(line);
      } else {
        ++stats_.pending_overflow;
      }
    }
  }
  Judge(logs);
}

void OperationLines::AdvanceTo(uint64_t time_ns, const LogAnalyzer& logs) {
  if (!options_.enabled) return;
  watermark_ = std::max(watermark_, time_ns);
  Judge(logs);
}

void OperationLines::TakeAnomalies(std::vector<model::Anomaly>* out) {
  for (auto& a : out_) out->push_back(std::move(a));
  out_.clear();
}

void OperationLines::Judge(const LogAnalyzer& logs) {
  if (watermark_ / kJudgeStepNs == judged_to_ns_ / kJudgeStepNs) return;
  judged_to_ns_ = watermark_;

  struct Due {
    uint64_t end_ns;
    Key key;
  };
  std::vector<Due> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& p = it->second;
    if (p.op == kNoOp) {
      if (p.end_ns + options_.max_line_wait_ns <= watermark_) {
        stats_.lines_unjoined += p.lines.size();
        it = pending_.erase(it);
        continue;
      }
    } else if (p.end_ns + options_.lateness_ns <= watermark_) {
      due.push_back({p.end_ns, it->first});
    }
    ++it;
  }
  // In event-time order (and a fixed order among equals), so the
  // operations' span numbers do not depend on the hash table.
  std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
    if (a.end_ns != b.end_ns) return a.end_ns < b.end_ns;
    return a.key.trace != b.key.trace ? a.key.trace < b.key.trace : a.key.span < b.key.span;
  });
  for (const Due& d : due) {
    auto it = pending_.find(d.key);
    Operation& op = ops_[it->second.op];
    CountSpan(op, it->second, logs);
    pending_.erase(it);
    Check(op, logs);
  }

  if (open_ == 0) return;
  for (Operation& op : ops_) {
    for (Template& t : op.templates) {
      if (!t.open || t.anomaly.detected_ns + options_.max_open_ns > watermark_) continue;
      End(t, watermark_);
      // Learned again from scratch: the operation may have changed for good.
      t.first_seq = op.seq + 1;
      t.last_seq = op.seq;
      t.first_ns = t.last_ns = watermark_;
      t.count = 0;
      t.due_seq = 0;
      t.max_gap = 0;
    }
  }
}

void OperationLines::CountSpan(Operation& op, const Pending& p, const LogAnalyzer& logs) {
  ++op.seq;
  ++stats_.spans;
  const uint64_t service = ServiceHash(op.service);
  std::vector<std::pair<uint64_t, const Line*>> seen;  // template -> its last line in this span
  for (const Line& l : p.lines) {
    if (l.service != service) {
      ++stats_.lines_unjoined;
      continue;
    }
    ++stats_.lines_joined;
    uint64_t id = logs.ResolveTemplate(op.service, l.template_id);
    if (id == 0) id = l.template_id;
    auto s = std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == id; });
    if (s == seen.end()) {
      seen.emplace_back(id, &l);
    } else if (l.time_ns > s->second->time_ns) {
      s->second = &l;
    }
  }
  uint64_t counted = 0;  // templates of this span that have an entry
  for (const auto& [id, line] : seen) {
    auto t = std::find_if(op.templates.begin(), op.templates.end(), [&](const Template& e) { return e.id == id; });
    if (t == op.templates.end()) {
      if (op.templates.size() >= options_.max_templates_per_operation) {
        ++stats_.templates_overflow;
        continue;
      }
      op.templates.push_back(Template{});
      t = op.templates.end() - 1;
      t->id = id;
      t->first_seq = op.seq;
      t->first_ns = line->time_ns;
    }
    ++counted;
    if (t->count > 0) t->max_gap = std::max(t->max_gap, op.seq - t->last_seq);
    ++t->count;
    t->last_seq = op.seq;
    t->last_ns = std::max(t->last_ns, line->time_ns);
    t->severity = std::max(t->severity, line->severity);
    const uint64_t window = t->last_seq - t->first_seq + 1;
    if (window > options_.max_window_spans) {
      t->first_seq += window / 2;
      t->count = std::max<uint64_t>(1, t->count / 2);
    }
    if (t->open) End(*t, line->time_ns);
    Learned(*t);
  }
  op.lines += counted;
  for (Template& t : op.templates) {
    if (t.last_seq == op.seq) t.lines_at_last = op.lines;
  }
}

void OperationLines::Learned(Template& t) const {
  t.due_seq = 0;
  const uint64_t window = t.last_seq - t.first_seq + 1;
  if (window < options_.min_learned_spans || t.severity >= kSeverityWarn) return;
  if (t.last_ns < t.first_ns + options_.min_learned_ns) return;
  const double p = static_cast<double>(t.count) / static_cast<double>(window + 1);
  double n = std::ceil(std::log(options_.max_chance) / std::log1p(-p));
  n = std::max({n, static_cast<double>(options_.min_absent_spans),
                static_cast<double>(options_.gap_factor) * static_cast<double>(t.max_gap)});
  if (!(n < 1e12)) return;  // p so small no absence would tell
  t.due_seq = t.last_seq + static_cast<uint64_t>(n);
}

void OperationLines::Check(Operation& op, const LogAnalyzer& logs) {
  for (size_t i = 0; i < op.templates.size();) {
    Template& t = op.templates[i];
    if (t.open || t.due_seq == 0 || op.seq < t.due_seq) {
      ++i;
      continue;
    }
    const uint64_t now = logs.ResolveTemplate(op.service, t.id);
    if (now != t.id) {
      // Merged into another template (its lines now carry that id) or evicted.
      auto into =
          std::find_if(op.templates.begin(), op.templates.end(), [&](const Template& e) { return e.id == now; });
      if (now != 0 && into != op.templates.end()) {
        into->first_seq = std::min(into->first_seq, t.first_seq);
        into->first_ns = std::min(into->first_ns, t.first_ns);
        into->count += t.count;
        if (t.last_seq > into->last_seq) {
          into->last_seq = t.last_seq;
          into->last_ns = t.last_ns;
        }
        into->severity = std::max(into->severity, t.severity);
        into->max_gap = std::max(into->max_gap, t.max_gap);
        if (!into->open) Learned(*into);
      } else if (now != 0) {
        t.id = now;  // its lines under the new id will come into this entry
        ++i;
        continue;
      }
      op.templates.erase(op.templates.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    Raise(op, t, logs);
    ++i;
  }
}

bool OperationLines::Admit(const std::string& service, uint64_t time_ns) {
  auto& [hour, raised] = raises_[service];
  if (hour != time_ns / kHourNs) {
    hour = time_ns / kHourNs;
    raised = 0;
  }
  if (raised >= options_.max_raises_per_service_hour) return false;
  ++raised;
  return true;
}

void OperationLines::Raise(Operation& op, Template& t, const LogAnalyzer& logs) {
  const auto view = logs.FindTemplate(op.service, t.id);
  const std::string text = view ? Cut(view->text, kTextInExplanation) : std::string();
  if (view && FindKeywords(view->text) != 0) {  // an error line that stops is a recovery
    t.due_seq = 0;
    return;
  }
  // Replaced rather than stopped: the spans since wrote about as many lines
  // as before (at most half of this template's share fewer), or a template
  // seen since its last line is the same line with other values.
  const uint64_t absent_spans = op.seq - t.last_seq;
  const double share = static_cast<double>(t.count) / static_cast<double>(t.last_seq - t.first_seq + 2);
  const double mean_before = static_cast<double>(t.lines_at_last) / static_cast<double>(t.last_seq);
  const double lines_since = static_cast<double>(op.lines - t.lines_at_last);
  bool replaced = lines_since >= static_cast<double>(absent_spans) * (mean_before - share / 2);
  for (size_t k = 0; k < op.templates.size() && !replaced && view; ++k) {
    const Template& u = op.templates[k];
    if (&u == &t || u.last_seq <= t.last_seq) continue;
    const auto other = logs.FindTemplate(op.service, u.id);
    replaced = other && Variant(view->text, other->text);
  }
  if (replaced) {
    ++stats_.variants;
    t.due_seq = 0;  // judged again after its next line
    return;
  }
  if (!Admit(op.service, watermark_)) {
    ++stats_.suppressed;
    t.due_seq = 0;  // judged again after its next line
    return;
  }
  const uint64_t window = t.last_seq - t.first_seq + 1;
  const uint64_t absent = op.seq - t.last_seq;
  const double p = static_cast<double>(t.count) / static_cast<double>(window + 1);
  const std::string severity = t.severity == 0 ? "UNSPECIFIED" : model::SeverityName(t.severity);

  model::Anomaly& a = t.anomaly;
  a = model::Anomaly{};
  a.series = {"log.template",
              op.service,
              "",
              {{"operation", op.name}, {"severity", severity}, {"template_id", std::to_string(t.id)}}};
  a.id = analysis::StableId().Mix(a.series.ToString()).Mix(watermark_).Id("an-");
  a.kind = "log_rate";
  a.direction = "down";
  a.quantity = "count";
  a.detector = "operation_share";
  a.onset_ns = t.last_ns;
  a.detected_ns = a.updated_ns = watermark_;
  a.before = p * static_cast<double>(absent);  // lines expected in the spans since
  a.observed = 0;
  a.expected_low = 1;
  a.expected_high = a.before;
  a.score = options_.score;
  a.explanation = severity + " log line of " + op.name + " in " + op.service + " stopped: '" + text + "' (in " +
                  std::to_string(t.count) + " of its " + std::to_string(window) + " spans before, in none of the " +
                  std::to_string(absent) + " since)";
  t.open = true;
  ++open_;
  ++stats_.raised;
  out_.push_back(a);
}

void OperationLines::End(Template& t, uint64_t end_ns) {
  t.open = false;
  --open_;
  ++stats_.ended;
  t.anomaly.end_ns = std::max(end_ns, t.anomaly.onset_ns);
  t.anomaly.updated_ns = std::max(end_ns, t.anomaly.detected_ns);
  out_.push_back(t.anomaly);
}

std::string OperationLines::SaveState() const {
  std::string out;
  analysis::StateWriter w(&out);
  w.Put(kStateVersion);
  w.Put(watermark_);
  w.Put(judged_to_ns_);
  w.Put(resumed_ns_);
  w.Put(static_cast<uint32_t>(ops_.size()));
  for (const Operation& op : ops_) {
    w.PutString(op.service);
    w.PutString(op.name);
    w.Put(op.seq);
    w.Put(op.lines);
    w.Put(static_cast<uint32_t>(op.templates.size()));
    for (const Template& t : op.templates) {
      w.Put(t.id);
      w.Put(t.first_seq);
      w.Put(t.last_seq);
      w.Put(t.count);
      w.Put(t.first_ns);
      w.Put(t.last_ns);
      w.Put(t.due_seq);
      w.Put(t.max_gap);
      w.Put(t.lines_at_last);
      w.Put(t.severity);
      w.Put(static_cast<uint8_t>(t.open));
      if (t.open) w.PutAnomaly(t.anomaly);
    }
  }
  w.Put(static_cast<uint32_t>(raises_.size()));
  for (const auto& [service, hr] : raises_) {
    w.PutString(service);
    w.Put(hr.first);
    w.Put(hr.second);
  }
  return out;
}

Status OperationLines::LoadState(std::string_view bytes) {
  analysis::StateReader r(bytes);
  if (r.Get<uint32_t>() != kStateVersion) return Status::InvalidArgument("operation lines: unknown state version");
  OperationLines fresh(options_);
  fresh.watermark_ = r.Get<uint64_t>();
  fresh.judged_to_ns_ = r.Get<uint64_t>();
  fresh.resumed_ns_ = r.Get<uint64_t>();
  const uint32_t n_ops = r.Get<uint32_t>();
  for (uint32_t i = 0; i < n_ops && !r.failed(); ++i) {
    Operation op;
    op.service = r.GetString();
    op.name = r.GetString();
    op.seq = r.Get<uint64_t>();
    op.lines = r.Get<uint64_t>();
    const uint32_t n_templates = r.Get<uint32_t>();
    if (n_templates > options_.max_templates_per_operation) r.Fail();
    for (uint32_t k = 0; k < n_templates && !r.failed(); ++k) {
      Template t;
      t.id = r.Get<uint64_t>();
      t.first_seq = r.Get<uint64_t>();
      t.last_seq = r.Get<uint64_t>();
      t.count = r.Get<uint64_t>();
      t.first_ns = r.Get<uint64_t>();
      t.last_ns = r.Get<uint64_t>();
      t.due_seq = r.Get<uint64_t>();
      t.max_gap = r.Get<uint64_t>();
      t.lines_at_last = r.Get<uint64_t>();
      t.severity = r.Get<uint8_t>();
      t.open = r.Get<uint8_t>() != 0;
      if (t.open) t.anomaly = r.GetAnomaly();
      op.templates.push_back(std::move(t));
    }
    if (fresh.ops_.size() >= options_.max_operations) continue;  // a smaller table now: forgotten
    for (const Template& t : op.templates) fresh.open_ += t.open ? 1 : 0;
    if (!op.templates.empty()) fresh.logging_services_.insert(ServiceHash(op.service));
    fresh.by_name_.emplace(std::make_pair(op.service, op.name), static_cast<uint32_t>(fresh.ops_.size()));
    fresh.ops_.push_back(std::move(op));
  }
  const uint32_t n_raises = r.Get<uint32_t>();
  for (uint32_t i = 0; i < n_raises && !r.failed(); ++i) {
    std::string service = r.GetString();
    const uint64_t hour = r.Get<uint64_t>();
    const uint32_t raised = r.Get<uint32_t>();
    fresh.raises_[std::move(service)] = {hour, raised};
  }
  if (Status s = r.Finish("operation lines"); !s.ok()) return s;
  fresh.resumed_ns_ = fresh.watermark_;
  *this = std::move(fresh);
  return Status::OK();
}

}  // namespace augur::logs
