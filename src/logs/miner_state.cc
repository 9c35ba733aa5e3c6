// TemplateMiner::SaveState / LoadState. Layout, little-endian:
//
//   "aLTM" u8 version
//   u64 next_id, u64 records, u64 templates_created, u64 merges, u64 templates_evicted
//   u32 templates, then per template, least recently matched first:
//     u64 id, u64 count, i64 first_seen_ns, i64 last_seen_ns, u32 tokens,
//     per token: str shape, str separator, str raw        (str = u32 size, bytes)
//   u32 aliases, then oldest first: u64 from, u64 to
#include <bit>
#include <cstring>
#include <unordered_set>

#include "logs/miner_impl.h"

namespace augur::logs {
namespace {

static_assert(std::endian::native == std::endian::little, "state encoding assumes a little-endian host");

constexpr char kMagic[4] = {'a', 'L', 'T', 'M'};
constexpr uint8_t kVersion = 1;
constexpr uint32_t kMaxTokens = 1u << 16;

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  template <typename T>
  void Put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_->append(buf, sizeof(T));
  }
  void Str(std::string_view s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }

 private:
  std::string* out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T Get() {
    T v{};
    if (in_.size() < sizeof(T)) {
      failed_ = true;
      return v;
    }
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return v;
  }
  std::string_view Str() {
    const uint32_t n = Get<uint32_t>();
    if (failed_ || in_.size() < n) {
      failed_ = true;
      return {};
    }
    std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }
  bool failed() const { return failed_; }
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
  bool failed_ = false;
};

}  // namespace

std::string TemplateMiner::SaveState() const {
  std::string out;
  Writer w(&out);
  out.append(kMagic, 4);
  w.Put<uint8_t>(kVersion);
  w.Put<uint64_t>(impl_->next_id);
  w.Put<uint64_t>(stats_.records);
  w.Put<uint64_t>(stats_.templates_created);
  w.Put<uint64_t>(stats_.merges);
  w.Put<uint64_t>(stats_.templates_evicted);
  w.Put<uint32_t>(static_cast<uint32_t>(impl_->id_slot.size()));
  for (uint32_t slot = impl_->lru_tail; slot != internal::kNoSlot; slot = impl_->slots[slot].prev) {
    const internal::Tpl& t = impl_->slots[slot];
    w.Put<uint64_t>(t.id);
    w.Put<uint64_t>(t.count);
    w.Put<int64_t>(t.first_seen);
    w.Put<int64_t>(t.last_seen);
    w.Put<uint32_t>(static_cast<uint32_t>(t.size()));
    for (size_t k = 0; k < t.size(); ++k) {
      w.Str(t.token(k));
      w.Str(t.sep(k));
      w.Str(t.raw(k));
    }
  }
  w.Put<uint32_t>(static_cast<uint32_t>(impl_->alias_order.size()));
  for (uint64_t from : impl_->alias_order) {
    w.Put<uint64_t>(from);
    w.Put<uint64_t>(impl_->alias.at(from));
  }
  return out;
}

Status TemplateMiner::LoadState(std::string_view bytes) {
  if (bytes.size() < 5 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    return Status::InvalidArgument("template miner state: bad magic");
  }
  if (static_cast<uint8_t>(bytes[4]) != kVersion) {
    return Status::InvalidArgument("template miner state: version " + std::to_string(static_cast<uint8_t>(bytes[4])) +
                                   ", want " + std::to_string(kVersion));
  }
  Reader r(bytes.substr(5));
  MinerStats stats;
  auto fresh = std::make_unique<Impl>(options_, &stats);  // load-time counts go to `stats`
  fresh->next_id = r.Get<uint64_t>();
  stats.records = r.Get<uint64_t>();
  stats.templates_created = r.Get<uint64_t>();
  stats.merges = r.Get<uint64_t>();
  stats.templates_evicted = r.Get<uint64_t>();
  const uint32_t count = r.Get<uint32_t>();
  if (r.failed()) return Status::InvalidArgument("template miner state: truncated header");
  // Each template takes at least 36 bytes: refuse counts the input cannot hold.
  if (count > r.left() / 36) return Status::InvalidArgument("template miner state: template count too large");
  const size_t limit = std::max<size_t>(options_.max_templates, 1);
  const uint32_t skip = count > limit ? static_cast<uint32_t>(count - limit) : 0;
  std::unordered_set<uint64_t> ids;
  std::vector<std::string_view> tokens;
  std::vector<std::pair<std::string_view, std::string_view>> sep_raw;
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t id = r.Get<uint64_t>();
    const uint64_t n = r.Get<uint64_t>();
    const int64_t first = r.Get<int64_t>();
    const int64_t last = r.Get<int64_t>();
    const uint32_t size = r.Get<uint32_t>();
    if (r.failed()) return Status::InvalidArgument("template miner state: truncated template");
    if (id == 0 || id >= fresh->next_id || !ids.insert(id).second) {
      return Status::InvalidArgument("template miner state: bad template id " + std::to_string(id));
    }
    if (size > kMaxTokens) return Status::InvalidArgument("template miner state: too many tokens");
    tokens.clear();
    sep_raw.clear();
    for (uint32_t k = 0; k < size; ++k) {
      tokens.push_back(r.Str());
      const std::string_view sep = r.Str();
      sep_raw.emplace_back(sep, r.Str());
    }
    if (r.failed()) return Status::InvalidArgument("template miner state: truncated tokens");
    if (i < skip) {  // over this miner's max_templates: the least recently matched go
      ++stats.templates_evicted;
      continue;
    }
    const uint32_t slot = static_cast<uint32_t>(fresh->slots.size());
    fresh->slots.emplace_back();
    internal::Tpl& t = fresh->slots.back();
    t.id = id;
    t.count = n;
    t.first_seen = first;
    t.last_seen = last;
    t.Assign(tokens, sep_raw);
    fresh->id_slot[id] = slot;
    fresh->IndexAdd(slot);
    fresh->LruPushFront(slot);
  }
  const uint32_t aliases = r.Get<uint32_t>();
  if (r.failed() || aliases > r.left() / 16) return Status::InvalidArgument("template miner state: bad alias count");
  for (uint32_t i = 0; i < aliases; ++i) {
    const uint64_t from = r.Get<uint64_t>();
    const uint64_t to = r.Get<uint64_t>();
    if (to == 0 || to >= from || from >= fresh->next_id) {  // aliases point to older ids
      return Status::InvalidArgument("template miner state: bad alias");
    }
    fresh->AddAlias(from, to);
  }
  if (r.failed()) return Status::InvalidArgument("template miner state: truncated aliases");
  if (r.left() != 0) {
    return Status::InvalidArgument("template miner state: " + std::to_string(r.left()) + " bytes left over");
  }
  stats_ = stats;
  fresh->stats = &stats_;
  impl_ = std::move(fresh);
  return Status::OK();
}

}  // namespace augur::logs
