#include "store/trace_index.h"

#include <algorithm>
#include <cstring>

namespace augur::store {
namespace {

void PutInt(int64_t v, std::string* out) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
  out->append(buf, sizeof buf);
}

int64_t GetInt(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<int64_t>(v);
}

Status Malformed(const char* what, size_t size) {
  return Status::IOError(std::string("corrupt trace index: ") + what + " of " + std::to_string(size) + " bytes");
}

}  // namespace

void EncodeTraceKeys(const std::vector<int64_t>& keys, std::string* out) {
  out->clear();
  for (const int64_t key : keys) PutInt(key, out);
}

StatusOr<bool> HasTraceKey(std::span<const uint8_t> keys, int64_t key) {
  if (keys.size() % 8 != 0) return Malformed("trace keys", keys.size());
  size_t lo = 0, hi = keys.size() / 8;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t k = GetInt(keys.data() + mid * 8);
    if (k == key) return true;
    if (k < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

Status AppendTraceEntries(std::span<const uint8_t> keys, int64_t block, std::vector<TraceEntry>* out) {
  if (keys.size() % 8 != 0) return Malformed("trace keys", keys.size());
  for (size_t i = 0; i < keys.size(); i += 8) out->push_back({GetInt(keys.data() + i), block});
  return Status::OK();
}

void BuildRuns(const std::vector<TraceEntry>& entries, std::vector<std::pair<int64_t, std::string>>* out) {
  for (size_t i = 0; i < entries.size();) {
    size_t end = std::min(i + kRunEntries, entries.size());
    while (end < entries.size() && entries[end].key == entries[end - 1].key) ++end;
    std::string& run = out->emplace_back(entries[i].key, std::string()).second;
    run.reserve((end - i) * 16);
    for (; i < end; ++i) {
      PutInt(entries[i].key, &run);
      PutInt(entries[i].block, &run);
    }
  }
}

Status FindInRun(std::span<const uint8_t> run, int64_t key, std::vector<int64_t>* blocks) {
  if (run.size() % 16 != 0) return Malformed("run", run.size());
  const size_t n = run.size() / 16;
  size_t lo = 0, hi = n;  // the first entry with a key >= `key`
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (GetInt(run.data() + mid * 16) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (; lo < n && GetInt(run.data() + lo * 16) == key; ++lo) blocks->push_back(GetInt(run.data() + lo * 16 + 8));
  return Status::OK();
}

}  // namespace augur::store
