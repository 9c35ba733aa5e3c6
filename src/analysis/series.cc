#include "analysis/series.h"

#include <charconv>
#include <variant>

namespace augur::analysis {

std::string AttributeString(const model::AnyValue& value) {
  if (const auto* s = std::get_if<std::string>(&value.value)) return *s;
  if (const auto* b = std::get_if<bool>(&value.value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&value.value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value.value)) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *d);
    return ec == std::errc() ? std::string(buf, end) : std::string();
  }
  return {};
}

detect::LatencyPoint ToLatencyPoint(const SeriesPoint& p, double reference) {
  detect::LatencyPoint lp;
  lp.time_ns = p.time_ns;
  if (!p.sketch || p.sketch->empty()) return lp;
  const DDSketch& s = *p.sketch;
  lp.count = s.count();
  lp.p50 = s.Quantile(0.5);
  lp.p90 = s.Quantile(0.9);
  lp.p99 = s.Quantile(0.99);
  if (reference > 0) {
    lp.reference = reference;
    lp.slow = s.CountAbove(reference);
  }
  return lp;
}

}  // namespace augur::analysis
