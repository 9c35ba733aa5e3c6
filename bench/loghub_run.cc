// loghub_run: augur's log template miner on loghub-2k, scored like the
// published log parsers (see src/eval/loghub.h).
//
//   loghub_run --loghub-dir ../shared/data/loghub/loghub_2k [--systems HDFS,Mac] [--out DIR]
//              [--distinct-values K ...]   (sensitivity runs; see --help)
//
// Each system's 2,000 messages (the Content column of
// <System>_2k.log_structured.csv: the dataset's own split of the log header,
// not a parser setting) go through one logs::TemplateMiner with the
// production defaults, the same for all 16 systems: no per-system regular
// expressions or thresholds. Lines are fed once, in file order; a line's
// group is the template id it got when it was added, followed through later
// merges (TemplateMiner::Resolve), and its template text is that template's
// text after the last line. With --out, writes <DIR>/<System>.csv (LineId,
// EventId, predicted id, predicted template, true template) for inspection.
// Prints one row per system and, last, "loghub ga=<avg> f1=<avg> pa=<avg>".

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "eval/loghub.h"
#include "logs/template_miner.h"

namespace {

namespace fs = std::filesystem;
namespace eval = augur::eval;
namespace logs = augur::logs;

std::string Csv(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"augur's log template miner on loghub-2k"};
  fs::path dir;
  std::string systems_arg;
  fs::path out_dir;
  app.add_option("--loghub-dir", dir, "loghub_2k directory (holds <System>/<System>_2k.log_structured.csv)")
      ->required();
  app.add_option("--systems", systems_arg, "comma-separated systems (default: all 16)");
  app.add_option("--out", out_dir, "write per-line results here");
  // For sensitivity runs only; the benchmark uses the defaults.
  logs::MinerOptions options;
  std::vector<std::string> masks_off;
  app.add_option("--distinct-values", options.distinct_values_to_merge, "MinerOptions::distinct_values_to_merge");
  app.add_option("--digit-variants", options.digit_variants_to_merge, "MinerOptions::digit_variants_to_merge");
  app.add_option("--first-token-min-constants", options.first_token_min_constants,
                 "MinerOptions::first_token_min_constants");
  app.add_option("--min-equal-fraction", options.min_equal_fraction, "MinerOptions::min_equal_fraction");
  app.add_option("--max-length-difference", options.max_length_difference, "MinerOptions::max_length_difference");
  app.add_option("--mask-off", masks_off,
                 "maskers to switch off: numbers hex ip_addresses uuids paths host_names units calendar value_lists");
  bool as_assigned = false;
  app.add_flag("--as-assigned", as_assigned,
               "group lines by the id they were given when added, without following later merges");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& m : masks_off) {
    bool* flag = m == "numbers"        ? &options.mask.numbers
                 : m == "hex"          ? &options.mask.hex
                 : m == "ip_addresses" ? &options.mask.ip_addresses
                 : m == "uuids"        ? &options.mask.uuids
                 : m == "paths"        ? &options.mask.paths
                 : m == "host_names"   ? &options.mask.host_names
                 : m == "units"        ? &options.mask.units
                 : m == "calendar"     ? &options.mask.calendar
                 : m == "value_lists"  ? &options.mask.value_lists
                                       : nullptr;
    if (flag == nullptr) {
      std::fprintf(stderr, "loghub_run: unknown masker %s\n", m.c_str());
      return 2;
    }
    *flag = false;
  }

  std::vector<std::string> systems;
  if (systems_arg.empty()) {
    systems = eval::LoghubSystems();
  } else {
    std::stringstream ss(systems_arg);
    for (std::string s; std::getline(ss, s, ',');) systems.push_back(s);
  }
  if (!out_dir.empty()) fs::create_directories(out_dir);

  std::printf("%-12s %7s %7s %7s %7s %9s %9s\n", "system", "GA", "F1", "PA", "prec", "templates", "truth");
  double ga = 0, f1 = 0, pa = 0;
  for (const std::string& system : systems) {
    auto lines = eval::ReadLoghubStructured(eval::LoghubStructuredPath(dir, system));
    if (!lines.ok()) {
      std::fprintf(stderr, "loghub_run: %s\n", lines.status().ToString().c_str());
      return 1;
    }
    logs::TemplateMiner miner(options);  // the same for every system
    std::vector<uint64_t> ids;
    ids.reserve(lines->size());
    for (size_t i = 0; i < lines->size(); ++i) {
      ids.push_back(miner.Add((*lines)[i].content, static_cast<int64_t>(i) * 1'000'000).template_id);
    }
    std::vector<std::string> texts;
    texts.reserve(ids.size());
    for (uint64_t& id : ids) {
      const uint64_t current = miner.Resolve(id);
      auto view = miner.Find(id);
      if (current != 0 && !as_assigned) id = current;  // an evicted template keeps the id it had
      texts.emplace_back(view ? std::string(view->text) : std::string());
    }
    auto s = eval::ScoreParsing(*lines, ids, texts);
    if (!s.ok()) {
      std::fprintf(stderr, "loghub_run: %s\n", s.status().ToString().c_str());
      return 1;
    }
    size_t truth_events = 0;
    {
      std::vector<std::string> events;
      for (const auto& l : *lines) events.push_back(l.event_id);
      std::sort(events.begin(), events.end());
      truth_events = static_cast<size_t>(std::unique(events.begin(), events.end()) - events.begin());
    }
    std::printf("%-12s %7.4f %7.4f %7.4f %7.4f %9zu %9zu\n", system.c_str(), s->grouping_accuracy, s->f1,
                s->parsing_accuracy, s->precision, miner.size(), truth_events);
    ga += s->grouping_accuracy;
    f1 += s->f1;
    pa += s->parsing_accuracy;
    if (!out_dir.empty()) {
      std::ofstream out(out_dir / (system + ".csv"));
      out << "LineId,EventId,Predicted,PredictedTemplate,EventTemplate\n";
      for (size_t i = 0; i < lines->size(); ++i) {
        out << i + 1 << ',' << (*lines)[i].event_id << ',' << ids[i] << ',' << Csv(texts[i]) << ','
            << Csv((*lines)[i].event_template) << '\n';
      }
    }
  }
  const double n = static_cast<double>(systems.size());
  std::printf("loghub ga=%.4f f1=%.4f pa=%.4f\n", ga / n, f1 / n, pa / n);
  return 0;
}
