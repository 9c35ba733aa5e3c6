// TemplateMiner: streaming log-template mining in the Drain family.
//
// Each message is masked into token shapes (masker.h) and gets the id of a
// template: a token sequence in which "<*>" marks a value ("Failed password
// for <*> from <*> port <*> ssh2"). Templates start specific and are merged
// as the evidence shows which positions vary, so a record's id is known at
// once and later merges only alias it (Resolve()):
//
//   1. Exact shapes seen before hit a cache keyed by a 64-bit hash of the
//      shapes: one lookup (a collision, at odds of about n^2 / 2^64, would
//      give a record the other shape's template).
//   2. Otherwise the record is matched against the templates of its length
//      whose first (or second) token fits; "<*>" matches any one token, a
//      partial form like "uid=<*>" any token that fits it, and "<*>" stands
//      for a word only in templates that are at least half words. The most
//      specific match wins; then templates of any length with a
//      variable-length "<*>".
//   3. No match: a new template, then merges with existing ones:
//      - positions where one side already holds a value ("<*>" vs "admin",
//        "()" vs "(<*>)") become "<*>", if at least half of the tokens are
//        equal words;
//      - a position where K templates that agree everywhere else hold K
//        different words becomes "<*>" (K = distinct_values_to_merge;
//        digit_variants_to_merge when the words differ only in digits, as in
//        "IRQ0 IRQ2 IRQ9"). The first token joins only in long templates
//        (first_token_min_constants), since it usually names the event;
//      - templates of different lengths whose differences are only runs of
//        values ("bytes sent" / "bytes (1.16 KB) sent") merge into one with a
//        variable-length "<*>".
//      The merged template keeps the older id; the newer one becomes an alias.
//
// Everything is bounded: templates (least recently matched evicted, counted),
// aliases (oldest dropped, counted), the shape cache (cleared when full,
// counted), tokens and bytes per line, and the templates compared per search
// (max_candidates, newest first, counted when cut). Deterministic: the same options and messages give the same
// ids and templates. Pure: no I/O, no clock; time comes from the records.
// Not thread-safe; one miner per stream, used from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "logs/masker.h"

namespace augur::logs {

struct MinerOptions {
  MaskOptions mask;
  size_t max_templates = 100'000;
  size_t max_aliases = 100'000;          // merged-away ids still resolvable
  size_t max_cache_entries = 400'000;    // distinct shape sequences remembered
  size_t max_line_bytes = 16 * 1024;     // longer messages are cut (counted)
  size_t max_candidates = 512;           // templates compared per search step (at least 1; counted when cut)
  size_t distinct_values_to_merge = 5;   // K above
  size_t digit_variants_to_merge = 3;    // K for words that differ only in digits
  size_t first_token_min_constants = 6;  // the first token may become "<*>" only with this many words
  double min_equal_fraction = 0.5;       // equal words needed to merge, and to match "<*>" with a word
  size_t max_length_difference = 4;      // tokens, for variable-length merges
};

// What Add() did with one record.
struct AddResult {
  uint64_t template_id = 0;   // the record's template, after any merge this record caused
  bool new_template = false;  // this record created a template that is still its own (not merged away)
};

// A read-only view of a template; valid until the next Add() or Load.
struct TemplateView {
  uint64_t id = 0;
  std::string_view text;      // "<*>" for values (display form: "blk_<*>"), with the first record's spacing
  uint64_t count = 0;         // records matched, including those of templates merged into it
  int64_t first_seen_ns = 0;  // event time of its first record (earliest of merged ones)
  int64_t last_seen_ns = 0;
  size_t tokens = 0;
  bool variable_length = false;  // has a "<*>" that spans any number of tokens
};

struct MinerStats {
  uint64_t records = 0;
  uint64_t templates_created = 0;
  uint64_t merges = 0;
  uint64_t templates_evicted = 0;
  uint64_t aliases_dropped = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_clears = 0;
  uint64_t lines_cut = 0;     // over max_line_bytes
  uint64_t tokens_cut = 0;    // lines over max_tokens
  uint64_t searches_cut = 0;  // candidate lists over max_candidates
};

class TemplateMiner {
 public:
  explicit TemplateMiner(MinerOptions options = {});
  ~TemplateMiner();
  TemplateMiner(const TemplateMiner&) = delete;
  TemplateMiner& operator=(const TemplateMiner&) = delete;

  // Mines one message (the log body, without timestamp or level prefix).
  AddResult Add(std::string_view message, int64_t event_time_ns);

  // The tokens of the last Add()'s message as the masker split them (shape
  // and raw text each; views valid until the next Add), so a caller can read
  // the values of a line without masking it again.
  const std::vector<MaskedToken>& last_tokens() const;

  // The current id of a template id handed out earlier (itself if it was
  // never merged away; 0 if it was evicted or its alias dropped).
  uint64_t Resolve(uint64_t id) const;
  std::optional<TemplateView> Find(uint64_t id) const;                     // resolves aliases
  void ForEach(const std::function<void(const TemplateView&)>& fn) const;  // in id order
  size_t size() const;
  const MinerStats& stats() const { return stats_; }
  const MinerOptions& options() const { return options_; }

  // Versioned bytes of the templates (least recently matched first), the
  // aliases, the next id and the records/created/merges/evicted counters.
  // The shape cache is not saved: after a load, the first record of each
  // shape is matched afresh (the same template, unless a more specific one
  // has appeared since that shape was cached). LoadState replaces this
  // miner's state, keeping the most recently matched max_templates if the
  // bytes hold more; on bad bytes (other format or version, truncated, ids
  // out of range) it returns InvalidArgument and changes nothing.
  std::string SaveState() const;
  Status LoadState(std::string_view bytes);

  // Bytes of heap held, estimated from container sizes (for benchmarks).
  size_t MemoryBytes() const;

 private:
  struct Impl;
  MinerOptions options_;
  MinerStats stats_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::logs
