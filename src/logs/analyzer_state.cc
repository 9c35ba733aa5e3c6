// LogAnalyzer::SaveState / LoadState: the byte format of its state.
//
// "augur.logs" and a version, the watermark and counters, then per service
// (in order of first record): its miner's own state bytes, the template
// states (by id), the keyword and status-class trackers, the field names
// (sorted), the hourly raise count, open and ended incidents, and the kept
// lines, then (version 2) its watched numeric values (by template id).
// Version 1 states (without numeric values) still load. The cache of
// checked field-name lists is not saved (it refills).
// Sizes that the options bound (lines, incidents, services) are cut to the
// current options on load.

#include <algorithm>

#include "analysis/state_codec.h"
#include "logs/analyzer_impl.h"
#include "logs/log_analyzer.h"

namespace augur::logs {

using analysis::StateReader;
using analysis::StateWriter;
using internal::Incident;
using internal::Rule;
using internal::ServiceState;
using internal::TemplateState;

namespace {

constexpr std::string_view kMagic = "augur.logs";
constexpr uint32_t kVersion = 2;
constexpr uint32_t kOldestVersion = 1;  // before numeric values

void PutIncident(StateWriter* w, const Incident& in) {
  w->Put(static_cast<uint8_t>(in.rule));
  w->Put(in.subject);
  w->Put(in.severity);
  w->PutAnomaly(in.anomaly);
  w->PutString(in.text);
  w->Put(in.lines);
  w->Put(in.last_line_ns);
  w->Put(static_cast<uint8_t>(in.emitted));
  w->Put(in.reported);
  w->Put(in.reported_ns);
  w->Put(static_cast<uint32_t>(in.samples.size()));
  for (const KeptLine& l : in.samples) l.Save(w);
  w->Put(static_cast<uint32_t>(in.fields.size()));
  for (const std::string& f : in.fields) w->PutString(f);
  w->Put(in.more_fields);
  w->Put(static_cast<uint32_t>(in.members.size()));
  for (uint64_t m : in.members) w->Put(m);
  w->Put(in.more_members);
  w->Put(in.top_severity);
  w->Put(static_cast<uint8_t>(in.dirty));
}

void GetIncident(StateReader* r, Incident* in) {
  const uint8_t rule = r->Get<uint8_t>();
  if (rule > static_cast<uint8_t>(Rule::kNumeric)) r->Fail();
  in->rule = static_cast<Rule>(rule);
  in->subject = r->Get<uint64_t>();
  in->severity = r->Get<uint8_t>();
  in->anomaly = r->GetAnomaly();
  in->text = r->GetString();
  in->lines = r->Get<uint64_t>();
  in->last_line_ns = r->Get<uint64_t>();
  in->emitted = r->GetBool();
  in->reported = r->Get<double>();
  in->reported_ns = r->Get<uint64_t>();
  const size_t samples = r->ReadCount(60);
  for (size_t i = 0; i < samples && !r->failed(); ++i) {
    in->samples.emplace_back();
    in->samples.back().Load(r);
  }
  const size_t fields = r->ReadCount(4);
  for (size_t i = 0; i < fields && !r->failed(); ++i) in->fields.push_back(r->GetString());
  in->more_fields = r->Get<uint64_t>();
  const size_t members = r->ReadCount(8);
  for (size_t i = 0; i < members && !r->failed(); ++i) in->members.push_back(r->Get<uint64_t>());
  in->more_members = r->Get<uint64_t>();
  in->top_severity = r->Get<uint8_t>();
  in->dirty = r->GetBool();
}

void PutCounters(StateWriter* w, const LogAnalyzerStats& c) {
  for (uint64_t v : {c.records, c.records_dropped, c.empty_bodies, c.services, c.templates, c.template_squeezes,
                     c.anomalies_raised, c.anomalies_updated, c.anomalies_ended, c.below_bar, c.patterns_grouped,
                     c.suppressed, c.incidents_overflow, c.fields_overflow, c.bodies_cut}) {
    w->Put(v);
  }
}

void GetCounters(StateReader* r, LogAnalyzerStats* c) {
  for (uint64_t* v :
       {&c->records, &c->records_dropped, &c->empty_bodies, &c->services, &c->templates, &c->template_squeezes,
        &c->anomalies_raised, &c->anomalies_updated, &c->anomalies_ended, &c->below_bar, &c->patterns_grouped,
        &c->suppressed, &c->incidents_overflow, &c->fields_overflow, &c->bodies_cut}) {
    *v = r->Get<uint64_t>();
  }
}

}  // namespace

void LogAnalyzer::Impl::Save(StateWriter* w) const {
  w->PutString(kMagic);
  w->Put(kVersion);
  w->Put(watermark);
  PutCounters(w, counters);
  w->Put(counters.numeric_refused);
  w->Put(counters.numeric_overflow);
  w->Put(static_cast<uint32_t>(services.size()));
  for (const auto& sp : services) {
    const ServiceState& s = *sp;
    w->PutString(s.name);
    w->Put(static_cast<uint64_t>(s.miner_cap));
    w->PutString(s.miner->SaveState());
    w->Put(s.first_ns);
    w->Put(s.last_ns);
    w->Put(s.records);
    w->Put(static_cast<uint8_t>(s.warm));

    std::vector<uint64_t> ids;
    ids.reserve(s.templates.size());
    for (const auto& [id, t] : s.templates) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    w->Put(static_cast<uint32_t>(ids.size()));
    for (uint64_t id : ids) {
      const TemplateState& t = s.templates.at(id);
      w->Put(id);
      t.rate.Save(w);
      w->Put(t.first_seen_ns);
      w->Put(t.keywords);
      w->Put(t.max_severity);
      w->Put(t.flags);
      w->Put(t.lines);
    }
    w->Put(static_cast<uint32_t>(s.keywords.size()));
    for (const RateTracker& k : s.keywords) k.Save(w);
    for (const RateTracker& h : s.http) h.Save(w);
    w->Put(s.codes_bucket);
    w->Put(static_cast<uint32_t>(s.codes.size()));
    for (const auto& [code, n] : s.codes) {
      w->Put(code);
      w->Put(n);
    }
    std::vector<std::string_view> fields(s.fields.begin(), s.fields.end());
    std::sort(fields.begin(), fields.end());
    w->Put(static_cast<uint32_t>(fields.size()));
    for (std::string_view f : fields) w->PutString(f);
    w->Put(s.hour);
    w->Put(s.raised_in_hour);
    w->Put(static_cast<uint32_t>(s.open.size()));
    for (const Incident& in : s.open) PutIncident(w, in);
    w->Put(static_cast<uint32_t>(s.ended.size()));
    for (const Incident& in : s.ended) PutIncident(w, in);
    s.traced.Save(w);
    s.notable.Save(w);
    w->Put(s.next_seq);
    std::vector<uint64_t> numeric;
    numeric.reserve(s.numeric.size());
    for (const auto& [id, nt] : s.numeric) numeric.push_back(id);
    std::sort(numeric.begin(), numeric.end());
    w->Put(static_cast<uint32_t>(numeric.size()));
    for (uint64_t id : numeric) {
      const internal::NumericTemplate& nt = s.numeric.at(id);
      w->Put(id);
      w->Put(nt.tokens);
      w->Put(static_cast<uint32_t>(nt.positions.size()));
      for (const internal::NumericPosition& p : nt.positions) {
        w->Put(p.position);
        w->Put(p.ordinal);
        p.series.Save(w);
      }
    }
  }
}

Status LogAnalyzer::Impl::Load(StateReader* r) {
  const std::string magic = r->GetString();
  const uint32_t version = r->Get<uint32_t>();
  if (magic != kMagic || version < kOldestVersion || version > kVersion) {
    return Status::InvalidArgument("not a log analyzer state (augur.logs, version 1 or 2)");
  }
  watermark = r->Get<uint64_t>();
  GetCounters(r, &counters);
  if (version >= 2) {
    counters.numeric_refused = r->Get<uint64_t>();
    counters.numeric_overflow = r->Get<uint64_t>();
  }
  const size_t n = r->ReadCount(64);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    auto s = std::make_unique<ServiceState>();
    s->name = r->GetString();
    s->miner_cap = static_cast<size_t>(r->Get<uint64_t>());
    s->miner_cap = std::clamp<size_t>(s->miner_cap, 1, std::min(options.miner.max_templates, options.max_templates));
    s->miner = NewMiner(s->miner_cap);
    if (Status st = s->miner->LoadState(r->GetString()); !st.ok()) {
      return Status::InvalidArgument("log analyzer state: service " + s->name + ": " + st.message());
    }
    s->first_ns = r->Get<uint64_t>();
    s->last_ns = r->Get<uint64_t>();
    s->records = r->Get<uint64_t>();
    s->warm = r->GetBool();
    const size_t templates = r->ReadCount(8 + 56 + 8 + 4 + 2);
    for (size_t k = 0; k < templates && !r->failed(); ++k) {
      const uint64_t id = r->Get<uint64_t>();
      TemplateState& t = s->templates[id];
      t.rate.Load(r);
      t.first_seen_ns = r->Get<uint64_t>();
      t.keywords = r->Get<uint32_t>();
      t.max_severity = r->Get<uint8_t>();
      t.flags = r->Get<uint8_t>();
      if (version >= 2) t.lines = r->Get<uint16_t>();
    }
    if (r->Get<uint32_t>() != s->keywords.size()) r->Fail();
    for (RateTracker& k : s->keywords) k.Load(r);
    for (RateTracker& h : s->http) h.Load(r);
    s->codes_bucket = r->Get<uint64_t>();
    const size_t codes = r->ReadCount(6);
    for (size_t k = 0; k < codes && !r->failed(); ++k) {
      const uint16_t code = r->Get<uint16_t>();
      s->codes.emplace_back(code, r->Get<uint32_t>());
    }
    const size_t fields = r->ReadCount(4);
    for (size_t k = 0; k < fields && !r->failed(); ++k) s->fields.insert(r->GetString());
    s->hour = r->Get<uint64_t>();
    s->raised_in_hour = r->Get<uint32_t>();
    const size_t open = r->ReadCount(64);
    for (size_t k = 0; k < open && !r->failed(); ++k) {
      s->open.emplace_back();
      GetIncident(r, &s->open.back());
    }
    const size_t ended = r->ReadCount(64);
    for (size_t k = 0; k < ended && !r->failed(); ++k) {
      s->ended.emplace_back();
      GetIncident(r, &s->ended.back());
    }
    while (s->ended.size() > options.ended_incidents_kept) s->ended.pop_front();
    s->traced = LineRing(options.traced_bytes);
    s->notable = LineRing(options.notable_bytes);
    s->traced.Load(r);
    s->notable.Load(r);
    s->next_seq = r->Get<uint64_t>();
    const size_t numeric = version >= 2 ? r->ReadCount(16) : 0;
    for (size_t k = 0; k < numeric && !r->failed(); ++k) {
      const uint64_t id = r->Get<uint64_t>();
      internal::NumericTemplate nt;
      nt.tokens = r->Get<uint32_t>();
      const size_t positions = r->ReadCount(2);
      for (size_t q = 0; q < positions && !r->failed(); ++q) {
        internal::NumericPosition p;
        p.position = r->Get<uint8_t>();
        p.ordinal = r->Get<uint8_t>();
        p.series.Load(r);
        // Cut to the current options (a state saved with larger bounds).
        if (nt.positions.size() < options.numeric_positions_per_template &&
            s->numeric_series < options.max_numeric_series_per_service) {
          nt.positions.push_back(std::move(p));
          ++s->numeric_series;
        }
      }
      if (!nt.positions.empty()) s->numeric.emplace(id, std::move(nt));
    }
    if (r->failed()) break;
    if (services.size() >= options.max_services || by_name.count(s->name) != 0) continue;  // over the bound now
    open_incidents += s->open.size();
    by_name.emplace(s->name, services.size());
    services.push_back(std::move(s));
  }
  return r->Finish("log analyzer");
}

std::string LogAnalyzer::SaveState() const {
  std::string out;
  StateWriter w(&out);
  impl_->Save(&w);
  return out;
}

Status LogAnalyzer::LoadState(std::string_view bytes) {
  auto fresh = std::make_unique<Impl>(impl_->options);
  StateReader r(bytes);
  if (Status st = fresh->Load(&r); !st.ok()) return st;
  impl_ = std::move(fresh);
  return Status::OK();
}

}  // namespace augur::logs
