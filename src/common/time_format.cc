#include "common/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace augur {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string FormatRfc3339(uint64_t unix_nanos) {
  using namespace std::chrono;
  const auto secs = static_cast<int64_t>(unix_nanos / 1'000'000'000ULL);
  const auto frac = static_cast<uint32_t>(unix_nanos % 1'000'000'000ULL);
  const sys_days day{days{secs / 86400}};
  const year_month_day ymd{day};
  const int64_t sod = secs % 86400;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  if (frac != 0) {
    if (frac % 1'000'000 == 0) {
      n += std::snprintf(buf + n, sizeof buf - n, ".%03u", frac / 1'000'000);
    } else if (frac % 1000 == 0) {
      n += std::snprintf(buf + n, sizeof buf - n, ".%06u", frac / 1000);
    } else {
      n += std::snprintf(buf + n, sizeof buf - n, ".%09u", frac);
    }
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

StatusOr<uint64_t> ParseTimestamp(std::string_view s) {
  if (s.empty()) return Status::InvalidArgument("empty timestamp");
  if (s.find_first_not_of("0123456789") == std::string_view::npos) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
      return Status::InvalidArgument("timestamp out of range: " + std::string(s));
    }
    // Told apart by magnitude: seconds < 1e11 (year 5138), milliseconds < 1e14, micro < 1e17.
    if (v < 100'000'000'000ULL) return v * 1'000'000'000ULL;
    if (v < 100'000'000'000'000ULL) return v * 1'000'000ULL;
    if (v < 100'000'000'000'000'000ULL) return v * 1'000ULL;
    return v;
  }
  const auto bad = [&] {
    return Status::InvalidArgument("timestamp '" + std::string(s) +
                                   "' is neither RFC 3339 (2026-01-02T03:04:05Z) nor an integer");
  };
  int year, month, day, hour, minute, second;
  if (!ParseDigits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !ParseDigits(s, 5, 2, &month) || s[7] != '-' ||
      !ParseDigits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !ParseDigits(s, 11, 2, &hour) ||
      s[13] != ':' || !ParseDigits(s, 14, 2, &minute) || s[16] != ':' || !ParseDigits(s, 17, 2, &second)) {
    return bad();
  }
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (year < 1970 || !date.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  size_t pos = 19;
  uint64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        frac = frac * 10 + static_cast<uint64_t>(s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) frac *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ParseDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseDigits(s, pos + 4, 2, &om)) {
      return bad();
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  const int64_t secs = std::chrono::sys_days(date).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 +
                       second - offset_seconds;
  if (secs < 0) return bad();
  return static_cast<uint64_t>(secs) * 1'000'000'000ULL + frac;
}

}  // namespace augur
