#include "eval/nab_csv.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "common/time_format.h"

namespace augur::eval {
namespace {

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
  // NAB writes naive UTC times ("2014-04-10 07:15:00"): RFC 3339 without the zone.
  auto nanos = ParseTimestamp(std::string(s) + "Z");
  if (!nanos.ok() || s.size() > 26) return Status::InvalidArgument("bad timestamp \"" + std::string(s) + "\"");
  return static_cast<int64_t>(*nanos / 1000);
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
