// AnalysisStage: runs the Engine (engine/engine.h: analyzer, topology,
// correlator) on every committed batch, on its own thread, and keeps what
// it finds.
//
//   Pipeline writer ──Consume(committed batches)──> bounded queue ──> analysis thread
//   API (events, feedback) ──OnEvent/OnFeedback──> inbox ────────────────┘
//        Engine::Add ──> anomalies ──> Store::PutAnomalies
//                    ├─> inferred deployments ──> Store::PutEvent ──(merged)──> Engine::AddEvent
//                    └─> insights ──> Store::PutInsights
//        every checkpoint_interval and at Stop(): Engine::SaveState ──> Store::PutState
//
// Backpressure, not loss: the queue is bounded by items; when it is full,
// Consume() waits (counted in augur_analysis_backpressure_seconds_total),
// the pipeline's queue fills behind it and clients get 429. Dropping
// batches here would make the analysis depend on load, and a replay would
// no longer reproduce it.
//
// Live mode: the analysis runs on event time only, but when no batch has
// arrived for `idle_after` of wall time, the stage moves the watermark on
// by the wall time elapsed, so the last buckets of sources that went quiet
// close (a service that stops sending is itself news). This is the one
// place the wall clock touches analysis (ARCHITECTURE.md).
//
// Restart: Start() loads the state saved by the last Stop() or checkpoint,
// so detectors do not relearn.
//
// Threads: Consume() from the pipeline's writer thread; OnEvent(),
// OnFeedback() and Topology() from API threads; Start()/Stop() from the
// owner. The Engine is guarded by its own mutex, held by the analysis
// thread while it analyses and briefly by Topology().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "ingest/pipeline.h"
#include "selfmon/metrics.h"
#include "store/store.h"
#include "topology/topology.h"

namespace augur::ingest {

struct AnalysisStageOptions {
  engine::EngineOptions engine;
  size_t queue_capacity_items = 200'000;
  std::chrono::milliseconds checkpoint_interval{60'000};
  // Wall time with no batch after which the watermark follows the wall clock;
  // zero disables it (replays that must not close buckets early).
  std::chrono::milliseconds idle_after{5'000};
  // Called on the analysis thread with the insights just stored (e.g.
  // notify::Notifier::OnInsights); must be quick.
  std::function<void(const std::vector<model::Insight>&)> on_insights;
};

class AnalysisStage final : public CommittedSink {
 public:
  // `store` and `metrics` must outlive the stage.
  AnalysisStage(store::Store* store, selfmon::Registry* metrics, AnalysisStageOptions options);
  ~AnalysisStage() override;  // Stop()s
  AnalysisStage(const AnalysisStage&) = delete;
  AnalysisStage& operator=(const AnalysisStage&) = delete;

  // Loads saved state (a state that cannot be read is logged and ignored:
  // augur relearns rather than refusing to start) and starts the thread.
  Status Start();
  // Analyses what is queued, saves the state, joins the thread.
  void Stop();

  void Consume(std::vector<model::Batch>&& batches) override;

  // From the API: an event as stored, and feedback on an insight. Queued for
  // the analysis thread; never block.
  void OnEvent(const model::ChangeEvent& event);
  void OnFeedback(const model::Insight& insight, const std::string& feedback);

  // The topology over buckets starting in [from, to); to = 0 means up to
  // the watermark, from = 0 the 15 minutes before `to`.
  topology::Topology Topology(uint64_t from_ns, uint64_t to_ns);
  // Log patterns of `service` ("" = all) seen in [from, to] (to 0 = no end).
  std::vector<logs::PatternInfo> Patterns(const std::string& service, uint64_t from_ns, uint64_t to_ns, size_t max);

 private:
  void Loop();
  void Persist();
  void PublishStats();
  void Checkpoint();

  store::Store* const store_;
  const AnalysisStageOptions options_;
  std::mutex engine_mu_;
  std::unique_ptr<engine::Engine> engine_;  // guarded by engine_mu_

  selfmon::Counter* batches_;
  selfmon::Counter* backpressure_us_;
  selfmon::Counter* anomalies_written_;
  selfmon::Counter* events_inferred_;
  selfmon::Counter* insight_writes_;
  selfmon::Counter* write_failures_;
  selfmon::Counter* checkpoints_;
  selfmon::Counter* late_;
  selfmon::Counter* overflow_;
  selfmon::Gauge* queued_gauge_;
  selfmon::Gauge* watermark_gauge_;
  selfmon::Gauge* series_gauge_;
  uint64_t published_late_ = 0;  // analysis thread: totals already added to the counters
  uint64_t published_overflow_ = 0;
  // augur_analysis_overflow_total{component, what}, one per entry of
  // Engine::Overflows() in its order, with the total already added.
  struct PublishedOverflow {
    selfmon::Counter* counter;
    uint64_t published;
  };
  std::vector<PublishedOverflow> overflows_;  // analysis thread (made by the constructor)

  std::mutex mu_;
  std::condition_variable cv_;        // the queue got work, or stopping
  std::condition_variable space_cv_;  // the queue got room
  std::deque<model::Batch> queue_;
  std::vector<std::function<void(engine::Engine&)>> inbox_;  // from the API, bounded by kMaxInbox
  size_t queued_items_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace augur::ingest
