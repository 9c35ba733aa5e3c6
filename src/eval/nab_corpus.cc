#include "eval/nab_corpus.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "eval/nab_csv.h"

namespace augur::eval {
namespace {

// Profiles keep their file order, so reports list them as NAB's config does.
using OrderedJson = nlohmann::ordered_json;

StatusOr<OrderedJson> ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path.string() + ": cannot open");
  OrderedJson json = OrderedJson::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument(path.string() + ": not valid JSON");
  return json;
}

Status RowsMatch(const std::string& name, const std::vector<int64_t>& data, const std::vector<NabRow>& results) {
  if (data.size() != results.size()) {
    return Status::InvalidArgument(name + ": results have " + std::to_string(results.size()) + " rows, data has " +
                                   std::to_string(data.size()));
  }
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != results[i].timestamp_us) {
      return Status::InvalidArgument(name + ": row " + std::to_string(i) + ": results timestamp differs from data's");
    }
  }
  return Status::OK();
}

}  // namespace

StatusOr<NabLabels> LoadWindows(const std::filesystem::path& path) {
  auto json = ReadJson(path);
  if (!json.ok()) return json.status();
  NabLabels labels;
  try {
    for (const auto& [file, windows] : json->items()) {
      std::vector<NabWindow>& out = labels[file];
      for (const auto& limits : windows) {
        if (limits.size() != 2) return Status::InvalidArgument(path.string() + ": " + file + ": window is not a pair");
        auto begin = ParseNabTimestamp(limits[0].get<std::string>());
        auto end = ParseNabTimestamp(limits[1].get<std::string>());
        if (!begin.ok()) return Status::InvalidArgument(path.string() + ": " + file + ": " + begin.status().message());
        if (!end.ok()) return Status::InvalidArgument(path.string() + ": " + file + ": " + end.status().message());
        out.push_back({*begin, *end});
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path.string() + ": " + e.what());
  }
  return labels;
}

StatusOr<std::vector<CostProfile>> LoadProfiles(const std::filesystem::path& path) {
  auto json = ReadJson(path);
  if (!json.ok()) return json.status();
  std::vector<CostProfile> profiles;
  try {
    for (const auto& [name, profile] : json->items()) {
      const OrderedJson& costs = profile.at("CostMatrix");
      profiles.push_back({name, costs.at("tpWeight").get<double>(), costs.at("fpWeight").get<double>(),
                          costs.at("fnWeight").get<double>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path.string() + ": " + e.what());
  }
  return profiles;
}

StatusOr<std::map<std::string, double>> LoadThresholds(const std::filesystem::path& path, std::string_view detector) {
  auto json = ReadJson(path);
  if (!json.ok()) return json.status();
  const auto entry = json->find(detector);
  if (entry == json->end()) return Status::NotFound(path.string() + ": no thresholds for " + std::string(detector));
  std::map<std::string, double> thresholds;
  try {
    for (const auto& [profile, values] : entry->items()) thresholds[profile] = values.at("threshold").get<double>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path.string() + ": " + e.what());
  }
  return thresholds;
}

StatusOr<NabCorpus> LoadCorpus(const std::filesystem::path& nab_dir, const std::filesystem::path& results_dir,
                               std::string_view detector) {
  auto labels = LoadWindows(nab_dir / "labels" / "combined_windows.json");
  if (!labels.ok()) return labels.status();
  NabCorpus corpus;
  for (const auto& [name, windows] : *labels) {
    const std::filesystem::path relative(name);
    auto timestamps = ReadTimestamps(nab_dir / "data" / relative);
    if (!timestamps.ok()) return timestamps.status();
    const std::filesystem::path results_file =
        results_dir / relative.parent_path() / (std::string(detector) + "_" + relative.filename().string());
    auto results = ReadResults(results_file);
    if (!results.ok()) return results.status();
    if (Status s = RowsMatch(name, *timestamps, *results); !s.ok()) return s;
    auto credits = PrepareFile(name, *results, windows);
    if (!credits.ok()) return credits.status();
    corpus.files.push_back(std::move(credits).value());
    corpus.num_label_windows += static_cast<int64_t>(windows.size());
    corpus.num_rows += static_cast<int64_t>(results->size());
  }
  return corpus;
}

}  // namespace augur::eval
