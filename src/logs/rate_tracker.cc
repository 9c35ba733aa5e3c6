#include "logs/rate_tracker.h"

#include <algorithm>
#include <cmath>

namespace augur::logs {
namespace {

double Alpha(const RateRule& rule) {
  return 1.0 - std::exp2(-1.0 / std::max(rule.half_life_buckets, 1e-9));
}

template <typename T>
T SaturatingAdd(T a, uint64_t b) {
  const uint64_t max = static_cast<uint64_t>(static_cast<T>(~T(0)));
  return static_cast<T>(std::min<uint64_t>(max, static_cast<uint64_t>(a) + b));
}

}  // namespace

uint32_t PoissonUpperQuantile(double lambda, double p) {
  if (!(lambda > 0)) return 1;  // P(X >= 1) = 0
  double pmf = std::exp(-lambda), cdf = 0;
  const double limit = lambda + 50 * std::sqrt(lambda) + 50;
  for (uint32_t k = 0; k < limit; ++k) {
    // Here cdf = P(X < k): the tail P(X >= k) = 1 - cdf.
    if (1.0 - cdf < p) return k;
    cdf += pmf;
    pmf *= lambda / (k + 1);
  }
  return static_cast<uint32_t>(limit);
}

void RateTracker::Start(uint64_t bucket, const RateRule& rule) {
  *this = RateTracker();
  started_ = true;
  Open(bucket, rule);
}

bool RateTracker::Count(uint64_t bucket, const RateRule& rule) {
  if (!started_) Start(bucket, rule);
  if (bucket > bucket_) AdvanceTo(bucket, rule);
  ++count_;
  if (open_ && count_ > peak_) peak_ = count_;
  if (history_ < rule.min_history) return false;
  if (jumped_) return count_ == 2 * threshold_;
  if (count_ < threshold_) return false;
  jumped_ = true;
  return true;
}

void RateTracker::AdvanceTo(uint64_t bucket, const RateRule& rule) {
  if (!started_ || bucket <= bucket_) return;
  Close(rule);
  const uint64_t gap = bucket - bucket_ - 1;
  if (gap > 0) Skip(gap, rule);
  Open(bucket, rule);
}

double RateTracker::calm() const {
  const double m = mean();
  return m + 3 * std::sqrt(std::max(variance(), m));
}

void RateTracker::set_open(bool open, const RateRule& rule) {
  if (open) {
    open_ = true;
    open_buckets_ = 0;
    quiet_ = 0;
    open_sum_ = 0;
    peak_ = count_;
    return;
  }
  if (open_ && open_buckets_ >= rule.max_open_buckets && open_buckets_ > 0) {
    // It stayed high: that is the new normal.
    mean_ = open_sum_ / open_buckets_;
    var_ = std::max<float>(variance(), mean_);
    weight_ = 1;
  }
  open_ = false;
  quiet_ = 0;
  open_buckets_ = 0;
  open_sum_ = 0;
}

void RateTracker::Close(const RateRule& rule) {
  history_ = SaturatingAdd(history_, 1);
  if (open_) {
    open_buckets_ = SaturatingAdd(open_buckets_, 1);
    open_sum_ += static_cast<float>(count_);
    if (count_ <= calm()) {
      if (quiet_ == 0) quiet_start_ = bucket_;
      quiet_ = SaturatingAdd(quiet_, 1);
    } else {
      quiet_ = 0;
    }
    return;
  }
  Learn(count_, rule);
}

void RateTracker::Skip(uint64_t empty_buckets, const RateRule& rule) {
  history_ = SaturatingAdd(history_, empty_buckets);
  if (open_) {
    open_buckets_ = SaturatingAdd(open_buckets_, empty_buckets);
    if (quiet_ == 0) quiet_start_ = bucket_ + 1;
    quiet_ = SaturatingAdd(quiet_, empty_buckets);
    return;
  }
  // k empty buckets in closed form: mean_k = d m, var_k = d (var + m^2 (1 - d)), d = (1 - a)^k.
  // The weight grows as if k buckets were learned: w_k = 1 - (1 - w) d.
  const double d = std::pow(1.0 - Alpha(rule), static_cast<double>(empty_buckets));
  const double m = mean_;
  var_ = static_cast<float>(d * (var_ + m * m * (1 - d)));
  mean_ = static_cast<float>(d * m);
  weight_ = static_cast<float>(1 - (1 - weight_) * d);
}

void RateTracker::Learn(double x, const RateRule& rule) {
  const double a = Alpha(rule);
  const double diff = x - mean_;
  const double incr = a * diff;
  mean_ = static_cast<float>(mean_ + incr);
  var_ = static_cast<float>((1 - a) * (var_ + diff * incr));
  weight_ = static_cast<float>((1 - a) * weight_ + a);
}

void RateTracker::Open(uint64_t bucket, const RateRule& rule) {
  bucket_ = bucket;
  count_ = 0;
  jumped_ = false;
  const double mean = this->mean();
  const double sd = std::sqrt(std::max(variance(), mean));
  double t = std::max<double>(rule.min_count, std::ceil(rule.min_ratio * mean));
  t = std::max(t, std::ceil(mean + rule.z * sd));
  if (mean < 200) t = std::max<double>(t, PoissonUpperQuantile(mean, rule.p_value));
  threshold_ = static_cast<uint32_t>(std::min(t, 4e9));
}

void RateTracker::Save(analysis::StateWriter* w) const {
  w->Put(bucket_);
  w->Put(quiet_start_);
  w->Put(mean_);
  w->Put(var_);
  w->Put(weight_);
  w->Put(open_sum_);
  w->Put(count_);
  w->Put(threshold_);
  w->Put(peak_);
  w->Put(history_);
  w->Put(open_buckets_);
  w->Put(quiet_);
  w->Put(static_cast<uint8_t>((started_ ? 1 : 0) | (open_ ? 2 : 0) | (jumped_ ? 4 : 0)));
}

void RateTracker::Load(analysis::StateReader* r) {
  bucket_ = r->Get<uint64_t>();
  quiet_start_ = r->Get<uint64_t>();
  mean_ = r->Get<float>();
  var_ = r->Get<float>();
  weight_ = r->Get<float>();
  open_sum_ = r->Get<float>();
  count_ = r->Get<uint32_t>();
  threshold_ = r->Get<uint32_t>();
  peak_ = r->Get<uint32_t>();
  history_ = r->Get<uint16_t>();
  open_buckets_ = r->Get<uint16_t>();
  quiet_ = r->Get<uint16_t>();
  const uint8_t flags = r->Get<uint8_t>();
  started_ = flags & 1;
  open_ = flags & 2;
  jumped_ = flags & 4;
  if (!std::isfinite(mean_) || !std::isfinite(var_) || mean_ < 0 || var_ < 0 || !(weight_ >= 0 && weight_ <= 1) ||
      flags > 7) {
    r->Fail();
  }
}

}  // namespace augur::logs
