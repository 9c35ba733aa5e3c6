#include "detect/error_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/codec.h"
#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kPriorRatio = 0.005;
constexpr double kPriorRequests = 1000;
constexpr double kPriorMemory = 1000;  // buckets: the prior never fades below 1 request a bucket
constexpr double kCusumClip = 8;       // a bucket adds at most this much: two buckets at the least
constexpr double kLn10 = 2.302585092994046;

}  // namespace

double ErrorDetector::ratio() const {
  // The prior fades as requests accumulate: it is worth kPriorRequests
  // against an average of requests_ per bucket over the memory.
  const double buckets = std::clamp<double>(n_, 1, kPriorMemory);
  return (errors_ + kPriorRatio * kPriorRequests / buckets) / (requests_ + kPriorRequests / buckets);
}

Verdict ErrorDetector::Update(const Options& o, const CountPoint& p) {
  Verdict v;
  if (p.requests == 0) return v;
  const double requests = static_cast<double>(p.requests);
  const double errors = static_cast<double>(std::min(p.errors, p.requests));
  const double p0 = ratio();
  const double z = BinomialZ(errors, requests, p0);

  const bool was_zero = cusum_.up() == 0;
  cusum_.Add(p.time_ns, z, o.cusum_k, kCusumClip, 4 * o.alert_evidence * kLn10 / (2 * o.cusum_k), n_);
  if (cusum_.up() == 0) {
    onset_errors_ = 0;
  } else {
    onset_errors_ = (was_zero ? 0 : onset_errors_) + static_cast<uint32_t>(errors);
  }

  Candidates c;
  c.level_evidence = CusumEvidence(cusum_.up(), o.cusum_k);
  c.level_onset_ns = cusum_.up_onset_ns();
  if (onset_errors_ < o.min_events) c.level_evidence = std::min(c.level_evidence, o.alert_evidence * 0.99);
  c.deviation_up = z;
  c.deviation_down = -z;

  bool persistent = false;
  v.event = incident_.Step(o, p.time_ns, c, n_ >= o.warmup_points, &v.finding, &persistent, &v.raw_score, &v.score);
  if (v.event != Event::kNone) {
    v.finding.kind = Kind::kErrors;
    v.finding.quantity = Quantity::kErrorRatio;
    v.finding.detector = "binomial-cusum";
    v.finding.before = p0;
    v.finding.observed = errors / requests;
    v.finding.expected_low = 0;
    v.finding.expected_high = std::min(1.0, p0 + 3 * std::sqrt(p0 * (1 - p0) / requests));
  }

  // Learn: time-based memory as for the metric baseline.
  const double dt_s = n_ > 0 && p.time_ns > last_ns_ ? static_cast<double>(p.time_ns - last_ns_) / 1e9 : 0;
  double alpha = std::clamp(dt_s / o.level_tau_s, 1.0 / o.level_max_points, 1.0 / o.level_min_points);
  alpha = std::max(alpha, 1.0 / (n_ + 1));
  errors_ += static_cast<float>(alpha * (errors - errors_));
  requests_ += static_cast<float>(alpha * (requests - requests_));
  last_ns_ = std::max(last_ns_, p.time_ns);
  if (n_ < UINT32_MAX) ++n_;
  return v;
}

std::string ErrorDetector::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.Header(StateType::kErrors, kVersion);
  w.Put(errors_);
  w.Put(requests_);
  w.Put(last_ns_);
  w.Put(n_);
  w.Put(onset_errors_);
  cusum_.Encode(&w);
  incident_.Encode(&w);
  return out;
}

Status ErrorDetector::Deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  if (Status s = r.Header(StateType::kErrors, kVersion); !s.ok()) return s;
  ErrorDetector d;
  r.Get(&d.errors_);
  r.Get(&d.requests_);
  r.Get(&d.last_ns_);
  r.Get(&d.n_);
  r.Get(&d.onset_errors_);
  d.cusum_.Decode(&r);
  d.incident_.Decode(&r);
  if (Status s = r.Finish("error detector"); !s.ok()) return s;
  *this = d;
  return Status::OK();
}

}  // namespace augur::detect
