#include "detect/latency_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/codec.h"
#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kMadToSigma = 1.2533141373155;
constexpr double kCusumClip = 8;
constexpr double kBand = 3;
// "Slow" is slower than twice the normal p99 of a bucket: latency noise is
// multiplicative, and for typical services (log-normal spread 0.3-0.6)
// that is beyond the population's p99.9, where normal requests are rare, so
// a few of them in one bucket are strong evidence. A fixed multiple of the
// robust p99 level is also stable while the series is young; a reference
// that moved while its share was being learned would bias the share.
constexpr double kSlowFactor = 2;
constexpr double kZ99 = 2.3263478740408;  // the standard normal's p99
constexpr double kLn10 = 2.302585092994046;
// Prior of the share of requests above the reference (rare by its
// choice): 0.5%, worth 200 requests.
constexpr double kPriorSlowShare = 0.005;
constexpr double kPriorRequests = 200;
constexpr double kMaxPearson = 25;       // a bucket's X^2 learned at most (5 standard deviations)
constexpr double kDispersionPrior = 20;  // buckets
constexpr uint32_t kClipAfter = 8;
constexpr Quantity kQuantities[3] = {Quantity::kP50, Quantity::kP90, Quantity::kP99};

}  // namespace

double LatencyDetector::Reference() const {
  if (n_ == 0) return 0;
  // A series learned from sparse buckets has a p99 level that is its
  // requests' median (one request is its bucket's p50 and p99 alike), and
  // a p50 MAD that is their spread: its p99 is then the log-normal one that
  // spread implies. For a busy series that bound lies far under the learned
  // p99 (the MAD of bucket medians is small), so nothing changes there.
  const auto implied_p99 = static_cast<float>(q_[0].level + kZ99 * kMadToSigma * q_[0].mad);
  return kSlowFactor * std::exp(std::max(q_[2].level, implied_p99));
}

double LatencyDetector::Normal(int quantile) const {
  return n_ == 0 ? 0 : std::exp(q_[quantile].level);
}

Verdict LatencyDetector::Update(const Options& o, const LatencyPoint& p) {
  Verdict v;
  if (p.count == 0) return v;
  const double count = static_cast<double>(p.count);
  const double values[3] = {p.p50, p.p90, p.p99};
  const bool positive = p.p50 > 0 && p.p90 > 0 && p.p99 > 0;
  const bool quantiles_ok = p.count >= o.min_latency_count && positive;
  // A sparse bucket's quantiles say nothing, but each of its requests is a
  // draw from the series' distribution. A series whose buckets are mostly
  // sparse (an endpoint called every few seconds) learns its levels from
  // them, so that they describe single requests and Reference() has a p99
  // to count slow requests above: its quantiles are still not tested, but
  // the slow share is, which is what sees a gray failure at low traffic.
  // Without it such a series had no reference, and no test at all.
  const bool teaches_levels = quantiles_ok || (positive && count_ < o.min_latency_count);
  const double inflate = 1 + 1 / std::sqrt(std::max<double>(n_, 1));

  // Evidence: the median's z (both ways) and the tail's (up only).
  double scales[3], zq[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    scales[i] = std::max(kMadToSigma * q_[i].mad * inflate, o.rel_scale_floor);
    if (quantiles_ok && n_ >= 2) zq[i] = (std::log(values[i]) - q_[i].level) / scales[i];
  }
  // Learning pace, also the memory of the slow share below.
  const double dt_s = n_ > 0 && p.time_ns > last_ns_ ? static_cast<double>(p.time_ns - last_ns_) / 1e9 : 0;
  const double base_alpha = std::clamp(dt_s / o.level_tau_s, 1.0 / o.level_max_points, 1.0 / o.level_min_points);

  // The share of requests above the reference, as a Beta posterior: the
  // prior plus the requests remembered (the averages per bucket times the
  // buckets the exponential average remembers).
  const bool slow_known = p.slow != LatencyPoint::kUnknownSlow && p.reference > 0 && n_ >= 2;
  const double memory = std::min<double>(ns_, 1 / base_alpha);
  double share_a = kPriorSlowShare * kPriorRequests + slow_ * memory;
  double share_b = (1 - kPriorSlowShare) * kPriorRequests + std::max(0.0f, count_ - slow_) * memory;
  const double share0 = share_a / (share_a + share_b);
  // Overdispersion: if slow requests come in bursts (their count varies more
  // than binomially, dispersion D > 1), the share is no better known than a
  // beta-binomial with intra-bucket correlation rho = (D - 1) / (n - 1)
  // allows, i.e. from at most 1 / rho - 1 requests (method of moments).
  const double rho = std::max(0.0, (dispersion_ - 1) / std::max(1.0, count_ - 1.0));
  if (rho > 0 && share_a + share_b > 1 / rho - 1) {
    const double shrink = std::max(1 / rho - 1, 1.0) / (share_a + share_b);
    share_a *= shrink;
    share_b *= shrink;
  }
  const double slow = slow_known ? static_cast<double>(std::min(p.slow, p.count)) : 0;
  const ShareEvidence slow_evidence =
      slow_known ? BetaBinomialEvidence(slow, count, share_a, share_b) : ShareEvidence{};
  const double z_tail = slow_known ? EvidenceZ(slow_evidence.mid) : zq[2];
  // Capped at 1.2 times the alert level: a shift still there keeps the
  // statistic at the cap, and once it is gone (a rollback) the statistic
  // drains to the end level in two to three minutes (the slow-share side
  // drains by cusum_k a point at best, its input being >= 0). At four times
  // (as the metric detector has it) the incident outlived the fault by six
  // minutes and more.
  const double cap = 1.2 * o.alert_evidence * kLn10 / (2 * o.cusum_k);
  if (quantiles_ok || slow_known) {
    median_.Add(p.time_ns, zq[0], o.cusum_k, kCusumClip, cap, n_ < 2 ? 0 : n_ - 2);
    tail_.Add(p.time_ns, std::max(0.0, z_tail), o.cusum_k, kCusumClip, cap, n_ < 2 ? 0 : n_ - 2);
  }

  Candidates c;
  const double up = CusumEvidence(median_.up(), o.cusum_k);
  const double down = CusumEvidence(median_.down(), o.cusum_k);
  const double tail = CusumEvidence(tail_.up(), o.cusum_k);
  int which = 0;  // what explains it: 0..2 a quantile, 3 the slow share
  if (down > std::max(up, tail)) {
    c.level_evidence = down;
    c.level_direction = Direction::kDown;
    c.level_onset_ns = median_.down_onset_ns();
  } else if (up >= tail) {
    c.level_evidence = up;
    c.level_onset_ns = median_.up_onset_ns();
  } else {
    c.level_evidence = tail;
    c.level_onset_ns = tail_.up_onset_ns();
    which = slow_known ? 3 : 2;
  }
  if (which == 0 && c.level_direction == Direction::kUp && zq[1] > zq[0]) which = 1;  // p90 tells it better
  // One bucket alone: far more requests above the reference than the
  // learned share allows (a gray failure's first bucket).
  c.spike_evidence = slow_evidence.at_least;
  c.deviation_up = std::max(zq[0], z_tail);
  c.deviation_down = -zq[0];
  bool persistent = false;
  v.event = incident_.Step(o, p.time_ns, c, n_ >= o.warmup_points, &v.finding, &persistent, &v.raw_score, &v.score);
  if (v.event != Event::kNone) {
    v.finding.kind = Kind::kLatency;
    if (!persistent && slow_known) which = 3;
    if (which == 3 && v.finding.direction == Direction::kUp) {
      v.finding.quantity = Quantity::kSlowShare;
      v.finding.detector = persistent ? "slow-share-cusum" : "slow-share";
      v.finding.before = share0;
      v.finding.observed = slow / count;
      v.finding.expected_low = 0;
      v.finding.expected_high = std::min(1.0, share0 + kBand * std::sqrt(share0 * (1 - share0) / count));
    } else {
      const int q = which;
      v.finding.quantity = kQuantities[q];
      v.finding.detector = "quantile-cusum";
      v.finding.before = std::exp(q_[q].level);
      v.finding.observed = values[q];
      v.finding.expected_low = std::exp(q_[q].level - kBand * scales[q]);
      v.finding.expected_high = std::exp(q_[q].level + kBand * scales[q]);
    }
  }

  // Learn.
  const double clip = (incident_.open() && incident_.persistent() ? 4 : 1) * o.learn_clip;
  if (teaches_levels) {
    const double alpha = std::max(base_alpha, 1.0 / (n_ + 1));
    for (int i = 0; i < 3; ++i) {
      const double lv = std::log(values[i]);
      if (n_ == 0) {
        q_[i].level = static_cast<float>(lv);
        continue;
      }
      const double r = lv - q_[i].level;
      const double c_level = n_ >= kClipAfter ? clip * scales[i] : 1e300;
      const double c_mad = n_ >= kClipAfter ? o.learn_clip * scales[i] : 1e300;
      q_[i].level += static_cast<float>(alpha * std::clamp(r, -c_level, c_level));
      q_[i].mad += static_cast<float>(alpha * (std::min(std::fabs(r), c_mad) - q_[i].mad));
    }
    if (n_ < UINT32_MAX) ++n_;
  }
  if (slow_known) {
    const double alpha = std::max(base_alpha, 1.0 / (ns_ + 1));
    // Robust as the levels: a bucket teaches at most the top of the normal
    // band of slow counts (plus one), unless a shift is confirmed.
    const double expected = count * share0;
    const double limit =
        incident_.open() && incident_.persistent() ? count : expected + kBand * std::sqrt(expected * (1 - share0)) + 1;
    slow_ += static_cast<float>(alpha * (std::min(slow, limit) - slow_));
    count_ += static_cast<float>(alpha * (count - count_));
    if (!(incident_.open() && incident_.persistent())) {
      // Clipped at kMaxPearson so that one odd bucket does not make every
      // later one look ordinary; the prior (1, no overdispersion) is worth
      // kDispersionPrior buckets.
      const double x2 = (slow - expected) * (slow - expected) / std::max(expected * (1 - share0), 1e-9);
      const double w = std::max(base_alpha, 1.0 / (ns_ + kDispersionPrior));
      dispersion_ += static_cast<float>(w * (std::min(x2, kMaxPearson) - dispersion_));
    }
    if (ns_ < UINT32_MAX) ++ns_;
  }
  last_ns_ = std::max(last_ns_, p.time_ns);
  return v;
}

std::string LatencyDetector::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.Header(StateType::kLatency, kVersion);
  for (const LogLevel& q : q_) {
    w.Put(q.level);
    w.Put(q.mad);
  }
  w.Put(slow_);
  w.Put(count_);
  w.Put(dispersion_);
  w.Put(last_ns_);
  w.Put(n_);
  w.Put(ns_);
  median_.Encode(&w);
  tail_.Encode(&w);
  incident_.Encode(&w);
  return out;
}

Status LatencyDetector::Deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  if (Status s = r.Header(StateType::kLatency, kVersion); !s.ok()) return s;
  LatencyDetector d;
  for (LogLevel& q : d.q_) {
    r.Get(&q.level);
    r.Get(&q.mad);
  }
  r.Get(&d.slow_);
  r.Get(&d.count_);
  r.Get(&d.dispersion_);
  r.Get(&d.last_ns_);
  r.Get(&d.n_);
  r.Get(&d.ns_);
  d.median_.Decode(&r);
  d.tail_.Decode(&r);
  d.incident_.Decode(&r);
  if (Status s = r.Finish("latency detector"); !s.ok()) return s;
  *this = d;
  return Status::OK();
}

}  // namespace augur::detect
