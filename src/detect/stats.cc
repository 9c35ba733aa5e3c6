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

double Score(double evidence, double alert_evidence) {
  if (!(evidence > 0)) return 0;
  return 1 - std::exp2(-evidence / alert_evidence);
}

}  // namespace augur::detect
