// The trace index's keys and blob forms. Internal to the store.
//
// A trace's key is its id's last 8 bytes, its random part (W3C trace
// context), as an integer: half the size of the id, and a rare collision
// only costs reading a block that a lookup then filters by the full id.
//
// Span blocks (schema.cc) are numbered by span, and grouped in epochs of
// 2^kTraceEpochBits span numbers, i.e. stretches of ingest. Each block row
// holds its trace keys. When the writer starts a block of a new epoch, it
// seals the one before: its blocks' (key, block) entries, sorted, go into
// the index as runs of up to kRunEntries, one row each, keyed by epoch and
// first key. So the index costs a few row inserts per epoch, written once,
// instead of a random b-tree insert per entry (measured: a third of a
// Write() when inserted block by block). A lookup probes the run that may
// hold the key in each sealed epoch, and the keys of the blocks of the
// newest, unsealed epoch.
//
// Blob forms, integers as 8-byte little endian:
//   trace keys := key * n              -- a block's distinct keys, ascending
//   run        := (key block_id) * n   -- ascending by key, then block
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/telemetry.h"

namespace augur::store {

inline constexpr int kTraceEpochBits = 16;
// 16 bytes each, so a run row stays within one b-tree cell of a 4 KiB page
// (an index cell holds up to ~1000 bytes before spilling to overflow pages).
inline constexpr size_t kRunEntries = 60;

inline int64_t TraceKey(const model::TraceId& id) {
  uint64_t key = 0;
  for (size_t i = 8; i < 16; ++i) key = key << 8 | id[i];
  return static_cast<int64_t>(key);
}

inline int64_t TraceEpoch(int64_t block_id) {
  return block_id >> kTraceEpochBits;
}

struct TraceEntry {
  int64_t key;
  int64_t block;
  auto operator<=>(const TraceEntry&) const = default;
};

// `keys` ascending and distinct.
void EncodeTraceKeys(const std::vector<int64_t>& keys, std::string* out);
// Whether a block's trace keys hold `key`. Malformed keys are kIOError.
StatusOr<bool> HasTraceKey(std::span<const uint8_t> keys, int64_t key);
// Appends the entries of a block's trace keys to `out`.
Status AppendTraceEntries(std::span<const uint8_t> keys, int64_t block, std::vector<TraceEntry>* out);

// Splits `entries` (ascending) into runs of kRunEntries, but never splits a
// key's entries (a lookup reads one run per epoch), so a run is longer when
// a key has more blocks in the epoch.
// Appends each run's first key and blob.
void BuildRuns(const std::vector<TraceEntry>& entries, std::vector<std::pair<int64_t, std::string>>* out);
// Appends the blocks of `key` in `run` to `blocks`. Malformed runs are kIOError.
Status FindInRun(std::span<const uint8_t> run, int64_t key, std::vector<int64_t>* blocks);

}  // namespace augur::store
