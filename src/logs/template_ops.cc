#include "logs/template_ops.h"

#include <algorithm>

#include "logs/masker.h"
#include "logs/token_classes.h"

namespace augur::logs {
namespace {

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The token without the punctuation that wraps values ("(<*>)," -> "<*>").
std::string_view Bare(std::string_view t) {
  // Lead and trail punctuation, less the angle brackets that "<*>" is made of.
  static constexpr CharSet wrap("([{\"'=,;)]}:.");
  size_t a = 0, b = t.size();
  while (a < b && wrap(t[a])) ++a;
  while (b > a && wrap(t[b - 1])) --b;
  return t.substr(a, b - a);
}

// The token with every "<*>" removed.
bool SameWithoutValues(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (true) {
    if (a.substr(i, kWildcard.size()) == kWildcard) {
      i += kWildcard.size();
      continue;
    }
    if (b.substr(j, kWildcard.size()) == kWildcard) {
      j += kWildcard.size();
      continue;
    }
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i] != b[j]) return false;
    ++i, ++j;
  }
}

}  // namespace

bool HasWild(std::string_view token) {
  return token.find("<*") != std::string_view::npos;
}

bool TokenFits(std::string_view pattern, std::string_view token) {
  if (pattern == token) return true;
  if (pattern == kWildcard) return true;
  if (pattern.find(kWildcard) == std::string_view::npos) return false;
  // pattern = part0 <*> part1 <*> ... <*> partN; each <*> covers >= 1 char.
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t k = pattern.find(kWildcard, start);
    if (k == std::string_view::npos) {
      parts.push_back(pattern.substr(start));
      break;
    }
    parts.push_back(pattern.substr(start, k - start));
    start = k + kWildcard.size();
  }
  const std::string_view first = parts.front(), last = parts.back();
  if (!StartsWith(token, first) || !EndsWith(token, last)) return false;
  if (token.size() < first.size() + last.size() + parts.size() - 1) return false;
  size_t pos = first.size();
  const size_t end = token.size() - last.size();
  for (size_t m = 1; m + 1 < parts.size(); ++m) {
    const size_t k = token.find(parts[m], pos + 1);
    if (k == std::string_view::npos || k + parts[m].size() > end - 1) return false;
    pos = k + parts[m].size();
  }
  return true;
}

bool Compatible(std::string_view a, std::string_view b) {
  if (!HasWild(a) && !HasWild(b)) return false;
  if (TokenFits(a, b) || TokenFits(b, a)) return true;
  if (SameWithoutValues(a, b)) return true;
  return Bare(a) == kWildcard || Bare(b) == kWildcard;
}

bool OnlyValue(std::string_view token) {
  if (!HasWild(token)) return false;
  size_t i = 0;
  while (i < token.size()) {
    if (token.substr(i, kSpan.size()) == kSpan) {
      i += kSpan.size();
    } else if (token.substr(i, kWildcard.size()) == kWildcard) {
      i += kWildcard.size();
    } else {
      if (IsAlnum(token[i])) return false;
      ++i;
    }
  }
  return true;
}

std::string Generalize(const std::vector<std::string_view>& values) {
  if (values.empty()) return std::string(kWildcard);
  size_t pre = values[0].size();
  for (std::string_view v : values) {
    size_t k = 0;
    while (k < pre && k < v.size() && v[k] == values[0][k]) ++k;
    pre = k;
  }
  while (pre > 0 && IsAlnum(values[0][pre - 1])) --pre;
  size_t suf = values[0].size() - pre;
  for (std::string_view v : values) {
    const std::string_view rest = v.substr(pre);
    const std::string_view rest0 = values[0].substr(pre);
    size_t k = 0;
    while (k < suf && k < rest.size() && rest[rest.size() - 1 - k] == rest0[rest0.size() - 1 - k]) ++k;
    suf = k;
  }
  const std::string_view rest0 = values[0].substr(pre);
  while (suf > 0 && IsAlnum(rest0[rest0.size() - suf])) --suf;
  std::string out(values[0].substr(0, pre));
  out.append(kWildcard);
  out.append(rest0.substr(rest0.size() - suf));
  return out;
}

std::string DigitSkeleton(std::string_view word) {
  std::string out;
  size_t i = 0;
  while (i < word.size()) {
    if (IsDigit(word[i])) {
      while (i < word.size() && IsDigit(word[i])) ++i;
      out.append(kWildcard);
    } else {
      out.push_back(word[i++]);
    }
  }
  return out;
}

bool SpanMatch(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& shapes,
               std::vector<uint8_t>* scratch) {
  const size_t n = pattern.size(), m = shapes.size();
  std::vector<uint8_t>& dp = *scratch;  // dp[i*(m+1)+j]: pattern[:i] matches shapes[:j]
  dp.assign((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint8_t& { return dp[i * (m + 1) + j]; };
  at(0, 0) = 1;
  for (size_t i = 1; i <= n; ++i) {
    const std::string_view t = pattern[i - 1];
    for (size_t j = 0; j <= m; ++j) {
      if (t == kSpan) {
        at(i, j) = at(i - 1, j) || (j > 0 && at(i, j - 1));
      } else if (j > 0 && (t == kWildcard || t == shapes[j - 1])) {
        at(i, j) = at(i - 1, j - 1);
      }
    }
  }
  return at(n, m) != 0;
}

void Align(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
           std::vector<AlignStep>* steps, std::vector<uint16_t>* scratch) {
  const size_t n = a.size(), m = b.size();
  std::vector<uint16_t>& lcs = *scratch;  // lcs[i*(m+1)+j]: LCS length of a[i:] and b[j:]
  lcs.assign((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint16_t& { return lcs[i * (m + 1) + j]; };
  auto same = [&](size_t i, size_t j) { return a[i] == b[j] && a[i] != kSpan; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = same(i, j) ? static_cast<uint16_t>(at(i + 1, j + 1) + 1) : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  steps->clear();
  AlignStep gap;
  auto flush = [&] {
    if (gap.gap_a.empty() && gap.gap_b.empty()) return;
    steps->push_back(std::move(gap));
    gap = AlignStep();
  };
  size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (same(i, j)) {
      flush();
      AlignStep s;
      s.shared = true;
      s.token = a[i];
      steps->push_back(std::move(s));
      ++i, ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      gap.gap_a.push_back(a[i++]);
    } else {
      gap.gap_b.push_back(b[j++]);
    }
  }
  while (i < n) gap.gap_a.push_back(a[i++]);
  while (j < m) gap.gap_b.push_back(b[j++]);
  flush();
}

}  // namespace augur::logs
