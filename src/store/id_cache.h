// IdCache: a bounded map from a record's identity (a byte string) to what the
// writer knows about its database row. Internal to the store.
//
// The database is the truth; the cache only saves a lookup per batch. When it
// reaches its bounds it is cleared, and it must be cleared whenever the rows
// it names may be gone (a rolled-back transaction, retention).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

namespace augur::store {

template <typename V>
class IdCache {
 public:
  static constexpr size_t kMaxEntries = 100'000;
  static constexpr size_t kMaxKeyBytes = 64 << 20;

  const V* Find(const std::string& key) const {
    const auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

  void Insert(const std::string& key, V value) {
    if (map_.size() >= kMaxEntries || key_bytes_ + key.size() > kMaxKeyBytes) Clear();
    key_bytes_ += key.size();
    map_.insert_or_assign(key, std::move(value));
  }

  void Clear() {
    map_.clear();
    key_bytes_ = 0;
  }

 private:
  std::unordered_map<std::string, V> map_;
  size_t key_bytes_ = 0;
};

}  // namespace augur::store
