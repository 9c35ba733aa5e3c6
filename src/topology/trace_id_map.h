// TraceIdMap: trace id → a small number (the assembler's slot), in one flat
// array with open addressing (linear probing, deletion by backward shift).
//
// Why not std::unordered_map: the assembler inserts and erases one entry per
// trace, 15 s of event time apart, so every node was a malloc, a free and a
// cache miss on a cold node; here a lookup touches one or two adjacent cells
// and nothing is allocated once the array has grown.
//
// Bounds: the owner bounds the entries (the assembler's open and recent
// traces); the array is kept at most half full, so it is at most 4× the
// largest count ever held, times 20 bytes. Iteration is not offered (so no
// order can leak into results). Not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "model/telemetry.h"

namespace augur::topology {

class TraceIdMap {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  // The value of `id`, or kAbsent.
  uint32_t Find(const model::TraceId& id) const {
    if (size_ == 0) return kAbsent;
    for (size_t i = Home(id);; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.value == kAbsent) return kAbsent;
      if (c.id == id) return c.value;
    }
  }

  // Adds id → value; `id` must be absent and value != kAbsent.
  void Insert(const model::TraceId& id, uint32_t value) {
    if ((size_ + 1) * 2 > cells_.size()) Grow();
    size_t i = Home(id);
    while (cells_[i].value != kAbsent) i = (i + 1) & mask_;
    cells_[i] = {id, value};
    ++size_;
  }

  // Removes `id` if present.
  void Erase(const model::TraceId& id) {
    if (size_ == 0) return;
    size_t i = Home(id);
    for (;; i = (i + 1) & mask_) {
      if (cells_[i].value == kAbsent) return;
      if (cells_[i].id == id) break;
    }
    // Backward shift: move later cells of the probe run into the hole when
    // their home position does not lie (cyclically) after the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      const Cell& c = cells_[j];
      if (c.value == kAbsent) break;
      const size_t home = Home(c.id);
      // c may move to i if i lies cyclically in [home, j).
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        cells_[i] = c;
        i = j;
      }
    }
    cells_[i].value = kAbsent;
    --size_;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return cells_.size(); }

 private:
  struct Cell {
    model::TraceId id{};
    uint32_t value = kAbsent;
  };

  size_t Home(const model::TraceId& id) const {
    uint64_t hi, lo;
    std::memcpy(&hi, id.data(), 8);
    std::memcpy(&lo, id.data() + 8, 8);
    // Ids are random in practice; the multiplies spread crafted ones.
    return static_cast<size_t>(((hi ^ (lo * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL) >> 32) & mask_;
  }

  void Grow() {
    std::vector<Cell> old = std::move(cells_);
    cells_.assign(old.empty() ? 1024 : old.size() * 2, Cell{});
    mask_ = cells_.size() - 1;
    size_ = 0;
    for (const Cell& c : old) {
      if (c.value != kAbsent) Insert(c.id, c.value);
    }
  }

  std::vector<Cell> cells_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace augur::topology
