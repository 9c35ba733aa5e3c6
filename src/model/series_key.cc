#include "model/series_key.h"

namespace augur::model {

std::string SeriesKey::ToString() const {
  std::string s = metric + "{service=" + service;
  if (!operation.empty()) s += ",operation=" + operation;
  for (const auto& [k, v] : attributes) s += "," + k + "=" + v;
  return s + "}";
}

std::string_view SeriesKey::Attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace augur::model
