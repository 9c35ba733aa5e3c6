// Spot: streaming extreme-value tail of one side of a standardised residual,
// after SPOT/DSPOT (Siffer et al., KDD 2017, "Anomaly Detection in Streams
// with Extreme Value Theory"). Peaks over a high threshold u follow a
// generalised Pareto distribution (Pickands-Balkema-de Haan), so
//
//   P(Z > z) = phi * (1 + xi (z - u) / sigma)^(-1/xi)      for z > u,
//
// with phi = P(Z > u). DSPOT's drift handling is the Baseline: Spot sees
// residuals already standardised against it.
//
// Bounded-memory departures from the paper, for 12 bytes per tail instead of
// a buffer of all peaks:
//  - u is the running (1 - phi) quantile of z by stochastic approximation, so
//    phi = kPhi by construction rather than counted;
//  - sigma and xi come from the method of moments on exponentially weighted
//    first and second moments of the excesses (Hosking & Wallis 1987), not
//    Grimshaw's maximum likelihood; xi is kept in [0, 0.5] (never a bounded
//    tail: a short sample of a light tail fits xi slightly below 0);
//  - the moments start from a prior worth kPriorPeaks peaks of a Gaussian
//    tail, so a cold series is judged as Gaussian and learns heavier tails;
//  - in the second moment an excess counts as at most 5 mean excesses
//    (bounded influence), so one wild peak cannot make the tail heavy at
//    once; xi >= 0, and sigma follows the mean excess, sigma = m1 (1 - xi).
// Anomalies are learned too (SPOT leaves alarms out; then spikes that recur
// every few minutes alarm forever); the metric detector leaves out only the
// points after a raise on the side of the open incident (metric_detector.h).
//
// Not thread-safe; one per series and side.
#pragma once

#include <cstdint>

#include "detect/codec.h"

namespace augur::detect {

class Spot {
 public:
  static constexpr double kPhi = 0.02;  // u is the 98th percentile

  Spot();
  // -log10 P(Z >= z) under the learned tail (0 for z <= 0).
  double Evidence(double z) const;
  // Learns z; `points` is how many points the series has seen (for warm-up).
  void Learn(double z, uint32_t points);

  double threshold() const { return u_; }

  void Encode(ByteWriter* w) const;
  void Decode(ByteReader* r);

 private:
  float u_;   // threshold (98th percentile of z)
  float m1_;  // EW mean of excesses z - u over u
  float m2_;  // EW mean of squared excesses
};

}  // namespace augur::detect
