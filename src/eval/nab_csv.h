// Reading NAB's CSV files: data files (timestamp,value) and detector results
// (timestamp,value,anomaly_score,...). Columns are found by header name, so
// extra columns (NAB writes label and S(t)_<profile> ones) are ignored.
// Fields are plain: no quoting, no embedded commas. Pure functions apart from
// reading the file; safe from many threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "eval/nab.h"

namespace augur::eval {

// Parses "YYYY-MM-DD HH:MM:SS[.f]" (1 to 6 fractional digits; 'T' is also
// accepted as the separator) into microseconds since the Unix epoch, reading
// the wall-clock time as UTC. InvalidArgument otherwise.
StatusOr<int64_t> ParseNabTimestamp(std::string_view text);

// The "timestamp" column of a CSV file, in file order. NotFound if the file
// is missing, InvalidArgument (with the line number) if malformed.
StatusOr<std::vector<int64_t>> ReadTimestamps(const std::filesystem::path& path);

// The "timestamp" and "anomaly_score" columns of a detector's results file.
StatusOr<std::vector<NabRow>> ReadResults(const std::filesystem::path& path);

}  // namespace augur::eval
