// Settings shared by the detectors: how much evidence raises an incident and
// what ends one. One Options per sensitivity tier is enough; detectors take
// it by const reference on every call and never keep it, so a series' tier
// can change at any time and the per-series state stays small.
//
// Evidence is measured in decimal orders of magnitude of surprise:
// e = -log10(approximate probability of seeing this much under the learned
// normal). e = 5 means "a 1 in 100 000 event"; scores map e to [0, 1] with
// e = alert_evidence at 0.5 (see Score()).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace augur::detect {

enum class Sensitivity : uint8_t { kLow = 0, kMedium = 1, kHigh = 2 };

struct Options {
  // --- incidents (noise guards) ---
  // Evidence at which an incident is raised.
  double alert_evidence = 5.0;
  // Single-point excursions (spikes) need this much, since nothing else backs them.
  double spike_evidence = 6.0;
  // An open incident ends after `end_quiet_points` points in a row with
  // evidence below `end_evidence` (hysteresis and cooldown in one: one
  // incident is one anomaly).
  double end_evidence = 1.5;
  double end_spike_evidence = 3;  // ... and no single point above this (1 in 1000)
  uint32_t end_quiet_points = 12;
  // ... and its end time is the first of the points since then within this
  // many scales of the learned normal on its side (incident.h).
  double end_band = 2;
  // Nothing is raised before this many points (cold start)...
  uint32_t warmup_points = 30;
  // The budget of false incidents per series-day the bars are set for
  // (ForRate); a series whose own recent incidents exceed it gets higher
  // bars (alert fatigue, metric_detector.h).
  double false_per_day = 1e-3;

  // --- baseline ---
  // Memory of the level: an exponential average with this time constant,
  // but never remembering fewer than min or more than max points.
  double level_tau_s = 3600;
  uint32_t level_min_points = 60;
  uint32_t level_max_points = 1000;
  // A change smaller than this fraction of the level is never significant by
  // itself: the scale is at least rel_scale_floor * |level|.
  double rel_scale_floor = 0.01;
  // Residuals are clipped at this many scales when learning (robustness).
  double learn_clip = 2.5;

  // --- change points (CUSUM) ---
  double cusum_k = 0.5;  // allowance in scales: tuned to shifts of ~2k = 1 scale
  // A point adds at most this many scales: a lone spike is not a level shift
  // (and a big step is raised as a spike first, then updated).
  double cusum_clip = 4;

  // --- counts ---
  // No errors incident with fewer errors than this in it (1 error in 3 requests is not news).
  uint32_t min_events = 3;
  // No traffic drop incident unless the expected count per bucket is at least this.
  double min_expected_count = 5;
  // Latency quantiles of buckets with fewer requests than this are not tested.
  uint32_t min_latency_count = 5;

  static Options For(Sensitivity s);

  // Options for a series of `points_per_day` points a day, with the bars
  // set by a budget of false incidents per series-day rather than per
  // point, so a series with 5 s buckets is no noisier than an hourly one.
  // Evidence e at a point means about one false alarm in 10^e points on
  // data that fits the learned normal (for a CUSUM, its stationary tail),
  // so a budget B a day needs e >= log10(points_per_day / B). B is 1e-2,
  // 1e-3 and 1e-4 false incidents per series-day for kHigh, kMedium and
  // kLow; spikes need one order more, as in For(). 5 s buckets at kMedium:
  // alert 7.2, spike 8.2. Never below For(s)'s bars.
  static Options ForRate(Sensitivity s, double points_per_day);
};

inline Options Options::For(Sensitivity s) {
  Options o;
  switch (s) {
    case Sensitivity::kLow:
      o.alert_evidence = 7;
      o.spike_evidence = 8;
      o.false_per_day = 1e-4;
      break;
    case Sensitivity::kMedium: break;
    case Sensitivity::kHigh:
      o.alert_evidence = 3.5;
      o.spike_evidence = 4.5;
      o.false_per_day = 1e-2;
      break;
  }
  return o;
}

inline Options Options::ForRate(Sensitivity s, double points_per_day) {
  Options o = For(s);
  const double e = std::log10(std::max(points_per_day, 1.0) / o.false_per_day);
  o.alert_evidence = std::max(o.alert_evidence, e);
  o.spike_evidence = std::max(o.spike_evidence, e + 1);
  return o;
}

}  // namespace augur::detect
