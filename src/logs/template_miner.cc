#include "logs/template_miner.h"

#include <algorithm>
#include <cstring>

#include "logs/miner_impl.h"
#include "logs/render.h"
#include "logs/template_ops.h"

namespace augur::logs {

using internal::kNoSlot;
using internal::Tpl;

TemplateMiner::TemplateMiner(MinerOptions options)
    : options_(options), impl_(std::make_unique<Impl>(options_, &stats_)) {}
TemplateMiner::~TemplateMiner() = default;

AddResult TemplateMiner::Add(std::string_view message, int64_t event_time_ns) {
  return impl_->Add(message, event_time_ns);
}

const std::vector<MaskedToken>& TemplateMiner::last_tokens() const {
  return impl_->line.tokens;
}

uint64_t TemplateMiner::Resolve(uint64_t id) const {
  return impl_->Resolve(id);
}

std::optional<TemplateView> TemplateMiner::Find(uint64_t id) const {
  const uint64_t current = impl_->Resolve(id);
  if (current == 0) return std::nullopt;
  return impl_->View(impl_->id_slot.at(current));
}

void TemplateMiner::ForEach(const std::function<void(const TemplateView&)>& fn) const {
  std::vector<std::pair<uint64_t, uint32_t>> live;
  live.reserve(impl_->id_slot.size());
  for (const auto& [id, slot] : impl_->id_slot) live.emplace_back(id, slot);
  std::sort(live.begin(), live.end());
  for (const auto& [id, slot] : live) fn(impl_->View(slot));
}

size_t TemplateMiner::size() const {
  return impl_->id_slot.size();
}

size_t TemplateMiner::MemoryBytes() const {
  return impl_->MemoryBytes();
}

// ---------------------------------------------------------------------------

namespace internal {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (s.size() * 0x2545f4914f6cdd1dull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = Mix(h ^ chunk) * 0x9e3779b97f4a7c15ull;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return Mix(h ^ tail ^ (static_cast<uint64_t>(s.size() - i) << 56));
}

namespace {
constexpr uint64_t kWildKey = 0x57a1d5a1d5a1d5a1ull;
}  // namespace

uint64_t TokenKey(std::string_view token) {
  return HasWild(token) ? kWildKey : HashBytes(token);
}

uint64_t BucketKey(uint64_t length, int position, uint64_t token_key) {
  return Mix(token_key ^ Mix(length * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(position) + 1));
}

// --- Tpl ---------------------------------------------------------------------

void Tpl::Assign(const std::vector<std::string_view>& tokens,
                 const std::vector<std::pair<std::string_view, std::string_view>>& sep_raw) {
  std::string out;
  std::vector<uint32_t> out_ends;
  out_ends.reserve(3 * tokens.size() + 1);
  uint32_t plain_tokens = 0, non_wild_tokens = 0;
  bool has_span = false;
  for (std::string_view t : tokens) {
    out.append(t);
    out_ends.push_back(static_cast<uint32_t>(out.size()));
    plain_tokens += !HasWild(t);
    non_wild_tokens += t != kWildcard;
    has_span |= t == kSpan;
  }
  for (const auto& [sep, raw] : sep_raw) {
    out.append(sep);
    out_ends.push_back(static_cast<uint32_t>(out.size()));
    out.append(raw);
    out_ends.push_back(static_cast<uint32_t>(out.size()));
  }
  // The display text: words as they are, values in their display form.
  std::string value;
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (k > 0) out.append(sep_raw[k].first);
    const std::string_view t = tokens[k];
    const std::string_view raw_text = sep_raw[k].second;
    if (!HasWild(t)) {
      out.append(t);
    } else if (t == kSpan || raw_text == kWildcard) {
      out.append(kWildcard);
    } else {
      value.clear();
      AppendRenderedValue(raw_text, &value);
      out.append(value.find(kWildcard) == std::string::npos ? t : std::string_view(value));
    }
  }
  out_ends.push_back(static_cast<uint32_t>(out.size()));
  out.shrink_to_fit();
  bytes.swap(out);
  ends.swap(out_ends);
  n = static_cast<uint32_t>(tokens.size());
  plain = plain_tokens;
  non_wild = non_wild_tokens;
  span = has_span;
}

}  // namespace internal

// --- Impl -----------------------------------------------------------------------

using internal::BucketKey;
using internal::HashBytes;
using internal::Mix;
using internal::TokenKey;

namespace {
constexpr uint64_t kSpanLength = 0xffffffffull;  // the "length" variable-length templates are indexed under
}

TemplateMiner::Impl::Impl(const MinerOptions& o, MinerStats* s) : options(o), stats(s), masker(o.mask) {}

uint64_t TemplateMiner::Impl::Resolve(uint64_t id) const {
  // Aliases always point to an older (smaller) id, so this ends.
  while (id != 0) {
    if (id_slot.count(id)) return id;
    auto it = alias.find(id);
    if (it == alias.end()) return 0;
    id = it->second;
  }
  return 0;
}

TemplateView TemplateMiner::Impl::View(uint32_t slot) const {
  const Tpl& t = slots[slot];
  TemplateView v;
  v.id = t.id;
  v.text = t.text();
  v.count = t.count;
  v.first_seen_ns = t.first_seen;
  v.last_seen_ns = t.last_seen;
  v.tokens = t.size();
  v.variable_length = t.span;
  return v;
}

uint64_t TemplateMiner::Impl::LengthKey(const Tpl& t) {
  return t.span ? kSpanLength : t.size();
}

namespace {

uint64_t SkeletonOf(const Tpl& t) {
  uint64_t h = 0x6a09e667f3bcc909ull;
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string_view token = t.token(i);
    if (!HasWild(token)) h = Mix(h ^ HashBytes(token)) + 0x9e3779b97f4a7c15ull;
  }
  return h;
}

void DropFrom(std::unordered_map<uint64_t, std::vector<uint32_t>>* map, uint64_t key, uint32_t slot) {
  auto it = map->find(key);
  if (it == map->end()) return;
  std::vector<uint32_t>& v = it->second;
  auto pos = std::find(v.begin(), v.end(), slot);
  if (pos != v.end()) v.erase(pos);  // keeps the bucket in insertion order, newest last
  if (v.empty()) map->erase(it);
}

}  // namespace

void TemplateMiner::Impl::IndexAdd(uint32_t slot) {
  Tpl& t = slots[slot];
  t.skeleton = SkeletonOf(t);
  by_skeleton[t.skeleton].push_back(slot);
  const uint64_t length = LengthKey(t);
  t.key0 = BucketKey(length, 0, t.size() > 0 ? TokenKey(t.token(0)) : 0);
  index[t.key0].push_back(slot);
  if (t.size() >= 2) {
    t.key1 = BucketKey(length, 1, TokenKey(t.token(1)));
    index[t.key1].push_back(slot);
  }
}

void TemplateMiner::Impl::IndexRemove(uint32_t slot) {
  const Tpl& t = slots[slot];
  DropFrom(&by_skeleton, t.skeleton, slot);
  DropFrom(&index, t.key0, slot);
  if (t.size() >= 2) DropFrom(&index, t.key1, slot);
}

void TemplateMiner::Impl::LruRemove(uint32_t slot) {
  Tpl& t = slots[slot];
  if (t.prev != kNoSlot)
    slots[t.prev].next = t.next;
  else
    lru_head = t.next;
  if (t.next != kNoSlot)
    slots[t.next].prev = t.prev;
  else
    lru_tail = t.prev;
  t.prev = t.next = kNoSlot;
}

void TemplateMiner::Impl::LruPushFront(uint32_t slot) {
  Tpl& t = slots[slot];
  t.prev = kNoSlot;
  t.next = lru_head;
  if (lru_head != kNoSlot) slots[lru_head].prev = slot;
  lru_head = slot;
  if (lru_tail == kNoSlot) lru_tail = slot;
}

void TemplateMiner::Impl::Touch(uint32_t slot, int64_t time_ns) {
  Tpl& t = slots[slot];
  if (t.count == 0 || time_ns < t.first_seen) t.first_seen = time_ns;
  if (t.count == 0 || time_ns > t.last_seen) t.last_seen = time_ns;
  ++t.count;
  if (lru_head != slot) {
    LruRemove(slot);
    LruPushFront(slot);
  }
}

void TemplateMiner::Impl::FreeSlot(uint32_t slot) {
  id_slot.erase(slots[slot].id);
  slots[slot] = Tpl();
  free_slots.push_back(slot);
}

uint32_t TemplateMiner::Impl::AllocSlot() {
  if (id_slot.size() >= std::max<size_t>(options.max_templates, 1) && lru_tail != kNoSlot) {
    const uint32_t victim = lru_tail;
    IndexRemove(victim);
    LruRemove(victim);
    FreeSlot(victim);
    ++stats->templates_evicted;
  }
  if (!free_slots.empty()) {
    const uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  }
  slots.emplace_back();
  return static_cast<uint32_t>(slots.size() - 1);
}

void TemplateMiner::Impl::AddAlias(uint64_t from, uint64_t to) {
  if (options.max_aliases == 0) {
    ++stats->aliases_dropped;
    return;
  }
  if (alias.emplace(from, to).second) alias_order.push_back(from);
  while (alias.size() > options.max_aliases) {
    alias.erase(alias_order.front());
    alias_order.pop_front();
    ++stats->aliases_dropped;
  }
}

// Candidate slots from the index buckets of the given keys, each once, in
// id order, at most max_candidates.
void TemplateMiner::Impl::NewStamp() {
  ++stamp;
  if (stamp == 0) {  // wrapped: reset every slot's mark
    for (Tpl& t : slots) t.stamp = 0;
    stamp = 1;
  }
}

void TemplateMiner::Impl::Gather(std::initializer_list<uint64_t> keys, uint32_t exclude) {
  NewStamp();
  for (uint64_t key : keys) {
    auto it = index.find(key);
    if (it != index.end()) GatherFrom(it->second, exclude);
  }
}

void TemplateMiner::Impl::GatherFrom(const std::vector<uint32_t>& bucket, uint32_t exclude) {
  const size_t budget = std::max<size_t>(options.max_candidates, 1) * 4;
  for (size_t i = bucket.size(); i-- > 0;) {
    const uint32_t slot = bucket[i];
    if (slot == exclude || slots[slot].stamp == stamp) continue;
    if (candidates.size() >= budget) {
      ++stats->searches_cut;
      return;
    }
    slots[slot].stamp = stamp;
    candidates.push_back(slot);
  }
}

void TemplateMiner::Impl::SortCandidates() {
  std::sort(candidates.begin(), candidates.end(), [&](uint32_t a, uint32_t b) { return slots[a].id < slots[b].id; });
  const size_t limit = std::max<size_t>(options.max_candidates, 1);
  if (candidates.size() > limit) {
    candidates.resize(limit);
    ++stats->searches_cut;
  }
}

bool TemplateMiner::Impl::MatchesFixed(const Tpl& t) const {
  const bool strong = t.plain >= options.min_equal_fraction * static_cast<double>(t.size());
  for (size_t p = 0; p < t.size(); ++p) {
    const std::string_view a = t.token(p), b = rec[p];
    if (a == b) continue;
    if (a == kWildcard) {
      if (!strong && !HasWild(b)) return false;
    } else if (!HasWild(a) || !TokenFits(a, b)) {
      return false;
    }
  }
  return true;
}

uint32_t TemplateMiner::Impl::Search() {
  const size_t n = rec.size();
  const uint64_t k0 = n > 0 ? rec_keys[0] : 0;
  candidates.clear();
  const uint64_t wild = TokenKey(kWildcard);
  if (n >= 2) {
    auto bucket_size = [&](uint64_t key) {
      auto it = index.find(key);
      return it == index.end() ? 0 : it->second.size();
    };
    const uint64_t a0 = BucketKey(n, 0, k0), b0 = BucketKey(n, 0, wild);
    const uint64_t a1 = BucketKey(n, 1, rec_keys[1]), b1 = BucketKey(n, 1, wild);
    if (bucket_size(a1) + bucket_size(b1) < bucket_size(a0) + bucket_size(b0)) {
      Gather({a1, b1}, kNoSlot);
    } else {
      Gather({a0, b0}, kNoSlot);
    }
  } else {
    Gather({BucketKey(n, 0, k0), BucketKey(n, 0, wild)}, kNoSlot);
  }
  SortCandidates();
  uint32_t best = kNoSlot;
  int64_t best_score = -1;
  for (uint32_t slot : candidates) {
    const Tpl& t = slots[slot];
    if (t.span || t.size() != n || !MatchesFixed(t)) continue;
    if (static_cast<int64_t>(t.non_wild) > best_score) {
      best = slot;
      best_score = t.non_wild;
    }
  }
  if (best != kNoSlot) return best;

  candidates.clear();
  Gather({BucketKey(kSpanLength, 0, k0), BucketKey(kSpanLength, 0, wild)}, kNoSlot);
  SortCandidates();
  for (uint32_t slot : candidates) {
    const Tpl& t = slots[slot];
    if (!t.span) continue;
    Tokens(t, &tokens_a);
    if (!SpanMatch(tokens_a, rec, &dp8)) continue;
    if (static_cast<int64_t>(t.plain) > best_score) {
      best = slot;
      best_score = t.plain;
    }
  }
  return best;
}

void TemplateMiner::Impl::Tokens(const Tpl& t, std::vector<std::string_view>* out) {
  out->clear();
  for (size_t i = 0; i < t.size(); ++i) out->push_back(t.token(i));
}

uint32_t TemplateMiner::Impl::Create(int64_t time_ns) {
  const uint32_t slot = AllocSlot();
  Tpl& t = slots[slot];
  t.id = next_id++;
  std::vector<std::pair<std::string_view, std::string_view>> sep_raw;
  sep_raw.reserve(line.tokens.size());
  for (const MaskedToken& m : line.tokens) sep_raw.emplace_back(m.sep, m.raw);
  t.Assign(rec, sep_raw);
  t.first_seen = t.last_seen = time_ns;
  id_slot[t.id] = slot;
  IndexAdd(slot);
  LruPushFront(slot);
  ++stats->templates_created;
  return slot;
}

void TemplateMiner::Impl::Replace(uint32_t keep, const std::vector<uint32_t>& others,
                                  const std::vector<std::string>& tokens) {
  IndexRemove(keep);
  Tpl& k = slots[keep];
  std::vector<std::string_view> views(tokens.begin(), tokens.end());
  const bool reshaped = tokens.size() != k.size() || std::find(views.begin(), views.end(), kSpan) != views.end();
  std::vector<std::pair<std::string, std::string>> reps;
  std::vector<std::pair<std::string_view, std::string_view>> sep_raw;
  if (!reshaped) {
    for (size_t j = 0; j < k.size(); ++j) sep_raw.emplace_back(k.sep(j), k.raw(j));
  } else {
    // Keep the representatives of the tokens that survive, in order.
    size_t j = 0;
    for (std::string_view t : views) {
      while (j < k.size() && k.token(j) != t && t != kSpan && t != kWildcard) ++j;
      if (t == kSpan) {
        reps.emplace_back(" ", std::string(kWildcard));
      } else if (j < k.size()) {
        reps.emplace_back(std::string(k.sep(j)), std::string(k.raw(j)));
        ++j;
      } else {
        reps.emplace_back(" ", std::string(t));
      }
    }
    sep_raw.assign(reps.begin(), reps.end());
  }
  k.Assign(views, sep_raw);
  for (uint32_t other : others) {
    if (other == keep) continue;
    Tpl& o = slots[other];
    k.count += o.count;
    if (o.count > 0 && (k.count == o.count || o.first_seen < k.first_seen)) k.first_seen = o.first_seen;
    if (o.count > 0 && o.last_seen > k.last_seen) k.last_seen = o.last_seen;
    IndexRemove(other);
    LruRemove(other);
    AddAlias(o.id, k.id);
    FreeSlot(other);
    ++stats->merges;
  }
  IndexAdd(keep);
}

uint32_t TemplateMiner::Impl::MergeOnce(uint32_t slot) {
  const Tpl& n = slots[slot];
  const size_t len = n.size();
  if (len == 0) return kNoSlot;
  std::vector<std::string_view> ntok;
  Tokens(n, &ntok);
  const uint64_t wild = TokenKey(kWildcard);
  const uint64_t nk0 = TokenKey(ntok[0]);
  const uint64_t nk1 = len >= 2 ? TokenKey(ntok[1]) : 0;
  // Templates of length `length` that share the first or second token (or
  // hold a value there).
  auto gather = [&](uint64_t length) {
    if (len >= 2) {
      Gather({BucketKey(length, 0, nk0), BucketKey(length, 1, nk1), BucketKey(length, 0, wild),
              BucketKey(length, 1, wild)},
             slot);
    } else {
      Gather({BucketKey(length, 0, nk0), BucketKey(length, 0, wild)}, slot);
    }
  };
  auto keep_of = [&](uint32_t a, uint32_t b) { return slots[a].id < slots[b].id ? a : b; };

  if (!n.span) {
    candidates.clear();
    gather(len);
    SortCandidates();
    const std::vector<uint32_t> same_length = candidates;
    // Positions where one side already holds a value.
    for (uint32_t c : same_length) {
      const Tpl& t = slots[c];
      if (t.span || t.size() != len) continue;
      bool ok = true, any = false;
      size_t equal_words = 0;
      for (size_t p = 0; p < len && ok; ++p) {
        const std::string_view a = t.token(p);
        if (a == ntok[p]) {
          equal_words += !HasWild(a);
        } else {
          any = true;
          ok = Compatible(a, ntok[p]);
        }
      }
      if (!ok || !any) continue;
      if (static_cast<double>(equal_words) < std::max(1.0, options.min_equal_fraction * static_cast<double>(len))) {
        continue;
      }
      std::vector<std::string> merged;
      for (size_t p = 0; p < len; ++p) {
        merged.emplace_back(t.token(p) == ntok[p] ? std::string(t.token(p)) : std::string(kWildcard));
      }
      const uint32_t keep = keep_of(c, slot);
      Replace(keep, {c, slot}, merged);
      return keep;
    }
    // One position where K templates that agree elsewhere hold K words.
    std::vector<std::pair<size_t, uint32_t>> siblings;  // (position, slot), slots in id order
    for (uint32_t c : same_length) {
      const Tpl& t = slots[c];
      if (t.span || t.size() != len) continue;
      size_t diffs = 0, at = 0;
      for (size_t p = 0; p < len && diffs < 2; ++p) {
        if (t.token(p) != ntok[p]) {
          ++diffs;
          at = p;
        }
      }
      if (diffs == 1) {
        if (!HasWild(t.token(at))) siblings.emplace_back(at, c);
      } else if (diffs == 0) {
        for (size_t p = 0; p < len; ++p) {
          if (!HasWild(t.token(p))) siblings.emplace_back(p, c);
        }
      }
    }
    std::stable_sort(siblings.begin(), siblings.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const size_t first = n.plain >= options.first_token_min_constants ? 0 : 1;
    for (size_t i = 0; i < siblings.size();) {
      size_t j = i;
      while (j < siblings.size() && siblings[j].first == siblings[i].first) ++j;
      const size_t p = siblings[i].first;
      if (p >= first && !HasWild(ntok[p])) {
        std::vector<uint32_t> group = {slot};
        std::vector<std::string_view> values = {ntok[p]};
        for (size_t s = i; s < j; ++s) {
          group.push_back(siblings[s].second);
          values.push_back(slots[siblings[s].second].token(p));
        }
        const std::string skeleton = DigitSkeleton(values[0]);
        bool digit_only = skeleton.find(kWildcard) != std::string::npos;
        for (std::string_view v : values) digit_only = digit_only && DigitSkeleton(v) == skeleton;
        const size_t needed = digit_only ? options.digit_variants_to_merge : options.distinct_values_to_merge;
        if (group.size() >= needed) {
          std::vector<std::string> merged;
          for (size_t q = 0; q < len; ++q) merged.emplace_back(ntok[q]);
          merged[p] = digit_only ? skeleton : Generalize(values);
          uint32_t keep = slot;
          for (uint32_t g : group) keep = keep_of(keep, g);
          Replace(keep, group, merged);
          return keep;
        }
      }
      i = j;
    }
  }

  // Different lengths: merge when every difference is a run of values. Gaps
  // hold only values, so both templates have the same words in the same
  // order: the skeleton index finds exactly those.
  candidates.clear();
  NewStamp();
  if (auto it = by_skeleton.find(n.skeleton); it != by_skeleton.end()) GatherFrom(it->second, slot);
  const size_t diff = options.max_length_difference;
  auto near = [&](const Tpl& t) {
    if (t.span) return true;
    const size_t d = t.size() > len ? t.size() - len : len - t.size();
    return d <= diff && (d != 0 || n.span) && t.size() > 0;
  };
  // Like the buckets above: the first or second token is shared or a value.
  auto related = [&](const Tpl& t) {
    const uint64_t t0 = TokenKey(t.token(0));
    if (t0 == nk0 || t0 == wild) return true;
    if (t.size() < 2 || len < 2) return false;
    const uint64_t t1 = TokenKey(t.token(1));
    return t1 == nk1 || t1 == wild;
  };
  candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                  [&](uint32_t c) { return !near(slots[c]) || !related(slots[c]); }),
                   candidates.end());
  SortCandidates();
  const std::vector<uint32_t> others = candidates;
  const size_t n_plain = n.plain;
  for (uint32_t c : others) {
    const Tpl& t = slots[c];
    Tokens(t, &tokens_a);
    Align(tokens_a, ntok, &steps, &dp16);
    bool ok = true;
    size_t matched = 0;
    std::vector<std::string> merged;
    for (const AlignStep& s : steps) {
      if (s.shared) {
        merged.emplace_back(s.token);
        matched += !HasWild(s.token);
        continue;
      }
      bool has_span = false;
      for (const auto* gap : {&s.gap_a, &s.gap_b}) {
        for (std::string_view g : *gap) {
          ok = ok && OnlyValue(g);
          has_span |= g == kSpan;
        }
      }
      if (!ok) break;
      bool pairwise = s.gap_a.size() == s.gap_b.size() && !has_span;
      for (size_t q = 0; pairwise && q < s.gap_a.size(); ++q) pairwise = Compatible(s.gap_a[q], s.gap_b[q]);
      if (pairwise) {
        for (size_t q = 0; q < s.gap_a.size(); ++q) merged.emplace_back(kWildcard);
      } else {
        merged.emplace_back(kSpan);
      }
    }
    if (!ok) continue;
    const double needed =
        std::max(2.0, options.min_equal_fraction * static_cast<double>(std::max<size_t>(t.plain, n_plain)));
    if (static_cast<double>(matched) < needed) continue;
    const uint32_t keep = keep_of(c, slot);
    Replace(keep, {c, slot}, merged);
    return keep;
  }
  return kNoSlot;
}

uint32_t TemplateMiner::Impl::MergeAll(uint32_t slot) {
  for (int round = 0; round < 100; ++round) {
    const uint32_t next = MergeOnce(slot);
    if (next == kNoSlot) break;
    slot = next;
  }
  return slot;
}

AddResult TemplateMiner::Impl::Add(std::string_view message, int64_t time_ns) {
  ++stats->records;
  if (message.size() > options.max_line_bytes) {
    message = message.substr(0, options.max_line_bytes);
    ++stats->lines_cut;
  }
  masker.Mask(message, &line);
  if (line.truncated) ++stats->tokens_cut;
  rec.clear();
  rec_keys.clear();
  uint64_t h = Mix(line.tokens.size() + 0x51ed27);
  for (const MaskedToken& t : line.tokens) {
    rec.push_back(t.shape);
    rec_keys.push_back(t.has_wildcard ? TokenKey(kWildcard) : HashBytes(t.shape));
    h = Mix(h ^ (t.has_wildcard ? HashBytes(t.shape) : rec_keys.back())) + 0x9e3779b97f4a7c15ull;
  }

  if (auto it = cache.find(h); it != cache.end()) {
    CacheEntry& e = it->second;
    if (e.slot >= slots.size() || slots[e.slot].id != e.id) {
      const uint64_t id = Resolve(e.id);
      if (id != 0) {
        e.id = id;
        e.slot = id_slot.at(id);
      }
    }
    if (e.slot < slots.size() && slots[e.slot].id == e.id) {
      ++stats->cache_hits;
      Touch(e.slot, time_ns);
      return {e.id, false};
    }
    cache.erase(it);
  }

  uint32_t slot = Search();
  bool created = false;
  if (slot == kNoSlot) {
    const uint32_t fresh = Create(time_ns);
    slot = MergeAll(fresh);
    created = slot == fresh;
  }
  if (cache.size() >= options.max_cache_entries) {
    cache.clear();
    ++stats->cache_clears;
  }
  if (options.max_cache_entries > 0) cache[h] = CacheEntry{slots[slot].id, slot};
  Touch(slot, time_ns);
  return {slots[slot].id, created};
}

size_t TemplateMiner::Impl::MemoryBytes() const {
  size_t bytes = slots.capacity() * sizeof(Tpl) + free_slots.capacity() * sizeof(uint32_t);
  for (const Tpl& t : slots) {
    bytes += (t.bytes.capacity() > 15 ? t.bytes.capacity() + 1 : 0) + t.ends.capacity() * sizeof(uint32_t);
  }
  // Hash maps: a node per entry plus the bucket array.
  bytes += id_slot.size() * 32 + id_slot.bucket_count() * sizeof(void*);
  bytes += alias.size() * 32 + alias.bucket_count() * sizeof(void*) + alias_order.size() * sizeof(uint64_t);
  bytes += cache.size() * 40 + cache.bucket_count() * sizeof(void*);
  for (const auto* map : {&index, &by_skeleton}) {
    bytes += map->bucket_count() * sizeof(void*);
    for (const auto& [key, v] : *map) bytes += 48 + v.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace augur::logs
