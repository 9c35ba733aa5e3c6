#include "analysis/saturation.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "analysis/series.h"
#include "analysis/stable_id.h"
#include "analysis/state_codec.h"
#include "common/time_format.h"
#include "model/insight_json.h"
#include "model/json.h"

namespace augur::analysis {
namespace {

constexpr char kMagic[] = "augur.saturation";
constexpr uint32_t kVersion = 1;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

model::SeriesKey KeyOf(std::string metric, const std::string& service, const model::MetricPoint& p) {
  model::SeriesKey k;
  k.metric = std::move(metric);
  k.service = service;
  for (const auto& kv : p.attributes) k.attributes.emplace_back(kv.key, AttributeString(kv.value));
  std::sort(k.attributes.begin(), k.attributes.end());
  return k;
}

bool IsLevel(const model::Metric& m) {
  return m.type == model::MetricType::kGauge || (m.type == model::MetricType::kSum && !m.monotonic);
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string InWords(uint64_t ns) {
  const double h = static_cast<double>(ns) / 3.6e12;
  char buf[32];
  if (h < 1) {
    std::snprintf(buf, sizeof buf, "%.0f min", h * 60);
  } else if (h < 48) {
    std::snprintf(buf, sizeof buf, "%.0f h", h);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f days", h / 24);
  }
  return buf;
}

}  // namespace

double Saturation::LimitOf(const model::Metric& m, const model::SeriesKey& key) const {
  if (auto it = options_.limits.find(m.name); it != options_.limits.end()) return it->second;
  if (auto it = companion_limits_.find(key); it != companion_limits_.end()) return it->second;
  if (m.unit == "%") return 100;
  if (m.unit == "1" && (Contains(m.name, "utilization") || Contains(m.name, "usage") || Contains(m.name, "ratio"))) {
    return 1;
  }
  return 0;
}

void Saturation::Add(const model::Batch& batch) {
  // Companion limits first, so a limit and its series in one batch pair up.
  for (const model::Metric& m : batch.metrics) {
    if (!IsLevel(m) || !EndsWith(m.name, ".limit")) continue;
    const std::string base = m.name.substr(0, m.name.size() - 6);
    for (const auto& p : m.points) {
      if (companion_limits_.size() >= options_.max_series) break;
      companion_limits_[KeyOf(base, batch.ServiceOf(m.resource_index), p)] = p.value;
      companion_limits_[KeyOf(base + ".usage", batch.ServiceOf(m.resource_index), p)] = p.value;
    }
  }
  for (const model::Metric& m : batch.metrics) {
    if (!IsLevel(m) || EndsWith(m.name, ".limit")) continue;
    for (const auto& p : m.points) {
      model::SeriesKey key = KeyOf(m.name, batch.ServiceOf(m.resource_index), p);
      const double limit = LimitOf(m, key);
      if (limit <= 0) continue;
      ++stats_.points;
      auto it = series_.find(key);
      if (it == series_.end()) {
        if (series_.size() >= options_.max_series) {
          ++stats_.series_overflow;
          continue;
        }
        it = series_.emplace(std::move(key), Series{}).first;
        it->second.unit = m.unit;
      }
      const detect::Forecast f = it->second.forecaster.Update(options_.forecast, p.time_unix_nano, p.value, limit);
      if (f.event != detect::Event::kNone) Emit(it->first, it->second, f, limit, p.time_unix_nano);
    }
  }
}

void Saturation::Emit(const model::SeriesKey& key, Series& s, const detect::Forecast& f, double limit,
                      uint64_t time_ns) {
  model::Anomaly& a = s.open;
  if (f.event == detect::Event::kRaised) {
    ++stats_.forecasts_raised;
    a = model::Anomaly{};
    a.id = StableId().Mix("forecast").Mix(key.ToString()).Mix(f.raised_ns).Id("an-");
    a.series = key;
    a.kind = "forecast";
    a.direction = "up";
    a.quantity = "value";
    a.unit = s.unit;
    a.detector = "trend";
    a.onset_ns = f.raised_ns;
    a.detected_ns = f.raised_ns;
    a.before = f.value;
    a.limit = limit;
  }
  a.observed = f.value;
  a.expected_low = f.value;
  a.expected_high = limit;
  a.predicted_ns = f.predicted_ns;
  a.score = std::clamp(1.0 - static_cast<double>(f.predicted_ns - std::min(f.predicted_ns, time_ns)) /
                                 static_cast<double>(2 * options_.forecast.horizon_ns),
                       0.5, 1.0);
  a.updated_ns = time_ns;
  const std::string unit = s.unit == "%" ? " %" : s.unit.empty() || s.unit == "1" ? "" : " " + s.unit;
  a.explanation = key.metric + " of " + key.service + " will reach its limit of " + Number(limit) + unit + " around " +
                  FormatRfc3339(f.predicted_ns - f.predicted_ns % 1'000'000'000) + " (in " +
                  InWords(f.predicted_ns > time_ns ? f.predicted_ns - time_ns : 0) + "), rising " +
                  Number(f.slope_per_s * 3600) + unit + " per hour";
  if (f.event == detect::Event::kEnded) {
    a.end_ns = time_ns;
    a.explanation =
        key.metric + " of " + key.service + " is no longer on course to reach its limit of " + Number(limit) + unit;
  }
  out_.push_back(a);
}

void Saturation::TakeAnomalies(std::vector<model::Anomaly>* out) {
  for (auto& a : out_) out->push_back(std::move(a));
  out_.clear();
}

SaturationStats Saturation::stats() const {
  SaturationStats s = stats_;
  s.series = series_.size();
  return s;
}

std::string Saturation::SaveState() const {
  std::string out(kMagic);
  StateWriter w(&out);
  w.Put(kVersion);
  w.Put(static_cast<uint32_t>(series_.size()));
  for (const auto& [key, s] : series_) {
    w.PutKey(key);
    w.PutString(s.unit);
    w.PutString(s.forecaster.Serialize());
    w.PutString(s.forecaster.open() ? model::AnomalyToJson(s.open).dump() : std::string());
  }
  w.Put(static_cast<uint32_t>(companion_limits_.size()));
  for (const auto& [key, limit] : companion_limits_) {
    w.PutKey(key);
    w.Put(limit);
  }
  return out;
}

Status Saturation::LoadState(std::string_view bytes) {
  if (bytes.substr(0, sizeof(kMagic) - 1) != kMagic) return Status::InvalidArgument("not a saturation state");
  StateReader r(bytes.substr(sizeof(kMagic) - 1));
  if (r.Get<uint32_t>() != kVersion) return Status::InvalidArgument("saturation state of another version");
  std::map<model::SeriesKey, Series> series;
  const size_t n = r.ReadCount(16);
  for (size_t i = 0; i < n && !r.failed(); ++i) {
    model::SeriesKey key = r.GetKey();
    Series s;
    s.unit = r.GetString();
    if (Status st = s.forecaster.Deserialize(r.GetString()); !st.ok()) return st;
    const std::string open = r.GetString();
    if (!open.empty()) {
      auto a = model::AnomalyFromJson(nlohmann::json::parse(open, nullptr, false));
      if (!a.ok()) return a.status();
      s.open = std::move(*a);
    }
    series.emplace(std::move(key), std::move(s));
  }
  std::map<model::SeriesKey, double> limits;
  const size_t m = r.ReadCount(16);
  for (size_t i = 0; i < m && !r.failed(); ++i) {
    model::SeriesKey key = r.GetKey();
    limits[std::move(key)] = r.Get<double>();
  }
  if (Status st = r.Finish("saturation"); !st.ok()) return st;
  series_ = std::move(series);
  companion_limits_ = std::move(limits);
  return Status::OK();
}

}  // namespace augur::analysis
