#include "eval/nab_csv.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace augur::eval {
namespace {

// Exactly n decimal digits at pos (from_chars alone would take a sign).
bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t comma; (comma = line.find(',', start)) != std::string_view::npos; start = comma + 1) {
    fields.push_back(line.substr(start, comma - start));
  }
  fields.push_back(line.substr(start));
  return fields;
}

// A CSV file held in memory, walked line by line; tolerates CRLF endings.
class CsvFile {
 public:
  static StatusOr<CsvFile> Open(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(path.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return Status::IOError(path.string() + ": read failed");
    return CsvFile(path.string(), std::move(text).str());
  }

  // The next non-empty line, without its line ending; false at the end.
  bool NextLine(std::string_view* line) {
    while (pos_ < text_.size()) {
      size_t end = text_.find('\n', pos_);
      if (end == std::string::npos) end = text_.size();
      *line = std::string_view(text_).substr(pos_, end - pos_);
      pos_ = end + 1;
      ++line_number_;
      if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
      if (!line->empty()) return true;
    }
    return false;
  }

  // Index of the header column named `name`.
  StatusOr<size_t> Column(std::string_view name) const {
    for (size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == name) return i;
    }
    return Status::InvalidArgument(name_ + ": no column \"" + std::string(name) + "\"");
  }

  size_t num_columns() const { return header_.size(); }

  Status Error(std::string_view what) const {
    return Status::InvalidArgument(name_ + ":" + std::to_string(line_number_) + ": " + std::string(what));
  }

 private:
  CsvFile(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
    std::string_view header;
    if (NextLine(&header)) {
      for (std::string_view field : SplitFields(header)) header_.emplace_back(field);
    }
  }

  std::string name_;
  std::string text_;
  size_t pos_ = 0;
  int64_t line_number_ = 0;
  std::vector<std::string> header_;
};

// Walks the data lines of `csv`, handing `on_row` the fields of each.
template <typename OnRow>
Status ForEachRow(CsvFile& csv, OnRow on_row) {
  std::string_view line;
  while (csv.NextLine(&line)) {
    const std::vector<std::string_view> fields = SplitFields(line);
    if (fields.size() != csv.num_columns()) return csv.Error("wrong number of fields");
    if (Status s = on_row(fields); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

StatusOr<int64_t> ParseNabTimestamp(std::string_view s) {
  const auto bad = [&] { return Status::InvalidArgument("bad timestamp \"" + std::string(s) + "\""); };
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
      !ParseDigits(s, 0, 4, &y) || !ParseDigits(s, 5, 2, &mo) || !ParseDigits(s, 8, 2, &d) ||
      !ParseDigits(s, 11, 2, &h) || !ParseDigits(s, 14, 2, &mi) || !ParseDigits(s, 17, 2, &sec)) {
    return bad();
  }
  int64_t micros = 0;
  if (s.size() > 19) {
    const size_t digits = s.size() - 20;
    int frac;
    if (s[19] != '.' || digits < 1 || digits > 6 || !ParseDigits(s, 20, digits, &frac)) return bad();
    micros = frac;
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || sec > 59) return bad();
  const int64_t days_since_epoch = sys_days(date).time_since_epoch().count();
  return ((days_since_epoch * 24 + h) * 60 + mi) * 60 * 1'000'000 + sec * 1'000'000LL + micros;
}

StatusOr<std::vector<int64_t>> ReadTimestamps(const std::filesystem::path& path) {
  auto csv = CsvFile::Open(path);
  if (!csv.ok()) return csv.status();
  auto ts_col = csv->Column("timestamp");
  if (!ts_col.ok()) return ts_col.status();
  std::vector<int64_t> out;
  Status s = ForEachRow(*csv, [&](const std::vector<std::string_view>& fields) {
    auto t = ParseNabTimestamp(fields[*ts_col]);
    if (!t.ok()) return csv->Error(t.status().message());
    out.push_back(*t);
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<NabRow>> ReadResults(const std::filesystem::path& path) {
  auto csv = CsvFile::Open(path);
  if (!csv.ok()) return csv.status();
  auto ts_col = csv->Column("timestamp");
  if (!ts_col.ok()) return ts_col.status();
  auto score_col = csv->Column("anomaly_score");
  if (!score_col.ok()) return score_col.status();
  std::vector<NabRow> out;
  Status s = ForEachRow(*csv, [&](const std::vector<std::string_view>& fields) {
    auto t = ParseNabTimestamp(fields[*ts_col]);
    if (!t.ok()) return csv->Error(t.status().message());
    const std::string_view text = fields[*score_col];
    double score;
    // Correctly rounded; a threshold equal to a score must compare equal.
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), score);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return csv->Error("bad anomaly_score \"" + std::string(text) + "\"");
    }
    out.push_back({*t, score});
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace augur::eval
