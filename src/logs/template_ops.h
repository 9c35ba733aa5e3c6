// Token-level operations on template shapes, used by the miner to match
// records and to merge templates. A template token is a word, "<*>" (one
// token that is a value), a partial form with "<*>" inside ("uid=<*>"), or
// kSpan, a value spanning any number of tokens. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace augur::logs {

// Internal token for a value of any length (zero or more tokens); rendered
// as "<*>". Record shapes never contain it.
inline constexpr std::string_view kSpan = "<*...>";

// Holds "<*>" or kSpan.
bool HasWild(std::string_view token);

// A partial template token fits a record token: "uid=<*>" fits "uid=0" and
// "uid=root" (each "<*>" stands for one or more characters). A token with
// no "<*>" fits only itself; "<*>" fits anything.
bool TokenFits(std::string_view pattern, std::string_view token);

// Two tokens that may stand at one position of a merged template: at least
// one holds a value, and they differ only in where the values are ("()" vs
// "(<*>)"), or one fits the other, or one is a bare value (bar punctuation
// around it).
bool Compatible(std::string_view a, std::string_view b);

// A token made only of values and punctuation ("<*>", "(<*>", "<*>)"):
// runs of these may be absorbed into a variable-length value.
bool OnlyValue(std::string_view token);

// The token standing for several words at one position: their common
// prefix and suffix, cut back to punctuation, around "<*>":
// {"user=root", "user=admin"} -> "user=<*>", {"root", "admin"} -> "<*>".
std::string Generalize(const std::vector<std::string_view>& values);

// The word with each run of digits replaced by "<*>" ("IRQ9" -> "IRQ<*>").
std::string DigitSkeleton(std::string_view word);

// Does the template match the record's shapes? kSpan matches zero or more
// tokens, "<*>" exactly one, anything else only an equal token.
bool SpanMatch(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& shapes,
               std::vector<uint8_t>* scratch);

// One step of an alignment of two token sequences: a token both share, or
// a gap (tokens of a and of b between two shared ones, either may be empty).
struct AlignStep {
  bool shared = false;
  std::string_view token;                      // when shared
  std::vector<std::string_view> gap_a, gap_b;  // when not
};

// The longest-common-subsequence alignment of a and b (kSpan is never
// shared). Where two alignments are equally long, tokens of a go into a gap
// first.
void Align(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
           std::vector<AlignStep>* steps, std::vector<uint16_t>* scratch);

}  // namespace augur::logs
