#include "eval/loghub.h"

#include <fstream>
#include <unordered_map>

namespace augur::eval {
namespace {

double Pairs(uint64_t n) {
  return n < 2 ? 0.0 : static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;
}

int Column(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

const std::vector<std::string>& LoghubSystems() {
  static const std::vector<std::string> kSystems = {
      "HDFS",  "Hadoop",  "Spark",     "Zookeeper", "BGL",       "HPC",     "Thunderbird", "Windows",
      "Linux", "Android", "HealthApp", "Apache",    "Proxifier", "OpenSSH", "OpenStack",   "Mac"};
  return kSystems;
}

std::filesystem::path LoghubStructuredPath(const std::filesystem::path& dir, std::string_view system) {
  return dir / std::string(system) / (std::string(system) + "_2k.log_structured.csv");
}

StatusOr<std::vector<std::string>> SplitCsvRecord(std::string_view record) {
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < record.size() && record[i] == '"') {
      ++i;
      while (true) {
        if (i >= record.size()) return Status::InvalidArgument("unterminated quoted field");
        if (record[i] == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(record[i++]);
      }
      // Anything after the closing quote up to the comma is kept, as lenient readers do.
      while (i < record.size() && record[i] != ',') field.push_back(record[i++]);
    } else {
      while (i < record.size() && record[i] != ',') field.push_back(record[i++]);
    }
    fields.push_back(field);
    if (i >= record.size()) break;
    ++i;  // the comma
  }
  return fields;
}

StatusOr<std::vector<LoghubLine>> ReadLoghubStructured(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot open");
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument(path.string() + ": empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
  auto header = SplitCsvRecord(line);
  if (!header.ok()) return Status::InvalidArgument(path.string() + ":1: " + header.status().message());
  const int content = Column(*header, "Content");
  const int id = Column(*header, "EventId");
  const int tmpl = Column(*header, "EventTemplate");
  if (content < 0 || id < 0 || tmpl < 0) {
    return Status::InvalidArgument(path.string() + ": no Content, EventId or EventTemplate column");
  }
  std::vector<LoghubLine> lines;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = SplitCsvRecord(line);
    // A quoted field may span lines.
    while (!fields.ok()) {
      std::string more;
      if (!std::getline(in, more)) break;
      ++line_no;
      if (!more.empty() && more.back() == '\r') more.pop_back();
      line += "\n" + more;
      fields = SplitCsvRecord(line);
    }
    if (!fields.ok()) {
      return Status::InvalidArgument(path.string() + ":" + std::to_string(line_no) + ": " + fields.status().message());
    }
    if (static_cast<int>(fields->size()) != static_cast<int>(header->size())) {
      return Status::InvalidArgument(path.string() + ":" + std::to_string(line_no) + ": " +
                                     std::to_string(fields->size()) + " fields, want " +
                                     std::to_string(header->size()));
    }
    lines.push_back(LoghubLine{std::move((*fields)[content]), std::move((*fields)[id]), std::move((*fields)[tmpl])});
  }
  return lines;
}

StatusOr<ParsingScores> ScoreParsing(std::span<const LoghubLine> truth, std::span<const uint64_t> predicted_ids,
                                     std::span<const std::string> predicted_templates) {
  if (predicted_ids.size() != truth.size() || predicted_templates.size() != truth.size()) {
    return Status::InvalidArgument("prediction sizes differ from the ground truth's");
  }
  std::unordered_map<std::string, uint64_t> truth_sizes;
  std::unordered_map<uint64_t, std::unordered_map<std::string, uint64_t>> groups;  // predicted -> truth -> lines
  ParsingScores s;
  size_t correct_templates = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i].event_id.empty()) continue;
    ++s.lines;
    ++truth_sizes[truth[i].event_id];
    ++groups[predicted_ids[i]][truth[i].event_id];
    correct_templates += predicted_templates[i] == truth[i].event_template;
  }
  if (s.lines == 0) return s;
  double real_pairs = 0, parsed_pairs = 0, accurate_pairs = 0;
  uint64_t accurate_lines = 0;
  for (const auto& [event, n] : truth_sizes) real_pairs += Pairs(n);
  for (const auto& [predicted, by_truth] : groups) {
    uint64_t size = 0;
    for (const auto& [event, n] : by_truth) {
      size += n;
      accurate_pairs += Pairs(n);
    }
    parsed_pairs += Pairs(size);
    if (by_truth.size() == 1 && truth_sizes.at(by_truth.begin()->first) == size) accurate_lines += size;
  }
  s.precision = parsed_pairs > 0 ? accurate_pairs / parsed_pairs : 0;
  s.recall = real_pairs > 0 ? accurate_pairs / real_pairs : 0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
  s.grouping_accuracy = static_cast<double>(accurate_lines) / static_cast<double>(s.lines);
  s.parsing_accuracy = static_cast<double>(correct_templates) / static_cast<double>(s.lines);
  return s;
}

}  // namespace augur::eval
