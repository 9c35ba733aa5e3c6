#include "model/intern_table.h"

#include <bit>

#include "common/short_bytes.h"

namespace augur::model {

InternTable::InternTable(size_t max_entries, size_t max_entry_bytes)
    : max_entries_(max_entries),
      max_entry_bytes_(max_entry_bytes),
      mask_(std::bit_ceil(2 * max_entries + 1) - 1),
      slots_(new std::atomic<const std::string*>[mask_ + 1]) {
  for (size_t i = 0; i <= mask_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

InternTable::~InternTable() {
  for (size_t i = 0; i <= mask_; ++i) delete slots_[i].load(std::memory_order_relaxed);
}

const std::string* InternTable::Find(std::string_view text, size_t hash) const {
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    // Acquire: pairs with the release store in Intern, so the string behind
    // a non-null slot is fully built.
    const std::string* entry = slots_[i].load(std::memory_order_acquire);
    if (entry == nullptr) return nullptr;
    if (SameBytes(*entry, text)) return entry;
  }
}

const std::string* InternTable::Intern(std::string_view text) {
  if (text.size() > max_entry_bytes_) return nullptr;
  const size_t hash = ShortHash(text);
  if (const std::string* found = Find(text, hash)) return found;

  // A full table never changes again, so a refusal needs no lock. But the
  // first Find may have missed the very addition that filled the table;
  // seeing the full size (acquire) makes every addition visible, so the
  // second Find is exact and a text in the table is never refused.
  if (size_.load(std::memory_order_acquire) >= max_entries_) {
    if (const std::string* found = Find(text, hash)) return found;
    overflow_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }

  std::lock_guard lock(mu_);
  // Slots change only under mu_, so relaxed loads see every addition here.
  size_t i = hash & mask_;
  for (;; i = (i + 1) & mask_) {
    const std::string* entry = slots_[i].load(std::memory_order_relaxed);
    if (entry == nullptr) break;
    if (SameBytes(*entry, text)) return entry;  // added by another thread meanwhile
  }
  if (size_.load(std::memory_order_relaxed) >= max_entries_) {
    overflow_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  const std::string* entry = new std::string(text);
  slots_[i].store(entry, std::memory_order_release);
  size_.fetch_add(1, std::memory_order_release);
  return entry;
}

}  // namespace augur::model
