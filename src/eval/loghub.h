// Scoring log parsers on loghub (github.com/logpai/loghub, the 2k-line
// samples of 16 systems, each line labelled with its event and template).
//
// The metrics follow the published evaluation code:
//   - grouping accuracy (GA) and pairwise precision / recall / F1, as in
//     logpai/logparser's evaluator.get_accuracy: a line is correctly grouped
//     iff its predicted group holds exactly the lines of its true event;
//     pairs are the unordered pairs of lines within a group;
//   - parsing accuracy (PA), as in the Loghub-2.0 evaluator: the share of
//     lines whose predicted template string equals the true one exactly.
// Lines whose true event id is empty are left out, as evaluate() drops null
// EventIds. Pure functions apart from reading files; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augur::eval {

// One line of a <System>_2k.log_structured.csv file.
struct LoghubLine {
  std::string content;         // the message, after the log header
  std::string event_id;        // E1, E2, ...
  std::string event_template;  // with <*> for values
};

// The 16 systems of loghub-2k, in the order of the published tables.
const std::vector<std::string>& LoghubSystems();

// <dir>/<system>/<system>_2k.log_structured.csv
std::filesystem::path LoghubStructuredPath(const std::filesystem::path& dir, std::string_view system);

// Splits one CSV record (RFC 4180: fields in double quotes may hold commas
// and "" for a quote). InvalidArgument on an unterminated quote.
StatusOr<std::vector<std::string>> SplitCsvRecord(std::string_view record);

// Reads the Content, EventId and EventTemplate columns (found by header
// name). NotFound if the file is missing; InvalidArgument with the line
// number if it is malformed.
StatusOr<std::vector<LoghubLine>> ReadLoghubStructured(const std::filesystem::path& path);

struct ParsingScores {
  size_t lines = 0;  // lines scored
  double grouping_accuracy = 0;
  double precision = 0;  // 0 when no predicted group has two lines
  double recall = 0;     // 0 when no true event has two lines
  double f1 = 0;
  double parsing_accuracy = 0;
};

// truth and predicted_ids/predicted_templates are parallel: one entry per
// line. InvalidArgument if the sizes differ.
StatusOr<ParsingScores> ScoreParsing(std::span<const LoghubLine> truth, std::span<const uint64_t> predicted_ids,
                                     std::span<const std::string> predicted_templates);

}  // namespace augur::eval
