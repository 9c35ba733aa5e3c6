// Pipeline: the hand-off between receivers and storage.
//
// Receivers decode a request into a Batch and Submit() it; one writer thread
// takes queued batches, writes them to the store in one transaction (group
// commit), and then tells each submitter the outcome. A receiver acknowledges
// its client only after that, so an acknowledged batch is durable.
//
// The queue is bounded by item count (spans + metric points + log records).
// When a batch does not fit, Submit() fails at once with kResourceExhausted
// and the receiver answers 429 / RESOURCE_EXHAUSTED: the client retries later,
// and nothing already accepted is lost. A batch larger than the whole capacity
// is still accepted when the queue is empty, so it can never be stuck.
//
// The pipeline also keeps the ingest counters (received, rejected, dropped by
// signal and protocol) and runs storage retention between commits.
//
// Threads: Submit() may be called from any thread. Done callbacks run on the
// writer thread and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "otlp/decode.h"
#include "selfmon/metrics.h"
#include "store/store.h"

namespace augur::ingest {

enum class Protocol { kGrpc, kHttp };
const char* ProtocolName(Protocol protocol);  // "grpc", "http"

// Receives every committed batch, in commit order, on the writer thread
// (the analysis stage). Consume() may block: that is backpressure, the
// ingest queue fills and receivers answer 429 until it drains.
class CommittedSink {
 public:
  virtual ~CommittedSink() = default;
  virtual void Consume(std::vector<model::Batch>&& batches) = 0;
};

struct PipelineOptions {
  size_t queue_capacity_items = 200'000;
  size_t max_items_per_commit = 50'000;
  std::chrono::seconds retention_interval{10};
  // Items stamped more than this after the wall clock are refused (see
  // otlp/time_guard.h: they would move the analysis watermark).
  std::chrono::nanoseconds max_future_skew = std::chrono::minutes(10);
};

class Pipeline {
 public:
  using Done = std::function<void(const Status&)>;

  // `store`, `metrics` and `sink` (may be null) must outlive the pipeline.
  Pipeline(store::Store* store, selfmon::Registry* metrics, PipelineOptions options, CommittedSink* sink = nullptr);
  ~Pipeline();  // Stop()s
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void Start();
  // Refuses new batches, writes what is queued, and joins the writer.
  void Stop();

  // Counts the decoded request (received and rejected items) and queues its
  // batch. On OK, `done` runs exactly once with the write's outcome: later on
  // the writer thread, or at once when the request held no valid item.
  // On error (queue full, stopped), `done` is never called and the items are
  // counted as dropped.
  Status Submit(otlp::Signal signal, Protocol protocol, otlp::DecodeResult&& decoded, Done done);

  // Rejects the decoded items stamped too far in the future (wall clock +
  // max_future_skew), as invalid items. Receivers call it before Submit().
  void RejectFutureItems(otlp::DecodeResult* decoded) const;

  size_t queued_items() const { return queued_items_.load(std::memory_order_relaxed); }

 private:
  struct Pending {
    otlp::Signal signal;
    Protocol protocol;
    model::Batch batch;
    size_t items;
    Done done;
  };
  struct SignalCounters {
    selfmon::Counter* received;
    selfmon::Counter* rejected;
    selfmon::Counter* dropped;
  };

  void WriterLoop();
  SignalCounters& CountersFor(otlp::Signal signal, Protocol protocol);

  store::Store* const store_;
  CommittedSink* const sink_;
  const PipelineOptions options_;
  SignalCounters counters_[3][2];
  selfmon::Counter* commits_;
  selfmon::Counter* commit_failures_;
  selfmon::Histogram* commit_seconds_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // bounded by queue_capacity_items
  bool stopping_ = false;
  std::atomic<size_t> queued_items_{0};
  std::thread writer_;
};

}  // namespace augur::ingest
