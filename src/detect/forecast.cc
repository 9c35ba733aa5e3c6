#include "detect/forecast.h"

#include <cmath>

#include "detect/codec.h"

namespace augur::detect {

Forecast Forecaster::Update(const ForecastOptions& o, uint64_t time_ns, double value, double limit) {
  Forecast f;
  if (!std::isfinite(value) || (n_ > 0 && time_ns <= last_ns_)) return f;
  if (n_ == 0) origin_ns_ = time_ns;
  // Decay the sums by the time elapsed, then add the point with weight 1.
  const double decay = n_ == 0 ? 1.0 : std::exp(-static_cast<double>(time_ns - last_ns_) / 1e9 / o.tau_s);
  const double x = static_cast<double>(time_ns - origin_ns_) / 1e9;
  sw_ = sw_ * decay + 1;
  sx_ = sx_ * decay + x;
  sy_ = sy_ * decay + value;
  sxx_ = sxx_ * decay + x * x;
  sxy_ = sxy_ * decay + x * value;
  syy_ = syy_ * decay + value * value;
  last_ns_ = time_ns;
  ++n_;

  const double mx = sx_ / sw_, my = sy_ / sw_;
  const double vxx = sxx_ / sw_ - mx * mx, vyy = syy_ / sw_ - my * my, vxy = sxy_ / sw_ - mx * my;
  if (vxx <= 0) return f;
  const double slope = vxy / vxx;
  const double r2 = vyy > 0 ? std::min(1.0, vxy * vxy / (vxx * vyy)) : 0.0;
  const double fitted = my + slope * (x - mx);
  f.slope_per_s = slope;
  f.value = fitted;
  f.r2 = r2;
  f.onset_ns = origin_ns_;

  const bool enough = n_ >= o.min_points && time_ns - origin_ns_ >= o.min_history_ns;
  const bool below = value < limit && fitted < limit;
  uint64_t predicted = 0;
  if (slope > 0 && below && limit > 0) {
    const double seconds = (limit - fitted) / slope;
    if (seconds < 1e9) predicted = time_ns + static_cast<uint64_t>(seconds * 1e9);
  }
  f.predicted_ns = predicted;
  if (!open_) {
    if (enough && predicted != 0 && r2 >= o.raise_r2 && predicted - time_ns <= o.horizon_ns) {
      open_ = true;
      raised_ns_ = time_ns;
      predicted_ns_ = predicted;
      f.event = Event::kRaised;
      f.raised_ns = time_ns;
    }
    return f;
  }
  f.raised_ns = raised_ns_;
  if (predicted == 0 || r2 < o.end_r2 || predicted - time_ns > 2 * o.horizon_ns) {
    open_ = false;
    f.event = Event::kEnded;
    f.predicted_ns = predicted_ns_;
    return f;
  }
  const double before = static_cast<double>(predicted_ns_ > time_ns ? predicted_ns_ - time_ns : 0);
  const double now = static_cast<double>(predicted - time_ns);
  if (std::abs(now - before) > 0.1 * std::max(before, 1.0)) {
    predicted_ns_ = predicted;
    f.event = Event::kUpdated;
  }
  return f;
}

std::string Forecaster::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.Header(StateType::kForecast, kVersion);
  for (double d : {sw_, sx_, sy_, sxx_, sxy_, syy_}) w.Put(d);
  w.Put(origin_ns_);
  w.Put(last_ns_);
  w.Put(predicted_ns_);
  w.Put(raised_ns_);
  w.Put(n_);
  w.Put(static_cast<uint8_t>(open_));
  return out;
}

Status Forecaster::Deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  if (Status s = r.Header(StateType::kForecast, kVersion); !s.ok()) return s;
  Forecaster f;
  for (double* d : {&f.sw_, &f.sx_, &f.sy_, &f.sxx_, &f.sxy_, &f.syy_}) r.Get(d);
  r.Get(&f.origin_ns_);
  r.Get(&f.last_ns_);
  r.Get(&f.predicted_ns_);
  r.Get(&f.raised_ns_);
  r.Get(&f.n_);
  uint8_t open = 0;
  r.Get(&open);
  f.open_ = open != 0;
  if (Status s = r.Finish("forecaster"); !s.ok()) return s;
  *this = f;
  return Status::OK();
}

}  // namespace augur::detect
