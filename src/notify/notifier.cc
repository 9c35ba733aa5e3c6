#include "notify/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "notify/message.h"
#include "notify/payload.h"

namespace augur::notify {
namespace {

using Clock = std::chrono::steady_clock;

// Messages read per sink at a time.
constexpr size_t kBatch = 50;
// How long the sender sleeps when nothing is due (OnInsights wakes it).
constexpr auto kIdle = std::chrono::seconds(60);
// How long it waits after the outbox could not be read.
constexpr uint64_t kStoreRetryNs = 1'000'000'000ULL;
// Of a receiver's answer, in the outbox's last_error and the log.
constexpr size_t kErrorBody = 200;

uint64_t WallNowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

uint64_t Ns(std::chrono::milliseconds ms) {
  return static_cast<uint64_t>(ms.count()) * 1'000'000ULL;
}

std::chrono::milliseconds Seconds(uint64_t s) {
  constexpr uint64_t kMax = 10ULL * 365 * 86400;  // far enough; keeps milliseconds in range
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(s, kMax)) * 1000);
}

std::string Describe(const HttpResponse& r) {
  std::string text = "HTTP " + std::to_string(r.status);
  if (!r.body.empty()) text += ": " + r.body.substr(0, kErrorBody);
  return text;
}

}  // namespace

StatusOr<NotifierOptions> NotifierOptionsFromConfig(const config::Config& config) {
  NotifierOptions options;
  auto sinks = SinksFromConfig(config.notifications);
  if (!sinks.ok()) return sinks.status();
  options.sinks = std::move(*sinks);
  options.public_url = config.public_url;
  options.retry.max_attempts = static_cast<uint32_t>(
      std::min<uint64_t>(config.notifications.max_attempts, std::numeric_limits<uint32_t>::max()));
  options.retry.max_age = Seconds(config.notifications.max_age_seconds);
  options.retry.max_delay = Seconds(config.notifications.max_backoff_seconds);
  options.retry.initial_delay = std::min(options.retry.initial_delay, options.retry.max_delay);
  options.timeout = Seconds(config.notifications.timeout_seconds);
  return options;
}

Notifier::Notifier(store::Store* store, selfmon::Registry* metrics, NotifierOptions options)
    : store_(store), outbox_(store->outbox()), options_(std::move(options)) {
  for (SinkType type : {SinkType::kWebhook, SinkType::kSlack}) {
    const selfmon::Labels labels = {{"sink_type", std::string(SinkTypeName(type))}};
    sink_metrics_[static_cast<int>(type)] = {
        &metrics->GetCounter("augur_notify_messages_enqueued_total", "Notification messages queued for a sink.",
                             labels),
        &metrics->GetCounter("augur_notify_messages_delivered_total", "Notification messages a sink accepted (2xx).",
                             labels),
        &metrics->GetCounter("augur_notify_delivery_failures_total",
                             "Failed attempts to deliver a notification (no answer or not 2xx).", labels),
        &metrics->GetCounter("augur_notify_messages_dead_total",
                             "Notification messages given up on (attempts, age, or refused for good).", labels),
    };
  }
  refused_ = &metrics->GetCounter("augur_notify_messages_refused_total",
                                  "Notification messages not queued because the outbox was full.");
  write_failures_ = &metrics->GetCounter("augur_notify_outbox_write_failures_total",
                                         "Insight revisions whose notifications could not be queued.");
  depth_ = &metrics->GetGauge("augur_notify_outbox_depth", "Notification messages waiting for delivery.");
}

Notifier::~Notifier() {
  Stop();
}

const Sink* Notifier::FindSink(const std::string& name) const {
  for (const Sink& sink : options_.sinks) {
    if (sink.name == name) return &sink;
  }
  return nullptr;
}

Status Notifier::Start() {
  if (!enabled()) return Status::OK();
  {
    std::lock_guard lock(mu_);
    if (started_) return Status::OK();
  }
  for (const Sink& sink : options_.sinks) {
    if (!sink.url.tls) continue;
    if (Status s = client_.PrepareTls(sink.ca_file); !s.ok()) {
      return Status::InvalidArgument("notifications sink '" + sink.name + "': " + s.message());
    }
  }
  if (Status s = GiveUpUnknownSinks(); !s.ok()) return s;

  store::InsightQuery query;
  query.limit = options_.catch_up_insights;
  auto recent = store_->QueryInsights(query);
  if (!recent.ok()) return recent.status();
  // Oldest first, so their messages queue in the order they happened.
  std::vector<const model::Insight*> insights;
  for (auto it = recent->rbegin(); it != recent->rend(); ++it) insights.push_back(&*it);
  {
    std::lock_guard lock(queue_mu_);
    if (Status s = Queue(insights, /*catch_up=*/true); !s.ok()) return s;
  }
  UpdateDepth();

  std::string names;
  for (const Sink& sink : options_.sinks) {
    names += (names.empty() ? "" : ", ") + sink.name + " (" + std::string(SinkTypeName(sink.type)) + ")";
  }
  spdlog::info("notifications to {}; {} messages waiting", names, static_cast<uint64_t>(depth_->value()));
  std::lock_guard lock(mu_);
  started_ = true;
  sender_ = std::thread([this] { SendLoop(); });
  return Status::OK();
}

void Notifier::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  client_.Cancel();
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void Notifier::OnInsights(const std::vector<model::Insight>& written) {
  if (!enabled() || written.empty()) return;
  std::vector<const model::Insight*> insights;
  insights.reserve(written.size());
  for (const auto& in : written) insights.push_back(&in);
  Status s;
  {
    std::lock_guard lock(queue_mu_);
    s = Queue(insights, /*catch_up=*/false);
  }
  if (!s.ok()) {
    write_failures_->Increment();
    spdlog::error("cannot queue notifications for {} insights: {}", written.size(), s.ToString());
    return;
  }
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

Status Notifier::Queue(const std::vector<const model::Insight*>& insights, bool catch_up) {
  std::vector<std::string> ids;
  ids.reserve(insights.size());
  for (const model::Insight* in : insights) ids.push_back(in->id);
  auto stored = outbox_->LoadSeen(ids);
  if (!stored.ok()) return stored.status();
  std::map<std::string, InsightMark> marks;
  for (const auto& s : *stored) {
    auto mark = DecodeMark(s.data);
    if (mark.ok()) {
      marks.emplace(s.insight_id, std::move(*mark));
    } else {
      spdlog::warn("notifications: forgetting what was sent about {}: {}", s.insight_id, mark.status().ToString());
    }
  }

  const uint64_t now = WallNowNs();
  std::vector<store::SeenInsight> seen;
  std::vector<store::OutboxMessage> rows;
  for (const model::Insight* in : insights) {
    auto it = marks.find(in->id);
    const InsightMark* previous = it == marks.end() ? nullptr : &it->second;
    if (previous != nullptr && in->revision <= previous->revision) continue;
    const bool history = catch_up && previous == nullptr && !in->ongoing();
    for (const Message& m : history ? std::vector<Message>() : Derive(previous, *in)) {
      for (const Sink& sink : options_.sinks) {
        if (!Accepts(sink, m.type, in->severity)) continue;
        store::OutboxMessage row;
        row.id = m.id;
        row.sink = sink.name;
        row.type = std::string(MessageTypeName(m.type));
        row.insight_id = in->id;
        row.body = RenderBody(sink.type, m, *in, options_.public_url);
        row.created_unix_nano = now;
        row.next_attempt_unix_nano = now;
        rows.push_back(std::move(row));
      }
    }
    InsightMark mark = MarkOf(*in);
    seen.push_back({in->id, EncodeMark(mark)});
    marks[in->id] = std::move(mark);  // a later revision in the same call compares with this one
  }

  auto result = outbox_->Enqueue(seen, rows, options_.max_pending);
  if (!result.ok()) return result.status();
  for (const auto& [name, n] : result->queued_per_sink) {
    if (const Sink* sink = FindSink(name)) MetricsOf(*sink).enqueued->Increment(n);
  }
  if (result->refused > 0) {
    refused_->Increment(result->refused);
    spdlog::warn("notification outbox full ({} messages waiting): {} messages dropped", options_.max_pending,
                 result->refused);
  }
  if (result->queued > 0) depth_->Add(static_cast<double>(result->queued));
  return Status::OK();
}

Status Notifier::GiveUpUnknownSinks() {
  auto backlog = outbox_->Backlog();
  if (!backlog.ok()) return backlog.status();
  for (const auto& b : *backlog) {
    if (FindSink(b.sink) != nullptr) continue;
    const std::string why = "sink '" + b.sink + "' is no longer configured";
    uint64_t n = 0;
    for (;;) {
      auto pending = outbox_->Pending(b.sink, kBatch);
      if (!pending.ok()) return pending.status();
      if (pending->empty()) break;
      for (const auto& m : *pending) {
        if (Status s = outbox_->Dead(m.id, m.sink, m.attempts, why); !s.ok()) return s;
        ++n;
      }
    }
    spdlog::warn("notifications: {} messages for {} given up: {}", n, b.sink, why);
  }
  return Status::OK();
}

void Notifier::SendLoop() {
  for (;;) {
    const auto wait = DeliverDue();
    UpdateDepth();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stopping_ || wake_; });
    wake_ = false;
    if (stopping_) return;
  }
}

Clock::duration Notifier::DeliverDue() {
  auto backlog = outbox_->Backlog();
  if (!backlog.ok()) {
    spdlog::error("notifications: cannot read the outbox: {}", backlog.status().ToString());
    return std::chrono::nanoseconds(kStoreRetryNs);
  }
  uint64_t next = 0;  // the earliest time a sink's next message is due; 0: none
  for (const auto& b : *backlog) {
    const Sink* sink = FindSink(b.sink);
    if (sink == nullptr) continue;  // given up on at Start()
    const uint64_t due = b.head_due_unix_nano <= WallNowNs() ? DeliverSink(*sink) : b.head_due_unix_nano;
    if (due != 0 && (next == 0 || due < next)) next = due;
    std::lock_guard lock(mu_);
    if (stopping_) break;
  }
  if (next == 0) return kIdle;
  const uint64_t now = WallNowNs();
  if (next <= now) return Clock::duration::zero();
  return std::min<Clock::duration>(std::chrono::nanoseconds(next - now), kIdle);
}

uint64_t Notifier::DeliverSink(const Sink& sink) {
  auto pending = outbox_->Pending(sink.name, kBatch);
  if (!pending.ok()) {
    spdlog::error("notifications: cannot read the outbox: {}", pending.status().ToString());
    return WallNowNs() + kStoreRetryNs;
  }
  SinkMetrics& metrics = MetricsOf(sink);
  for (const store::OutboxMessage& m : *pending) {
    const uint64_t due = m.next_attempt_unix_nano;
    if (due > WallNowNs()) return due;  // the sink waits for its oldest message
    Headers headers = sink.headers;
    headers.emplace_back("Idempotency-Key", m.id);
    headers.emplace_back("X-Augur-Message-Type", m.type);
    auto answer = client_.Post(sink.url, headers, m.body, options_.timeout, sink.ca_file);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return 0;  // cancelled, not failed: it stays queued for the next start
    }
    Status recorded;
    if (answer.ok() && answer->status / 100 == 2) {
      recorded = outbox_->Delivered(m.id, m.sink);
      if (recorded.ok()) {
        metrics.delivered->Increment();
        depth_->Add(-1);
        continue;
      }
    } else {
      metrics.failures->Increment();
      const std::string error = answer.ok() ? Describe(*answer) : answer.status().message();
      const bool permanent = answer.ok() && IsPermanentStatus(answer->status);
      const uint32_t attempts = m.attempts + 1;
      const uint64_t now = WallNowNs();
      const auto age =
          std::chrono::milliseconds((now > m.created_unix_nano ? now - m.created_unix_nano : 0) / 1'000'000);
      if (GiveUp(options_.retry, attempts, age, permanent)) {
        recorded = outbox_->Dead(m.id, m.sink, attempts, error);
        if (recorded.ok()) {
          metrics.dead->Increment();
          depth_->Add(-1);
          spdlog::warn("notification {} ({} about {}) to {} given up after {} attempts: {}", m.id, m.type, m.insight_id,
                       sink.name, attempts, error);
          continue;
        }
      } else {
        const auto delay =
            RetryDelay(options_.retry, attempts, m.id, answer.ok() ? answer->retry_after_seconds : std::nullopt);
        const uint64_t next = now + Ns(delay);
        recorded = outbox_->Retry(m.id, m.sink, attempts, next, error);
        if (recorded.ok()) {
          spdlog::warn("notification {} to {} failed (attempt {}): {}; next attempt in {} ms", m.id, sink.name,
                       attempts, error, delay.count());
          return next;
        }
      }
    }
    // The outcome could not be recorded: the message stays as it was, so
    // it may be sent again (receivers deduplicate on its id).
    spdlog::error("notifications: cannot record the outcome for {}: {}", m.id, recorded.ToString());
    return WallNowNs() + kStoreRetryNs;
  }
  return pending->size() == kBatch ? WallNowNs() : 0;
}

void Notifier::UpdateDepth() {
  if (auto n = outbox_->PendingCount(); n.ok()) depth_->Set(static_cast<double>(*n));
}

}  // namespace augur::notify
