// The key of an attribute (model::KeyValue::key), interned.
//
// Why: a Span carries about ten attributes, and most semantic-convention keys
// ("http.request.method", "network.peer.address") are longer than the 15
// bytes a std::string holds inline, so as std::string every key was a malloc
// on the HTTP thread, a copy, and a free on the analysis thread, for the same
// few dozen strings over and over. An AttributeKey is a pointer to one
// immutable copy of its text in a process-wide table, shared by every
// attribute with that key: no allocation, a 16-byte value, and equality of
// two interned keys is a pointer comparison.
//
// The table (intern_table.h) is bounded: kMaxInternedKeys keys of at most
// kMaxInternedKeyBytes bytes each, under 1 MB; entries are never removed, so
// a pointer into it stays valid for the life of the process. A key that is
// too long, or new once the table is full, is owned by its AttributeKey (a
// heap copy, as before), and the overflow is counted (InternOverflowCount,
// augur_attribute_key_overflow_total in /metrics). Well-known
// semantic-convention keys are interned at start-up, so they stay cheap even
// when clients fill the table with other keys.
//
// Otherwise it behaves as the std::string it replaces: it converts to
// `const std::string&` and `std::string_view`, compares with strings, and
// orders as its text does.
//
// Thread-safe: keys may be made on any thread (finding an interned key takes
// no lock; adding one takes the table's mutex). An AttributeKey itself is a
// value: copy, move and destroy it like a std::string.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace augur::model {

class AttributeKey {
 public:
  static constexpr size_t kMaxInternedKeys = 4096;
  static constexpr size_t kMaxInternedKeyBytes = 128;

  AttributeKey() noexcept;  // ""
  AttributeKey(std::string_view key) : AttributeKey(Make(key)) {}
  AttributeKey(const char* key) : AttributeKey(std::string_view(key)) {}
  AttributeKey(const std::string& key) : AttributeKey(std::string_view(key)) {}

  AttributeKey(const AttributeKey& other);
  AttributeKey(AttributeKey&& other) noexcept : text_(other.text_), owned_(other.owned_) { other.Release(); }
  AttributeKey& operator=(const AttributeKey& other);
  AttributeKey& operator=(AttributeKey&& other) noexcept {
    if (this != &other) {
      if (owned_) delete text_;
      text_ = other.text_;
      owned_ = other.owned_;
      other.Release();
    }
    return *this;
  }
  ~AttributeKey() {
    if (owned_) delete text_;
  }

  void assign(std::string_view key) { *this = AttributeKey(key); }

  const std::string& str() const { return *text_; }
  operator const std::string&() const { return *text_; }
  operator std::string_view() const { return *text_; }
  const char* data() const { return text_->data(); }
  const char* c_str() const { return text_->c_str(); }
  size_t size() const { return text_->size(); }
  bool empty() const { return text_->empty(); }
  // True when the text is in the shared table (false when this key owns it).
  bool interned() const { return !owned_; }
  // A hash consistent with ==, cheap for interned keys (their entry's address:
  // a text is either interned in every AttributeKey that holds it or in none,
  // since the table only grows and a full table stays full).
  size_t Hash() const {
    if (owned_) return std::hash<std::string_view>()(*text_);
    const uint64_t h = reinterpret_cast<uintptr_t>(text_) * 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }

  friend bool operator==(const AttributeKey& a, const AttributeKey& b) {
    // Interned texts are unique: two interned keys are equal only if they are the same entry.
    if (!a.owned_ && !b.owned_) return a.text_ == b.text_;
    return *a.text_ == *b.text_;
  }
  friend bool operator==(const AttributeKey& a, std::string_view b) { return std::string_view(*a.text_) == b; }
  friend bool operator==(const AttributeKey& a, const std::string& b) { return *a.text_ == b; }
  friend bool operator==(const AttributeKey& a, const char* b) { return std::string_view(*a.text_) == b; }
  friend std::strong_ordering operator<=>(const AttributeKey& a, const AttributeKey& b) {
    return std::string_view(*a.text_) <=> std::string_view(*b.text_);
  }
  friend std::strong_ordering operator<=>(const AttributeKey& a, std::string_view b) {
    return std::string_view(*a.text_) <=> b;
  }

 private:
  AttributeKey(const std::string* text, bool owned) noexcept : text_(text), owned_(owned) {}
  static AttributeKey Make(std::string_view key);
  static const std::string* Empty();
  // After a move: an interned key keeps its (shared) text; an owned one gave it away and becomes "".
  void Release() noexcept {
    if (owned_) {
      text_ = Empty();
      owned_ = false;
    }
  }

  const std::string* text_;  // never null; owned (delete) when owned_, else a table entry
  bool owned_;
};

// How many keys were owned rather than interned because the table was full
// (keys longer than kMaxInternedKeyBytes are not counted: they are never interned).
uint64_t InternOverflowCount();
// How many keys the table holds.
size_t InternedKeyCount();

}  // namespace augur::model
