#include "logs/token_classes.h"

#include <array>
#include <cstddef>

namespace augur::logs {
namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Consumes one or more digits at s[*i]; false if there is none.
bool Digits(std::string_view s, size_t* i) {
  const size_t start = *i;
  while (*i < s.size() && IsDigit(s[*i])) ++*i;
  return *i > start;
}

size_t Count(std::string_view s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c;
  return n;
}

}  // namespace

bool HasDigit(std::string_view s) {
  for (char c : s) {
    if (IsDigit(c)) return true;
  }
  return false;
}

bool IsNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {  // .5
    ++i;
    return Digits(s, &i) && i == s.size();
  }
  if (!Digits(s, &i)) return false;
  while (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    if (!Digits(s, &i)) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!Digits(s, &i)) return false;
  }
  return i == s.size();
}

bool IsHexNumber(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  for (size_t i = 2; i < s.size(); ++i) {
    if (!IsHexDigit(s[i])) return false;
  }
  return true;
}

bool IsHexString(std::string_view s) {
  if (s.size() < 8) return false;
  for (char c : s) {
    if (!IsHexDigit(c)) return false;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const size_t start = i;
    if (!Digits(s, &i) || i - start > 3) return false;
  }
  if (i == s.size()) return true;
  if (s[i] != ':') return false;
  ++i;
  return Digits(s, &i) && i == s.size();
}

bool IsIpv6(std::string_view s) {
  size_t end = s.find('%');
  if (end != std::string_view::npos) {  // zone: %eth0
    if (end + 1 == s.size()) return false;
    for (size_t i = end + 1; i < s.size(); ++i) {
      if (!IsAlnum(s[i]) && s[i] != '_') return false;
    }
  } else {
    end = s.size();
  }
  const std::string_view addr = s.substr(0, end);
  if (Count(addr, ':') < 2) return false;
  bool digit = false;
  for (char c : addr) {
    if (c != ':' && !IsHexDigit(c)) return false;
    digit |= IsDigit(c);
  }
  return digit;
}

bool IsUuid(std::string_view s) {
  static constexpr std::array<size_t, 5> kGroups = {8, 4, 4, 4, 12};
  if (s.size() != 36) return false;
  size_t i = 0;
  for (size_t g = 0; g < kGroups.size(); ++g) {
    if (g > 0) {
      if (s[i] != '-') return false;
      ++i;
    }
    for (size_t k = 0; k < kGroups[g]; ++k, ++i) {
      if (!IsHexDigit(s[i])) return false;
    }
  }
  return true;
}

bool IsPath(std::string_view s) {
  if (s.size() > 1 && s[0] == '/') return true;
  if (s.find("://") != std::string_view::npos) return true;
  if (Count(s, '/') >= 2) return true;
  if (s.size() >= 3 && IsAsciiLetter(s[0]) && s[1] == ':' && s[2] == '\\') return true;
  return Count(s, '\\') >= 2;
}

bool IsHostName(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kGeneric = {"com",  "net", "org", "edu",   "gov", "mil",
                                                                "info", "biz", "io",  "local", "lan", "internal"};
  size_t labels = 0;
  size_t start = 0;
  std::string_view last;
  while (true) {
    size_t dot = s.find('.', start);
    const size_t end = dot == std::string_view::npos ? s.size() : dot;
    const std::string_view label = s.substr(start, end - start);
    if (label.empty() || !(IsAsciiLetter(label[0]) || IsDigit(label[0]))) return false;
    for (char c : label) {
      if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-') return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return false;
  for (std::string_view g : kGeneric) {
    if (last == g) return true;
  }
  return labels >= 3 && last.size() == 2 && last[0] >= 'a' && last[0] <= 'z' && last[1] >= 'a' && last[1] <= 'z';
}

bool IsClockTime(std::string_view s) {
  size_t i = 0;
  if (!Digits(s, &i)) return false;
  int colons = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    if (!Digits(s, &i)) return false;
    ++colons;
  }
  if (colons == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!Digits(s, &i)) return false;
  }
  return i == s.size();
}

bool IsNamedUnit(std::string_view s) {
  if (s.size() < 3 || !IsDigit(s.back())) return false;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (!IsAsciiLetter(s[i])) return false;
  }
  return true;
}

bool IsMonthName(std::string_view s) {
  static constexpr std::array<std::string_view, 23> kMonths = {
      "jan",  "feb",  "mar",    "apr",       "may",     "jun",      "jul",     "aug",
      "sep",  "oct",  "nov",    "dec",       "january", "february", "march",   "april",
      "june", "july", "august", "september", "october", "november", "december"};
  if (s.size() < 3 || s.size() > 9) return false;
  for (std::string_view m : kMonths) {
    if (EqualsLower(s, m)) return true;
  }
  return false;
}

bool IsCalendarWord(std::string_view s) {
  static constexpr std::array<std::string_view, 14> kDays = {"mon",      "tue",    "wed",      "thu",     "fri",
                                                             "sat",      "sun",    "monday",   "tuesday", "wednesday",
                                                             "thursday", "friday", "saturday", "sunday"};
  if (IsMonthName(s)) return true;
  if (s.size() < 3 || s.size() > 9) return false;
  for (std::string_view d : kDays) {
    if (EqualsLower(s, d)) return true;
  }
  return false;
}

bool IsUnitWord(std::string_view s) {
  static constexpr std::array<std::string_view, 20> kUnits = {"B",   "KB",  "MB",   "GB",  "TB",   "PB", "KiB",
                                                              "MiB", "GiB", "TiB",  "kB",  "ms",   "us", "ns",
                                                              "s",   "sec", "secs", "min", "mins", "h"};
  if (s.empty() || s.size() > 4) return false;
  for (std::string_view u : kUnits) {
    if (s == u) return true;
  }
  return false;
}

}  // namespace augur::logs
