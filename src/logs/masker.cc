#include "logs/masker.h"

#include <algorithm>

#include "logs/token_classes.h"

namespace augur::logs {
namespace {

// Where a token is cut into pieces that are masked one by one.
constexpr CharSet kSubDelim("()[]{}<>,;|=\"'");

bool IsLead(char c) {
  return kLeadPunct(c);
}
bool IsTrail(char c) {
  return kTrailPunct(c);
}
bool IsSubDelim(char c) {
  return kSubDelim(c);
}

struct Span {
  size_t begin, end;
};

Span Core(std::string_view raw) {
  size_t a = 0, b = raw.size();
  while (a < b && IsLead(raw[a])) ++a;
  while (b > a && IsTrail(raw[b - 1])) --b;
  return {a, b};
}

// raw without any lead or trail punctuation at either end.
std::string_view StripBoth(std::string_view raw) {
  auto punct = [](char c) { return IsLead(c) || IsTrail(c); };
  size_t a = 0, b = raw.size();
  while (a < b && punct(raw[a])) ++a;
  while (b > a && punct(raw[b - 1])) --b;
  return raw.substr(a, b - a);
}

// [A-Za-z_][A-Za-z_.-]*
bool IsKey(std::string_view s) {
  if (s.empty() || !(IsAsciiLetter(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!IsAsciiLetter(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Equal once every run of digits is read as one symbol ("an14" ~ "an7").
bool SameDigitSkeleton(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (IsDigit(a[i]) && IsDigit(b[j])) {
      while (i < a.size() && IsDigit(a[i])) ++i;
      while (j < b.size() && IsDigit(b[j])) ++j;
    } else if (a[i] == b[j]) {
      ++i, ++j;
    } else {
      return false;
    }
  }
  return i == a.size() && j == b.size();
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view LineMasker::ShapeOf(const Work& w, const std::string& arena) const {
  return w.in_arena ? std::string_view(arena).substr(w.shape_begin, w.shape_size) : w.raw;
}

bool LineMasker::IsValueCore(std::string_view core) const {
  if (core.empty()) return false;
  return (options_.host_names && IsHostName(core)) || (options_.numbers && HasDigit(core)) ||
         (options_.hex && IsHexString(core)) || (options_.paths && IsPath(core));
}

void LineMasker::MaskCore(std::string_view core, std::string* arena) const {
  if (IsValueCore(core) && core.find(':') == std::string_view::npos && core.find('=') == std::string_view::npos) {
    arena->append(kWildcard);
    return;
  }
  if ((options_.ip_addresses && (IsIpv4(core) || IsIpv6(core))) || (options_.numbers && IsClockTime(core))) {
    arena->append(kWildcard);
    return;
  }
  if (const size_t colon = core.rfind(':'); colon != std::string_view::npos) {
    if (options_.host_names && AllDigits(core.substr(colon + 1)) && IsHostName(core.substr(0, colon))) {
      arena->append(kWildcard);
      return;
    }
  }
  for (char sep : {'=', ':'}) {
    const size_t k = core.find(sep);
    if (k != std::string_view::npos && k > 0 && IsKey(core.substr(0, k))) {
      arena->append(core.substr(0, k + 1));
      MaskCore(core.substr(k + 1), arena);
      return;
    }
  }
  arena->append(IsValueCore(core) ? kWildcard : core);
}

void LineMasker::MaskPiece(std::string_view piece, std::string* arena) const {
  if (piece.empty()) return;
  if (IsNamedUnit(piece)) {
    arena->append(piece);
    return;
  }
  MaskCore(piece, arena);
}

void LineMasker::MaskToken(std::string_view raw, Work* w, std::string* arena) const {
  w->in_arena = false;
  // One pass over the bytes decides most tokens: plain words are most of a
  // log, and each recogniser below needs some character to be present.
  bool letters = true, digit = false, slash = false, colon2 = false, dot = false, hex_only = true;
  int colons = 0;
  for (char ch : raw) {
    const bool letter = IsAsciiLetter(ch);
    letters &= letter;
    digit |= IsDigit(ch);
    hex_only &= IsHexDigit(ch);
    slash |= ch == '/' || ch == '\\';
    colons += ch == ':';
    dot |= ch == '.';
  }
  colon2 = colons >= 2;
  w->has_digit = digit;
  w->letters_only = letters;
  if (letters) {  // a word, unless it is a long run of hex digits ("ffffffff")
    if (options_.hex && hex_only && raw.size() >= 8) SetShape(w, arena, kWildcard);
    return;
  }
  const Span c = Core(raw);
  const std::string_view core = raw.substr(c.begin, c.end - c.begin);
  if (IsNamedUnit(core)) return;
  const size_t start = arena->size();
  if ((options_.paths && slash && IsPath(core)) ||
      (options_.ip_addresses && ((colon2 && IsIpv6(core)) || (digit && dot && IsIpv4(core)))) ||
      (options_.uuids && core.size() == 36 && IsUuid(core)) || (options_.host_names && dot && IsHostName(core))) {
    arena->append(raw.substr(0, c.begin));
    arena->append(kWildcard);
    arena->append(raw.substr(c.end));
  } else {
    size_t piece_start = 0, i = 0;
    while (i < raw.size()) {
      const char ch = raw[i];
      if (IsSubDelim(ch) || (ch == '.' && i + 1 < raw.size() && raw[i + 1] == '.')) {
        MaskPiece(raw.substr(piece_start, i - piece_start), arena);
        size_t j = i + 1;
        if (ch == '.') {
          while (j < raw.size() && raw[j] == '.') ++j;
        }
        arena->append(raw.substr(i, j - i));
        i = piece_start = j;
      } else {
        ++i;
      }
    }
    MaskPiece(raw.substr(piece_start), arena);
    if (std::string_view(*arena).substr(start) == raw) {  // nothing masked: the shape is the token
      arena->resize(start);
      return;
    }
  }
  w->in_arena = true;
  w->shape_begin = static_cast<uint32_t>(start);
  w->shape_size = static_cast<uint32_t>(arena->size() - start);
  SetFlags(w, *arena);
}

void LineMasker::SetFlags(Work* w, const std::string& arena) const {
  const std::string_view shape = ShapeOf(*w, arena);
  w->has_wildcard = w->in_arena && Contains(shape, kWildcard);
  w->ends_wildcard = w->in_arena && EndsWith(shape, kWildcard);
}

void LineMasker::SetShape(Work* w, std::string* arena, std::string_view text) const {
  w->in_arena = true;
  w->shape_begin = static_cast<uint32_t>(arena->size());
  arena->append(text);
  w->shape_size = static_cast<uint32_t>(text.size());
  SetFlags(w, *arena);
}

void LineMasker::ReplaceInShape(Work* w, std::string* arena, std::string_view what) const {
  if (what.empty()) return;
  // The shape may live in the arena we append to, so copy it out first
  // (shapes are short; this runs only for month names and units).
  const std::string shape(ShapeOf(*w, *arena));
  const uint32_t begin = static_cast<uint32_t>(arena->size());
  size_t pos = 0;
  while (true) {
    const size_t k = shape.find(what, pos);
    if (k == std::string::npos) break;
    arena->append(shape, pos, k - pos);
    arena->append(kWildcard);
    pos = k + what.size();
  }
  arena->append(shape, pos, std::string::npos);
  w->in_arena = true;
  w->shape_begin = begin;
  w->shape_size = static_cast<uint32_t>(arena->size() - begin);
  SetFlags(w, *arena);
}

void LineMasker::Collapse(std::string_view line, const std::string& arena) {
  auto shape = [&](const std::vector<Work>& v, size_t i) { return ShapeOf(v[i], arena); };
  auto same_unit = [&](const std::vector<Work>& v, size_t a, size_t b, size_t m) {
    for (size_t k = 0; k < m; ++k) {
      if (shape(v, a + k) != shape(v, b + k)) return false;
    }
    return true;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t m = 1; m <= 3; ++m) {
      const std::vector<Work>& in = work_;
      next_.clear();
      size_t i = 0;
      while (i < in.size()) {
        bool has_value = false;
        if (i + 2 * m <= in.size()) {
          for (size_t k = 0; k < m; ++k) has_value |= Contains(shape(in, i + k), kWildcard);
        }
        if (has_value && same_unit(in, i, i + m, m)) {
          size_t j = i + m;
          while (j + m <= in.size() && same_unit(in, i, j, m)) j += m;
          if (m == 1) {
            Work merged = in[i];
            const size_t begin = static_cast<size_t>(in[i].raw.data() - line.data());
            const size_t end = static_cast<size_t>(in[j - 1].raw.data() + in[j - 1].raw.size() - line.data());
            merged.raw = line.substr(begin, end - begin);
            next_.push_back(merged);
          } else {
            next_.insert(next_.end(), in.begin() + static_cast<ptrdiff_t>(i),
                         in.begin() + static_cast<ptrdiff_t>(i + m));
          }
          i = j;
          changed = true;
        } else {
          next_.push_back(in[i]);
          ++i;
        }
      }
      work_.swap(next_);
    }
  }
}

void LineMasker::Mask(std::string_view line, MaskedLine* out) {
  std::string& arena = out->storage;
  arena.clear();
  arena.reserve(line.size() * 4 + 64);
  work_.clear();
  out->truncated = false;
  const size_t max_tokens = std::max<size_t>(options_.max_tokens, 2);

  // Tokens and the whitespace before each.
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    const size_t sep_start = i;
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) break;
    const size_t start = i;
    if (work_.size() + 1 == max_tokens) {  // the rest of the line is one value
      size_t end = n;
      while (end > start && IsSpace(line[end - 1])) --end;
      bool more = false;
      for (size_t k = start; k < end; ++k) more |= IsSpace(line[k]);
      if (more) {
        Work w;
        w.raw = line.substr(start, end - start);
        w.sep = line.substr(sep_start, start - sep_start);
        SetShape(&w, &arena, kWildcard);
        work_.push_back(w);
        out->truncated = true;
        break;
      }
    }
    while (i < n && !IsSpace(line[i])) ++i;
    // "a\ b": an escaped space does not end the token.
    while (line[i - 1] == '\\') {
      size_t k = i;
      while (k < n && IsSpace(line[k])) ++k;
      if (k >= n) break;
      i = k;
      while (i < n && !IsSpace(line[i])) ++i;
    }
    Work w;
    w.raw = line.substr(start, i - start);
    w.sep = line.substr(sep_start, start - sep_start);
    work_.push_back(w);
  }
  const size_t count = work_.size();
  for (size_t t = 0; t < count; ++t) {
    if (work_[t].in_arena) continue;  // the truncated tail
    MaskToken(work_[t].raw, &work_[t], &arena);
  }

  if (options_.value_lists) {  // neighbours that differ only in digits: "an14 an15", "dadmin2 dadmin3"
    for (size_t t = 0; t < count; ++t) {
      const std::string_view raw = work_[t].raw;
      if (!work_[t].has_digit) continue;
      const bool left = t > 0 && work_[t - 1].raw != raw && SameDigitSkeleton(work_[t - 1].raw, raw);
      const bool right = t + 1 < count && work_[t + 1].raw != raw && SameDigitSkeleton(work_[t + 1].raw, raw);
      if (left || right) SetShape(&work_[t], &arena, kWildcard);
    }
  }
  if (options_.calendar) {  // "Sun Jul 10 03:55:15 2005"
    for (size_t t = 0; t < count; ++t) {
      if (work_[t].has_digit || work_[t].raw.size() < 3) continue;  // calendar words have no digit
      const bool next_value = t + 1 < count && work_[t + 1].has_wildcard;
      const bool prev_value = t > 0 && work_[t - 1].has_wildcard;
      if (!next_value && !prev_value && (t + 1 >= count || work_[t + 1].has_digit)) continue;
      const std::string_view word = StripBoth(work_[t].raw);
      if (!IsCalendarWord(word)) continue;
      if (next_value || prev_value || IsMonthName(StripBoth(work_[t + 1].raw))) {
        ReplaceInShape(&work_[t], &arena, word);
      }
    }
  }
  if (options_.units) {  // "5.2 KB", "(1.16 KB)"
    for (size_t t = 1; t < count; ++t) {
      if (!work_[t - 1].ends_wildcard || work_[t].has_digit) continue;
      const std::string_view unit = StripBoth(work_[t].raw);
      if (IsUnitWord(unit)) ReplaceInShape(&work_[t], &arena, unit);
    }
  }
  if (options_.value_lists) {
    // A repeat needs a value token equal to the one 1, 2 or 3 tokens on.
    bool repeats = false;
    for (size_t t = 0; t < count && !repeats; ++t) {
      if (!work_[t].has_wildcard) continue;
      for (size_t m = 1; m <= 3 && t + m < count && !repeats; ++m) {
        repeats = work_[t + m].has_wildcard && ShapeOf(work_[t], arena) == ShapeOf(work_[t + m], arena);
      }
    }
    if (repeats) Collapse(line, arena);
  }

  out->tokens.clear();
  for (const Work& w : work_) {
    MaskedToken t;
    t.shape = ShapeOf(w, arena);
    t.raw = w.raw;
    t.sep = w.sep;
    t.has_wildcard = w.has_wildcard;
    out->tokens.push_back(t);
  }
  if (!out->tokens.empty()) out->tokens.front().sep = {};
}

}  // namespace augur::logs
