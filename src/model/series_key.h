// SeriesKey: the identity of one analysed series (a RED metric of a span
// operation, or a series derived from an OTLP metric), shared by analysis,
// detection, storage and the API.
//
// metric: "span.requests", "span.errors", "span.duration", or an OTLP metric
// name plus a derived suffix ("http.server.duration.p90", "queue.size").
// attributes are sorted by key, keys unique, so equal series compare equal.
// Plain value; copy freely.
#pragma once

#include <compare>
#include <string>
#include <utility>
#include <vector>

namespace augur::model {

struct SeriesKey {
  std::string metric;
  std::string service;                                          // resource service.name
  std::string operation;                                        // span name; "" for OTLP metrics
  std::vector<std::pair<std::string, std::string>> attributes;  // sorted by key, keys unique
  auto operator<=>(const SeriesKey&) const = default;
  bool operator==(const SeriesKey&) const = default;
  // metric{service=..,operation=..,k=v,...}: for logs, tests and ids.
  std::string ToString() const;
  // The value of attribute `key`, or "".
  std::string_view Attribute(std::string_view key) const;
};

}  // namespace augur::model
