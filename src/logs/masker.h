// LineMasker: splits a log message into tokens and gives each a *shape*, the
// form the template miner compares. A shape is the token itself when it
// looks like a word, "<*>" when it looks like a value, or a partly masked
// form that keeps the token's structure ("uid=<*>", "deny(<*>)",
// "instruction......<*>").
//
// Rules, in order (each can be switched off in MaskOptions):
//   - Tokens are split on whitespace; "a\ b" (escaped space) stays one token.
//   - A token that is a path or URL, an IP address (IPv4[:port], IPv6), a
//     UUID, or a host name ("proxy.cse.cuhk.edu.hk:5070") is one value.
//   - Otherwise the token is cut at ()[]{}<>,;|="' and at runs of dots;
//     each piece holding a digit, or a hex string of 8+ digits, is a value;
//     "key:value" pieces keep the key. Device names ("eth0", "ssh2") stay
//     words.
//   - Neighbouring tokens that differ only in their digits ("an14 an15") are
//     values; a month or weekday name next to a value is a value; a unit
//     after a value ("5.2 KB", "3 ms") is part of it.
//   - A run of repeats of one to three shapes holding a value ("<*> <*>",
//     "node-<*> <*> <ok> node-<*> <*> <ok>") collapses to one repeat, so
//     lists of any length give one shape.
//
// No regular expressions and no allocation per token once the buffers have
// grown. Not thread-safe: one LineMasker per thread; it is cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace augur::logs {

inline constexpr std::string_view kWildcard = "<*>";

struct MaskOptions {
  bool numbers = true;       // tokens and pieces holding a digit: numbers, ids, counters, "12ms", "1.5s"
  bool hex = true;           // hex strings of 8+ digits with no decimal digit ("ffffffff")
  bool ip_addresses = true;  // IPv4[:port], IPv6
  bool uuids = true;
  bool paths = true;        // file paths and URLs
  bool host_names = true;   // DNS names (see IsHostName)
  bool units = true;        // "5.2 KB", "3 ms": the unit is part of the value
  bool calendar = true;     // "Sun Jul 10 03:55:15 2005": month and weekday names next to a value
  bool value_lists = true;  // id lists and repeated value groups (see above)
  size_t max_tokens = 256;  // tokens beyond this become one trailing value
};

struct MaskedToken {
  std::string_view shape;  // what the miner compares
  std::string_view raw;    // the token's text in the line; for a collapsed run, the whole run
  std::string_view sep;    // the whitespace before raw ("" for the first token)
  bool has_wildcard = false;
};

// The tokens of one line. Views point into the line and into the
// MaskedLine's own buffer: valid until the next Mask() into it.
struct MaskedLine {
  std::vector<MaskedToken> tokens;
  bool truncated = false;  // more than max_tokens tokens: the tail is one value

  std::string storage;  // the masked shapes' bytes (owned by the masker's work)
};

class LineMasker {
 public:
  explicit LineMasker(MaskOptions options = {}) : options_(options) {}
  const MaskOptions& options() const { return options_; }

  void Mask(std::string_view line, MaskedLine* out);

 private:
  struct Work {  // one token while masking; shapes are offsets until the end
    std::string_view raw, sep;
    uint32_t shape_begin = 0, shape_size = 0;
    bool in_arena = false;
    bool has_wildcard = false;   // the shape holds "<*>"
    bool ends_wildcard = false;  // the shape ends with "<*>"
    bool has_digit = false;      // the raw token holds a digit
    bool letters_only = false;   // the raw token is ASCII letters only
  };
  void SetFlags(Work* w, const std::string& arena) const;
  std::string_view ShapeOf(const Work& w, const std::string& arena) const;
  void MaskToken(std::string_view raw, Work* w, std::string* arena) const;
  void MaskPiece(std::string_view piece, std::string* arena) const;
  void MaskCore(std::string_view core, std::string* arena) const;
  bool IsValueCore(std::string_view core) const;
  void SetShape(Work* w, std::string* arena, std::string_view text) const;
  void ReplaceInShape(Work* w, std::string* arena, std::string_view what) const;
  void Collapse(std::string_view line, const std::string& arena);

  MaskOptions options_;
  std::vector<Work> work_, next_;
};

}  // namespace augur::logs
