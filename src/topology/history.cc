#include "topology/history.h"

#include <iterator>

namespace augur::topology {

namespace {

void SaveCells(const std::deque<std::pair<uint64_t, Cell>>& cells, StateWriter* w) {
  w->Varint(cells.size());
  for (const auto& [start, c] : cells) {
    w->Varint(start);
    w->Varint(c.count);
    w->Varint(c.errors);
    w->Varint(c.error_origins);
    w->String(c.a.Serialize());
    w->String(c.b.Serialize());
  }
}

bool LoadSketch(StateReader* r, const HistoryOptions& options, analysis::DDSketch* s) {
  std::string_view bytes;
  if (!r->String(&bytes)) return false;
  // A sketch of another accuracy could not be merged with the live ones.
  return s->Deserialize(bytes).ok() && s->relative_accuracy() == options.relative_accuracy;
}

bool LoadCells(StateReader* r, const HistoryOptions& options, std::deque<std::pair<uint64_t, Cell>>* cells) {
  uint64_t n = 0;
  if (!r->Varint(&n)) return false;
  uint64_t previous = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t start = 0;
    Cell c(options);
    if (!r->Varint(&start) || !r->Varint(&c.count) || !r->Varint(&c.errors) || !r->Varint(&c.error_origins)) {
      return false;
    }
    if (!LoadSketch(r, options, &c.a) || !LoadSketch(r, options, &c.b)) return false;
    if (i > 0 && start <= previous) return false;  // must be strictly ordered
    previous = start;
    cells->emplace_back(start, std::move(c));
  }
  return true;
}

}  // namespace

void Cell::Merge(const Cell& other) {
  count += other.count;
  errors += other.errors;
  error_origins += other.error_origins;
  // Same accuracy by construction (one HistoryOptions per graph; Load checks).
  (void)a.Merge(other.a);
  (void)b.Merge(other.b);
}

Cell& History::At(uint64_t start, const HistoryOptions& options) {
  // Open cells are the newest few, so search from the back.
  auto it = fine_.end();
  auto first_open = fine_.begin() + static_cast<std::ptrdiff_t>(closed_);
  while (it != first_open && std::prev(it)->first > start) --it;
  if (it != first_open && std::prev(it)->first == start) return std::prev(it)->second;
  return fine_.emplace(it, start, Cell(options))->second;
}

void History::MergeIntoCoarse(uint64_t fine_start, const Cell& cell, const HistoryOptions& options) {
  uint64_t start = fine_start - fine_start % options.coarse_width_ns;
  if (coarse_.empty() || coarse_.back().first < start) {
    coarse_.emplace_back(start, cell);
    return;
  }
  // Fine cells close in order, so the coarse cell is the last one.
  coarse_.back().second.Merge(cell);
}

void History::Trim(uint64_t fine_from, uint64_t coarse_from) {
  while (closed_ > 0 && fine_.front().first < fine_from) {
    fine_.pop_front();
    --closed_;
  }
  while (!coarse_.empty() && coarse_.front().first < coarse_from) coarse_.pop_front();
}

size_t History::Sum(Tier tier, uint64_t from, uint64_t to, Cell* out) const {
  const auto& cells = tier == Tier::kFine ? fine_ : coarse_;
  size_t n = 0;
  for (const auto& [start, cell] : cells) {
    if (start < from) continue;
    if (start >= to) break;
    out->Merge(cell);
    ++n;
  }
  return n;
}

size_t History::ApproxBytes() const {
  size_t bytes = 0;
  for (const auto* cells : {&fine_, &coarse_}) {
    for (const auto& [start, c] : *cells) {
      bytes += sizeof(std::pair<uint64_t, Cell>) + 8 * (c.a.bin_count() + c.b.bin_count());
    }
  }
  return bytes;
}

void History::Save(StateWriter* w) const {
  SaveCells(fine_, w);
  w->Varint(closed_);
  SaveCells(coarse_, w);
}

bool History::Load(StateReader* r, const HistoryOptions& options) {
  fine_.clear();
  coarse_.clear();
  uint64_t closed = 0;
  if (!LoadCells(r, options, &fine_) || !r->Varint(&closed) || !LoadCells(r, options, &coarse_)) return false;
  if (closed > fine_.size()) return false;
  closed_ = static_cast<size_t>(closed);
  return true;
}

}  // namespace augur::topology
