#include "analysis/sketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace augur::analysis {

namespace {

constexpr char kMagic[2] = {'a', 's'};

template <typename T>
void PutFixed(std::string* out, T v) {  // little-endian host, as detect/codec.cc checks
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Fixed(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool ValidAccuracy(double a) {
  return a > 0 && a < 1;
}

}  // namespace

DDSketch::DDSketch(double relative_accuracy, uint32_t max_bins)
    : accuracy_(ValidAccuracy(relative_accuracy) ? relative_accuracy : kDefaultAccuracy),
      max_bins_(max_bins >= 1 ? max_bins : kDefaultMaxBins),
      gamma_((1 + accuracy_) / (1 - accuracy_)),
      log_gamma_(std::log(gamma_)) {}

int32_t DDSketch::Index(double value) const {
  // Finite by construction: callers pass values in [kMinIndexable, DBL_MAX].
  return static_cast<int32_t>(std::ceil(std::log(value) / log_gamma_));
}

double DDSketch::Value(int32_t index) const {
  return 2 * std::exp(index * log_gamma_) / (gamma_ + 1);
}

void DDSketch::Add(double value, uint64_t n) {
  if (std::isnan(value) || n == 0) return;
  if (value < 0) value = 0;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += n;
  WidenIfNeeded();
  sum_ += value * static_cast<double>(n);
  if (value < kMinIndexable) {
    zero_count_ += n;
    return;
  }
  AddToBin(Index(std::min(value, std::numeric_limits<double>::max())), n);
}

void DDSketch::WidenIfNeeded() {
  // No bin holds more than count_, so narrow bins cannot overflow before it does.
  if (wide_ || count_ <= std::numeric_limits<uint32_t>::max()) return;
  wide_bins_.assign(narrow_bins_.begin(), narrow_bins_.end());
  narrow_bins_ = {};
  wide_ = true;
}

void DDSketch::AddToBin(int32_t index, uint64_t n) {
  const size_t size = bin_count();
  if (size == 0) {
    offset_ = index;
    WithBins([&](auto& bins) { bins.assign(1, static_cast<typename std::decay_t<decltype(bins)>::value_type>(n)); });
    return;
  }
  int64_t lo = offset_, hi = offset_ + static_cast<int64_t>(size) - 1;
  if (index < lo || index > hi) {
    int64_t new_hi = std::max<int64_t>(hi, index);
    int64_t new_lo = std::min<int64_t>(lo, index);
    // Keep the high end: latency cares about the tail.
    new_lo = std::max<int64_t>(new_lo, new_hi - static_cast<int64_t>(max_bins_) + 1);
    Reshape(new_lo, new_hi);
  }
  if (index < offset_) {
    index = offset_;
    collapsed_ = true;
  }
  // n <= count_, which fits the bins' width (WidenIfNeeded).
  WithBins(
      [&](auto& bins) { bins[index - offset_] += static_cast<typename std::decay_t<decltype(bins)>::value_type>(n); });
}

void DDSketch::Reshape(int64_t lo, int64_t hi) {
  WithBins([&](auto& old_bins) {
    std::decay_t<decltype(old_bins)> bins(static_cast<size_t>(hi - lo + 1), 0);
    for (size_t i = 0; i < old_bins.size(); ++i) {
      if (old_bins[i] == 0) continue;
      int64_t index = offset_ + static_cast<int64_t>(i);
      if (index < lo) {
        index = lo;
        collapsed_ = true;
      }
      bins[index - lo] += old_bins[i];
    }
    old_bins = std::move(bins);
  });
  offset_ = static_cast<int32_t>(lo);
}

Status DDSketch::Merge(const DDSketch& other) {
  if (other.accuracy_ != accuracy_) {
    return Status::InvalidArgument("sketch merge: relative accuracy " + std::to_string(other.accuracy_) + ", want " +
                                   std::to_string(accuracy_));
  }
  if (other.count_ == 0) return Status::OK();
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  WidenIfNeeded();
  zero_count_ += other.zero_count_;
  sum_ += other.sum_;
  collapsed_ = collapsed_ || other.collapsed_;
  const size_t other_size = other.bin_count();
  if (other_size != 0) {
    // Widen once to the union (keeping the top), then add bin by bin.
    int64_t other_hi = other.offset_ + static_cast<int64_t>(other_size) - 1;
    int64_t lo = other.offset_, hi = other_hi;
    const size_t size = bin_count();
    if (size != 0) {
      lo = std::min<int64_t>(lo, offset_);
      hi = std::max<int64_t>(hi, offset_ + static_cast<int64_t>(size) - 1);
    }
    lo = std::max<int64_t>(lo, hi - static_cast<int64_t>(max_bins_) + 1);
    if (size == 0) {
      offset_ = static_cast<int32_t>(lo);
      WithBins([&](auto& bins) { bins.assign(static_cast<size_t>(hi - lo + 1), 0); });
    } else {
      Reshape(lo, hi);
    }
    WithBins([&](auto& bins) {
      using Bin = typename std::decay_t<decltype(bins)>::value_type;
      other.WithBins([&](const auto& other_bins) {
        for (size_t i = 0; i < other_bins.size(); ++i) {
          if (other_bins[i] == 0) continue;
          int64_t index = other.offset_ + static_cast<int64_t>(i);
          if (index < lo) {
            index = lo;
            collapsed_ = true;
          }
          // Fits: every bin is at most the merged count_ (WidenIfNeeded).
          bins[index - lo] += static_cast<Bin>(other_bins[i]);
        }
      });
    });
  }
  return Status::OK();
}

double DDSketch::Quantile(double q) const {
  if (count_ == 0) return 0;
  if (!(q >= 0)) q = 0;  // also NaN
  q = std::min(q, 1.0);
  if (q == 0) return min_;
  if (q == 1) return max_;
  // Rank of the lower q-quantile among 0 .. count-1, as in the paper.
  double rank = q * static_cast<double>(count_ - 1);
  uint64_t seen = zero_count_;
  if (static_cast<double>(seen) > rank) return std::clamp(0.0, min_, max_);
  return WithBins([&](const auto& bins) {
    for (size_t i = 0; i < bins.size(); ++i) {
      seen += bins[i];
      if (static_cast<double>(seen) > rank) {
        return std::clamp(Value(offset_ + static_cast<int32_t>(i)), min_, max_);
      }
    }
    return max_;
  });
}

uint64_t DDSketch::CountAbove(double x) const {
  if (count_ == 0 || std::isnan(x)) return 0;
  if (x < min_) return count_;
  if (x >= max_) return 0;
  if (x < kMinIndexable) {
    // Everything outside the zero bin is > x; zero-bin values are <= x.
    return count_ - zero_count_;
  }
  int64_t k = Index(x);
  return WithBins([&](const auto& bins) {
    uint64_t above = 0;
    for (size_t i = 0; i < bins.size(); ++i) {
      if (offset_ + static_cast<int64_t>(i) > k) above += bins[i];
    }
    return above;
  });
}

std::string DDSketch::Serialize() const {
  std::string out;
  out.append(kMagic, 2);
  out.push_back(static_cast<char>(kVersion));
  PutFixed(&out, accuracy_);
  PutFixed(&out, max_bins_);
  PutFixed(&out, count_);
  PutFixed(&out, zero_count_);
  PutFixed(&out, sum_);
  PutFixed(&out, min_);
  PutFixed(&out, max_);
  PutFixed(&out, static_cast<uint8_t>(collapsed_));
  PutFixed(&out, offset_);
  WithBins([&](const auto& bins) {
    PutVarint(&out, bins.size());
    for (uint64_t b : bins) PutVarint(&out, b);
  });
  return out;
}

Status DDSketch::Deserialize(std::string_view bytes) {
  if (bytes.size() < 3 || bytes[0] != kMagic[0] || bytes[1] != kMagic[1]) {
    return Status::InvalidArgument("sketch: not a serialized DDSketch");
  }
  if (static_cast<uint8_t>(bytes[2]) != kVersion) {
    return Status::InvalidArgument("sketch: version " + std::to_string(static_cast<uint8_t>(bytes[2])) + ", want " +
                                   std::to_string(kVersion));
  }
  Reader r(bytes.substr(3));
  double accuracy = 0, sum = 0, mn = 0, mx = 0;
  uint32_t max_bins = 0;
  uint64_t count = 0, zero = 0, nbins = 0;
  uint8_t collapsed = 0;
  int32_t offset = 0;
  bool ok = r.Fixed(&accuracy) && r.Fixed(&max_bins) && r.Fixed(&count) && r.Fixed(&zero) && r.Fixed(&sum) &&
            r.Fixed(&mn) && r.Fixed(&mx) && r.Fixed(&collapsed) && r.Fixed(&offset) && r.Varint(&nbins);
  if (!ok) return Status::InvalidArgument("sketch: truncated header");
  if (!ValidAccuracy(accuracy) || max_bins == 0 || nbins > max_bins || collapsed > 1) {
    return Status::InvalidArgument("sketch: invalid parameters");
  }
  if (static_cast<int64_t>(offset) + static_cast<int64_t>(nbins) > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("sketch: bin index out of range");
  }
  std::vector<uint64_t> bins(nbins);
  uint64_t total = zero;
  for (auto& b : bins) {
    if (!r.Varint(&b)) return Status::InvalidArgument("sketch: truncated bins");
    if (total + b < total) return Status::InvalidArgument("sketch: count overflow");
    total += b;
  }
  if (!r.done()) return Status::InvalidArgument("sketch: trailing bytes");
  if (total != count) return Status::InvalidArgument("sketch: bin counts do not add up to the count");
  DDSketch s(accuracy, max_bins);
  s.count_ = count;
  s.zero_count_ = zero;
  s.sum_ = sum;
  s.min_ = mn;
  s.max_ = mx;
  s.collapsed_ = collapsed != 0;
  s.offset_ = offset;
  if (count <= std::numeric_limits<uint32_t>::max()) {
    s.narrow_bins_.assign(bins.begin(), bins.end());  // each bin <= count
  } else {
    s.wide_ = true;
    s.wide_bins_ = std::move(bins);
  }
  *this = std::move(s);
  return Status::OK();
}

}  // namespace augur::analysis
