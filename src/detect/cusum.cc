#include "detect/cusum.h"

#include <algorithm>
#include <cmath>

namespace augur::detect {

namespace {
constexpr double kRhoWeight = 1.0 / 200;
constexpr double kRhoClip = 3;  // z beyond this is an outlier, not correlation
}  // namespace

void Cusum::Add(uint64_t time_ns, double z, double k, double clip, double cap, uint32_t seen) {
  const double zr = std::clamp(z, -kRhoClip, kRhoClip);
  // The first point has no predecessor; from the second on, a running mean
  // of the lag-1 products until the exponential average takes over.
  const double w = seen == 0 ? 0 : std::max(kRhoWeight, 1.0 / seen);
  const double prev_z = prev_z_ * (kRhoClip / 32767);
  const double rho = std::clamp(this->rho() + w * (zr * prev_z - this->rho()), -1.0, 1.0);
  prev_z_ = static_cast<int16_t>(std::lround(zr * (32767 / kRhoClip)));
  rho_ = static_cast<int16_t>(std::lround(rho * 32767));
  const double r = std::clamp(rho, 0.0, 0.9);
  const double zc = std::clamp(z / std::sqrt((1 + r) / (1 - r)), -clip, clip);
  const double up = std::clamp(up_ + zc - k, 0.0, cap);
  const double down = std::clamp(down_ - zc - k, 0.0, cap);
  // Onset: the first point of the run that lifted the statistic off its
  // noise floor (k: where one ordinary point leaves it), so a little noise
  // just before a step does not pull the onset early.
  // And a point whose own excess outweighs all the evidence before it starts
  // the run itself: a jump is a likelier start than the noise before it.
  const auto time_s = static_cast<uint32_t>(std::min<uint64_t>(time_ns / 1'000'000'000, UINT32_MAX));
  if (up > k && (up_ <= k || zc - k > up_)) up_onset_s_ = time_s;
  if (down > k && (down_ <= k || -zc - k > down_)) down_onset_s_ = time_s;
  up_ = static_cast<float>(up);
  down_ = static_cast<float>(down);
}

double Cusum::Whitened(double z) const {
  const double r = std::clamp(rho(), 0.0, 0.9);
  return z / std::sqrt((1 + r) / (1 - r));
}

void Cusum::Encode(ByteWriter* w) const {
  w->Put(up_);
  w->Put(down_);
  w->Put(prev_z_);
  w->Put(rho_);
  w->Put(up_onset_s_);
  w->Put(down_onset_s_);
}

void Cusum::Decode(ByteReader* r) {
  r->Get(&up_);
  r->Get(&down_);
  r->Get(&prev_z_);
  r->Get(&rho_);
  r->Get(&up_onset_s_);
  r->Get(&down_onset_s_);
}

}  // namespace augur::detect
