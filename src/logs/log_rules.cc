#include "logs/log_rules.h"

#include <array>
#include <cstddef>
#include <string>

#include "logs/token_classes.h"

namespace augur::logs {
namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsWithLower(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLower(s.substr(0, lower.size()), lower);
}

bool EndsWithLower(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLower(s.substr(s.size() - lower.size()), lower);
}

struct WordRule {
  std::string_view word;  // lower case
  Keyword keyword;
};

constexpr WordRule kWords[] = {
    {"error", kKwError},
    {"errors", kKwError},
    {"exception", kKwException},
    {"exceptions", kKwException},
    {"traceback", kKwException},
    {"stacktrace", kKwException},
    {"timeout", kKwTimeout},
    {"timeouts", kKwTimeout},
    {"etimedout", kKwTimeout},
    {"refused", kKwRefused},
    {"econnrefused", kKwRefused},
    {"fatal", kKwFatal},
    {"panic", kKwPanic},
    {"panicked", kKwPanic},
    {"denied", kKwDenied},
    {"forbidden", kKwDenied},
    {"unauthorized", kKwDenied},
    {"failed", kKwFailed},
    {"failure", kKwFailed},
    {"failures", kKwFailed},
    {"fails", kKwFailed},
    {"crash", kKwCrash},
    {"crashed", kKwCrash},
    {"crashing", kKwCrash},
    {"crashloopbackoff", kKwCrash},
    {"segfault", kKwCrash},
    {"sigsegv", kKwCrash},
    {"abort", kKwAbort},
    {"aborted", kKwAbort},
    {"aborting", kKwAbort},
    {"unavailable", kKwUnavailable},
    {"unreachable", kKwUnavailable},
    {"oom", kKwOutOfMemory},
    {"oomkilled", kKwOutOfMemory},
    {"killed", kKwKilled},
    {"econnreset", kKwReset},
    {"deadlock", kKwDeadlock},
    {"deadlocked", kKwDeadlock},
};

// Suffixes that count in CamelCase words ("TypeError", "IOException").
constexpr WordRule kCamelSuffixes[] = {
    {"error", kKwError},
    {"exception", kKwException},
    {"timeout", kKwTimeout},
    {"failure", kKwFailed},
};

// Words and phrases of two or three words.
struct PhraseRule {
  std::string_view a, b, c;  // lower case; c may be empty
  Keyword keyword;
};
constexpr PhraseRule kPhrases[] = {
    {"timed", "out", "", kKwTimeout},        {"deadline", "exceeded", "", kKwTimeout},
    {"out", "of", "memory", kKwOutOfMemory}, {"segmentation", "fault", "", kKwCrash},
    {"core", "dumped", "", kKwCrash},        {"reset", "by", "peer", kKwReset},
};

constexpr std::string_view kNegations[] = {"no", "not", "without", "zero", "0"};

constexpr std::string_view kKeywordNames[kKeywordCount] = {
    "error", "exception", "timeout",     "refused",       "fatal",  "panic", "denied",   "failed",
    "crash", "abort",     "unavailable", "out of memory", "killed", "reset", "deadlock",
};

bool IsWordChar(char c) {
  return IsAlnum(c);
}

// The words of `text`, in order. A value ("<*>") between two words breaks
// the chain, so `prev` of the word after it is empty.
struct Word {
  std::string_view text;
  bool after_value = false;
};

uint32_t WordKeywords(const Word* words, size_t n, size_t i) {
  const std::string_view w = words[i].text;
  if (i > 0 && !words[i].after_value) {
    for (std::string_view neg : kNegations) {
      if (EqualsLower(words[i - 1].text, neg)) return 0;
    }
  }
  uint32_t mask = 0;
  for (const WordRule& r : kWords) {
    if (EqualsLower(w, r.word)) mask |= 1u << r.keyword;
  }
  for (const WordRule& r : kCamelSuffixes) {
    if (w.size() > r.word.size() && IsUpper(w[w.size() - r.word.size()]) && EndsWithLower(w, r.word)) {
      mask |= 1u << r.keyword;
    }
  }
  if (StartsWithLower(w, "outofmemory")) mask |= 1u << kKwOutOfMemory;
  for (const PhraseRule& p : kPhrases) {
    if (!EqualsLower(w, p.a) || i + 1 >= n || words[i + 1].after_value || !EqualsLower(words[i + 1].text, p.b)) {
      continue;
    }
    if (p.c.empty() || (i + 2 < n && !words[i + 2].after_value && EqualsLower(words[i + 2].text, p.c))) {
      mask |= 1u << p.keyword;
    }
  }
  return mask;
}

bool IsThreeDigitCode(std::string_view s, int* code) {
  if (s.size() != 3 || !IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2])) return false;
  const int v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  if (v < 100 || v > 599) return false;
  *code = v;
  return true;
}

constexpr CharSet kOpenPunct("([{<\"'");
constexpr CharSet kClosePunct(")]}>\"',;.:");
constexpr CharSet kQuotes("\"'");
constexpr CharSet kPairSeparators(",;{}&");

std::string_view StripPunct(std::string_view t) {
  while (!t.empty() && kOpenPunct(t.front())) t.remove_prefix(1);
  while (!t.empty() && kClosePunct(t.back())) t.remove_suffix(1);
  return t;
}

std::string_view StripQuotes(std::string_view t) {
  while (!t.empty() && kQuotes(t.front())) t.remove_prefix(1);
  while (!t.empty() && kQuotes(t.back())) t.remove_suffix(1);
  return t;
}

// "status=503", "http.response.status_code:503", "status\":503".
bool KeyedCode(std::string_view core, int* code) {
  size_t sep = std::string_view::npos;
  for (size_t i = core.size(); i-- > 0;) {
    if (core[i] == '=' || core[i] == ':') {
      sep = i;
      break;
    }
  }
  if (sep == std::string_view::npos || sep == 0) return false;
  const std::string_view key = StripQuotes(core.substr(0, sep));
  const std::string_view value = StripQuotes(core.substr(sep + 1));
  if (!IsThreeDigitCode(value, code)) return false;
  return EndsWithLower(key, "status") || EndsWithLower(key, "status_code") || EndsWithLower(key, "statuscode") ||
         EndsWithLower(key, "code");
}

bool StatusWordBefore(std::string_view prev) {
  const std::string_view p = StripPunct(prev);
  if (StartsWithLower(p, "http/")) return true;
  for (std::string_view w : {"http", "status", "code", "returned", "response"}) {
    if (EqualsLower(p, w)) return true;
  }
  return false;
}

bool ReasonPhraseAfter(std::string_view next) {
  for (std::string_view w :
       {"Bad", "Unauthorized", "Payment", "Forbidden", "Not", "Method", "Request", "Conflict", "Gone", "Precondition",
        "Unprocessable", "Too", "Internal", "Service", "Gateway", "Insufficient", "Network"}) {
    if (next == w) return true;
  }
  return false;
}

}  // namespace

uint8_t EffectiveSeverity(uint8_t severity_number, std::string_view text) {
  if (severity_number > 0) return severity_number > 24 ? 24 : severity_number;
  if (text.empty()) return 0;
  struct Prefix {
    std::string_view word;
    uint8_t number;
  };
  static constexpr Prefix kPrefixes[] = {
      {"fatal", 21}, {"critical", 21}, {"crit", 21},   {"emerg", 21}, {"alert", 21}, {"panic", 21},
      {"error", 17}, {"err", 17},      {"severe", 17}, {"warn", 13},  {"info", 9},   {"notice", 9},
      {"debug", 5},  {"finest", 1},    {"finer", 1},   {"fine", 5},   {"trace", 1},
  };
  for (const Prefix& p : kPrefixes) {
    if (StartsWithLower(text, p.word)) return p.number;
  }
  return 0;
}

std::string_view KeywordName(int keyword) {
  return keyword >= 0 && keyword < kKeywordCount ? kKeywordNames[keyword] : std::string_view();
}

uint32_t FindKeywords(std::string_view text) {
  // Words in a fixed window, so the hot path never allocates; templates are
  // scanned once each, and a keyword is a word, so a window suffices.
  constexpr size_t kMax = 256;
  std::array<Word, kMax> words;
  size_t n = 0;
  bool value = false;
  uint32_t mask = 0;
  for (size_t i = 0; i < text.size();) {
    if (!IsWordChar(text[i])) {
      value = value || text[i] == '*';
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && IsWordChar(text[i])) ++i;
    if (n == kMax) {  // scan the full window, keep the last two words for phrases
      for (size_t k = 0; k + 2 < n; ++k) mask |= WordKeywords(words.data(), n, k);
      words[0] = words[n - 2];
      words[1] = words[n - 1];
      n = 2;
    }
    words[n++] = Word{text.substr(start, i - start), value};
    value = false;
  }
  for (size_t k = 0; k < n; ++k) mask |= WordKeywords(words.data(), n, k);
  return mask;
}

bool MayHoldHttpStatus(std::string_view t) {
  // Where the template has a value, put a status code, and see whether
  // FindHttpStatus would read one there.
  std::string probe;
  probe.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.compare(i, 3, "<*>") == 0) {
      probe += "503";
      i += 2;
    } else {
      probe += t[i];
    }
  }
  return FindHttpStatus(probe) != 0;
}

int FindHttpStatus(std::string_view m) {
  // Three-digit runs first (most lines hold few), then the context of each.
  const size_t n = m.size();
  for (size_t i = 0; i < n;) {
    if (!IsDigit(m[i])) {
      ++i;
      continue;
    }
    const size_t run = i;
    while (i < n && IsDigit(m[i])) ++i;
    int code = 0;
    if (!IsThreeDigitCode(m.substr(run, i - run), &code)) continue;
    // The whitespace token holding it.
    size_t tb = run, te = i;
    while (tb > 0 && !IsSpace(m[tb - 1])) --tb;
    while (te < n && !IsSpace(m[te])) ++te;
    if (StripPunct(m.substr(tb, te - tb)).size() == 3) {  // the token is the number
      size_t pe = tb, nb = te;
      while (pe > 0 && IsSpace(m[pe - 1])) --pe;
      size_t pb = pe;
      while (pb > 0 && !IsSpace(m[pb - 1])) --pb;
      while (nb < n && IsSpace(m[nb])) ++nb;
      size_t ne = nb;
      while (ne < n && !IsSpace(m[ne])) ++ne;
      if (StatusWordBefore(m.substr(pb, pe - pb)) || ReasonPhraseAfter(m.substr(nb, ne - nb))) return code;
      continue;
    }
    // key=value inside the token; several pairs may share one token ({"status":500,"path":"/x"}).
    size_t pb = run, pe = i;
    while (pb > tb && !kPairSeparators(m[pb - 1]) && !IsSpace(m[pb - 1])) --pb;
    while (pe < te && !kPairSeparators(m[pe])) ++pe;
    if (KeyedCode(StripPunct(m.substr(pb, pe - pb)), &code)) return code;
  }
  return 0;
}

int HttpStatusFromInt(int64_t value) {
  return value >= 100 && value <= 599 ? static_cast<int>(value) : 0;
}

}  // namespace augur::logs
