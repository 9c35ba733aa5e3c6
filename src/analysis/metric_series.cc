#include "analysis/metric_series.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>
#include <variant>

namespace augur::analysis {

namespace {

constexpr uint32_t kNoRecordedValue = 1;  // OTLP DataPointFlags.FLAG_NO_RECORDED_VALUE

// One histogram bucket as a value range [lo, hi] holding n observations.
struct Range {
  double lo = 0, hi = 0;
  uint64_t n = 0;
};

// The q-quantile of observations spread uniformly inside each range
// (ranges ascending); nullopt when there are none.
std::optional<double> RangeQuantile(const std::vector<Range>& ranges, double q) {
  uint64_t total = 0;
  for (const Range& r : ranges) total += r.n;
  if (total == 0) return std::nullopt;
  double rank = q * static_cast<double>(total);
  double before = 0;
  for (const Range& r : ranges) {
    if (r.n == 0) continue;
    double n = static_cast<double>(r.n);
    if (before + n >= rank) return r.lo + (r.hi - r.lo) * std::clamp((rank - before) / n, 0.0, 1.0);
    before += n;
  }
  return ranges.back().hi;  // not reached: rank <= total
}

std::vector<Range> ExplicitRanges(const std::vector<double>& bounds, const std::vector<uint64_t>& counts) {
  std::vector<Range> r(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    r[i].n = counts[i];
    if (bounds.empty()) continue;  // one bucket, no bounds: no location
    // The open ends get their finite bound (histogram_quantile); the first
    // bucket of a non-negative quantity starts at 0.
    r[i].hi = i < bounds.size() ? bounds[i] : bounds.back();
    r[i].lo = i > 0 ? bounds[i - 1] : std::min(0.0, bounds[0]);
  }
  return r;
}

// The upper bound of exponential bucket `index` at `scale`: base^(index+1),
// base = 2^(2^-scale).
double ExpBound(int32_t scale, int64_t index) {
  return std::exp2(std::ldexp(static_cast<double>(index), -scale));
}

std::vector<Range> ExponentialRanges(int32_t scale, int32_t neg_offset, const std::vector<uint64_t>& neg, uint64_t zero,
                                     int32_t pos_offset, const std::vector<uint64_t>& pos) {
  std::vector<Range> r;
  r.reserve(neg.size() + pos.size() + 1);
  for (size_t i = neg.size(); i-- > 0;) {  // most negative first
    int64_t k = static_cast<int64_t>(neg_offset) + static_cast<int64_t>(i);
    r.push_back({-ExpBound(scale, k + 1), -ExpBound(scale, k), neg[i]});
  }
  r.push_back({0, 0, zero});
  for (size_t i = 0; i < pos.size(); ++i) {
    int64_t k = static_cast<int64_t>(pos_offset) + static_cast<int64_t>(i);
    r.push_back({ExpBound(scale, k), ExpBound(scale, k + 1), pos[i]});
  }
  return r;
}

// cur - prev bucket by bucket, buckets aligned by absolute index; nullopt if
// any count dropped or a bucket of prev vanished (a reset).
std::optional<std::vector<uint64_t>> Difference(int32_t prev_offset, const std::vector<uint64_t>& prev,
                                                int32_t cur_offset, const std::vector<uint64_t>& cur) {
  std::vector<uint64_t> d = cur;
  for (size_t i = 0; i < prev.size(); ++i) {
    if (prev[i] == 0) continue;
    int64_t j = static_cast<int64_t>(prev_offset) + static_cast<int64_t>(i) - cur_offset;
    if (j < 0 || j >= static_cast<int64_t>(cur.size()) || cur[j] < prev[i]) return std::nullopt;
    d[j] -= prev[i];
  }
  return d;
}

// ".p50", ".p99.9": the quantile as a percentile, at most 4 decimals.
std::string PercentileSuffix(double q) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), ".p%g", std::round(q * 1e6) / 1e4);
  return buf;
}

// The metric's unit for display: UCUM annotations ("{request}") and the
// dimensionless "1" carry no unit a reader needs.
std::string DisplayUnit(std::string_view unit) {
  std::string out;
  int depth = 0;
  for (char c : unit) {
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  return out == "1" ? std::string() : out;
}

double Seconds(uint64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

}  // namespace

MetricSeries::MetricSeries(MetricSeriesOptions options) : table_(options.max_series, options.idle_ns) {}

void MetricSeries::Add(const model::Batch& batch, std::vector<SeriesPoint>* out) {
  for (const model::Metric& m : batch.metrics) {
    const std::string& service = batch.ServiceOf(m.resource_index);
    for (const model::MetricPoint& p : m.points) AddPoint(m, service, p, out);
  }
}

void MetricSeries::AddPoint(const model::Metric& m, const std::string& service, const model::MetricPoint& p,
                            std::vector<SeriesPoint>* out) {
  ++stats_.points;
  SeriesKey key;
  key.metric = m.name;
  key.service = service;
  for (const auto& kv : p.attributes) key.attributes.emplace_back(kv.key, AttributeString(kv.value));
  std::stable_sort(key.attributes.begin(), key.attributes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  key.attributes.erase(std::unique(key.attributes.begin(), key.attributes.end(),
                                   [](const auto& a, const auto& b) { return a.first == b.first; }),
                       key.attributes.end());

  if (p.time_unix_nano == 0 || (p.flags & kNoRecordedValue) != 0) {
    ++stats_.no_value;
    if (p.time_unix_nano == 0) return;
    if (Previous* prev = table_.Find(key, p.time_unix_nano)) prev->has = false;  // a gap restarts
    return;
  }
  Previous* prev = table_.Find(key, p.time_unix_nano);
  if (prev == nullptr) return;  // counted by the table
  if (prev->has && p.time_unix_nano <= prev->time_ns) {
    ++stats_.out_of_order;
    return;
  }

  auto emit = [&](const std::string& suffix, double value) {
    if (!std::isfinite(value)) return;
    SeriesPoint sp;
    sp.key = key;
    sp.key.metric = m.name + suffix;
    sp.time_ns = p.time_unix_nano;
    sp.value = value;
    sp.unit = DisplayUnit(m.unit);
    if (suffix == ".rate") sp.unit += "/s";
    out->push_back(std::move(sp));
    ++stats_.emitted;
  };
  // The interval a delta point covers, in seconds; 0 if unknown.
  auto delta_seconds = [&]() -> double {
    if (p.start_time_unix_nano != 0 && p.start_time_unix_nano < p.time_unix_nano) {
      return Seconds(p.time_unix_nano - p.start_time_unix_nano);
    }
    if (prev->has && prev->time_ns < p.time_unix_nano) return Seconds(p.time_unix_nano - prev->time_ns);
    return 0;
  };
  // Whether a cumulative point continues the previous one; counts baselines and resets.
  auto continues = [&](double total, bool same_layout) {
    if (!prev->has) {
      ++stats_.baselines;
      return false;
    }
    bool new_start = p.start_time_unix_nano != 0 && prev->start_ns != 0 && p.start_time_unix_nano != prev->start_ns;
    if (total < prev->value || !same_layout || new_start) {
      ++stats_.resets;
      return false;
    }
    return true;
  };
  auto remember = [&](double total) {
    prev->has = true;
    prev->start_ns = p.start_time_unix_nano;
    prev->time_ns = p.time_unix_nano;
    prev->value = total;
  };
  auto emit_quantiles = [&](const std::vector<Range>& ranges, double lo, double hi) {
    for (double q : {0.5, 0.9, 0.99}) {
      if (auto v = RangeQuantile(ranges, q)) emit(PercentileSuffix(q), std::clamp(*v, lo, hi));
    }
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();

  if ((m.type == model::MetricType::kGauge || m.type == model::MetricType::kSum) && !std::isfinite(p.value)) {
    ++stats_.invalid;  // a NaN baseline would poison every later difference
    return;
  }
  switch (m.type) {
    case model::MetricType::kGauge: emit("", p.value); break;
    case model::MetricType::kSum:
      if (!m.monotonic) {
        emit("", p.value);
      } else if (m.temporality == model::Temporality::kDelta) {
        if (double s = delta_seconds(); s > 0) emit(".rate", p.value / s);
      } else if (m.temporality == model::Temporality::kCumulative) {
        if (continues(p.value, true))
          emit(".rate", (p.value - prev->value) / Seconds(p.time_unix_nano - prev->time_ns));
      } else {
        ++stats_.invalid;
        return;
      }
      break;
    case model::MetricType::kHistogram: {
      const auto* h = std::get_if<model::HistogramValue>(&p.distribution);
      if (h == nullptr || (!h->bucket_counts.empty() && h->bucket_counts.size() != h->explicit_bounds.size() + 1)) {
        ++stats_.invalid;
        return;
      }
      double count = static_cast<double>(h->count);
      if (m.temporality == model::Temporality::kDelta) {
        if (double s = delta_seconds(); s > 0) emit(".rate", count / s);
        emit_quantiles(ExplicitRanges(h->explicit_bounds, h->bucket_counts), h->has_min ? h->min : -kInf,
                       h->has_max ? h->max : kInf);
      } else if (m.temporality == model::Temporality::kCumulative) {
        bool same = h->explicit_bounds == prev->bounds && h->bucket_counts.size() == prev->counts.size();
        std::optional<std::vector<uint64_t>> diff;
        if (continues(count, same)) {
          diff = Difference(0, prev->counts, 0, h->bucket_counts);
          if (!diff) ++stats_.resets;
        }
        if (diff) {
          emit(".rate", (count - prev->value) / Seconds(p.time_unix_nano - prev->time_ns));
          emit_quantiles(ExplicitRanges(h->explicit_bounds, *diff), -kInf, kInf);
        }
        prev->bounds = h->explicit_bounds;
        prev->counts = h->bucket_counts;
      } else {
        ++stats_.invalid;
        return;
      }
      remember(count);
      return;
    }
    case model::MetricType::kExponentialHistogram: {
      const auto* h = std::get_if<model::ExponentialHistogramValue>(&p.distribution);
      if (h == nullptr || h->scale < -10 || h->scale > 20) {  // OTLP's range
        ++stats_.invalid;
        return;
      }
      double count = static_cast<double>(h->count);
      if (m.temporality == model::Temporality::kDelta) {
        if (double s = delta_seconds(); s > 0) emit(".rate", count / s);
        emit_quantiles(ExponentialRanges(h->scale, h->negative_offset, h->negative_bucket_counts, h->zero_count,
                                         h->positive_offset, h->positive_bucket_counts),
                       h->has_min ? h->min : -kInf, h->has_max ? h->max : kInf);
      } else if (m.temporality == model::Temporality::kCumulative) {
        std::optional<std::vector<uint64_t>> pos, neg;
        if (continues(count, h->scale == prev->scale && h->zero_count >= prev->zero_count)) {
          pos = Difference(prev->positive_offset, prev->counts, h->positive_offset, h->positive_bucket_counts);
          neg = Difference(prev->negative_offset, prev->negative_counts, h->negative_offset, h->negative_bucket_counts);
          if (!pos || !neg) ++stats_.resets;
        }
        if (pos && neg) {
          emit(".rate", (count - prev->value) / Seconds(p.time_unix_nano - prev->time_ns));
          emit_quantiles(ExponentialRanges(h->scale, h->negative_offset, *neg, h->zero_count - prev->zero_count,
                                           h->positive_offset, *pos),
                         -kInf, kInf);
        }
        prev->scale = h->scale;
        prev->zero_count = h->zero_count;
        prev->positive_offset = h->positive_offset;
        prev->counts = h->positive_bucket_counts;
        prev->negative_offset = h->negative_offset;
        prev->negative_counts = h->negative_bucket_counts;
      } else {
        ++stats_.invalid;
        return;
      }
      remember(count);
      return;
    }
    case model::MetricType::kSummary: {
      const auto* s = std::get_if<model::SummaryValue>(&p.distribution);
      if (s == nullptr) {
        ++stats_.invalid;
        return;
      }
      double count = static_cast<double>(s->count);
      if (continues(count, true)) emit(".rate", (count - prev->value) / Seconds(p.time_unix_nano - prev->time_ns));
      for (const auto& q : s->quantiles) {
        if (q.quantile >= 0 && q.quantile <= 1) emit(PercentileSuffix(q.quantile), q.value);
      }
      remember(count);
      return;
    }
  }
  remember(p.value);
}

namespace {

template <typename T>
void PutVector(StateWriter* w, const std::vector<T>& v) {
  w->Put(static_cast<uint32_t>(v.size()));
  for (T x : v) w->Put(x);
}

template <typename T>
std::vector<T> GetVector(StateReader* r) {
  std::vector<T> v(r->ReadCount(sizeof(T)));
  for (T& x : v) x = r->Get<T>();
  return v;
}

}  // namespace

void MetricSeries::SaveState(StateWriter* w) const {
  table_.Encode(w, [](StateWriter* w, const Previous& p) {
    w->Put(static_cast<uint8_t>(p.has));
    w->Put(p.start_ns);
    w->Put(p.time_ns);
    w->Put(p.value);
    PutVector(w, p.bounds);
    PutVector(w, p.counts);
    w->Put(p.scale);
    w->Put(p.zero_count);
    w->Put(p.positive_offset);
    w->Put(p.negative_offset);
    PutVector(w, p.negative_counts);
  });
}

void MetricSeries::LoadState(StateReader* r) {
  table_.Decode(r, [](StateReader* r, Previous* p) {
    p->has = r->GetBool();
    p->start_ns = r->Get<uint64_t>();
    p->time_ns = r->Get<uint64_t>();
    p->value = r->Get<double>();
    p->bounds = GetVector<double>(r);
    p->counts = GetVector<uint64_t>(r);
    p->scale = r->Get<int32_t>();
    p->zero_count = r->Get<uint64_t>();
    p->positive_offset = r->Get<int32_t>();
    p->negative_offset = r->Get<int32_t>();
    p->negative_counts = GetVector<uint64_t>(r);
  });
}

MetricSeriesStats MetricSeries::stats() const {
  MetricSeriesStats s = stats_;
  s.series_overflow = table_.overflow();
  s.series_expired = table_.expired();
  s.series = table_.size();
  return s;
}

}  // namespace augur::analysis
