// Hand-written recognisers for the values that log lines carry: numbers, hex,
// IPv4/IPv6 addresses, UUIDs, paths, host names, times. Each is a pure
// predicate over bytes (ASCII classes; bytes >= 0x80 count as letters), with
// no regular expressions and no allocation, so the miner's hot path can call
// them on every token. Safe from any thread.
#pragma once

#include <string_view>

namespace augur::logs {

// A set of bytes, tested in one load: for punctuation classes in hot loops.
class CharSet {
 public:
  constexpr explicit CharSet(std::string_view chars) : bits_{} {
    for (char c : chars) bits_[static_cast<unsigned char>(c)] = true;
  }
  constexpr bool operator()(char c) const { return bits_[static_cast<unsigned char>(c)]; }

 private:
  bool bits_[256];
};

// Punctuation that wraps a token's core: "(18.4", "KB)", "[preauth]", "'x',".
inline constexpr CharSet kLeadPunct("([{<\"'=,;");
inline constexpr CharSet kTrailPunct(")]}>\"',;:.");

inline bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
inline bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Letters include bytes of multi-byte UTF-8 sequences, so words in other
// scripts are words, not punctuation.
inline bool IsLetter(char c) {
  return IsAsciiLetter(c) || static_cast<unsigned char>(c) >= 0x80;
}
inline bool IsAlnum(char c) {
  return IsDigit(c) || IsLetter(c);
}
inline bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool HasDigit(std::string_view s);

// [-+]?digits([.,]digits)*([eE][-+]?digits)? or .digits
bool IsNumber(std::string_view s);
// 0x1f, 0XABC
bool IsHexNumber(std::string_view s);
// At least 8 hex digits and nothing else ("0001edfe", "ffffffff"): hashes,
// addresses and masks, which are values even without a decimal digit.
bool IsHexString(std::string_view s);
// a.b.c.d with 1-3 digits each, optionally :port.
bool IsIpv4(std::string_view s);
// Two or more ':' among hex digits (at least one decimal digit), optionally
// %zone: "fe80::1", "2607:f140:6000:8:c6b3:1ff:fecd:467f".
bool IsIpv6(std::string_view s);
// 8-4-4-4-12 hex digits.
bool IsUuid(std::string_view s);
// "/x...", "scheme://...", anything with two or more '/', "C:\...", or two
// or more '\'.
bool IsPath(std::string_view s);
// Dotted DNS name whose last label is a generic top-level domain (com, net,
// org, edu, gov, mil, info, biz, io, local, lan, internal), or, with three or
// more labels, a two-letter lower-case country code: "zummit.com",
// "biblioteka.wsi.edu.pl". Java package names ("com.apple.foo") do not end in
// one, so they stay words.
bool IsHostName(std::string_view s);
// digits(:digits)+(.digits)? : "03:55:15", "00:01", "12:30:00.250".
bool IsClockTime(std::string_view s);
// Two or more ASCII letters then exactly one digit: "eth0", "ssh2", "IPV6",
// "SOCKS5". Device and protocol names, kept as words: a list of them that
// varies only in the digit is caught elsewhere (see masker.h).
bool IsNamedUnit(std::string_view s);
// Month ("jan", "January") or weekday ("Mon", "sunday") name, any case.
bool IsCalendarWord(std::string_view s);
bool IsMonthName(std::string_view s);
// B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, kB, ns, us, ms, s, sec, secs,
// min, mins, h: a unit written as its own token after a number ("5.2 KB").
bool IsUnitWord(std::string_view s);

}  // namespace augur::logs
