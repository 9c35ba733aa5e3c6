#include "detect/spot.h"

#include <algorithm>
#include <cmath>

#include "detect/stats.h"

namespace augur::detect {
namespace {

constexpr double kLn10 = 2.302585092994046;
// Prior: the tail of N(0,1) over its 98th percentile (2.054): excesses have
// mean ~0.37 and second moment ~0.25 (xi ~ -0.05, light).
constexpr float kPriorU = 2.054f;
constexpr float kPriorM1 = 0.37f;
constexpr float kPriorM2 = 0.25f;
constexpr double kPriorPeaks = 20;
constexpr double kMinWeight = 1.0 / 500;  // the moments remember about 500 peaks
constexpr double kQuantileStep = 0.05;    // in scales
constexpr double kExcessCap = 5;          // see Learn()
constexpr double kMinMeanExcess = 0.1;    // in scales, for kExcessCap

}  // namespace

Spot::Spot() : u_(kPriorU), m1_(kPriorM1), m2_(kPriorM2) {}

double Spot::Evidence(double z) const {
  if (!(z > 0)) return 0;
  const double base = -std::log10(kPhi);  // evidence of reaching u
  if (z <= u_) {
    // Below the threshold the GPD says nothing; a Gaussian-shaped body
    // (log-tail ~ z^2) meeting the tail at u keeps the evidence continuous
    // and monotone, without an erfc per point.
    const double r = z / u_;
    return base * r * r;
  }
  const double m1 = std::max(1e-3, static_cast<double>(m1_));
  const double var = std::max(1e-6, m2_ - m1 * m1);
  const double r = m1 * m1 / var;
  // xi >= 0: never assume a bounded tail (a short sample of a light tail
  // fits a slightly negative xi, and then a point just past the fitted end
  // looks impossible).
  const double xi = std::clamp(0.5 * (1 - r), 0.0, 0.5);
  // Mean excess is sigma / (1 - xi): with xi clamped, sigma follows it
  // (the moment estimate 0.5 m1 (1 + r) would inflate it where xi < 0).
  const double sigma = std::max(1e-3, m1 * (1 - xi));
  const double y = z - u_;
  double log_tail;  // ln of P(Z > z) / phi
  if (std::fabs(xi) < 1e-6) {
    log_tail = -y / sigma;
  } else {
    const double a = 1 + xi * y / sigma;
    if (a <= 0) return 300;  // beyond the end of a bounded tail
    log_tail = -std::log(a) / xi;
  }
  return std::min(300.0, base - log_tail / kLn10);
}

void Spot::Learn(double z, uint32_t points) {
  if (!std::isfinite(z)) return;
  // Running quantile: up by (1 - phi) * step on an exceedance, down by phi * step otherwise.
  const bool over = z > u_;
  u_ += static_cast<float>(kQuantileStep * (over ? (1 - kPhi) : -kPhi));
  u_ = std::max(u_, 0.5f);
  if (!over) return;
  const double peaks = kPhi * points;
  const double w = std::max(kMinWeight, 1.0 / (peaks + kPriorPeaks));
  const double y = z - u_;
  if (y <= 0) return;
  // Bounded influence on the shape: in the second moment an excess counts
  // as at most kExcessCap mean excesses. The second moment of a few dozen
  // peaks is at the mercy of one wild one: a single 10-sigma drop on a
  // Gaussian series made xi ~ 0.4, and the next, far bigger drop no longer
  // looked extreme. The mean excess (the tail's scale) learns it in full,
  // and a tail that really is heavy still gets its xi, peak by peak.
  const double yc = std::min(y, kExcessCap * std::max(static_cast<double>(m1_), kMinMeanExcess));
  m1_ += static_cast<float>(w * (y - m1_));
  m2_ += static_cast<float>(w * (yc * yc - m2_));
}

void Spot::Encode(ByteWriter* w) const {
  w->Put(u_);
  w->Put(m1_);
  w->Put(m2_);
}

void Spot::Decode(ByteReader* r) {
  r->Get(&u_);
  r->Get(&m1_);
  r->Get(&m2_);
}

}  // namespace augur::detect
