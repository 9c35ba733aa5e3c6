// nab_run: runs augur's metric detector over every NAB series and writes the
// results in NAB's layout, for nab_score.
//
//   nab_run --nab-dir /work/shared/data/nab --out /tmp/nab/augur
//   nab_score --nab-dir /work/shared/data/nab --results-dir /tmp/nab/augur
//
// Every series goes through the production code path with the production
// defaults: one detect::MetricDetector per series, Options::For(kMedium),
// nothing tuned per file or per category. The anomaly_score of a row is the
// detector's Verdict::score (after its noise guards). Writes
// <out>/<category>/<detector>_<name>.csv with columns
// timestamp,value,anomaly_score,label (label 1 inside a labelled window, as
// NAB writes it). NAB data is read in place, never copied.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "detect/metric_detector.h"
#include "eval/nab_corpus.h"
#include "eval/nab_csv.h"

namespace {

namespace fs = std::filesystem;
namespace detect = augur::detect;
namespace eval = augur::eval;

struct Options {
  fs::path nab_dir;
  fs::path out;
  std::string detector = "augur";
  std::string sensitivity = "medium";
  fs::path incidents;  // optional CSV of every event
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "nab_run: %s\n", what.c_str());
  return 1;
}

// One series: runs the detector and writes its results file.
augur::Status RunFile(const fs::path& data, const std::vector<eval::NabWindow>& windows, const fs::path& out,
                      const detect::Options& options, int* incidents, std::FILE* log) {
  std::ifstream in(data);
  if (!in) return augur::Status::NotFound(data.string() + ": cannot open");
  std::ofstream os(out);
  if (!os) return augur::Status::IOError(out.string() + ": cannot create");
  os << "timestamp,value,anomaly_score,label\n";
  detect::MetricDetector detector;
  std::string line;
  std::getline(in, line);  // header
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t comma = line.find(',');
    if (comma == std::string::npos) {
      return augur::Status::InvalidArgument(data.string() + ":" + std::to_string(line_no) + ": no comma");
    }
    const std::string ts = line.substr(0, comma);
    const std::string value_text = line.substr(comma + 1);
    auto us = eval::ParseNabTimestamp(ts);
    if (!us.ok())
      return augur::Status::InvalidArgument(data.string() + ":" + std::to_string(line_no) + ": " +
                                            us.status().message());
    char* end = nullptr;
    const double value = std::strtod(value_text.c_str(), &end);
    if (end == value_text.c_str()) {
      return augur::Status::InvalidArgument(data.string() + ":" + std::to_string(line_no) + ": bad value");
    }
    const detect::Verdict v = detector.Update(options, detect::MetricPoint{static_cast<uint64_t>(*us) * 1000, value});
    if (v.event == detect::Event::kRaised) ++*incidents;
    if (log != nullptr && v.event != detect::Event::kNone) {
      const detect::Finding& f = v.finding;
      const char* ev = v.event == detect::Event::kRaised    ? "raised"
                       : v.event == detect::Event::kUpdated ? "updated"
                                                            : "ended";
      std::fprintf(log, "%s,%d,%s,%s,%s,%s,%.6g,%.6g,%.6g,%.6g,%.4f,%lld\n", data.filename().c_str(), line_no - 2,
                   ts.c_str(), ev, std::string(detect::KindName(f.kind)).c_str(),
                   std::string(detect::DirectionName(f.direction)).c_str(), f.before, f.observed, f.expected_low,
                   f.expected_high, f.score, static_cast<long long>((f.raised_ns - f.onset_ns) / 1000000000));
    }
    int label = 0;
    for (const eval::NabWindow& w : windows) {
      if (*us >= w.begin_us && *us <= w.end_us) label = 1;
    }
    char score[32];
    std::snprintf(score, sizeof score, "%.6f", v.score);
    os << ts << ',' << value_text << ',' << score << ',' << label << '\n';
  }
  if (!os) return augur::Status::IOError(out.string() + ": write failed");
  return augur::Status::OK();
}

int Run(const Options& o) {
  detect::Sensitivity s = detect::Sensitivity::kMedium;
  if (o.sensitivity == "low")
    s = detect::Sensitivity::kLow;
  else if (o.sensitivity == "high")
    s = detect::Sensitivity::kHigh;
  else if (o.sensitivity != "medium")
    return Fail("--sensitivity: low, medium or high");
  const detect::Options options = detect::Options::For(s);

  auto labels = eval::LoadWindows(o.nab_dir / "labels" / "combined_windows.json");
  if (!labels.ok()) return Fail(labels.status().ToString());
  int files = 0, incidents = 0;
  std::FILE* log = nullptr;
  if (!o.incidents.empty()) {
    log = std::fopen(o.incidents.c_str(), "w");
    if (log == nullptr) return Fail(o.incidents.string() + ": cannot create");
    std::fprintf(
        log,
        "file,row,timestamp,event,kind,direction,before,observed,expected_low,expected_high,score,onset_s_before\n");
  }
  for (const auto& [name, windows] : *labels) {  // "realTweets/Twitter_volume_FB.csv"
    const fs::path rel(name);
    const fs::path dir = o.out / rel.parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Fail(dir.string() + ": " + ec.message());
    const fs::path out = dir / (o.detector + "_" + rel.filename().string());
    if (augur::Status st = RunFile(o.nab_dir / "data" / rel, windows, out, options, &incidents, log); !st.ok()) {
      return Fail(st.ToString());
    }
    ++files;
  }
  if (log != nullptr) std::fclose(log);
  std::fprintf(stderr, "nab_run: %d files, %d incidents raised at sensitivity %s\n", files, incidents,
               o.sensitivity.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Runs augur's metric detector over the NAB corpus and writes NAB results files"};
  app.add_option("--nab-dir", o.nab_dir, "NAB checkout: data/, labels/")->required()->check(CLI::ExistingDirectory);
  app.add_option("--out", o.out, "results directory; files go to <out>/<category>/<detector>_<name>.csv")->required();
  app.add_option("--detector", o.detector, "detector name in file names (default augur)");
  app.add_option("--incidents", o.incidents, "also write every raised/updated/ended incident to this CSV");
  app.add_option("--sensitivity", o.sensitivity, "low, medium (default, production) or high");
  CLI11_PARSE(app, argc, argv);
  return Run(o);
}
