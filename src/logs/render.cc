#include "logs/render.h"

#include "logs/masker.h"
#include "logs/token_classes.h"

namespace augur::logs {
namespace {

bool IsWordChar(char c) {
  return IsDigit(c) || IsAsciiLetter(c) || c == '_';
}
bool IsAsciiAlnum(char c) {
  return IsDigit(c) || IsAsciiLetter(c);
}

bool IsLeadPunct(char c) {
  return kLeadPunct(c);
}
bool IsTrailPunct(char c) {
  return kTrailPunct(c);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// An IPv4 address starting at s[i] (no port); sets *end past it.
bool Ipv4At(std::string_view s, size_t i, size_t* end) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    size_t j = i;
    while (j < s.size() && IsDigit(s[j])) ++j;
    if (j == i) return false;
    if (part < 3) {
      if (j - i > 3) return false;
      i = j;
    } else {
      i += std::min<size_t>(j - i, 3);
    }
  }
  *end = i;
  return true;
}

// One run of [A-Za-z0-9_] (perhaps after a '-' sign): the first alphanumeric
// part holding a digit, and the rest of the word after it, is the value;
// "attempt_<*>", "blk_<*>", "CPU<*>". A word that starts with a digit has
// each such part masked: "<*>_<*>".
void RenderWord(std::string_view word, std::string* out) {
  const size_t body = !word.empty() && word[0] == '-' ? 1 : 0;
  if (body < word.size() && IsDigit(word[body])) {
    size_t i = 0;
    while (i < word.size()) {
      size_t j = i;
      if (word[j] == '-') ++j;
      size_t k = j;
      bool digit = false;
      while (k < word.size() && IsAsciiAlnum(word[k])) digit |= IsDigit(word[k++]);
      if (k > j && digit) {
        out->append(kWildcard);
      } else {
        out->append(word.substr(i, k - i));
      }
      if (k < word.size()) out->push_back(word[k]);  // '_'
      i = k + 1;
    }
    return;
  }
  size_t i = 0;
  while (i < word.size()) {
    const size_t start = i;
    if (word[i] == '-') ++i;
    const size_t run_start = i;
    while (i < word.size() && IsAsciiAlnum(word[i])) ++i;
    const std::string_view run = word.substr(run_start, i - run_start);
    if (HasDigit(run) && !IsNamedUnit(run)) {
      out->append(word.substr(0, start));
      if (start == 0 && IsAsciiLetter(run[0])) {
        size_t letters = 0;
        while (letters < run.size() && IsAsciiLetter(run[letters])) ++letters;
        out->append(run.substr(0, letters));
      }
      out->append(kWildcard);
      return;
    }
    while (i < word.size() && !IsAsciiAlnum(word[i]) && word[i] != '-') ++i;  // '_' separators
    if (i < word.size() && word[i] == '-') ++i;
  }
  out->append(word);
}

void RenderToken(std::string_view raw, std::string* out) {
  size_t a = 0, b = raw.size();
  while (a < b && IsLeadPunct(raw[a])) ++a;
  while (b > a && IsTrailPunct(raw[b - 1])) --b;
  std::string_view core = raw.substr(a, b - a);
  if (!core.empty() && core[0] == '/') {  // "/10.251.42.84:50010" reads as "/<*>:<*>"
    std::string_view rest = core.substr(1);
    const size_t colon = rest.rfind(':');
    const std::string_view host = colon == std::string_view::npos ? rest : rest.substr(0, colon);
    if (IsIpv4(host) || IsHostName(host)) {
      ++a;
      core = rest;
    }
  }
  if (!core.empty()) {
    const size_t colon = core.rfind(':');
    if (colon != std::string_view::npos && AllDigits(core.substr(colon + 1)) &&
        (IsHostName(core.substr(0, colon)) || IsIpv4(core.substr(0, colon)))) {
      out->append(raw.substr(0, a)).append(kWildcard).append(":").append(kWildcard).append(raw.substr(b));
      return;
    }
    if (IsPath(core) || IsHostName(core) || IsUuid(core) || IsIpv6(core) || IsIpv4(core) ||
        (IsNumber(core) && core.find('.') == std::string_view::npos) || IsHexNumber(core) ||
        (IsHexString(core) && HasDigit(core))) {
      out->append(raw.substr(0, a)).append(kWildcard).append(raw.substr(b));
      return;
    }
  }
  const size_t start = out->size();
  size_t i = 0;
  while (i < raw.size()) {
    size_t end = 0;
    const bool boundary = i == 0 || !IsAlnum(raw[i - 1]);
    if (boundary && Ipv4At(raw, i, &end)) {
      out->append(kWildcard);
      i = end;
      continue;
    }
    const char c = raw[i];
    if (IsWordChar(c) || (c == '-' && i + 1 < raw.size() && IsDigit(raw[i + 1]) && boundary)) {
      size_t j = i + 1;
      while (j < raw.size() && IsWordChar(raw[j])) ++j;
      RenderWord(raw.substr(i, j - i), out);
      i = j;
    } else {
      out->push_back(c);
      ++i;
    }
  }
  // Adjacent values read as one: "<*><*>" -> "<*>".
  const std::string twice = std::string(kWildcard) + std::string(kWildcard);
  size_t k;
  while ((k = out->find(twice, start)) != std::string::npos) out->erase(k, kWildcard.size());
}

}  // namespace

void AppendRenderedValue(std::string_view raw, std::string* out) {
  size_t start = 0;
  while (true) {
    const size_t space = raw.find(' ', start);
    RenderToken(raw.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start), out);
    if (space == std::string_view::npos) break;
    out->push_back(' ');
    start = space + 1;
  }
}

}  // namespace augur::logs
