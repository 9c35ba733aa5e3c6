// Two-sided CUSUM (Page 1954) on standardised residuals, with an onset
// estimate: the time at which the statistic last rose above its noise floor
// k (Page's "last time it left zero", made robust to the small positive
// values ordinary noise leaves), i.e. the first point of the run of evidence
// that raised it; a single point whose excess exceeds all the evidence
// accumulated before it restarts the run (a jump, not the noise before it).
//
//   S+ = max(0, S+ + min(z, clip) - k)      S- = max(0, S- - max(z, -clip) - k)
//
// Clipping bounds what one point can add, so a single spike does not look like
// a level shift (spikes are Spot's business) and a big step needs two points.
// Statistics are capped at `cap` so an ended shift is forgotten quickly.
//
// Real residuals are autocorrelated (a level that wanders faster than the
// baseline follows), and a CUSUM on them fires far more often than its
// nominal rate. So the input is divided by the AR(1) long-run deviation
// factor sqrt((1 + rho) / (1 - rho)), with rho the lag-1 autocorrelation of
// the (clipped) z-scores, learned as an exponential average over ~200 points
// (a plain mean over the first ones, when the caller says how many it has
// seen: an average started at 0 would take a strongly autocorrelated series
// for an independent one for hundreds of points, and its wander for shifts).
//
// 20 bytes, serialized and in memory: the autocorrelation's two numbers are
// kept in 1/32767ths, the onsets in whole Unix seconds (an estimate's
// precision; the bytes went to the incident's end time, incident.h). Not
// thread-safe; one per series.
#pragma once

#include <cstdint>

#include "detect/codec.h"

namespace augur::detect {

class Cusum {
 public:
  // `seen`: points of this series before this one, if the caller counts
  // them (for the autocorrelation's start; see above).
  static constexpr uint32_t kSeenMany = UINT32_MAX;
  void Add(uint64_t time_ns, double z, double k, double clip, double cap, uint32_t seen = kSeenMany);
  void Reset() { *this = Cusum(); }
  // Forgets the accumulated evidence but keeps what was learned of the
  // input (its autocorrelation).
  void ClearEvidence() { up_ = down_ = 0; }
  double rho() const { return rho_ * kUnit; }
  // `z` as Add() would weigh it with the autocorrelation learned so far
  // (divided by the long-run deviation factor), before clipping.
  double Whitened(double z) const;

  double up() const { return up_; }
  double down() const { return down_; }
  uint64_t up_onset_ns() const { return uint64_t{up_onset_s_} * 1'000'000'000; }
  uint64_t down_onset_ns() const { return uint64_t{down_onset_s_} * 1'000'000'000; }

  void Encode(ByteWriter* w) const;
  void Decode(ByteReader* r);

 private:
  static constexpr double kUnit = 1.0 / 32767;  // of rho_ (in [-1, 1]); prev_z_ is in kRhoClip / 32767ths
  float up_ = 0;
  float down_ = 0;
  int16_t prev_z_ = 0;       // last clipped z, for rho
  int16_t rho_ = 0;          // lag-1 autocorrelation estimate
  uint32_t up_onset_s_ = 0;  // Unix seconds, rounded down (until 2106)
  uint32_t down_onset_s_ = 0;
};

}  // namespace augur::detect
