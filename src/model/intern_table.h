// A bounded set of immutable strings ("entries") that many threads look up
// without a lock: the table behind AttributeKey (attribute_key.h).
//
// Intern(text) returns the one entry equal to `text`, adding it if there is
// room. Entries are never removed or changed, so a returned pointer stays
// valid, and equal texts always give the same pointer, for the table's life.
// The table holds at most `max_entries` entries of at most `max_entry_bytes`
// bytes each. A text that is too long gets nullptr; so does a new text once
// the table is full, and that is counted (overflow()). Once full, the table
// stays full: a text that got nullptr will always get nullptr, and a text
// that got an entry will always get the same entry.
//
// Thread-safe. Lookups of texts already in the table take no lock: slots go
// from null to an entry exactly once, published with a release store that
// lookups read with acquire, so a reader sees an entry only fully built.
// Additions take a mutex and probe again under it, so two threads adding the
// same text get one entry.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace augur::model {

class InternTable {
 public:
  InternTable(size_t max_entries, size_t max_entry_bytes);
  ~InternTable();  // frees the entries: no pointer from Intern may be used after
  InternTable(const InternTable&) = delete;
  InternTable& operator=(const InternTable&) = delete;

  // The entry equal to `text`, or nullptr if `text` is longer than
  // max_entry_bytes or new while the table is full (counted in overflow()).
  const std::string* Intern(std::string_view text);

  // New texts refused because the table was full, one per call.
  uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t max_entries() const { return max_entries_; }

 private:
  // The entry equal to `text` among the slots published so far, or nullptr.
  const std::string* Find(std::string_view text, size_t hash) const;

  const size_t max_entries_;
  const size_t max_entry_bytes_;
  const size_t mask_;  // slots - 1; slots is a power of two of at least 2 * max_entries, so a probe ends
  std::unique_ptr<std::atomic<const std::string*>[]> slots_;
  std::mutex mu_;  // serializes additions
  // Incremented (release) after an entry's slot is published: a reader that
  // sees max_entries (acquire) sees every entry.
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> overflow_{0};
};

}  // namespace augur::model
