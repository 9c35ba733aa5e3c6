// Internals of TemplateMiner (template_miner.h), shared by its two source
// files: template_miner.cc (matching and merging) and miner_state.cc
// (SaveState/LoadState). Not part of the library's interface.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "logs/masker.h"
#include "logs/template_miner.h"
#include "logs/template_ops.h"

namespace augur::logs {
namespace internal {

inline constexpr uint32_t kNoSlot = 0xffffffffu;

uint64_t Mix(uint64_t x);
uint64_t HashBytes(std::string_view s);
// Index key of a token: its hash, or one shared key for every token that
// holds a value (so a record's word finds templates with "<*>" there).
uint64_t TokenKey(std::string_view token);
uint64_t BucketKey(uint64_t length, int position, uint64_t token_key);

// One template, packed into one buffer so that 100k of them stay small:
// its tokens, then per token the whitespace before it and the raw text of
// its first record (for display), then the display text.
struct Tpl {
  uint64_t id = 0;             // 0: free slot
  std::string bytes;           // tokens | (separator, raw) per token | text
  std::vector<uint32_t> ends;  // n token ends, 2n separator/raw ends, 1 text end
  uint64_t count = 0;
  int64_t first_seen = 0, last_seen = 0;
  uint32_t n = 0;                           // tokens
  uint32_t plain = 0;                       // tokens without a value
  uint32_t non_wild = 0;                    // tokens other than a bare "<*>"
  bool span = false;                        // holds kSpan
  uint32_t prev = kNoSlot, next = kNoSlot;  // least-recently-matched list
  uint32_t stamp = 0;                       // dedupes candidate gathering
  uint64_t key0 = 0, key1 = 0;              // index buckets it is in
  uint64_t skeleton = 0;                    // hash of its words in order (the tokens without values)

  size_t size() const { return n; }
  std::string_view token(size_t i) const { return Part(i); }
  std::string_view sep(size_t i) const { return Part(n + 2 * i); }
  std::string_view raw(size_t i) const { return Part(n + 2 * i + 1); }
  std::string_view text() const { return Part(3 * n); }
  // Replaces tokens and representatives (which may point into this
  // template) and renders the text.
  void Assign(const std::vector<std::string_view>& tokens,
              const std::vector<std::pair<std::string_view, std::string_view>>& sep_raw);

 private:
  std::string_view Part(size_t k) const {
    const uint32_t begin = k == 0 ? 0 : ends[k - 1];
    return std::string_view(bytes).substr(begin, ends[k] - begin);
  }
};

}  // namespace internal

struct TemplateMiner::Impl {
  struct CacheEntry {
    uint64_t id;
    uint32_t slot;
  };

  Impl(const MinerOptions& o, MinerStats* s);

  AddResult Add(std::string_view message, int64_t time_ns);
  uint64_t Resolve(uint64_t id) const;
  TemplateView View(uint32_t slot) const;
  size_t MemoryBytes() const;

  // Matching and merging (template_miner.cc).
  static uint64_t LengthKey(const internal::Tpl& t);
  static void Tokens(const internal::Tpl& t, std::vector<std::string_view>* out);
  void IndexAdd(uint32_t slot);
  void IndexRemove(uint32_t slot);
  void LruRemove(uint32_t slot);
  void LruPushFront(uint32_t slot);
  void Touch(uint32_t slot, int64_t time_ns);
  uint32_t AllocSlot();
  void FreeSlot(uint32_t slot);
  void AddAlias(uint64_t from, uint64_t to);
  // Adds the slots of the given buckets to `candidates`, each once, newest
  // first within a bucket, at most gather_budget in all (counted when cut).
  void Gather(std::initializer_list<uint64_t> keys, uint32_t exclude);
  void GatherFrom(const std::vector<uint32_t>& bucket, uint32_t exclude);
  void NewStamp();
  void SortCandidates();
  bool MatchesFixed(const internal::Tpl& t) const;
  uint32_t Search();
  uint32_t Create(int64_t time_ns);
  void Replace(uint32_t keep, const std::vector<uint32_t>& others, const std::vector<std::string>& tokens);
  uint32_t MergeOnce(uint32_t slot);
  uint32_t MergeAll(uint32_t slot);

  const MinerOptions& options;
  MinerStats* stats;
  LineMasker masker;

  std::vector<internal::Tpl> slots;
  std::vector<uint32_t> free_slots;
  std::unordered_map<uint64_t, uint32_t> id_slot;                   // live templates
  std::unordered_map<uint64_t, std::vector<uint32_t>> index;        // BucketKey -> slots
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_skeleton;  // Tpl::skeleton -> slots
  std::unordered_map<uint64_t, CacheEntry> cache;                   // hash of a line's shapes -> template
  std::unordered_map<uint64_t, uint64_t> alias;                     // merged-away id -> the id it went into
  std::deque<uint64_t> alias_order;                                 // oldest first, for the bound
  uint64_t next_id = 1;
  uint32_t lru_head = internal::kNoSlot, lru_tail = internal::kNoSlot;
  uint32_t stamp = 0;

  // Scratch, reused across records.
  MaskedLine line;
  std::vector<std::string_view> rec;  // the record's shapes
  std::vector<uint64_t> rec_keys;
  std::vector<uint32_t> candidates;
  std::vector<std::string_view> tokens_a;
  std::vector<uint8_t> dp8;
  std::vector<uint16_t> dp16;
  std::vector<AlignStep> steps;
};

}  // namespace augur::logs
