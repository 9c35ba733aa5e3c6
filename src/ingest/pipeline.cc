#include "ingest/pipeline.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "otlp/time_guard.h"

namespace augur::ingest {

const char* ProtocolName(Protocol protocol) {
  return protocol == Protocol::kGrpc ? "grpc" : "http";
}

Pipeline::Pipeline(store::Store* store, selfmon::Registry* metrics, PipelineOptions options, CommittedSink* sink)
    : store_(store), sink_(sink), options_(options) {
  for (auto signal : {otlp::Signal::kTraces, otlp::Signal::kMetrics, otlp::Signal::kLogs}) {
    for (auto protocol : {Protocol::kGrpc, Protocol::kHttp}) {
      const selfmon::Labels labels = {{"signal", otlp::SignalName(signal)}, {"protocol", ProtocolName(protocol)}};
      CountersFor(signal, protocol) = {
          &metrics->GetCounter("augur_items_received_total",
                               "Spans, metric points and log records received, valid or not.", labels),
          &metrics->GetCounter("augur_items_rejected_total",
                               "Items rejected as invalid (reported to the client as partial success).", labels),
          &metrics->GetCounter("augur_items_dropped_total",
                               "Valid items not stored: the queue was full or the store failed.", labels),
      };
    }
  }
  commits_ = &metrics->GetCounter("augur_store_commits_total", "Store transactions committed.");
  commit_failures_ = &metrics->GetCounter("augur_store_commit_failures_total", "Store transactions that failed.");
  commit_seconds_ = &metrics->GetHistogram(
      "augur_store_commit_seconds", "Time to write and commit one group of batches.", {}, selfmon::LatencyBuckets());
  metrics->AddCallbackGauge("augur_queue_items", "Items waiting in a queue.", {{"queue", "ingest"}},
                            [this] { return static_cast<double>(queued_items()); });
  metrics->GetGauge("augur_queue_capacity_items", "Capacity of a queue, in items.", {{"queue", "ingest"}})
      .Set(static_cast<double>(options_.queue_capacity_items));
}

Pipeline::~Pipeline() {
  Stop();
}

Pipeline::SignalCounters& Pipeline::CountersFor(otlp::Signal signal, Protocol protocol) {
  return counters_[static_cast<int>(signal)][static_cast<int>(protocol)];
}

void Pipeline::Start() {
  writer_ = std::thread([this] { WriterLoop(); });
}

void Pipeline::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Pipeline::RejectFutureItems(otlp::DecodeResult* decoded) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto limit = std::chrono::duration_cast<std::chrono::nanoseconds>(now + options_.max_future_skew);
  otlp::RejectFutureItems(decoded, static_cast<uint64_t>(limit.count()));
}

Status Pipeline::Submit(otlp::Signal signal, Protocol protocol, otlp::DecodeResult&& decoded, Done done) {
  SignalCounters& counters = CountersFor(signal, protocol);
  const size_t items = decoded.batch.ItemCount();
  counters.received->Increment(items + static_cast<uint64_t>(decoded.rejected));
  counters.rejected->Increment(static_cast<uint64_t>(decoded.rejected));
  if (items == 0) {
    // Nothing to store: acknowledge at once, on the writer's contract (done runs once).
    done(Status::OK());
    return Status::OK();
  }
  {
    std::lock_guard lock(mu_);
    const size_t queued = queued_items_.load(std::memory_order_relaxed);
    Status refusal;
    if (stopping_) {
      refusal = Status::Unavailable("augur is shutting down");
    } else if (queued > 0 && queued + items > options_.queue_capacity_items) {
      refusal = Status::ResourceExhausted("ingest queue is full (" + std::to_string(queued) + " of " +
                                          std::to_string(options_.queue_capacity_items) + " items); retry later");
    }
    if (!refusal.ok()) {
      counters.dropped->Increment(items);
      return refusal;
    }
    queue_.push_back(Pending{signal, protocol, std::move(decoded.batch), items, std::move(done)});
    queued_items_.fetch_add(items, std::memory_order_relaxed);
  }
  cv_.notify_one();
  return Status::OK();
}

void Pipeline::WriterLoop() {
  using Clock = std::chrono::steady_clock;
  auto next_retention = Clock::now();
  std::vector<Pending> group;
  std::vector<const model::Batch*> batches;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.retention_interval, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Group commit: one transaction for everything queued, up to a bound, so
      // many small requests cost one fsync-free WAL commit between them.
      size_t items = 0;
      while (!queue_.empty() && (group.empty() || items + queue_.front().items <= options_.max_items_per_commit)) {
        items += queue_.front().items;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!group.empty()) {
      batches.clear();
      size_t items = 0;
      for (const auto& p : group) {
        batches.push_back(&p.batch);
        items += p.items;
      }
      const auto start = Clock::now();
      const Status status = store_->Write(batches);
      commit_seconds_->Observe(std::chrono::duration<double>(Clock::now() - start).count());
      queued_items_.fetch_sub(items, std::memory_order_relaxed);
      if (status.ok()) {
        commits_->Increment();
      } else {
        commit_failures_->Increment();
        spdlog::error("store write failed, {} items not stored: {}", items, status.ToString());
      }
      for (auto& p : group) {
        if (!status.ok()) CountersFor(p.signal, p.protocol).dropped->Increment(p.items);
        p.done(status.ok() ? status : Status::Unavailable("storage failed: " + status.message()));
      }
      // Clients have their answers; now analysis gets what was stored (and
      // only that), in commit order.
      if (status.ok() && sink_ != nullptr) {
        std::vector<model::Batch> committed;
        committed.reserve(group.size());
        for (auto& p : group) committed.push_back(std::move(p.batch));
        sink_->Consume(std::move(committed));
      }
      group.clear();
    }
    if (Clock::now() >= next_retention) {
      const uint64_t now_ns = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count());
      if (Status s = store_->EnforceRetention(now_ns); !s.ok()) spdlog::warn("retention failed: {}", s.ToString());
      next_retention = Clock::now() + options_.retention_interval;
    }
  }
}

}  // namespace augur::ingest
