#include "detect/stats.h"

#include <algorithm>
#include <cmath>

namespace augur::detect {
namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kMaxEvidence = 300;

// x ln(x / m), with 0 ln 0 = 0.
double XLogXOverM(double x, double m) {
  return x <= 0 ? 0 : x * std::log(x / m);
}

}  // namespace

double NormalEvidence(double z) {
  if (!(z > 0)) return 0;
  if (z < 30) {
    const double p = 0.5 * std::erfc(z / std::sqrt(2.0));
    return std::min(kMaxEvidence, -std::log10(p));
  }
  // Mills ratio: P(Z >= z) ~ phi(z) / z for large z.
  const double log_p = -0.5 * z * z - std::log(z * std::sqrt(2 * M_PI));
  return std::min(kMaxEvidence, -log_p / kLn10);
}

double CusumEvidence(double s, double k) {
  return s <= 0 ? 0 : std::min(kMaxEvidence, 2 * k * s / kLn10);
}

double PoissonZ(double x, double mean) {
  mean = std::max(mean, 1e-9);
  // Continuity: judge x as half an event closer to the mean.
  if (x > mean) {
    x = std::max(mean, x - 0.5);
  } else if (x < mean) {
    x = std::min(mean, x + 0.5);
  }
  const double dev = 2 * (XLogXOverM(x, mean) - (x - mean));
  const double z = std::sqrt(std::max(0.0, dev));
  return x >= mean ? z : -z;
}

double BinomialZ(double k, double n, double p) {
  if (n <= 0) return 0;
  p = std::clamp(p, 1e-9, 1 - 1e-9);
  const double mean = n * p;
  if (k > mean) {
    k = std::max(mean, k - 0.5);
  } else if (k < mean) {
    k = std::min(mean, k + 0.5);
  }
  const double dev = 2 * (XLogXOverM(k, mean) + XLogXOverM(n - k, n - mean));
  const double z = std::sqrt(std::max(0.0, dev));
  return k >= mean ? z : -z;
}

double EvidenceZ(double e) {
  if (!(e > std::log10(2.0))) return 0;
  e = std::min(e, kMaxEvidence);
  // NormalEvidence is increasing: bisect (z in (0, 40) covers e <= 300).
  double lo = 0, hi = 40;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (NormalEvidence(mid) < e ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

ShareEvidence BetaBinomialEvidence(double k, double n, double a, double b) {
  ShareEvidence out;
  k = std::floor(k);
  n = std::floor(n);
  if (n <= 0 || !(a > 0) || !(b > 0) || k <= n * a / (a + b)) return out;
  k = std::min(k, n);
  // log pmf(j) = log C(n, j) + log B(j + a, n - j + b) - log B(a, b).
  const auto log_pmf = [&](double j) {
    return std::lgamma(n + 1) - std::lgamma(j + 1) - std::lgamma(n - j + 1) + std::lgamma(j + a) +
           std::lgamma(n - j + b) - std::lgamma(n + a + b) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
  };
  // Above the mean the terms fall off at least geometrically: sum them
  // relative to the first until they no longer matter.
  const double first = log_pmf(k);
  double rest = 0;  // sum over j > k of pmf(j) / pmf(k)
  for (double j = k + 1; j <= n && j <= k + 1000; ++j) {
    const double term = std::exp(log_pmf(j) - first);
    rest += term;
    if (term < 1e-17 * (1 + rest)) break;
  }
  out.at_least = std::min(kMaxEvidence, std::max(0.0, -(first + std::log1p(rest)) / kLn10));
  out.mid = std::min(kMaxEvidence, std::max(0.0, -(first + std::log(0.5 + rest)) / kLn10));
  return out;
}

double Score(double evidence, double alert_evidence) {
  if (!(evidence > 0)) return 0;
  return 1 - std::exp2(-evidence / alert_evidence);
}

}  // namespace augur::detect
