// DDSketch: a mergeable quantile sketch with relative accuracy (Masson,
// Rim, Lee: "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
// Relative-Error Guarantees", VLDB 2019).
//
// What it is for: the duration distribution of one RED bucket (and merged
// buckets), so a detector can ask for p50/p90/p99 and for how many requests
// were slower than its reference. Values are non-negative quantities in any
// one unit (durations in ms); negative values are counted as 0.
//
// Accuracy: a value x > 0 falls in bin i = ceil(log_gamma(x)), gamma =
// (1+a)/(1-a), and is reported as 2*gamma^i/(gamma+1), within a relative
// error a (default 1%) of every value in that bin. Values below
// kMinIndexable go into a zero bin. Quantile(q) is therefore within a of
// the exact q-quantile (rank q*(count-1), lower), as long as the lowest bins
// were not collapsed.
//
// Memory: at most max_bins contiguous bins (default 2048: with a = 1% that
// spans a factor of about e^40, ~17 decades). Bins are 4 bytes while the
// sketch holds at most 2^32 - 1 values (no bin can hold more than the
// count), which halves the cache lines an Add touches; a sketch that grows
// past that widens all its bins to 8 bytes for good. The width is storage
// only: bins, quantiles and bytes are the same either way. When a value would widen the
// range beyond that, the lowest bins are folded into the lowest kept one:
// low quantiles lose accuracy, high ones (what latency cares about) keep it.
// collapsed() says whether that ever happened.
//
// Single-threaded value type: copy, move, merge freely; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace augur::analysis {

class DDSketch {
 public:
  static constexpr double kMinIndexable = 1e-9;
  static constexpr double kDefaultAccuracy = 0.01;
  static constexpr uint32_t kDefaultMaxBins = 2048;

  // relative_accuracy in (0, 1); max_bins >= 1. Out-of-range arguments are
  // replaced by the defaults (a sketch must always be usable).
  explicit DDSketch(double relative_accuracy = kDefaultAccuracy, uint32_t max_bins = kDefaultMaxBins);

  // Adds one value (or `n` copies). NaN is ignored; +inf is counted in the
  // highest representable bin.
  void Add(double value, uint64_t n = 1);

  // Adds all of `other`. InvalidArgument (and nothing changes) when the two
  // sketches have different accuracies, since their bins do not line up.
  Status Merge(const DDSketch& other);

  // The q-quantile, q in [0, 1] (clamped), clamped to [min, max]; 0 when
  // empty.
  double Quantile(double q) const;

  // Approximately how many values are > x: exact for values outside x's own
  // bin; the values in x's bin (all within the relative accuracy of x) are
  // not counted, unless x < min (then all are) or x >= max (then none).
  uint64_t CountAbove(double x) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }
  bool empty() const { return count_ == 0; }
  bool collapsed() const { return collapsed_; }
  double relative_accuracy() const { return accuracy_; }
  size_t bin_count() const { return wide_ ? wide_bins_.size() : narrow_bins_.size(); }

  // Versioned bytes for persistence; Deserialize refuses another version or
  // malformed bytes with InvalidArgument and leaves *this unchanged.
  std::string Serialize() const;
  Status Deserialize(std::string_view bytes);

  bool operator==(const DDSketch&) const = default;

 private:
  static constexpr uint8_t kVersion = 1;
  int32_t Index(double value) const;
  double Value(int32_t index) const;  // the bin's representative value
  void AddToBin(int32_t index, uint64_t n);
  void Reshape(int64_t lo, int64_t hi);  // bins cover [lo, hi]; lower bins fold into lo
  void WidenIfNeeded();                  // call after count_ grows

  // f(bins) with the bins in use (a vector of uint32_t or of uint64_t).
  template <typename F>
  decltype(auto) WithBins(F&& f) const {
    return wide_ ? f(wide_bins_) : f(narrow_bins_);
  }
  template <typename F>
  decltype(auto) WithBins(F&& f) {
    return wide_ ? f(wide_bins_) : f(narrow_bins_);
  }

  double accuracy_;
  uint32_t max_bins_;
  double gamma_;
  double log_gamma_;
  uint64_t count_ = 0;
  uint64_t zero_count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  bool collapsed_ = false;
  int32_t offset_ = 0;  // index of the first bin
  // Contiguous bins offset_ .. offset_ + size - 1, in narrow_bins_ while
  // count_ <= UINT32_MAX, else in wide_bins_ (wide_); the other is empty.
  bool wide_ = false;
  std::vector<uint32_t> narrow_bins_;
  std::vector<uint64_t> wide_bins_;
};

}  // namespace augur::analysis
