// bgl_alerts: do BlueGene/L's alert lines surface as log anomalies?
//
//   bgl_alerts --bgl-log ../shared/data/loghub/loghub_2k/BGL/BGL_2k.log [--verbose]
//
// BGL_2k.log (loghub) holds 2,000 lines sampled from the BlueGene/L RAS log,
// June 2005 to January 2006. The first token of a line is "-" for a non-alert
// line and an alert category (KERNDTLB, APPSEV, ...) otherwise; then the
// Unix time, date, node, time of day (with microseconds), node, type,
// component, level (INFO, WARNING, SEVERE, ERROR, FATAL) and the message.
//
// Each line goes, one record per batch and in file order, through one
// logs::LogAnalyzer with the production defaults: service "bgl", severity
// text = the level field, time = the Unix time plus the microseconds of the
// time field, body = the message. The labels are never shown to it.
// Flags --no-grouping, --keyword-pattern-min-lines, --max-per-hour and
// --warmup-records change one option, for sensitivity runs.
//
// Figures:
//   - alert line recall: alert lines that a log anomaly covers when they
//     come: an anomaly on the line's template (followed through merges)
//     open right after the line was added, or a keyword anomaly open for a
//     keyword of the line;
//   - pattern recall: alert lines whose template had a log anomaly raised
//     at or before the line (the alert's pattern surfaced at some time);
//   - categories: alert categories with at least one covered line;
//   - false anomalies: anomalies none of whose covered lines is an alert
//     line (lines of its subject while it was open).
// Last line: "bgl alert_line_recall=<x> pattern_recall=<y> categories=<a>/<b> anomalies=<n> false=<m>".

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "logs/log_analyzer.h"
#include "logs/log_rules.h"

namespace {

namespace logs = augur::logs;
namespace model = augur::model;

struct BglLine {
  std::string label;  // "-" or the alert category
  uint64_t time_ns = 0;
  std::string level;
  std::string content;
};

// Splits off the first nine space-separated fields; the rest is the message.
bool ParseLine(std::string_view line, BglLine* out) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (f.size() < 9) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (start == i) return false;
    f.push_back(line.substr(start, i - start));
  }
  while (i < line.size() && line[i] == ' ') ++i;
  out->label = std::string(f[0]);
  out->level = std::string(f[8]);
  out->content = std::string(line.substr(i));
  while (!out->content.empty() && (out->content.back() == '\r' || out->content.back() == '\n')) {
    out->content.pop_back();
  }
  uint64_t seconds = 0;
  for (char c : f[1]) {
    if (c < '0' || c > '9') return false;
    seconds = seconds * 10 + static_cast<uint64_t>(c - '0');
  }
  uint64_t micros = 0;
  const size_t dot = f[4].rfind('.');
  if (dot != std::string_view::npos) {
    for (char c : f[4].substr(dot + 1)) {
      if (c >= '0' && c <= '9') micros = micros * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  out->time_ns = seconds * 1'000'000'000ULL + (micros % 1'000'000) * 1'000ULL;
  return true;
}

struct Tracked {
  model::Anomaly anomaly;  // as last emitted
  bool templates = false;  // a log.template anomaly (its templates: LogAnalyzer::AnomalyTemplates)
  int keyword = -1;        // log.keyword anomalies
  bool open = true;
  size_t lines = 0, alert_lines = 0;  // lines it covered
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"BGL alert lines against augur's log anomalies"};
  std::string path;
  bool verbose = false;
  app.add_option("--bgl-log", path, "BGL_2k.log")->required();
  app.add_flag("--verbose", verbose, "print every anomaly and the lines it covered");
  // For sensitivity runs only; the benchmark uses the defaults.
  logs::LogAnalyzerOptions options;
  bool no_grouping = false;
  app.add_flag("--no-grouping", no_grouping, "LogAnalyzerOptions::group_new_patterns = false");
  app.add_option("--keyword-pattern-min-lines", options.keyword_pattern_min_lines,
                 "LogAnalyzerOptions::keyword_pattern_min_lines");
  app.add_option("--max-per-hour", options.max_anomalies_per_service_hour,
                 "LogAnalyzerOptions::max_anomalies_per_service_hour");
  app.add_option("--warmup-records", options.warmup_records, "LogAnalyzerOptions::warmup_records");
  CLI11_PARSE(app, argc, argv);
  options.group_new_patterns = !no_grouping;

  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "bgl_alerts: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<BglLine> lines;
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    BglLine l;
    if (!ParseLine(text, &l)) {
      std::fprintf(stderr, "bgl_alerts: line %zu: not a BGL line\n", lines.size() + 1);
      return 1;
    }
    lines.push_back(std::move(l));
  }

  logs::LogAnalyzer analyzer(options);
  std::map<std::string, Tracked> anomalies;  // by id
  std::vector<std::string> order;            // ids in order of raise
  std::set<uint64_t> raised_templates;       // as raised; resolved when compared
  size_t alerts = 0, covered = 0, by_pattern = 0;
  std::map<std::string, std::pair<size_t, size_t>> categories;  // label -> (lines, covered)
  std::vector<model::Anomaly> events;

  for (const BglLine& l : lines) {
    model::Batch batch;
    batch.resources.push_back(model::Resource{{}, "bgl", ""});
    model::LogRecord r;
    r.time_unix_nano = l.time_ns;
    r.severity_text = l.level;
    r.body.value = l.content;
    batch.logs.push_back(std::move(r));
    analyzer.Add(batch);
    const uint64_t tid = analyzer.last_template_ids().at(0);
    events.clear();
    analyzer.TakeAnomalies(&events);
    for (const model::Anomaly& a : events) {
      auto [it, inserted] = anomalies.try_emplace(a.id);
      Tracked& t = it->second;
      t.anomaly = a;
      t.open = a.end_ns == 0;
      if (!inserted) continue;
      order.push_back(a.id);
      if (a.series.metric == "log.template") {
        t.templates = true;
      } else if (a.series.metric == "log.keyword") {
        for (int k = 0; k < logs::kKeywordCount; ++k) {
          if (logs::KeywordName(k) == a.series.Attribute("keyword")) t.keyword = k;
        }
      }
    }

    // Templates that joined a grouped anomaly count as raised when they joined.
    for (auto& [id, t] : anomalies) {
      if (!t.templates || !t.open) continue;
      for (uint64_t m : analyzer.AnomalyTemplates(id)) raised_templates.insert(m);
    }
    const uint64_t now = analyzer.ResolveTemplate("bgl", tid);
    const uint32_t keywords = logs::FindKeywords(l.content);
    const bool alert = l.label != "-";
    bool line_covered = false;
    for (auto& [id, t] : anomalies) {
      if (!t.open && t.anomaly.end_ns < l.time_ns) continue;
      bool mine = t.keyword >= 0 && (keywords & (1u << t.keyword));
      if (t.templates) {
        for (uint64_t m : analyzer.AnomalyTemplates(id)) mine = mine || m == now;
      }
      if (!mine) continue;
      ++t.lines;
      t.alert_lines += alert ? 1 : 0;
      line_covered = true;
    }
    bool pattern = false;
    for (uint64_t id : raised_templates) pattern = pattern || analyzer.ResolveTemplate("bgl", id) == now;
    if (alert) {
      ++alerts;
      covered += line_covered ? 1 : 0;
      by_pattern += pattern ? 1 : 0;
      auto& c = categories[l.label];
      ++c.first;
      c.second += line_covered ? 1 : 0;
    }
  }

  std::map<std::string, size_t> by_kind;
  size_t false_anomalies = 0;
  for (const std::string& id : order) {
    const Tracked& t = anomalies.at(id);
    ++by_kind[t.anomaly.kind];
    if (t.alert_lines == 0) ++false_anomalies;
    if (verbose) {
      std::printf("anomaly %s %s score=%.2f lines=%zu alert_lines=%zu | %s\n", id.c_str(), t.anomaly.kind.c_str(),
                  t.anomaly.score, t.lines, t.alert_lines, t.anomaly.explanation.c_str());
    }
  }
  size_t surfaced = 0;
  for (const auto& [label, c] : categories) {
    surfaced += c.second > 0 ? 1 : 0;
    std::printf("category %-9s lines=%3zu covered=%3zu\n", label.c_str(), c.first, c.second);
  }
  for (const auto& [kind, n] : by_kind) std::printf("kind %s %zu\n", kind.c_str(), n);
  const auto st = analyzer.stats();
  std::printf(
      "lines %zu alert_lines %zu templates %llu raised %llu grouped_patterns %llu suppressed_by_hourly_cap %llu "
      "below_bar %llu\n",
      lines.size(), alerts, static_cast<unsigned long long>(st.templates),
      static_cast<unsigned long long>(st.anomalies_raised), static_cast<unsigned long long>(st.patterns_grouped),
      static_cast<unsigned long long>(st.suppressed), static_cast<unsigned long long>(st.below_bar));
  std::printf("bgl alert_line_recall=%.3f pattern_recall=%.3f categories=%zu/%zu anomalies=%zu false=%zu\n",
              alerts ? static_cast<double>(covered) / alerts : 0.0,
              alerts ? static_cast<double>(by_pattern) / alerts : 0.0, surfaced, categories.size(), order.size(),
              false_anomalies);
  return 0;
}
