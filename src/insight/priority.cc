#include "insight/priority.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>

namespace augur::insight {
namespace {

// Scores are compared to 0.01: differences below that are the detectors'
// arithmetic, not a stronger signal.
long Strength(const model::Insight& in, bool causal_only) {
  double best = 0;
  for (const auto& m : in.anomalies) {
    if (!causal_only || m.role == "causal") best = std::max(best, m.anomaly.score);
  }
  return std::lround(best * 100);
}

size_t Services(const model::Insight& in) {
  std::set<std::string> services;
  for (const auto& m : in.anomalies) services.insert(m.anomaly.series.service);
  return services.size();
}

}  // namespace

bool AttendFirst(const model::Insight& a, const model::Insight& b) {
  // Larger is first for every key but the start and the id.
  auto key = [](const model::Insight& in) {
    return std::make_tuple(in.type == "REACTIVE", Strength(in, false), Strength(in, true),
                           model::SeverityRank(in.severity), Services(in), in.anomalies.size());
  };
  const auto ka = key(a), kb = key(b);
  if (ka != kb) return ka > kb;
  return std::tie(a.start_ns, a.id) < std::tie(b.start_ns, b.id);
}

}  // namespace augur::insight
