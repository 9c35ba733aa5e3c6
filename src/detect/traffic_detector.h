// TrafficDetector: requests per bucket of one RED series against their
// learned (seasonal) normal.
//
// The Baseline (baseline.h) gives the expected count; a bucket's z-score is
// the Poisson signed root deviance of its count, or the empirical one
// (residual over the learned scale) when that is less extreme: real traffic
// is overdispersed, and the Poisson test alone would cry wolf at every
// burst. A two-sided CUSUM accumulates; drops are not tested while fewer than
// Options::min_expected_count requests per bucket are expected (a quiet
// endpoint at 0 is not an outage).
//
// 224 bytes. Not thread-safe; one per series.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "detect/baseline.h"
#include "detect/cusum.h"
#include "detect/finding.h"
#include "detect/incident.h"
#include "detect/options.h"
#include "detect/points.h"

namespace augur::detect {

class TrafficDetector {
 public:
  Verdict Update(const Options& o, const CountPoint& p);
  Expectation Expect(const Options& o, uint64_t time_ns) const { return base_.Expect(o, time_ns); }

  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

 private:
  // 2: the baseline's trend; 3: the CUSUM's autocorrelation in 16 bits;
  // 4: the incident's end time (where the series came back).
  static constexpr uint8_t kVersion = 4;
  Baseline base_;
  Cusum cusum_;
  Incident incident_;
};

}  // namespace augur::detect
