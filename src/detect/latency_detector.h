// LatencyDetector: the latency distribution of one RED series (one
// LatencyPoint per bucket) against its learned normal.
//
// Two kinds of evidence, each turned into a z-score per bucket:
//  - quantiles: p50, p90 and p99 each have a robust exponentially weighted
//    level and scale in log space (latency noise is multiplicative), and are
//    tested only for buckets with at least Options::min_latency_count
//    requests (the p99 of 3 requests says nothing);
//  - slow requests: when the caller counted the requests above Reference()
//    (twice the learned normal p99, so normally rare) from its sketch, the
//    tail probability of that count under the learned share of slow
//    requests. The share is a Beta posterior (a weak prior plus the requests
//    remembered), widened when slow requests come in bursts (a learned
//    dispersion, method of moments of a beta-binomial), and the count is
//    judged by the beta-binomial predictive: a share learned from little or
//    bursty data is not over-trusted. This is the sharpest test for "every
//    request got 150 ms slower": at 5 requests/s and 5 s buckets it sees 25
//    requests, of which normally almost none are that slow.
// Two CUSUMs (clipped at 8 per bucket) accumulate them: a two-sided one on
// the median's z (the typical request got slower or faster) and an upward
// one on the slow count's z, or on the p99's when the caller has no slow
// count (the tail got slower). Taking the maximum of several z-scores per
// bucket instead would bias the CUSUM input upward and make it drift into
// false alarms. And one bucket alone raises (as a spike, Options::
// spike_evidence) when its slow count is that improbable by itself: the
// first bucket of a gray failure, often only partly affected, is enough,
// while ordinary noise never is. p90 is learned for the explanation.
// A series whose buckets are mostly sparse (fewer than min_latency_count
// requests: an endpoint called every few seconds) learns its levels from
// them, i.e. from single requests, and takes as its p99 the one their
// spread implies; its quantiles are never tested, its slow share is.
// Incident guards as everywhere. No seasonality: latency rarely has a
// daily cycle worth 184 bytes.
//
// 136 bytes. Not thread-safe; one per series.
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

class LatencyDetector {
 public:
  // Buckets with count 0 are skipped (score 0, no event).
  Verdict Update(const Options& o, const LatencyPoint& p);

  // The latency to count slow requests above for the next point (twice the
  // learned normal p99, in the points' unit); 0 until one bucket was seen.
  double Reference() const;
  // The learned normal of p50, p90, p99 (index 0..2), in the points' unit.
  double Normal(int quantile) const;

  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

 private:
  // 3: the CUSUM's autocorrelation in 16 bits; 4: the incident's end time
  // (where the series came back).
  static constexpr uint8_t kVersion = 4;
  struct LogLevel {  // robust EW level and mean absolute deviation of log(value)
    float level = 0;
    float mad = 0;
  };
  LogLevel q_[3];
  float slow_ = 0;        // EW of slow requests per bucket
  float count_ = 0;       // EW of requests per bucket (where slow was known)
  float dispersion_ = 1;  // EW of the slow counts' Pearson X^2 per bucket: 1 if binomial, more if bursty
  uint64_t last_ns_ = 0;
  uint32_t n_ = 0;   // buckets with quantiles learned
  uint32_t ns_ = 0;  // buckets with a slow count learned
  Cusum median_;     // two-sided, on the p50 z
  Cusum tail_;       // upward, on the slow share z (or the p99 z)
  Incident incident_;
};

}  // namespace augur::detect
