// ErrorDetector: errors of one RED series (errors out of requests per
// bucket) against the learned error ratio.
//
// Each bucket becomes a z-score by the binomial signed root deviance of its
// errors given its requests and the learned ratio p0 (stats.h), which is
// exact enough from 0 errors up, so a quiet bucket with 1 request counts for
// almost nothing and a busy one for a lot. An upward CUSUM accumulates the
// z-scores; an incident needs Options::alert_evidence *and* at least
// Options::min_events errors since the CUSUM's onset (1 error in 3 requests
// is never news). p0 is a ratio of exponential averages of errors and
// requests (so busy buckets weigh more), starting from a prior of 1 error in
// 200 requests worth 1000 requests.
//
// Only increases are reported (fewer errors is not an incident).
// 72 bytes. Not thread-safe; one per series.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "detect/cusum.h"
#include "detect/finding.h"
#include "detect/incident.h"
#include "detect/options.h"
#include "detect/points.h"

namespace augur::detect {

class ErrorDetector {
 public:
  // Buckets with no requests are skipped (score 0, no event).
  Verdict Update(const Options& o, const CountPoint& p);

  // The learned error ratio.
  double ratio() const;

  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

 private:
  // 2: the CUSUM's autocorrelation in 16 bits; 3: the incident's end time
  // (where the series came back).
  static constexpr uint8_t kVersion = 3;
  float errors_ = 0;    // exponential average of errors per bucket
  float requests_ = 0;  // ... and of requests per bucket
  uint64_t last_ns_ = 0;
  uint32_t n_ = 0;             // buckets seen
  uint32_t onset_errors_ = 0;  // errors since the CUSUM left zero
  Cusum cusum_;
  Incident incident_;
};

}  // namespace augur::detect
