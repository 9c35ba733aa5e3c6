// Analyzer: telemetry in, anomalies and inferred change events out. The
// pure heart of augur's analysis, fed with every committed batch in commit
// order by the analysis stage (ingest/analysis_stage.h), and by benchmarks
// and scenario tests directly.
//
//   Batch ─┬─ spans ──> RedAggregator ──(closed buckets)──┬─ span.duration ─> LatencyDetector
//          │                                               ├─ span.errors  ──> ErrorDetector
//          │                                               └─ span.requests ─> TrafficDetector
//          ├─ metrics ─> MetricSeries ──(points)─────────────────────────────> MetricDetector
//          └─ resources ─> VersionTracker ──> inferred DEPLOYMENT events
//
// Detectors run on the series without service.version (one state per
// (service, operation, kind[, peer]) and per OTLP series); the versioned RED
// series are kept for comparing versions, not alerted on, since each new
// version would start cold. The three RED detectors of one key share its
// buckets: span.requests and span.errors of a bucket make one CountPoint,
// span.duration a LatencyPoint counted against the detector's reference.
//
// Sensitivity: the detectors' bars come from detect::Options::ForRate, a
// budget of false incidents per series-day (1e-3 at kMedium) turned into
// evidence per point with the series' points per day: 86400 s / bucket
// width for RED, the learned interval between points for OTLP metrics.
//
// Empty RED buckets: RED emits nothing for a bucket without spans. Where the
// traffic detector expects at least Options::min_expected_count requests a
// bucket, such a bucket is a zero, and it gets one (so a service that stops
// is a traffic drop); a quiet endpoint's gaps stay gaps. Zeros are given
// only for buckets the input covered: when no span arrived from anyone for
// a minute of event time (augur was down, or the whole input paused; span
// end times, and AdvanceTo like a span at time + lateness), those buckets
// are unknown, not zero.
//
// Anomaly times (model/anomaly.h): onset from the detector; detected_ns is
// the earliest event time at which the raising point could be known: for a
// RED bucket its end plus the allowed lateness (when the watermark closes
// it), for an OTLP metric point its own time. Neither depends on how the
// input was cut into batches, nor on when it arrived. end_ns is the time of
// the point that ended the incident (a RED bucket's start). updated_ns is
// the detected_ns-like time of the latest change. Ids: "an-" + 16 hex
// digits of FNV-1a 64 of the series and the raising point's time.
//
// Explanations (explain.h): "p90 duration of POST /items on writer rose from
// 41 ms to 380 ms; expected 30–55 ms", "share of slow requests (over 102 ms)
// in calls from gateway to writer (POST /items) rose ...", "error ratio of
// POST /items on writer ...", "queue.size of writer (queue=orders) ...".
// An update (a spike that became a level shift) rewrites the record, with
// the same id, from the new finding.
//
// Forgetting: a detector state whose series has had no point for
// detector_idle_ns of event time is forgotten (swept at most every
// idle_ns / 8, on each stream's own event time); an anomaly still open on
// it is ended where its data ended.
//
// Determinism: the output depends only on the batches and their order (and
// AdvanceTo calls); no clock, no I/O, std::map everywhere output order
// matters. The anomalies themselves (all fields) do not depend on batch
// boundaries; only the interleaving of RED and OTLP-metric anomalies
// within the output does (RED waits for its buckets to close). Inferred
// events do depend on them by definition (a batch's earliest item).
//
// State: SaveState() holds everything the output depends on: RED's open
// buckets and watermark, the OTLP series' previous points, the detectors,
// open anomalies, sensitivities, known versions, the zero-bucket bookkeeping.
// So LoadState(SaveState()) continues exactly like an uninterrupted run
// (given the same batches after it). Not in it: stats() (they start over)
// and the output not yet taken. LoadState refuses another format version, a
// state saved with another bucket width or lateness (the detectors learned
// counts per bucket), and damaged bytes, leaving the analyzer unchanged.
//
// Bounds: series and detector states are capped (overflow counted in
// stats()); per-series sensitivities are capped at max_detectors.
//
// Not thread-safe; owned by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_series.h"
#include "analysis/red.h"
#include "common/status.h"
#include "detect/options.h"
#include "model/anomaly.h"
#include "model/change_event.h"
#include "model/series_key.h"
#include "model/telemetry.h"

namespace augur::analysis {

struct AnalyzerOptions {
  // 5 s buckets and 10 s lateness: an OTel SDK exports every 5 s, so a
  // batch is at most ~5 s behind the newest telemetry of another service.
  RedOptions red{.clock = {.bucket_width_ns = 5'000'000'000, .allowed_lateness_ns = 10'000'000'000}};
  MetricSeriesOptions metrics;
  size_t max_detectors = 100'000;  // detector states (one per unversioned series)
  uint64_t detector_idle_ns = 24 * 3'600'000'000'000ULL;
  detect::Sensitivity sensitivity = detect::Sensitivity::kMedium;
  // Resource attributes whose change is a deployment, in order of preference.
  std::vector<std::string> version_attributes = {"service.version", "faas.version"};
  size_t max_versions_tracked = 10'000;  // (service, attribute) pairs
};

struct AnalyzerStats {
  RedStats red;
  MetricSeriesStats metrics;
  uint64_t points_analysed = 0;    // series points given to a detector
  uint64_t detectors = 0;          // detector states now
  uint64_t detector_overflow = 0;  // points dropped: max_detectors reached
  uint64_t anomalies_raised = 0;
  uint64_t anomalies_ended = 0;
  uint64_t events_inferred = 0;
  uint64_t version_overflow = 0;      // version changes not tracked: max_versions_tracked reached
  uint64_t sensitivity_overflow = 0;  // SetSensitivity refused: max_detectors per-series settings kept
};

class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options = {});
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Analyses one batch (spans, metric points, resources).
  void Add(const model::Batch& batch);
  // Moves the RED watermark (live mode, sources idle; see EventClock).
  void AdvanceTo(uint64_t time_ns);

  // Anomalies raised, updated or ended since the last call, in the order it
  // happened; the same id appears again when an anomaly changes.
  void TakeAnomalies(std::vector<model::Anomaly>* out);
  // Deployments inferred from telemetry since the last call (source "telemetry").
  void TakeInferredEvents(std::vector<model::ChangeEvent>* out);

  // Per-series sensitivity (user feedback); series not named here use
  // options.sensitivity. Applies to the unversioned detector series `key`.
  void SetSensitivity(const model::SeriesKey& key, detect::Sensitivity sensitivity);

  // The learned state (detectors, their open anomalies, sensitivities,
  // known versions, the watermark), versioned. LoadState refuses bytes of
  // another format version and leaves the analyzer unchanged then.
  std::string SaveState() const;
  Status LoadState(std::string_view bytes);

  uint64_t watermark() const;
  AnalyzerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::analysis
