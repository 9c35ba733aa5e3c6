// LogAnalyzer's queries for lines: Snippets() and AnomalySamples().

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "common/hex.h"
#include "logs/analyzer_impl.h"
#include "logs/log_analyzer.h"

namespace augur::logs {

using internal::Incident;
using internal::Rule;
using internal::ServiceState;

namespace {

std::string FirstKeyword(uint32_t mask) {
  for (int k = 0; k < kKeywordCount; ++k) {
    if (mask & (1u << k)) return std::string(KeywordName(k));
  }
  return "";
}

uint32_t TemplateKeywords(const ServiceState& s, uint64_t id) {
  auto it = s.templates.find(id);
  return it == s.templates.end() ? 0 : it->second.keywords;
}

// Why a line of this incident is worth reading.
std::string IncidentReason(const ServiceState& s, const Incident& in, const LineView& line) {
  const std::string sev = in.severity == 0 ? "" : internal::SeverityLabel(in.severity) + " ";
  const std::string at = internal::Clock(in.anomaly.onset_ns);
  switch (in.rule) {
    case Rule::kNewTemplate:
      if (in.anomaly.kind == "log_keyword") {
        return "new pattern with error keyword '" + FirstKeyword(TemplateKeywords(s, in.subject)) + "' first seen " +
               at;
      }
      if (line.template_id != in.subject && !in.members.empty()) {
        const std::string own = line.severity == 0 ? "" : std::string(model::SeverityName(line.severity)) + " ";
        return "new " + own + "pattern, one of a burst from " + at;
      }
      return "new " + sev + "pattern first seen " + at;
    case Rule::kTemplateRate: return sev + "pattern whose rate jumped at " + at;
    case Rule::kKeywordRate: return "line with '" + in.text + "', such lines jumped at " + at;
    case Rule::kHttpRate: return "HTTP " + std::to_string(line.http_code) + ", " + in.text + " codes jumped at " + at;
    case Rule::kNewField: return "line with a new field ('" + std::string(in.anomaly.series.Attribute("field")) + "')";
    case Rule::kNumeric:
      return "pattern whose value " + std::to_string(internal::NumericOrdinalOf(in.subject)) +
             (in.anomaly.direction == "down" ? " fell" : " rose") + " at " + at;
  }
  return "";
}

struct Candidate {
  int tier = 0;       // 1 anomalous, 2 trace, 3 ERROR/FATAL, 4 WARN
  std::string group;  // lines are taken in turn per group ("" = one group)
  size_t rank = 0;    // position within its group
  double score = 0;   // of its incident (tier 1)
  const ServiceState* service = nullptr;
  LineView line;
  std::string reason;
};

}  // namespace

model::LogSnippet LogAnalyzer::Impl::ToSnippet(const ServiceState& s, const LineView& l, std::string reason) const {
  model::LogSnippet out;
  out.time_ns = l.time_ns;
  out.service = s.name;
  out.severity = l.severity != 0 ? std::string(model::SeverityName(l.severity)) : std::string(l.severity_text);
  out.body = std::string(l.body);
  out.trace_id = model::IsZero(l.trace_id) ? "" : HexEncode(l.trace_id);
  if (l.template_id != 0) {
    const uint64_t now = s.miner->Resolve(l.template_id);
    out.template_id = std::to_string(now != 0 ? now : l.template_id);
  }
  out.reason = std::move(reason);
  return out;
}

std::vector<model::LogSnippet> LogAnalyzer::Snippets(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                                     const std::vector<std::string>& trace_ids_hex, size_t max) const {
  std::vector<TraceRef> traces;
  traces.reserve(trace_ids_hex.size());
  for (const std::string& id : trace_ids_hex) traces.push_back({id, ""});
  return Snippets(service, from_ns, to_ns, traces, max);
}

std::vector<model::LogSnippet> LogAnalyzer::Snippets(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                                     const std::vector<TraceRef>& traces, size_t max) const {
  const Impl& m = *impl_;
  std::vector<std::pair<model::TraceId, std::string>> wanted;
  for (const TraceRef& t : traces) {
    const auto bytes = HexDecode(t.trace_id_hex);
    if (!bytes || bytes->size() != 16) continue;
    model::TraceId id;
    std::copy(bytes->begin(), bytes->end(), id.begin());
    if (!model::IsZero(id)) wanted.emplace_back(id, t.label.empty() ? "a slow or failing request" : t.label);
  }

  std::vector<Candidate> candidates;
  for (const auto& sp : m.services) {
    const ServiceState& s = *sp;
    if (!service.empty() && s.name != service) continue;
    // The incident of each subject: open ones over ended ones, newer over older.
    std::unordered_map<uint64_t, const Incident*> by_template;
    const Incident* by_class[2] = {nullptr, nullptr};
    std::unordered_map<uint64_t, const Incident*> by_keyword;
    const Incident* field_incident = nullptr;
    auto index = [&](const Incident& in) {
      switch (in.rule) {
        case Rule::kNewTemplate:
        case Rule::kTemplateRate: {
          auto add = [&](uint64_t id) {
            const uint64_t now = s.miner->Resolve(id);
            by_template[now != 0 ? now : id] = &in;
          };
          add(in.subject);
          for (uint64_t m : in.members) add(m);
          break;
        }
        case Rule::kHttpRate: by_class[in.subject == 5 ? 1 : 0] = &in; break;
        case Rule::kKeywordRate: by_keyword[in.subject] = &in; break;
        case Rule::kNewField: field_incident = &in; break;
        case Rule::kNumeric: {
          // A template's own pattern or rate anomaly says more; this one only fills in.
          const uint64_t id = internal::NumericTemplateOf(in.subject);
          const uint64_t now = s.miner->Resolve(id);
          auto [it, inserted] = by_template.try_emplace(now != 0 ? now : id, &in);
          if (!inserted && it->second->rule == Rule::kNumeric) it->second = &in;  // a newer one
          break;
        }
      }
    };
    for (const Incident& in : s.ended) index(in);
    for (const Incident& in : s.open) index(in);

    std::unordered_set<uint64_t> seen;
    auto consider = [&](const LineView& l) {
      if (l.time_ns < from_ns || (to_ns != 0 && l.time_ns > to_ns)) return;
      if (!seen.insert(l.seq).second) return;
      Candidate c;
      c.service = &s;
      c.line = l;
      const Incident* in = nullptr;
      if (l.template_id != 0) {
        const uint64_t now = s.miner->Resolve(l.template_id);
        auto it = by_template.find(now != 0 ? now : l.template_id);
        if (it != by_template.end()) in = it->second;
      }
      if (in == nullptr && (l.flags & kLineHttp5xx)) in = by_class[1];
      if (in == nullptr && (l.flags & kLineHttp4xx)) in = by_class[0];
      if (in == nullptr && (l.flags & kLineKeyword) && l.severity < kSeverityWarn) {
        const uint32_t kw = TemplateKeywords(s, l.template_id);
        for (int k = 0; k < kKeywordCount && in == nullptr; ++k) {
          if (!(kw & (1u << k))) continue;
          if (auto it = by_keyword.find(k); it != by_keyword.end()) in = it->second;
        }
      }
      if (in == nullptr && (l.flags & kLineNewField)) in = field_incident;
      if (in != nullptr) {
        c.tier = 1;
        c.group = in->anomaly.id;
        c.score = in->anomaly.score;
        c.reason = IncidentReason(s, *in, l);
      } else if (auto w =
                     std::find_if(wanted.begin(), wanted.end(), [&](const auto& e) { return e.first == l.trace_id; });
                 w != wanted.end()) {
        c.tier = 2;
        c.reason = "same trace as " + w->second;
      } else if (l.severity >= kSeverityWarn) {
        c.tier = l.severity >= kSeverityError ? 3 : 4;
        c.group = s.name + "/" + std::to_string(l.template_id);  // one template does not crowd out the others
        c.reason = std::string(model::SeverityName(l.severity)) + " line near the onset";
      } else {
        return;
      }
      candidates.push_back(std::move(c));
    };
    for (const Incident& in : s.open) {
      for (const KeptLine& l : in.samples) consider(l.View());
    }
    for (const Incident& in : s.ended) {
      for (const KeptLine& l : in.samples) consider(l.View());
    }
    s.notable.ForEach(consider);
    s.traced.ForEach(consider);
  }

  // Earliest first within a group, then groups in turn.
  auto time_order = [](const Candidate& a, const Candidate& b) {
    return std::tie(a.line.time_ns, a.service->name, a.line.seq) <
           std::tie(b.line.time_ns, b.service->name, b.line.seq);
  };
  std::sort(candidates.begin(), candidates.end(), time_order);
  std::unordered_map<std::string, size_t> taken;
  for (Candidate& c : candidates) c.rank = c.group.empty() ? 0 : taken[c.group]++;
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.score > b.score;
  });

  std::vector<model::LogSnippet> out;
  for (size_t i = 0; i < candidates.size() && out.size() < max; ++i) {
    out.push_back(m.ToSnippet(*candidates[i].service, candidates[i].line, std::move(candidates[i].reason)));
  }
  return out;
}

std::vector<model::LogSnippet> LogAnalyzer::AnomalySamples(const std::string& anomaly_id) const {
  std::vector<model::LogSnippet> out;
  for (const auto& sp : impl_->services) {
    const ServiceState& s = *sp;
    auto emit = [&](const Incident& in) {
      if (in.anomaly.id != anomaly_id) return false;
      for (const KeptLine& l : in.samples) {
        out.push_back(impl_->ToSnippet(s, l.View(), IncidentReason(s, in, l.View())));
      }
      return true;
    };
    for (const Incident& in : s.open) {
      if (emit(in)) return out;
    }
    for (const Incident& in : s.ended) {
      if (emit(in)) return out;
    }
  }
  return out;
}

}  // namespace augur::logs

namespace augur::logs {

std::vector<PatternInfo> LogAnalyzer::Patterns(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                               size_t max) const {
  const Impl& m = *impl_;
  const uint64_t to = to_ns == 0 ? UINT64_MAX : to_ns;
  std::vector<PatternInfo> out;
  for (const auto& sp : m.services) {
    const internal::ServiceState& s = *sp;
    if (!service.empty() && s.name != service) continue;
    std::unordered_set<uint64_t> anomalous;
    for (const internal::Incident& in : s.open) {
      if (in.rule == internal::Rule::kNumeric) anomalous.insert(internal::NumericTemplateOf(in.subject));
      if (in.rule != internal::Rule::kNewTemplate && in.rule != internal::Rule::kTemplateRate) continue;
      anomalous.insert(in.subject);
      for (uint64_t member : in.members) anomalous.insert(member);
    }
    s.miner->ForEach([&](const TemplateView& t) {
      const auto first = static_cast<uint64_t>(std::max<int64_t>(t.first_seen_ns, 0));
      const auto last = static_cast<uint64_t>(std::max<int64_t>(t.last_seen_ns, 0));
      if (last < from_ns || first > to) return;
      PatternInfo p;
      p.service = s.name;
      p.template_id = t.id;
      p.text = std::string(t.text);
      p.count = t.count;
      p.first_seen_ns = first;
      p.last_seen_ns = last;
      const uint64_t tail = to == UINT64_MAX ? 0 : (to - std::min(to, from_ns)) / 10;
      if (anomalous.count(t.id) != 0) {
        p.trend = "anomalous";
      } else if (from_ns != 0 && first >= from_ns) {
        p.trend = "new";
      } else if (to != UINT64_MAX && last + tail < to) {
        p.trend = "quiet";
      } else {
        p.trend = "steady";
      }
      out.push_back(std::move(p));
    });
  }
  std::stable_sort(out.begin(), out.end(), [](const PatternInfo& a, const PatternInfo& b) {
    return a.count != b.count ? a.count > b.count : a.template_id < b.template_id;
  });
  if (out.size() > max) out.resize(max);
  return out;
}

}  // namespace augur::logs
