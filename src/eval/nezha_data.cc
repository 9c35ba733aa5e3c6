#include "eval/nezha_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/time_format.h"
#include "eval/loghub.h"

namespace augur::eval::nezha {

namespace fs = std::filesystem;

std::string ServiceOfPod(std::string_view pod) {
  for (int i = 0; i < 2; ++i) {
    const size_t dash = pod.rfind('-');
    if (dash == std::string_view::npos) break;
    pod = pod.substr(0, dash);
  }
  return std::string(pod);
}

StatusOr<uint64_t> ParseUtc(std::string_view text) {
  std::string t(text);
  if (t.size() == 16) t += ":00";  // "YYYY-MM-DD HH:MM"
  if (t.size() != 19 || t[10] != ' ') return Status::InvalidArgument("bad time \"" + std::string(text) + "\"");
  t[10] = 'T';
  return ParseTimestamp(t + "Z");
}

StatusOr<std::vector<Fault>> ReadFaultList(const fs::path& file, const std::string& day) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound(file.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(file.string() + ": not a JSON object");
  std::vector<Fault> out;
  for (const auto& [hour, faults] : j.items()) {
    if (!faults.is_array()) return Status::InvalidArgument(file.string() + ": hour " + hour + " is not a list");
    for (const auto& f : faults) {
      if (!f.is_object() || !f.contains("inject_time") || !f["inject_time"].is_string() || !f.contains("inject_pod") ||
          !f["inject_pod"].is_string() || !f.contains("inject_type") || !f["inject_type"].is_string()) {
        return Status::InvalidArgument(file.string() + ": a fault lacks inject_time, inject_pod or inject_type");
      }
      Fault fault;
      fault.day = day;
      fault.inject_time = f["inject_time"].get<std::string>();
      auto t = ParseUtc(fault.inject_time);
      if (!t.ok()) return Status::InvalidArgument(file.string() + ": " + t.status().message());
      fault.inject_ns = *t;
      fault.pod = f["inject_pod"].get<std::string>();
      fault.service = ServiceOfPod(fault.pod);
      fault.type = f["inject_type"].get<std::string>();
      out.push_back(std::move(fault));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Fault& a, const Fault& b) { return a.inject_ns < b.inject_ns; });
  return out;
}

namespace {

// A CSV file read record by record (a quoted field may span lines), with
// its columns found by header name.
class CsvReader {
 public:
  static StatusOr<CsvReader> Open(const fs::path& path) {
    CsvReader r;
    r.path_ = path.string();
    r.in_.open(path, std::ios::binary);
    if (!r.in_) return Status::NotFound(r.path_ + ": cannot open");
    auto header = r.Next();
    if (!header.ok()) return header.status();
    if (header->empty()) return Status::InvalidArgument(r.path_ + ": empty");
    r.header_ = std::move(*header);
    return r;
  }

  // -1 when absent.
  int Column(std::string_view name) const {
    for (size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  StatusOr<int> Require(std::string_view name) const {
    const int c = Column(name);
    if (c < 0) return Status::InvalidArgument(path_ + ": no column " + std::string(name));
    return c;
  }
  const std::vector<std::string>& header() const { return header_; }

  // The next record's fields; empty at the end of the file.
  StatusOr<std::vector<std::string>> Next() {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line_no_ == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
      if (line.empty()) continue;
      auto fields = SplitCsvRecord(line);
      while (!fields.ok()) {
        std::string more;
        if (!std::getline(in_, more)) return Error(fields.status().message());
        ++line_no_;
        line += '\n';
        line += more;
        fields = SplitCsvRecord(line);
      }
      if (!header_.empty() && fields->size() < header_.size()) return Error("too few fields");
      return std::move(*fields);
    }
    return std::vector<std::string>{};
  }

  Status Error(const std::string& what) const {
    return Status::InvalidArgument(path_ + ":" + std::to_string(line_no_) + ": " + what);
  }

 private:
  std::string path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  int line_no_ = 0;
};

bool ParseU64(std::string_view s, uint64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

double ParseDouble(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::numeric_limits<double>::quiet_NaN();
  return v;
}

// The "log" string of the runtime's JSON record; see LogRow::body.
std::string LogBody(const std::string& field) {
  auto j = nlohmann::json::parse(field, nullptr, /*allow_exceptions=*/false);
  for (size_t close = field.find('}'); j.is_discarded() && close != std::string::npos;
       close = field.find('}', close + 1)) {
    j = nlohmann::json::parse(field.substr(0, close + 1), nullptr, /*allow_exceptions=*/false);
  }
  std::string body = field;
  if (!j.is_discarded() && j.is_object() && j.contains("log") && j["log"].is_string())
    body = j["log"].get<std::string>();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

void ReadSeverity(LogRow* row) {
  // "16:48:42.424 INFO  t.s.TravelServiceImpl#532 ...": the level is the second word.
  static constexpr std::pair<std::string_view, uint8_t> kLevels[] = {
      {"TRACE", 1}, {"DEBUG", 5}, {"INFO", 9}, {"WARN", 13}, {"WARNING", 13}, {"ERROR", 17}, {"FATAL", 21}};
  const std::string_view b = row->body;
  const size_t first_end = b.find(' ');
  if (first_end == std::string_view::npos) return;
  const size_t start = b.find_first_not_of(' ', first_end);
  if (start == std::string_view::npos) return;
  const size_t end = std::min(b.find(' ', start), b.size());
  const std::string_view word = b.substr(start, end - start);
  for (const auto& [name, number] : kLevels) {
    if (word == name) {
      row->severity_text = std::string(name == "WARNING" ? "WARN" : name);
      row->severity_number = number;
      return;
    }
  }
}

}  // namespace

StatusOr<std::vector<SpanRow>> ReadTraceCsv(const fs::path& path) {
  auto csv = CsvReader::Open(path);
  if (!csv.ok()) return csv.status();
  int cols[7];
  const char* names[7] = {"TraceID",           "SpanID",         "ParentID", "PodName", "OperationName",
                          "StartTimeUnixNano", "EndTimeUnixNano"};
  for (int i = 0; i < 7; ++i) {
    auto c = csv->Require(names[i]);
    if (!c.ok()) return c.status();
    cols[i] = *c;
  }
  std::vector<SpanRow> out;
  while (true) {
    auto f = csv->Next();
    if (!f.ok()) return f.status();
    if (f->empty()) break;
    SpanRow r;
    r.trace_id = std::move((*f)[cols[0]]);
    r.span_id = std::move((*f)[cols[1]]);
    r.parent_id = std::move((*f)[cols[2]]);
    r.pod = std::move((*f)[cols[3]]);
    r.operation = std::move((*f)[cols[4]]);
    if (!ParseU64((*f)[cols[5]], &r.start_ns) || !ParseU64((*f)[cols[6]], &r.end_ns)) {
      return csv->Error("bad span time");
    }
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<std::vector<LogRow>> ReadLogCsv(const fs::path& path) {
  auto csv = CsvReader::Open(path);
  if (!csv.ok()) return csv.status();
  int cols[8];
  const char* names[8] = {"TimeUnixNano", "Node", "PodName", "Container", "TraceID", "SpanID", "Log", "Timestamp"};
  for (int i = 0; i < 8; ++i) {
    auto c = csv->Require(names[i]);
    if (!c.ok()) return c.status();
    cols[i] = *c;
  }
  std::vector<LogRow> out;
  while (true) {
    auto f = csv->Next();
    if (!f.ok()) return f.status();
    if (f->empty()) break;
    LogRow r;
    if (!ParseU64((*f)[cols[0]], &r.time_ns)) {
      // A few records carry a garbled TimeUnixNano; their Timestamp is fine
      // (sometimes without its zone: it is UTC).
      std::string text = (*f)[cols[7]];
      if (!text.empty() && text.back() != 'Z') text += 'Z';
      auto t = ParseTimestamp(text);
      if (!t.ok()) return csv->Error("bad log time");
      r.time_ns = *t;
    }
    r.node = std::move((*f)[cols[1]]);
    r.pod = std::move((*f)[cols[2]]);
    r.container = std::move((*f)[cols[3]]);
    r.trace_id = std::move((*f)[cols[4]]);
    r.span_id = std::move((*f)[cols[5]]);
    r.body = LogBody((*f)[cols[6]]);
    ReadSeverity(&r);
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<MetricTable> ReadMetricCsv(const fs::path& path) {
  auto csv = CsvReader::Open(path);
  if (!csv.ok()) return csv.status();
  auto time_col = csv->Require("TimeStamp");
  if (!time_col.ok()) return time_col.status();
  MetricTable t;
  int source_col = csv->Column("PodName");
  if (source_col < 0) {
    source_col = csv->Column("ServiceName");
    t.front = true;
  }
  if (source_col < 0) return Status::InvalidArgument(path.string() + ": neither PodName nor ServiceName");
  std::vector<int> value_cols;
  for (size_t i = 0; i < csv->header().size(); ++i) {
    const std::string& name = csv->header()[i];
    if (static_cast<int>(i) == *time_col || static_cast<int>(i) == source_col || name == "Time") continue;
    t.columns.push_back(name);
    value_cols.push_back(static_cast<int>(i));
  }
  while (true) {
    auto f = csv->Next();
    if (!f.ok()) return f.status();
    if (f->empty()) break;
    uint64_t seconds = 0;
    if (!ParseU64((*f)[*time_col], &seconds)) return csv->Error("bad TimeStamp");
    if (t.source.empty()) t.source = (*f)[source_col];
    MetricTable::Row row;
    row.time_ns = seconds * 1'000'000'000ULL;
    for (int c : value_cols) row.values.push_back(ParseDouble((*f)[c]));
    t.rows.push_back(std::move(row));
  }
  return t;
}

StatusOr<std::vector<MinuteFile>> ListMinuteFiles(const fs::path& dir, const std::string& day, std::string_view kind) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::NotFound(dir.string() + ": " + ec.message());
  // Built with append: g++ 12 at -O3 warns (-Wrestrict, falsely) on "_" + std::string(kind).
  std::string suffix = "_";
  suffix.append(kind).append(".csv");
  std::vector<MinuteFile> out;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    // HH_MM_<kind>.csv
    if (name.size() != 5 + suffix.size() || name.compare(5, std::string::npos, suffix) != 0 || name[2] != '_') {
      continue;
    }
    auto t = ParseUtc(day + " " + name.substr(0, 2) + ":" + name.substr(3, 2));
    if (!t.ok()) return Status::InvalidArgument(entry.path().string() + ": not named HH_MM" + suffix);
    out.push_back({*t, entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const MinuteFile& a, const MinuteFile& b) { return a.minute_ns < b.minute_ns; });
  return out;
}

StatusOr<std::vector<MetricTable>> ReadMetricDir(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::NotFound(dir.string() + ": " + ec.message());
  std::vector<fs::path> paths;
  for (const auto& entry : it) {
    if (entry.path().extension() == ".csv") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<MetricTable> out;
  for (const auto& p : paths) {
    auto t = ReadMetricCsv(p);
    if (!t.ok()) return t.status();
    out.push_back(std::move(*t));
  }
  std::sort(out.begin(), out.end(), [](const MetricTable& a, const MetricTable& b) { return a.source < b.source; });
  return out;
}

}  // namespace augur::eval::nezha
