// The NAB directory layout: labels, cost profiles, published thresholds, and
// a detector's results directory, loaded into what nab.h scores.
//
//   <nab_dir>/labels/combined_windows.json  {"<category>/<name>.csv": [[begin, end], ...]}
//   <nab_dir>/config/profiles.json          {"<profile>": {"CostMatrix": {"tpWeight": .., ..}}}
//   <nab_dir>/config/thresholds.json        {"<detector>": {"<profile>": {"threshold": .., ..}}}
//   <nab_dir>/data/<category>/<name>.csv    timestamp,value
//   <results_dir>/<category>/<detector>_<name>.csv   timestamp,value,anomaly_score,...
//
// The file set is the label file's: every labelled series must have a
// results file (NAB would silently leave a missing one out, inflating the
// normalised score). Files are read on the calling thread; the functions keep
// no state and may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "eval/nab.h"

namespace augur::eval {

// Windows per series, keyed by the path relative to data/ ("realTweets/Twitter_volume_FB.csv").
using NabLabels = std::map<std::string, std::vector<NabWindow>>;

StatusOr<NabLabels> LoadWindows(const std::filesystem::path& path);

// The profiles in file order.
StatusOr<std::vector<CostProfile>> LoadProfiles(const std::filesystem::path& path);

// Threshold per profile name for `detector`; NotFound if the file has no
// entry for it (as for a detector NAB never published).
StatusOr<std::map<std::string, double>> LoadThresholds(const std::filesystem::path& path, std::string_view detector);

struct NabCorpus {
  std::vector<FileCredits> files;  // sorted by series name
  int64_t num_label_windows = 0;   // all windows in the label file
  int64_t num_rows = 0;            // all rows read, probation included
};

// Loads the labels and a detector's results and credits every row. The
// timestamps scored are the data file's, as in NAB; the results file must
// carry the same timestamps row for row (InvalidArgument otherwise), so a
// detector that drops or shifts rows is caught rather than misaligned.
StatusOr<NabCorpus> LoadCorpus(const std::filesystem::path& nab_dir, const std::filesystem::path& results_dir,
                               std::string_view detector);

}  // namespace augur::eval
