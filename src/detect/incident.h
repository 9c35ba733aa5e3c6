// Incident: the noise guards between a detector's evidence and what it
// reports, so that one anomaly is one incident with a start and an end.
//
//  - minimum evidence: a persistent (change-point) candidate needs
//    Options::alert_evidence (plus the caller's Candidates::level_bar_raise),
//    a single-point (spike) one spike_evidence, and
//    nothing is raised while the caller says the series is still warming up;
//  - persistence is the change-point statistic's job (CUSUM accumulates over
//    points), so a raise needs either a run of evidence or one extreme point;
//  - hysteresis and cooldown: an open incident ends only after
//    end_quiet_points points in a row below end_evidence, and raises nothing
//    new meanwhile; a spike whose evidence persists becomes a level shift
//    (Event::kUpdated) rather than a second incident;
//  - the end time is where the series came back, not where that was
//    confirmed: the first point of the run of points within
//    Options::end_band scales of the learned normal (on the incident's
//    side) that lasted to the end. A shift capped the change-point
//    statistic high, and it takes minutes to drain after the fault stops;
//    ending sooner, when the points alone look normal, was tried and cost
//    NAB false alarms (a baseline still catching up re-raised), so only
//    the end time moved (docs/benchmarks.md, "Time to detect").
//
// 20 bytes: the onset is kept as milliseconds before the raise and the
// return as milliseconds after it (each at most ~49 days), the peak score
// in 1/65535ths. Not thread-safe; one per series.
#pragma once

#include <cstdint>

#include "detect/codec.h"
#include "detect/finding.h"
#include "detect/options.h"

namespace augur::detect {

// One point's evidence, as the detector measured it.
struct Candidates {
  double level_evidence = 0;  // change-point evidence (CUSUM), the larger side
  Direction level_direction = Direction::kUp;
  uint64_t level_onset_ns = 0;  // where that side's statistic left zero
  // Extra evidence this series' level candidate needs beyond
  // Options::alert_evidence (the metric detector's alert fatigue); its
  // score is measured against the raised bar too.
  double level_bar_raise = 0;
  double spike_evidence = 0;  // single-point evidence, the larger side
  Direction spike_direction = Direction::kUp;
  // This point's own distance from the learned normal, in scales, each way
  // (up: how far above; the larger of the detector's tests), for the end time.
  double deviation_up = 0, deviation_down = 0;
};

class Incident {
 public:
  // Advances by one point at `time_ns`. Returns the event and, when there is
  // one, fills the guard's part of `f` (direction, onset, raised, ended,
  // score) and sets *persistent (level shift, not spike). `raw_score` gets
  // this point's evidence as a score; the return value's `score` rule is
  // Verdict's.
  Event Step(const Options& o, uint64_t time_ns, const Candidates& c, bool may_raise, Finding* f, bool* persistent,
             double* raw_score, double* score);

  bool open() const { return (flags_ & kOpen) != 0; }
  bool persistent() const { return (flags_ & kPersistent) != 0; }
  // The open incident's direction (kUp when none is open).
  Direction direction() const { return (flags_ & kDown) ? Direction::kDown : Direction::kUp; }

  void Encode(ByteWriter* w) const;
  void Decode(ByteReader* r);

 private:
  static constexpr uint8_t kOpen = 1, kPersistent = 2, kDown = 4;
  void Fill(Finding* f) const;

  void SetOnset(uint64_t onset_ns);
  void RaisePeak(double score);

  uint64_t raised_ns_ = 0;
  static constexpr uint32_t kNoCalm = UINT32_MAX;
  uint32_t onset_ms_before_ = 0;      // onset = raised - this
  uint32_t calm_ms_after_ = kNoCalm;  // the series came back at raised + this
  uint16_t peak_score_ = 0;           // score * 65535
  uint8_t quiet_ = 0;                 // quiet points so far, saturating
  uint8_t flags_ = 0;
};

}  // namespace augur::detect
