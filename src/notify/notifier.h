// Notifier: tells people about insights. Derives messages from each insight
// revision the analysis writes (message.h), queues them durably in the
// store's outbox (store/outbox.h), and delivers them to the configured
// sinks (sink.h) with HTTP POST from its own thread.
//
//   analysis thread ──OnInsights(written)──> derive ──> Outbox::Enqueue (messages + marks, one transaction)
//                                                           │ wake
//   sender thread <─────────────────────────────────────────┘
//        per sink, oldest first: POST ──2xx──> Delivered (row deleted)
//                                      └─else─> Retry (backoff.h) or Dead
//
// Delivery is at least once: a message can arrive twice (augur stopped
// after the receiver got it but before the outbox recorded it), so each
// carries a stable id, in its body and in the Idempotency-Key header, for
// receivers to deduplicate on. Nothing is lost across a restart: what was
// queued stays queued, and Start() compares the newest stored insights with
// what the notifier remembers, so a revision written just before a crash,
// whose messages were not queued yet, gets them now. (An insight it never
// saw that is already CLOSED is remembered without messages: turning
// notifications on should not replay history.)
//
// Order: a sink receives its messages in the order they were queued. When
// a delivery fails, the sink waits for that message's retry before sending
// the ones behind it; another sink is not held up beyond the one request
// in flight (at most `timeout`).
//
// Self-metrics (label sink_type = webhook or slack, never a sink's name):
// augur_notify_messages_enqueued_total, _delivered_total,
// augur_notify_delivery_failures_total (failed attempts),
// augur_notify_messages_dead_total, augur_notify_messages_refused_total
// (outbox full), augur_notify_outbox_write_failures_total,
// augur_notify_outbox_depth (messages waiting, all sinks).
//
// Threads: OnInsights() from the analysis thread (calls are serialized);
// Start() and Stop() from the owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "model/insight.h"
#include "notify/backoff.h"
#include "notify/http_client.h"
#include "notify/sink.h"
#include "selfmon/metrics.h"
#include "store/outbox.h"
#include "store/store.h"

namespace augur::notify {

struct NotifierOptions {
  std::vector<Sink> sinks;  // none: the notifier does nothing
  std::string public_url;   // for links to insights; "" for none
  RetryPolicy retry;
  std::chrono::milliseconds timeout{10'000};  // per request
  size_t max_pending = 10'000;                // messages waiting in the outbox, all sinks
  size_t catch_up_insights = 1'000;           // newest insights Start() compares with its memory
};

// The options `augur serve` runs with: config.notifications and public_url.
StatusOr<NotifierOptions> NotifierOptionsFromConfig(const config::Config& config);

class Notifier {
 public:
  // `store` and `metrics` must outlive the notifier.
  Notifier(store::Store* store, selfmon::Registry* metrics, NotifierOptions options);
  ~Notifier();  // Stop()s
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool enabled() const { return !options_.sinks.empty(); }

  // Checks the sinks' TLS settings, gives up on queued messages of sinks
  // the config no longer has, catches up with stored insights (above) and
  // starts the sender. Does nothing when no sink is configured. An error
  // (bad CA file, unreadable store) means augur should not start.
  Status Start();
  // Stops the sender, abandoning a request in flight (its message stays
  // queued). Idempotent.
  void Stop();

  // The insights just stored (new revisions). Derives their messages and
  // queues them, then wakes the sender; a few SQLite statements, no network.
  // A failure to write is logged and counted: the insights' next revision,
  // or the next start, derives them again.
  void OnInsights(const std::vector<model::Insight>& written);

 private:
  struct SinkMetrics {
    selfmon::Counter* enqueued;
    selfmon::Counter* delivered;
    selfmon::Counter* failures;
    selfmon::Counter* dead;
  };

  Status Queue(const std::vector<const model::Insight*>& insights, bool catch_up);
  Status GiveUpUnknownSinks();
  void SendLoop();
  // Sends what is due; returns when the sender should look again.
  std::chrono::steady_clock::duration DeliverDue();
  // Sends `sink`'s due messages in order; returns the wall time (Unix ns)
  // its next message is due, or 0 when it has none.
  uint64_t DeliverSink(const Sink& sink);
  void UpdateDepth();
  const Sink* FindSink(const std::string& name) const;
  SinkMetrics& MetricsOf(const Sink& sink) { return sink_metrics_.at(static_cast<int>(sink.type)); }

  store::Store* const store_;
  store::Outbox* const outbox_;
  const NotifierOptions options_;
  HttpClient client_;  // the sender thread's, but for Cancel()

  std::map<int, SinkMetrics> sink_metrics_;  // by SinkType
  selfmon::Counter* refused_;
  selfmon::Counter* write_failures_;
  selfmon::Gauge* depth_;

  std::mutex queue_mu_;  // serializes Queue(): OnInsights() and Start()'s catch-up

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;      // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  bool started_ = false;   // guarded by mu_
  std::thread sender_;
};

}  // namespace augur::notify
