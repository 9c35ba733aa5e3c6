#include "analysis/red.h"

#include <algorithm>
#include <tuple>

#include "model/peer_attributes.h"
#include "model/span_outcome.h"

namespace augur::analysis {

namespace {

// The dependency a CLIENT span calls into *out, or "" (see red.h for the
// order). *out is scratch reused across spans, so most calls allocate nothing.
void Peer(const model::Attributes& a, std::string* out) {
  using model::StringValue;
  out->clear();
  const model::PeerAttributes p = model::ReadPeerAttributes(a);
  std::string_view v = StringValue(p.peer_service);
  if (!v.empty()) {
    out->append(v);
    return;
  }
  v = StringValue(p.db_system);
  if (!v.empty()) {
    std::string_view ns = StringValue(p.db_namespace);
    if (ns.empty()) ns = StringValue(p.db_name);
    out->append(v);
    if (!ns.empty()) out->append("/").append(ns);
    return;
  }
  v = StringValue(p.rpc_service);
  if (!v.empty()) {
    std::string_view sys = StringValue(p.rpc_system);
    if (!sys.empty()) out->append(sys).append("/");
    out->append(v);
    return;
  }
  v = StringValue(p.server_address);
  if (!v.empty()) {
    std::string port = p.server_port ? AttributeString(*p.server_port) : std::string();
    out->append(v);
    if (!port.empty()) out->append(":").append(port);
    return;
  }
  out->append(StringValue(p.net_peer_name));
}

// What determines a span's series within one batch: its resource (service
// and version), kind, name and peer. The name's length goes first, so no two
// (name, peer) pairs give the same bytes.
void CacheKey(uint32_t resource_index, model::SpanKind kind, std::string_view name, std::string_view peer,
              std::string* out) {
  out->clear();
  const uint32_t fixed[3] = {resource_index, static_cast<uint32_t>(kind), static_cast<uint32_t>(name.size())};
  out->append(reinterpret_cast<const char*>(fixed), sizeof fixed);
  out->append(name);
  out->append(peer);
}

}  // namespace

RedAggregator::RedAggregator(RedOptions options)
    : options_(options),
      clock_(options.clock),
      table_(options.max_series,
             std::max(options.idle_ns, options.clock.bucket_width_ns + options.clock.allowed_lateness_ns)) {}

void RedAggregator::Add(const model::Batch& batch) {
  batch_series_.clear();
  batch_series_epoch_ = table_.epoch();
  for (const model::Span& span : batch.spans) {
    ++stats_.spans;
    bool client = span.kind == model::SpanKind::kClient;
    if (span.kind != model::SpanKind::kServer && span.kind != model::SpanKind::kConsumer && !client) {
      ++stats_.skipped_kind;
      continue;
    }
    peer_.clear();
    if (client) {
      Peer(span.attributes, &peer_);
      if (peer_.empty()) {
        ++stats_.skipped_no_peer;
        continue;
      }
    }
    uint64_t t = span.end_time_unix_nano;
    if (t == 0 || span.start_time_unix_nano == 0) {
      ++stats_.no_time;
      continue;
    }
    if (t < span.start_time_unix_nano) {
      ++stats_.bad_duration;
      continue;
    }
    std::optional<uint64_t> bucket = clock_.Admit(t);
    if (!bucket) {
      ++stats_.late;
      continue;
    }
    double duration_ms = static_cast<double>(t - span.start_time_unix_nano) / 1e6;
    const bool error = model::IsFailedSpan(span);

    if (table_.epoch() != batch_series_epoch_) {  // slots may have been erased
      batch_series_.clear();
      batch_series_epoch_ = table_.epoch();
    }
    CacheKey(span.resource_index, span.kind, span.name, peer_, &lookup_);
    if (auto cached = batch_series_.find(lookup_); cached != batch_series_.end()) {
      // Exactly what the lookups below do for series already in the table.
      Record(table_.Touch(cached->second.plain, t), *bucket, error, duration_ms);
      if (cached->second.versioned) Record(table_.Touch(cached->second.versioned, t), *bucket, error, duration_ms);
      ++stats_.counted;
      continue;
    }

    const model::Resource* resource =
        span.resource_index < batch.resources.size() ? &batch.resources[span.resource_index] : nullptr;
    SeriesKey key;
    key.service = batch.ServiceOf(span.resource_index);
    key.operation = span.name;
    key.attributes.emplace_back("span.kind", model::SpanKindName(span.kind));
    if (client) key.attributes.emplace_back("peer", peer_);
    std::sort(key.attributes.begin(), key.attributes.end());
    SpanSeries series;
    series.plain = table_.FindSlot(key, t);
    if (series.plain) Record(&series.plain->value, *bucket, error, duration_ms);
    std::string_view version = resource ? model::StringAttribute(resource->attributes, "service.version") : "";
    if (!version.empty()) {
      key.attributes.emplace_back("service.version", std::string(version));
      std::sort(key.attributes.begin(), key.attributes.end());
      series.versioned = table_.FindSlot(key, t);
      if (series.versioned) Record(&series.versioned->value, *bucket, error, duration_ms);
    }
    const bool all = series.plain && (version.empty() || series.versioned);
    if (series.plain || series.versioned) ++stats_.counted;
    // Only a span whose series are all in the table is cached: a refused
    // one must be asked for again (and counted as refused) next time.
    if (all) {
      if (table_.epoch() != batch_series_epoch_) {
        batch_series_.clear();
        batch_series_epoch_ = table_.epoch();
      }
      batch_series_.emplace(lookup_, series);
    }
  }
}

void RedAggregator::Record(Buckets* b, uint64_t bucket, bool error, double duration_ms) {
  auto it = b->open.find(bucket);
  if (it == b->open.end()) {
    it = b->open.emplace(bucket, Cell{0, 0, DDSketch(options_.relative_accuracy, options_.max_bins)}).first;
  }
  Cell& c = it->second;
  ++c.requests;
  if (error) ++c.errors;
  c.durations.Add(duration_ms);
}

void RedAggregator::TakeClosed(std::vector<SeriesPoint>* out) {
  struct Closed {
    uint64_t bucket;
    SeriesKey key;
    Cell cell;
  };
  std::vector<Closed> closed;
  table_.ForEach([&](const SeriesKey& key, Buckets& b) {
    for (auto it = b.open.begin(); it != b.open.end() && clock_.Closed(it->first);) {
      closed.push_back({it->first, key, std::move(it->second)});
      it = b.open.erase(it);
    }
  });
  // Series forgotten as idle: all their buckets are closed (idle_ns >=
  // width + lateness), and emitting them now, not when they were forgotten,
  // keeps the output independent of when TakeClosed is called.
  std::vector<std::pair<SeriesKey, Buckets>> retired;
  table_.TakeRetired(&retired);
  for (auto& [key, b] : retired) {
    for (auto& [bucket, cell] : b.open) closed.push_back({bucket, key, std::move(cell)});
  }
  std::sort(closed.begin(), closed.end(),
            [](const Closed& a, const Closed& b) { return std::tie(a.bucket, a.key) < std::tie(b.bucket, b.key); });
  for (Closed& c : closed) {
    ++stats_.buckets_emitted;
    SeriesPoint p;
    p.key = std::move(c.key);
    p.time_ns = c.bucket;
    p.key.metric = "span.requests";
    p.value = static_cast<double>(c.cell.requests);
    out->push_back(p);
    p.key.metric = "span.errors";
    p.value = static_cast<double>(c.cell.errors);
    out->push_back(p);
    p.key.metric = "span.duration";
    p.value = static_cast<double>(c.cell.durations.count());
    p.sketch = std::move(c.cell.durations);
    out->push_back(std::move(p));
  }
}

void RedAggregator::SaveState(StateWriter* w) const {
  w->Put(clock_.watermark());
  table_.Encode(w, [](StateWriter* w, const Buckets& b) {
    w->Put(static_cast<uint32_t>(b.open.size()));
    for (const auto& [bucket, cell] : b.open) {
      w->Put(bucket);
      w->Put(cell.requests);
      w->Put(cell.errors);
      w->PutString(cell.durations.Serialize());
    }
  });
}

void RedAggregator::LoadState(StateReader* r) {
  clock_ = EventClock(options_.clock);
  const uint64_t watermark = r->Get<uint64_t>();
  if (watermark > 0) clock_.AdvanceTo(watermark);
  table_.Decode(r, [&](StateReader* r, Buckets* b) {
    const size_t n = r->ReadCount(28);
    for (size_t i = 0; i < n && !r->failed(); ++i) {
      const uint64_t bucket = r->Get<uint64_t>();
      Cell c{0, 0, DDSketch(options_.relative_accuracy, options_.max_bins)};
      c.requests = r->Get<uint64_t>();
      c.errors = r->Get<uint64_t>();
      if (!c.durations.Deserialize(r->GetString()).ok()) r->Fail();
      b->open.emplace(bucket, std::move(c));
    }
  });
}

RedStats RedAggregator::stats() const {
  RedStats s = stats_;
  s.series_overflow = table_.overflow();
  s.series_expired = table_.expired();
  s.series = table_.size();
  return s;
}

}  // namespace augur::analysis
