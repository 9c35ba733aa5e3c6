// History: the event-time buckets of one operation or one edge, in two
// tiers, so a question like "self time p50 of writer POST /items in
// [t0, t1) vs [t1, t2)" can be answered after the fact.
//
//  - fine: one Cell per bucket_width_ns bucket (default 5 s), kept for
//    fine_keep_ns (30 min). Its newest cells are open (still filling);
//    Close() closes the older ones in order.
//  - coarse: one Cell per coarse_width_ns (60 s), kept for coarse_keep_ns
//    (6 h); a fine cell is merged into its coarse cell when it closes, so
//    the coarse tier only ever holds closed data.
// Buckets start at multiples of their width since the Unix epoch, as
// analysis::EventClock's do. Empty buckets are not stored (an idle series
// costs nothing).
//
// A Cell counts items, errors and error origins and holds two DDSketches:
// for an operation, self time and downstream time (ms); for an edge, call
// duration (ms) and nothing.
//
// Memory: a cell is ~250 bytes + 8 bytes per sketch bin in use (at 2%
// accuracy a factor 10 between fastest and slowest value takes ~60 bins),
// so 0.25-1.2 KB; a series busy in every bucket holds 360 + 360 cells at
// the defaults, 0.2-1 MB. The graph caps the number of series.
//
// Not thread-safe; owned by the ServiceGraph.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "analysis/sketch.h"
#include "common/status.h"
#include "topology/state_codec.h"

namespace augur::topology {

struct HistoryOptions {
  uint64_t bucket_width_ns = 5'000'000'000;
  uint64_t fine_keep_ns = 30 * 60'000'000'000ULL;
  uint64_t coarse_width_ns = 60'000'000'000;  // rounded up to a multiple of bucket_width_ns
  uint64_t coarse_keep_ns = 6 * 3'600'000'000'000ULL;
  double relative_accuracy = 0.02;
  uint32_t max_bins = 256;  // 2%: a factor ~e^20 between fastest and slowest kept at full accuracy
};

struct Cell {
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t error_origins = 0;
  analysis::DDSketch a;  // operation: self time; edge: duration (ms)
  analysis::DDSketch b;  // operation: downstream time (ms); edge: unused

  explicit Cell(const HistoryOptions& o) : a(o.relative_accuracy, o.max_bins), b(o.relative_accuracy, o.max_bins) {}
  void Merge(const Cell& other);
  bool operator==(const Cell&) const = default;
};

enum class Tier : uint8_t { kFine, kCoarse };

class History {
 public:
  // The open fine cell of the bucket starting at `start`, created if
  // absent. `start` must be aligned and not yet closed (the caller checks).
  Cell& At(uint64_t start, const HistoryOptions& options);

  // Closes the open fine cells starting before `closed_before`, oldest
  // first: emit(start, cell) for each, then merges it into the coarse tier.
  // Then drops fine cells starting before `fine_from` and coarse cells
  // starting before `coarse_from`.
  template <typename F>
  void Close(uint64_t closed_before, uint64_t fine_from, uint64_t coarse_from, const HistoryOptions& options,
             F&& emit) {
    for (; closed_ < fine_.size() && fine_[closed_].first < closed_before; ++closed_) {
      emit(fine_[closed_].first, fine_[closed_].second);
      MergeIntoCoarse(fine_[closed_].first, fine_[closed_].second, options);
    }
    Trim(fine_from, coarse_from);
  }

  // Adds every cell of `tier` starting in [from, to) to *out; returns how
  // many there were. The fine tier includes open cells.
  size_t Sum(Tier tier, uint64_t from, uint64_t to, Cell* out) const;

  bool empty() const { return fine_.empty() && coarse_.empty(); }
  // Roughly the heap bytes held (cells and their sketch bins).
  size_t ApproxBytes() const;
  bool has_open() const { return closed_ < fine_.size(); }

  void Save(StateWriter* w) const;
  // Reads what Save wrote; false on malformed input (this is then unusable).
  bool Load(StateReader* r, const HistoryOptions& options);

  bool operator==(const History&) const = default;

 private:
  void MergeIntoCoarse(uint64_t fine_start, const Cell& cell, const HistoryOptions& options);
  void Trim(uint64_t fine_from, uint64_t coarse_from);

  std::deque<std::pair<uint64_t, Cell>> fine_;  // by start; the first closed_ are closed
  size_t closed_ = 0;
  std::deque<std::pair<uint64_t, Cell>> coarse_;  // by start
};

}  // namespace augur::topology
