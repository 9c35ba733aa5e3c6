#include "analysis/analyzer.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <utility>

#include "analysis/explain.h"
#include "analysis/stable_id.h"
#include "analysis/state_codec.h"
#include "analysis/version_tracker.h"
#include "detect/error_detector.h"
#include "detect/latency_detector.h"
#include "detect/metric_detector.h"
#include "detect/traffic_detector.h"

namespace augur::analysis {

namespace {

constexpr std::string_view kMagic = "augur-analyzer";
constexpr uint8_t kStateVersion = 2;  // 2: metric and traffic detectors' state v2

// No span for this long of event time means the input itself paused (augur
// was down, or every source was): the RED buckets in between are unknown,
// not zeros. A live source exports every few seconds.
constexpr uint64_t kInputGapNs = 60'000'000'000;
constexpr size_t kMaxGaps = 256;

// OTLP metric series raise nothing before this many points: the CUSUM's
// estimate of their autocorrelation remembers about 200 points (detect/
// cusum.h), and until it has them a gauge's autocorrelated wander looks
// like level shifts. (The RED detectors estimate it unbiased from their
// first points, so their warm-up stays short; the metric detector keeps
// the shorter one the NAB benchmark is scored with.)
constexpr uint32_t kMetricWarmupPoints = 200;

bool SameRedSeries(const SeriesKey& a, const SeriesKey& b) {
  return a.service == b.service && a.operation == b.operation && a.attributes == b.attributes;
}

bool Versioned(const SeriesKey& k) {
  return !k.Attribute("service.version").empty();
}

// One unversioned RED series (service, operation, kind[, peer]): its three
// detectors share the buckets.
struct RedEntry {
  detect::LatencyDetector latency;
  detect::ErrorDetector errors;
  detect::TrafficDetector traffic;
  uint64_t last_ns = 0;    // bucket start of the newest real point (idleness)
  uint64_t filled_ns = 0;  // bucket start of the newest point the traffic detector got, real or zero
};

struct MetricEntry {
  detect::MetricDetector detector;
  uint64_t last_ns = 0;
  double interval_s = 0;  // typical time between points (exponential average); 0 until two were seen
};

// Points a day of a metric series whose points come every `interval_s`;
// before the second point, OTel's default export interval (60 s).
double MetricPointsPerDay(double interval_s) {
  return 86'400 / (interval_s > 0 ? std::max(interval_s, 1.0) : 60.0);
}

// A bucket width of 0 would divide by zero: one second is the least.
AnalyzerOptions Sanitized(AnalyzerOptions o) {
  o.red.clock.bucket_width_ns = std::max<uint64_t>(o.red.clock.bucket_width_ns, 1'000'000'000);
  o.detector_idle_ns = std::max<uint64_t>(o.detector_idle_ns, 8);
  return o;
}

}  // namespace

struct Analyzer::Impl {
  explicit Impl(AnalyzerOptions o)
      : options(Sanitized(std::move(o))),
        width(options.red.clock.bucket_width_ns),
        lateness(options.red.clock.allowed_lateness_ns),
        red_points_per_day(86'400e9 / static_cast<double>(width)),
        red(options.red),
        metrics(options.metrics),
        versions(VersionTrackerOptions{.attributes = options.version_attributes,
                                       .max_tracked = options.max_versions_tracked}) {}

  void Add(const model::Batch& batch);
  void AdvanceTo(uint64_t time_ns);

  void NoteTime(uint64_t time_ns);
  void DrainRed();
  void RedBucket(const SeriesPoint& requests, const SeriesPoint& errors, const SeriesPoint& duration);
  void FillZeros(const SeriesKey& base, RedEntry* e, uint64_t upto);
  void FillAll();
  uint64_t SkipGap(uint64_t bucket) const;
  void MetricPointIn(const SeriesPoint& p);
  RedEntry* FindRed(const SeriesKey& base, uint64_t bucket);
  MetricEntry* FindMetric(const SeriesKey& key);
  void SweepRed(uint64_t now_ns);
  void SweepMetrics(uint64_t now_ns);
  void EndForgotten(const SeriesKey& key, uint64_t end_ns, uint64_t known_ns);
  detect::Options OptionsFor(const SeriesKey& key, double points_per_day) const;
  void Report(const SeriesKey& key, const detect::Verdict& v, uint64_t known_ns, std::string_view unit,
              double reference);
  size_t detector_count() const { return 3 * red_detectors.size() + metric_detectors.size(); }

  void Save(StateWriter* w) const;
  Status Load(StateReader* r);

  AnalyzerOptions options;
  const uint64_t width;
  const uint64_t lateness;
  const double red_points_per_day;
  RedAggregator red;
  MetricSeries metrics;
  VersionTracker versions;
  std::map<SeriesKey, RedEntry> red_detectors;  // by RED key without metric
  std::map<SeriesKey, MetricEntry> metric_detectors;
  std::map<SeriesKey, detect::Sensitivity> sensitivities;
  std::map<SeriesKey, model::Anomaly> open;  // by detector series
  std::vector<model::Anomaly> anomalies;     // not yet taken
  std::vector<model::ChangeEvent> events;    // not yet taken

  // Zero buckets for the traffic detectors (see analyzer.h).
  struct Gap {
    uint64_t from = 0, to = 0;  // no span with an end time in (from, to)
  };
  uint64_t newest_span_ns = 0;
  std::deque<Gap> gaps;
  uint64_t filled_to = 0;  // every RED entry was filled up to this bucket start (0: never)

  uint64_t red_sweep_ns = 0, metric_sweep_ns = 0;
  bool red_swept = false, metric_swept = false;

  AnalyzerStats counters;  // points_analysed, detector_overflow, anomalies_*, sensitivity_overflow
  std::vector<SeriesPoint> scratch;
};

void Analyzer::Impl::Add(const model::Batch& batch) {
  versions.Add(batch, &events);
  for (const model::Span& s : batch.spans) {
    if (s.kind != model::SpanKind::kServer && s.kind != model::SpanKind::kConsumer &&
        s.kind != model::SpanKind::kClient) {
      continue;
    }
    if (s.start_time_unix_nano == 0 || s.end_time_unix_nano < s.start_time_unix_nano) continue;
    NoteTime(s.end_time_unix_nano);
  }
  red.Add(batch);
  DrainRed();
  scratch.clear();
  metrics.Add(batch, &scratch);
  for (const SeriesPoint& p : scratch) MetricPointIn(p);
}

void Analyzer::Impl::AdvanceTo(uint64_t time_ns) {
  // The watermark an item at time_ns + lateness would give.
  NoteTime(time_ns > UINT64_MAX - lateness ? UINT64_MAX : time_ns + lateness);
  red.AdvanceTo(time_ns);
  DrainRed();
}

void Analyzer::Impl::NoteTime(uint64_t time_ns) {
  if (newest_span_ns != 0 && time_ns > newest_span_ns + kInputGapNs) {
    if (gaps.size() >= kMaxGaps) {
      gaps.back().to = time_ns;  // merged: more buckets unknown, never fewer
    } else {
      gaps.push_back({newest_span_ns, time_ns});
    }
  }
  newest_span_ns = std::max(newest_span_ns, time_ns);
}

void Analyzer::Impl::DrainRed() {
  scratch.clear();
  red.TakeClosed(&scratch);
  // RED emits (requests, errors, duration) per (bucket, key), in that order.
  for (size_t i = 0; i < scratch.size();) {
    size_t j = i + 1;
    while (j < scratch.size() && scratch[j].time_ns == scratch[i].time_ns &&
           SameRedSeries(scratch[j].key, scratch[i].key))
      ++j;
    const SeriesPoint *req = nullptr, *err = nullptr, *dur = nullptr;
    for (size_t k = i; k < j; ++k) {
      const std::string& m = scratch[k].key.metric;
      if (m == "span.requests") req = &scratch[k];
      if (m == "span.errors") err = &scratch[k];
      if (m == "span.duration") dur = &scratch[k];
    }
    if (req && err && dur && !Versioned(req->key)) RedBucket(*req, *err, *dur);
    i = j;
  }
  FillAll();
}

void Analyzer::Impl::RedBucket(const SeriesPoint& requests, const SeriesPoint& errors, const SeriesPoint& duration) {
  const uint64_t bucket = requests.time_ns;
  SweepRed(bucket);
  SeriesKey base = requests.key;
  base.metric.clear();
  RedEntry* e = FindRed(base, bucket);
  if (e == nullptr) return;
  if (bucket >= width) FillZeros(base, e, bucket - width);

  const uint64_t known = bucket + width + lateness;
  const detect::CountPoint cp{bucket, static_cast<uint64_t>(requests.value), static_cast<uint64_t>(errors.value)};
  Report(errors.key, e->errors.Update(OptionsFor(errors.key, red_points_per_day), cp), known, "", 0);
  Report(requests.key, e->traffic.Update(OptionsFor(requests.key, red_points_per_day), cp), known, "", 0);
  const detect::LatencyPoint lp = ToLatencyPoint(duration, e->latency.Reference());
  Report(duration.key, e->latency.Update(OptionsFor(duration.key, red_points_per_day), lp), known, "ms", lp.reference);
  counters.points_analysed += 3;
  e->last_ns = std::max(e->last_ns, bucket);
  e->filled_ns = std::max(e->filled_ns, bucket);
}

void Analyzer::Impl::FillZeros(const SeriesKey& base, RedEntry* e, uint64_t upto) {
  if (upto <= e->filled_ns) return;
  SeriesKey key;
  detect::Options o;
  bool ready = false;
  for (uint64_t b = SkipGap(e->filled_ns + width); b <= upto; b = SkipGap(b + width)) {
    if (!ready) {
      key = base;
      key.metric = "span.requests";
      o = OptionsFor(key, red_points_per_day);
      ready = true;
    }
    // A zero is news only where many requests are expected; a quiet
    // endpoint's empty buckets would teach a bursty series a false normal.
    if (e->traffic.Expect(o, b).center < o.min_expected_count) break;
    Report(key, e->traffic.Update(o, {b, 0, 0}), b + width + lateness, "", 0);
    ++counters.points_analysed;
  }
  e->filled_ns = upto;
}

uint64_t Analyzer::Impl::SkipGap(uint64_t bucket) const {
  for (const Gap& g : gaps) {
    if (bucket + width > g.from && bucket < g.to) bucket = (g.to + width - 1) / width * width;
  }
  return bucket;
}

void Analyzer::Impl::FillAll() {
  const uint64_t wm = red.watermark();
  if (wm < width) return;
  const uint64_t last_closed = (wm - width) - (wm - width) % width;
  if (last_closed <= filled_to) return;
  for (auto& [base, e] : red_detectors) FillZeros(base, &e, last_closed);
  filled_to = last_closed;
  while (!gaps.empty() && gaps.front().to <= last_closed) gaps.pop_front();
}

void Analyzer::Impl::MetricPointIn(const SeriesPoint& p) {
  SweepMetrics(p.time_ns);
  MetricEntry* e = FindMetric(p.key);
  if (e == nullptr) return;
  if (p.time_ns > e->last_ns && e->last_ns != 0) {
    const double dt = static_cast<double>(p.time_ns - e->last_ns) / 1e9;
    e->interval_s = e->interval_s == 0 ? dt : e->interval_s + 0.1 * (dt - e->interval_s);
  }
  detect::Options o = OptionsFor(p.key, MetricPointsPerDay(e->interval_s));
  o.warmup_points = std::max(o.warmup_points, kMetricWarmupPoints);
  const detect::Verdict v = e->detector.Update(o, {p.time_ns, p.value});
  ++counters.points_analysed;
  e->last_ns = std::max(e->last_ns, p.time_ns);
  Report(p.key, v, p.time_ns, p.unit, 0);
}

RedEntry* Analyzer::Impl::FindRed(const SeriesKey& base, uint64_t bucket) {
  auto it = red_detectors.find(base);
  if (it != red_detectors.end()) return &it->second;
  if (detector_count() + 3 > options.max_detectors) {
    counters.detector_overflow += 3;
    return nullptr;
  }
  RedEntry& e = red_detectors[base];
  e.last_ns = bucket;
  e.filled_ns = bucket;
  return &e;
}

MetricEntry* Analyzer::Impl::FindMetric(const SeriesKey& key) {
  auto it = metric_detectors.find(key);
  if (it != metric_detectors.end()) return &it->second;
  if (detector_count() + 1 > options.max_detectors) {
    ++counters.detector_overflow;
    return nullptr;
  }
  return &metric_detectors[key];
}

// Sweeps run on each stream's own event time, at most every idle/8, so
// which states are forgotten depends only on the points and their order.
void Analyzer::Impl::SweepRed(uint64_t now_ns) {
  const uint64_t idle = options.detector_idle_ns;
  if (red_swept && now_ns < red_sweep_ns + idle / 8) return;
  red_swept = true;
  red_sweep_ns = now_ns;
  for (auto it = red_detectors.begin(); it != red_detectors.end();) {
    if (it->second.last_ns + idle > now_ns) {
      ++it;
      continue;
    }
    SeriesKey key = it->first;
    for (const char* metric : {"span.requests", "span.errors", "span.duration"}) {
      key.metric = metric;
      EndForgotten(key, it->second.last_ns + width, now_ns + width + lateness);
    }
    it = red_detectors.erase(it);
  }
}

void Analyzer::Impl::SweepMetrics(uint64_t now_ns) {
  const uint64_t idle = options.detector_idle_ns;
  if (metric_swept && now_ns < metric_sweep_ns + idle / 8) return;
  metric_swept = true;
  metric_sweep_ns = now_ns;
  for (auto it = metric_detectors.begin(); it != metric_detectors.end();) {
    if (it->second.last_ns + idle > now_ns) {
      ++it;
      continue;
    }
    EndForgotten(it->first, it->second.last_ns, now_ns);
    it = metric_detectors.erase(it);
  }
}

// A series that stopped reporting for detector_idle_ns: its open anomaly
// ends where its data did.
void Analyzer::Impl::EndForgotten(const SeriesKey& key, uint64_t end_ns, uint64_t known_ns) {
  auto it = open.find(key);
  if (it == open.end()) return;
  model::Anomaly a = std::move(it->second);
  open.erase(it);
  a.end_ns = std::max(end_ns, a.onset_ns + 1);
  a.updated_ns = known_ns;
  anomalies.push_back(std::move(a));
  ++counters.anomalies_ended;
}

detect::Options Analyzer::Impl::OptionsFor(const SeriesKey& key, double points_per_day) const {
  detect::Sensitivity s = options.sensitivity;
  if (!sensitivities.empty()) {
    auto it = sensitivities.find(key);
    if (it != sensitivities.end()) s = it->second;
  }
  return detect::Options::ForRate(s, points_per_day);
}

void Analyzer::Impl::Report(const SeriesKey& key, const detect::Verdict& v, uint64_t known_ns, std::string_view unit,
                            double reference) {
  if (v.event == detect::Event::kNone) return;
  const detect::Finding& f = v.finding;
  auto it = open.find(key);
  if (v.event == detect::Event::kEnded) {
    if (it == open.end()) return;  // nothing reported to end
    model::Anomaly a = std::move(it->second);
    open.erase(it);
    a.end_ns = std::max(f.ended_ns, a.onset_ns + 1);
    a.score = std::max(a.score, f.score);
    a.updated_ns = known_ns;
    anomalies.push_back(std::move(a));
    ++counters.anomalies_ended;
    return;
  }
  model::Anomaly a;
  if (v.event == detect::Event::kUpdated && it != open.end()) {
    a = it->second;
  } else {
    a.id = StableId().Mix(key.ToString()).Mix(f.raised_ns).Id("an-");
    a.series = key;
    a.detected_ns = known_ns;
    ++counters.anomalies_raised;
  }
  const bool dimensionless = f.quantity == detect::Quantity::kSlowShare ||
                             f.quantity == detect::Quantity::kErrorRatio || f.quantity == detect::Quantity::kCount;
  a.kind = std::string(detect::KindName(f.kind));
  a.direction = std::string(detect::DirectionName(f.direction));
  a.quantity = std::string(detect::QuantityName(f.quantity));
  a.unit = dimensionless ? "" : std::string(unit);
  a.detector = f.detector;
  a.onset_ns = f.onset_ns;
  a.end_ns = 0;
  a.before = f.before;
  a.observed = f.observed;
  a.expected_low = f.expected_low;
  a.expected_high = f.expected_high;
  a.score = std::max(a.score, f.score);
  a.explanation = Explain(key, f, a.unit, reference);
  a.updated_ns = known_ns;
  open[key] = a;
  anomalies.push_back(std::move(a));
}

void Analyzer::Impl::Save(StateWriter* w) const {
  w->Put(width);
  w->Put(lateness);
  red.SaveState(w);
  metrics.SaveState(w);
  versions.SaveState(w);
  w->Put(static_cast<uint32_t>(red_detectors.size()));
  for (const auto& [key, e] : red_detectors) {
    w->PutKey(key);
    w->Put(e.last_ns);
    w->Put(e.filled_ns);
    w->PutString(e.latency.Serialize());
    w->PutString(e.errors.Serialize());
    w->PutString(e.traffic.Serialize());
  }
  w->Put(static_cast<uint32_t>(metric_detectors.size()));
  for (const auto& [key, e] : metric_detectors) {
    w->PutKey(key);
    w->Put(e.last_ns);
    w->Put(e.interval_s);
    w->PutString(e.detector.Serialize());
  }
  w->Put(static_cast<uint32_t>(sensitivities.size()));
  for (const auto& [key, s] : sensitivities) {
    w->PutKey(key);
    w->Put(static_cast<uint8_t>(s));
  }
  w->Put(static_cast<uint32_t>(open.size()));
  for (const auto& [key, a] : open) {
    w->PutKey(key);
    w->PutAnomaly(a);
  }
  w->Put(newest_span_ns);
  w->Put(static_cast<uint32_t>(gaps.size()));
  for (const Gap& g : gaps) {
    w->Put(g.from);
    w->Put(g.to);
  }
  w->Put(filled_to);
  w->Put(red_sweep_ns);
  w->Put(static_cast<uint8_t>(red_swept));
  w->Put(metric_sweep_ns);
  w->Put(static_cast<uint8_t>(metric_swept));
}

Status Analyzer::Impl::Load(StateReader* r) {
  const uint64_t saved_width = r->Get<uint64_t>();
  const uint64_t saved_lateness = r->Get<uint64_t>();
  if (!r->failed() && (saved_width != width || saved_lateness != lateness)) {
    // The detectors learned counts per bucket of another width.
    return Status::InvalidArgument("analyzer state: saved with buckets of " + std::to_string(saved_width / 1'000'000) +
                                   " ms and lateness " + std::to_string(saved_lateness / 1'000'000) + " ms; now " +
                                   std::to_string(width / 1'000'000) + " ms and " +
                                   std::to_string(lateness / 1'000'000) + " ms");
  }
  red.LoadState(r);
  metrics.LoadState(r);
  versions.LoadState(r);
  size_t n = r->ReadCount(20);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    SeriesKey key = r->GetKey();
    RedEntry e;
    e.last_ns = r->Get<uint64_t>();
    e.filled_ns = r->Get<uint64_t>();
    if (!e.latency.Deserialize(r->GetString()).ok() || !e.errors.Deserialize(r->GetString()).ok() ||
        !e.traffic.Deserialize(r->GetString()).ok()) {
      r->Fail();
    }
    red_detectors.emplace(std::move(key), std::move(e));
  }
  n = r->ReadCount(20);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    SeriesKey key = r->GetKey();
    MetricEntry e;
    e.last_ns = r->Get<uint64_t>();
    e.interval_s = r->Get<double>();
    if (!e.detector.Deserialize(r->GetString()).ok()) r->Fail();
    metric_detectors.emplace(std::move(key), std::move(e));
  }
  n = r->ReadCount(17);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    SeriesKey key = r->GetKey();
    const uint8_t s = r->Get<uint8_t>();
    if (s > static_cast<uint8_t>(detect::Sensitivity::kHigh)) r->Fail();
    sensitivities.emplace(std::move(key), static_cast<detect::Sensitivity>(s));
  }
  n = r->ReadCount(16);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    SeriesKey key = r->GetKey();
    open.emplace(std::move(key), r->GetAnomaly());
  }
  newest_span_ns = r->Get<uint64_t>();
  n = r->ReadCount(16);
  for (size_t i = 0; i < n && !r->failed(); ++i) {
    Gap g;
    g.from = r->Get<uint64_t>();
    g.to = r->Get<uint64_t>();
    gaps.push_back(g);
  }
  filled_to = r->Get<uint64_t>();
  red_sweep_ns = r->Get<uint64_t>();
  red_swept = r->GetBool();
  metric_sweep_ns = r->Get<uint64_t>();
  metric_swept = r->GetBool();
  return r->Finish("analyzer state");
}

Analyzer::Analyzer(AnalyzerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Analyzer::~Analyzer() = default;

void Analyzer::Add(const model::Batch& batch) {
  impl_->Add(batch);
}

void Analyzer::AdvanceTo(uint64_t time_ns) {
  impl_->AdvanceTo(time_ns);
}

void Analyzer::TakeAnomalies(std::vector<model::Anomaly>* out) {
  for (auto& a : impl_->anomalies) out->push_back(std::move(a));
  impl_->anomalies.clear();
}

void Analyzer::TakeInferredEvents(std::vector<model::ChangeEvent>* out) {
  for (auto& e : impl_->events) out->push_back(std::move(e));
  impl_->events.clear();
}

void Analyzer::SetSensitivity(const model::SeriesKey& key, detect::Sensitivity sensitivity) {
  auto& map = impl_->sensitivities;
  if (sensitivity == impl_->options.sensitivity) {
    map.erase(key);
    return;
  }
  auto it = map.find(key);
  if (it != map.end()) {
    it->second = sensitivity;
  } else if (map.size() < impl_->options.max_detectors) {
    map.emplace(key, sensitivity);
  } else {
    ++impl_->counters.sensitivity_overflow;
  }
}

std::string Analyzer::SaveState() const {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kStateVersion));
  StateWriter w(&out);
  impl_->Save(&w);
  return out;
}

Status Analyzer::LoadState(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic || bytes.size() < kMagic.size() + 1) {
    return Status::InvalidArgument("analyzer state: not a saved analyzer state");
  }
  const auto version = static_cast<uint8_t>(bytes[kMagic.size()]);
  if (version != kStateVersion) {
    return Status::InvalidArgument("analyzer state: format version " + std::to_string(version) + ", want " +
                                   std::to_string(kStateVersion));
  }
  auto fresh = std::make_unique<Impl>(impl_->options);
  StateReader r(bytes.substr(kMagic.size() + 1));
  if (Status s = fresh->Load(&r); !s.ok()) return s;
  impl_ = std::move(fresh);
  return Status::OK();
}

uint64_t Analyzer::watermark() const {
  return impl_->red.watermark();
}

AnalyzerStats Analyzer::stats() const {
  AnalyzerStats s = impl_->counters;
  s.red = impl_->red.stats();
  s.metrics = impl_->metrics.stats();
  s.detectors = impl_->detector_count();
  const VersionTrackerStats v = impl_->versions.stats();
  s.events_inferred = v.events;
  s.version_overflow = v.overflow;
  return s;
}

}  // namespace augur::analysis
