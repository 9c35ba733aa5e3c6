#include "analysis/explain.h"

#include <cstdio>

namespace augur::analysis {

std::string RedSubject(const model::SeriesKey& key) {
  const std::string_view peer = key.Attribute("peer");
  if (!peer.empty()) return "calls from " + key.service + " to " + std::string(peer) + " (" + key.operation + ")";
  return key.operation + " on " + key.service;
}

std::string MetricSubject(const model::SeriesKey& key) {
  std::string s = key.metric + " of " + key.service;
  if (!key.operation.empty()) s += " " + key.operation;
  for (size_t i = 0; i < key.attributes.size(); ++i) {
    s += i == 0 ? " (" : ", ";
    s += key.attributes[i].first + "=" + key.attributes[i].second;
  }
  if (!key.attributes.empty()) s += ")";
  return s;
}

std::string Explain(const model::SeriesKey& key, const detect::Finding& f, std::string_view unit, double reference) {
  const bool red = key.metric == "span.duration" || key.metric == "span.errors" || key.metric == "span.requests";
  if (!red) return detect::Describe(f, MetricSubject(key), unit);
  std::string subject = RedSubject(key);
  switch (f.quantity) {
    case detect::Quantity::kP50:
    case detect::Quantity::kP90:
    case detect::Quantity::kP99: subject = "duration of " + subject; break;
    case detect::Quantity::kSlowShare:
      if (reference > 0) {
        // Describe says "share of slow requests in <subject>"; say what slow is.
        std::string line = detect::Describe(f, subject, unit);
        constexpr std::string_view kSlow = "slow requests ";
        char buf[64];
        std::snprintf(buf, sizeof buf, "(over %.3g ms) ", reference);
        if (size_t at = line.find(kSlow); at != std::string::npos) line.insert(at + kSlow.size(), buf);
        return line;
      }
      break;
    default: break;
  }
  return detect::Describe(f, subject, unit);
}

}  // namespace augur::analysis
