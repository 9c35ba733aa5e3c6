#include "ingest/analysis_stage.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace augur::ingest {
namespace {

constexpr char kStateName[] = "engine";
// API hand-offs waiting for the analysis thread. Posting is rare (events,
// feedback); beyond this the newest is refused and logged.
constexpr size_t kMaxInbox = 10'000;

size_t ItemsOf(const std::vector<model::Batch>& batches) {
  size_t items = 0;
  for (const auto& b : batches) items += b.ItemCount();
  return items;
}

}  // namespace

AnalysisStage::AnalysisStage(store::Store* store, selfmon::Registry* metrics, AnalysisStageOptions options)
    : store_(store), options_(std::move(options)), engine_(std::make_unique<engine::Engine>(options_.engine)) {
  batches_ = &metrics->GetCounter("augur_analysis_batches_total", "Committed batches analysed.");
  backpressure_us_ = &metrics->GetCounter("augur_analysis_backpressure_microseconds_total",
                                          "Time the ingest writer waited for room in the analysis queue.");
  anomalies_written_ =
      &metrics->GetCounter("augur_analysis_anomaly_writes_total", "Anomalies written (raised, updated or ended).");
  events_inferred_ =
      &metrics->GetCounter("augur_analysis_events_inferred_total", "Deployments inferred from telemetry.");
  insight_writes_ =
      &metrics->GetCounter("augur_analysis_insight_writes_total", "Insights written (opened, updated or closed).");
  write_failures_ = &metrics->GetCounter("augur_analysis_write_failures_total",
                                         "Anomaly, event, insight or state writes that failed.");
  checkpoints_ = &metrics->GetCounter("augur_analysis_checkpoints_total", "Analysis state checkpoints written.");
  late_ = &metrics->GetCounter("augur_analysis_late_items_total",
                               "Spans that arrived after their event-time bucket had closed (not analysed).");
  overflow_ = &metrics->GetCounter("augur_analysis_series_overflow_total",
                                   "Series points dropped because a series table was full.");
  queued_gauge_ = &metrics->GetGauge("augur_analysis_queue_items", "Items waiting for analysis.");
  watermark_gauge_ =
      &metrics->GetGauge("augur_analysis_watermark_seconds", "Event-time watermark of the analysis (Unix seconds).");
  series_gauge_ = &metrics->GetGauge("augur_analysis_series", "Series with detector state.");
  for (const engine::OverflowTotal& o : engine_->Overflows()) {
    overflows_.push_back({&metrics->GetCounter("augur_analysis_overflow_total",
                                               "Items a bounded table of the analysis refused or forgot because it "
                                               "was full, by component and what was not kept.",
                                               {{"component", o.component}, {"what", o.what}}),
                          0});
  }
  metrics->GetGauge("augur_analysis_queue_capacity_items", "Capacity of the analysis queue.")
      .Set(static_cast<double>(options_.queue_capacity_items));
}

AnalysisStage::~AnalysisStage() {
  Stop();
}

Status AnalysisStage::Start() {
  auto saved = store_->GetState(kStateName);
  if (saved.ok()) {
    std::lock_guard lock(engine_mu_);
    if (Status s = engine_->LoadState(*saved); s.ok()) {
      spdlog::info("analysis state restored ({} bytes, watermark {})", saved->size(), engine_->watermark());
    } else {
      engine_ = std::make_unique<engine::Engine>(options_.engine);
      spdlog::warn("analysis state not restored, relearning: {}", s.ToString());
    }
  } else if (saved.status().code() != Status::Code::kNotFound) {
    spdlog::warn("analysis state not readable, relearning: {}", saved.status().ToString());
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void AnalysisStage::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  space_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    Checkpoint();
  }
}

void AnalysisStage::Consume(std::vector<model::Batch>&& batches) {
  const size_t items = ItemsOf(batches);
  std::unique_lock lock(mu_);
  // A group larger than the whole queue still goes in once the queue is
  // empty, so it can never be stuck.
  if (queued_items_ > 0 && queued_items_ + items > options_.queue_capacity_items && !stopping_) {
    const auto start = std::chrono::steady_clock::now();
    space_cv_.wait(lock, [&] {
      return stopping_ || queued_items_ == 0 || queued_items_ + items <= options_.queue_capacity_items;
    });
    backpressure_us_->Increment(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count()));
  }
  for (auto& b : batches) queue_.push_back(std::move(b));
  queued_items_ += items;
  queued_gauge_->Set(static_cast<double>(queued_items_));
  lock.unlock();
  cv_.notify_one();
}

void AnalysisStage::OnEvent(const model::ChangeEvent& event) {
  std::lock_guard lock(mu_);
  if (inbox_.size() >= kMaxInbox) {
    spdlog::warn("analysis inbox full; event {} is stored but not correlated", event.id);
    return;
  }
  inbox_.push_back([event](engine::Engine& e) { e.AddEvent(event); });
  cv_.notify_one();
}

void AnalysisStage::OnFeedback(const model::Insight& insight, const std::string& feedback) {
  std::lock_guard lock(mu_);
  if (inbox_.size() >= kMaxInbox) {
    spdlog::warn("analysis inbox full; feedback on {} is stored but not applied", insight.id);
    return;
  }
  inbox_.push_back([insight, feedback](engine::Engine& e) { e.ApplyFeedback(insight, feedback); });
  cv_.notify_one();
}

topology::Topology AnalysisStage::Topology(uint64_t from_ns, uint64_t to_ns) {
  constexpr uint64_t kDefaultWindow = 15 * 60'000'000'000ULL;
  std::lock_guard lock(engine_mu_);
  if (to_ns == 0) to_ns = engine_->watermark() + 1;
  if (from_ns == 0) from_ns = to_ns > kDefaultWindow ? to_ns - kDefaultWindow : 0;
  return engine_->Topology(from_ns, to_ns);
}

std::vector<logs::PatternInfo> AnalysisStage::Patterns(const std::string& service, uint64_t from_ns, uint64_t to_ns,
                                                       size_t max) {
  std::lock_guard lock(engine_mu_);
  return engine_->Patterns(service, from_ns, to_ns, max);
}

void AnalysisStage::Loop() {
  using Clock = std::chrono::steady_clock;
  auto last_batch = Clock::now();
  auto last_advance = last_batch;
  auto next_checkpoint = last_batch + options_.checkpoint_interval;
  for (;;) {
    std::deque<model::Batch> work;
    std::vector<std::function<void(engine::Engine&)>> inbox;
    bool stopping;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || !queue_.empty() || !inbox_.empty(); });
      work.swap(queue_);
      inbox.swap(inbox_);
      queued_items_ = 0;
      queued_gauge_->Set(0);
      stopping = stopping_;
    }
    space_cv_.notify_all();
    const auto now = Clock::now();
    {
      std::lock_guard lock(engine_mu_);
      for (auto& f : inbox) f(*engine_);
      if (!work.empty()) {
        for (const auto& batch : work) engine_->Add(batch);
        batches_->Increment(work.size());
        last_batch = last_advance = now;
      } else if (options_.idle_after.count() > 0 && engine_->watermark() > 0 &&
                 now - last_batch >= options_.idle_after) {
        // Sources are quiet: let event time move with the wall clock.
        const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_advance).count();
        engine_->AdvanceTo(engine_->watermark() + static_cast<uint64_t>(elapsed));
        last_advance = now;
      }
    }
    Persist();
    PublishStats();
    if (stopping) return;
    if (now >= next_checkpoint) {
      Checkpoint();
      next_checkpoint = now + options_.checkpoint_interval;
    }
  }
}

void AnalysisStage::Persist() {
  std::vector<model::Anomaly> anomalies;
  std::vector<model::ChangeEvent> events;
  std::vector<model::Insight> insights;
  {
    std::lock_guard lock(engine_mu_);
    engine_->TakeAnomalies(&anomalies);
    engine_->TakeInferredEvents(&events);
  }
  if (!anomalies.empty()) {
    // Several changes of one anomaly in one round: the last one is the state.
    std::vector<model::Anomaly> latest;
    latest.reserve(anomalies.size());
    for (auto it = anomalies.rbegin(); it != anomalies.rend(); ++it) {
      bool seen = false;
      for (const auto& l : latest) seen = seen || l.id == it->id;
      if (!seen) latest.push_back(std::move(*it));
    }
    if (Status s = store_->PutAnomalies(latest); s.ok()) {
      anomalies_written_->Increment(latest.size());
    } else {
      write_failures_->Increment();
      spdlog::error("cannot store {} anomalies: {}", latest.size(), s.ToString());
    }
  }
  for (const auto& e : events) {
    auto stored = store_->PutEvent(e);
    if (!stored.ok()) {
      write_failures_->Increment();
      spdlog::error("cannot store inferred event {}: {}", e.id, stored.status().ToString());
      continue;
    }
    events_inferred_->Increment();
    spdlog::info("deployment inferred: {}", e.description);
    // The store may have merged it with an explicit event: tell the engine
    // what it now is.
    if (stored->id != e.id) {
      std::lock_guard lock(engine_mu_);
      engine_->AddEvent(*stored);
    }
  }
  {
    std::lock_guard lock(engine_mu_);
    engine_->TakeInsights(&insights);
  }
  if (!insights.empty()) {
    if (Status s = store_->PutInsights(insights); s.ok()) {
      insight_writes_->Increment(insights.size());
      if (options_.on_insights) options_.on_insights(insights);
      for (const auto& in : insights) {
        if (in.revision == 1) spdlog::info("insight {} [{}]: {}", in.id, in.severity, in.name);
        if (in.status == "CLOSED") spdlog::info("insight {} closed", in.id);
      }
    } else {
      write_failures_->Increment();
      spdlog::error("cannot store {} insights: {}", insights.size(), s.ToString());
    }
  }
}

void AnalysisStage::PublishStats() {
  analysis::AnalyzerStats s;
  uint64_t watermark;
  std::vector<engine::OverflowTotal> overflows;
  {
    std::lock_guard lock(engine_mu_);
    s = engine_->analyzer_stats();
    watermark = engine_->watermark();
    overflows = engine_->Overflows();
  }
  for (size_t i = 0; i < overflows.size() && i < overflows_.size(); ++i) {
    // A total below the published one: the engine was replaced (a state
    // that failed to load); its count starts again from zero.
    const uint64_t total = overflows[i].total;
    PublishedOverflow& p = overflows_[i];
    p.counter->Increment(total >= p.published ? total - p.published : total);
    p.published = total;
  }
  const uint64_t late = s.red.late;
  const uint64_t overflow = s.red.series_overflow + s.metrics.series_overflow + s.detector_overflow;
  late_->Increment(late - published_late_);
  overflow_->Increment(overflow - published_overflow_);
  published_late_ = late;
  published_overflow_ = overflow;
  series_gauge_->Set(static_cast<double>(s.detectors));
  watermark_gauge_->Set(static_cast<double>(watermark) / 1e9);
}

void AnalysisStage::Checkpoint() {
  std::string state;
  {
    std::lock_guard lock(engine_mu_);
    state = engine_->SaveState();
  }
  if (Status s = store_->PutState(kStateName, state); s.ok()) {
    checkpoints_->Increment();
  } else {
    write_failures_->Increment();
    spdlog::error("cannot save the analysis state: {}", s.ToString());
  }
}

}  // namespace augur::ingest
