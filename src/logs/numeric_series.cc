#include "logs/numeric_series.h"

#include <algorithm>
#include <cmath>

#include "logs/masker.h"
#include "logs/token_classes.h"

namespace augur::logs {

namespace {

struct UnitFactor {
  std::string_view name;
  NumericUnit unit;
  double factor;  // to ms or bytes
};

constexpr UnitFactor kUnits[] = {
    {"ns", NumericUnit::kMs, 1e-6},
    {"us", NumericUnit::kMs, 1e-3},
    {"ms", NumericUnit::kMs, 1},
    {"s", NumericUnit::kMs, 1e3},
    {"sec", NumericUnit::kMs, 1e3},
    {"secs", NumericUnit::kMs, 1e3},
    {"min", NumericUnit::kMs, 60e3},
    {"mins", NumericUnit::kMs, 60e3},
    {"h", NumericUnit::kMs, 3600e3},
    {"B", NumericUnit::kBytes, 1},
    {"bytes", NumericUnit::kBytes, 1},
    {"KB", NumericUnit::kBytes, 1e3},
    {"kB", NumericUnit::kBytes, 1e3},
    {"MB", NumericUnit::kBytes, 1e6},
    {"GB", NumericUnit::kBytes, 1e9},
    {"TB", NumericUnit::kBytes, 1e12},
    {"KiB", NumericUnit::kBytes, 1024.0},
    {"MiB", NumericUnit::kBytes, 1024.0 * 1024},
    {"GiB", NumericUnit::kBytes, 1024.0 * 1024 * 1024},
    {"TiB", NumericUnit::kBytes, 1024.0 * 1024 * 1024 * 1024},
    {"%", NumericUnit::kPercent, 1},
};

// The median of v[0..n) (n >= 1); reorders v.
double Median(float* v, size_t n) {
  std::sort(v, v + n);
  return n % 2 == 1 ? v[n / 2] : (static_cast<double>(v[n / 2 - 1]) + v[n / 2]) / 2;
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view NumericUnitName(NumericUnit unit) {
  switch (unit) {
    case NumericUnit::kMs: return "ms";
    case NumericUnit::kBytes: return "bytes";
    case NumericUnit::kPercent: return "%";
    default: return "";
  }
}

namespace {

std::string_view StripPunct(std::string_view s) {
  while (!s.empty() && (s.front() == '(' || s.front() == '[')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ',' || s.back() == '.' || s.back() == ';' || s.back() == ':' || s.back() == ')' ||
                        s.back() == ']')) {
    s.remove_suffix(1);
  }
  return s;
}

const UnitFactor* FindUnit(std::string_view name) {
  for (const UnitFactor& u : kUnits) {
    if (name == u.name) return &u;
  }
  return nullptr;
}

}  // namespace

std::optional<NumericValue> ParseNumericValue(std::string_view s, std::string_view next) {
  s = StripPunct(s);
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const size_t digits_from = i;
  size_t digits = 0, dots = 0;
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i])) {
      ++digits;
    } else if (s[i] == '.' && dots == 0 && i + 1 < s.size() && IsDigit(s[i + 1])) {
      ++dots;
    } else {
      break;
    }
  }
  if (digits == 0 || i == digits_from) return std::nullopt;
  double value = 0;
  {
    // Plain decimal by hand: no locale, no allocation.
    double frac = 0, scale = 1;
    bool after_dot = false;
    for (size_t k = digits_from; k < i; ++k) {
      if (s[k] == '.') {
        after_dot = true;
      } else if (after_dot) {
        scale /= 10;
        frac += (s[k] - '0') * scale;
      } else {
        value = value * 10 + (s[k] - '0');
      }
    }
    value += frac;
    if (s[0] == '-') value = -value;
  }
  std::string_view rest = s.substr(i);
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  if (rest.empty()) {
    if (const UnitFactor* u = next.empty() ? nullptr : FindUnit(StripPunct(next))) {
      return NumericValue{value * u->factor, u->unit};
    }
    return NumericValue{value, NumericUnit::kNone};
  }
  if (const UnitFactor* u = FindUnit(rest)) return NumericValue{value * u->factor, u->unit};
  return std::nullopt;
}

std::optional<std::string_view> ValueText(std::string_view shape, std::string_view raw) {
  const size_t first = shape.find(kWildcard);
  if (first == std::string_view::npos) return std::nullopt;
  const size_t last = shape.rfind(kWildcard);
  const std::string_view prefix = shape.substr(0, first), suffix = shape.substr(last + kWildcard.size());
  if (raw.size() < prefix.size() + suffix.size() || raw.substr(0, prefix.size()) != prefix ||
      raw.substr(raw.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  return raw.substr(prefix.size(), raw.size() - prefix.size() - suffix.size());
}

void NumericSeries::Learn(const std::optional<NumericValue>& value, const NumericRule& rule) {
  ++seen_;
  if (value) {
    ++parsed_;
    const double v = value->value;
    if (parsed_ > 1) {
      ups_ += v > last_value_ ? 1 : 0;
      downs_ += v < last_value_ ? 1 : 0;
    }
    last_value_ = v;
  }
  if (seen_ < rule.qualify_values) return;
  const double pairs = std::max<double>(parsed_ - 1, 1);
  const bool numbers = parsed_ >= rule.min_parse_share * seen_;
  const bool monotone = ups_ > rule.max_monotone_share * pairs || downs_ > rule.max_monotone_share * pairs;
  phase_ = numbers && !monotone ? Phase::kTracked : Phase::kRefused;
}

bool NumericSeries::Add(uint64_t bucket, const std::optional<NumericValue>& in, uint64_t bucket_ns,
                        const NumericRule& rule, detect::Verdict* verdict) {
  if (phase_ == Phase::kRefused) return false;
  std::optional<NumericValue> value = in;
  if (value && unit_known_ && value->unit != unit_) value.reset();  // another unit class: not this series' value
  if (value && !unit_known_) {
    unit_ = value->unit;
    unit_known_ = true;
  }
  if (value && !std::isfinite(value->value)) value.reset();
  if (phase_ == Phase::kLearning) {
    Learn(value, rule);
    if (phase_ == Phase::kRefused) return false;
  }
  const bool closed = Close(bucket, bucket_ns, rule, verdict);
  if (!value) return closed;
  const auto v = static_cast<float>(value->value);
  if (in_bucket_ < kReservoir) {
    values_[in_bucket_] = v;
  } else {
    // Reservoir sampling (Vitter's R) with a deterministic generator: every
    // value of the bucket has the same chance to be among those kept.
    const uint64_t k = SplitMix(bucket * 0x100000001b3ULL + in_bucket_) % (uint64_t{in_bucket_} + 1);
    if (k < kReservoir) values_[k] = v;
  }
  ++in_bucket_;
  return closed;
}

bool NumericSeries::Close(uint64_t bucket, uint64_t bucket_ns, const NumericRule& rule, detect::Verdict* verdict) {
  if (bucket <= bucket_ && in_bucket_ > 0) return false;
  if (in_bucket_ == 0) {
    bucket_ = std::max(bucket_, bucket);
    return false;
  }
  const uint32_t n = std::min<uint32_t>(in_bucket_, kReservoir);
  const uint64_t at = bucket_ * bucket_ns;
  const bool enough = in_bucket_ >= rule.min_values;
  double median = 0;
  if (enough) median = Median(values_.data(), n);
  bucket_ = bucket;
  in_bucket_ = 0;
  if (!enough || phase_ == Phase::kRefused) return false;
  last_median_ = static_cast<float>(median);
  *verdict = detector_.Update(rule.detector, detect::MetricPoint{at, median});
  // While learning, the detector learns too, but nothing is reported.
  return phase_ == Phase::kTracked;
}

void NumericSeries::Save(analysis::StateWriter* w) const {
  w->PutString(detector_.Serialize());
  for (float v : values_) w->Put(v);
  w->Put(bucket_);
  w->Put(in_bucket_);
  w->Put(seen_);
  w->Put(parsed_);
  w->Put(ups_);
  w->Put(downs_);
  w->Put(last_value_);
  w->Put(last_median_);
  w->Put(static_cast<uint8_t>(phase_));
  w->Put(static_cast<uint8_t>(unit_));
  w->Put(static_cast<uint8_t>(unit_known_));
}

void NumericSeries::Load(analysis::StateReader* r) {
  if (!detector_.Deserialize(r->GetString()).ok()) r->Fail();
  for (float& v : values_) v = r->Get<float>();
  bucket_ = r->Get<uint64_t>();
  in_bucket_ = r->Get<uint32_t>();
  seen_ = r->Get<uint32_t>();
  parsed_ = r->Get<uint32_t>();
  ups_ = r->Get<uint32_t>();
  downs_ = r->Get<uint32_t>();
  last_value_ = r->Get<double>();
  last_median_ = r->Get<float>();
  const uint8_t phase = r->Get<uint8_t>(), unit = r->Get<uint8_t>();
  if (phase > static_cast<uint8_t>(Phase::kRefused) || unit > static_cast<uint8_t>(NumericUnit::kPercent)) r->Fail();
  phase_ = static_cast<Phase>(phase);
  unit_ = static_cast<NumericUnit>(unit);
  unit_known_ = r->GetBool();
}

}  // namespace augur::logs
