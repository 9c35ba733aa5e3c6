#include "http/url.h"

namespace augur::http {
namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && text[i] == '+') ? ' ' : text[i];
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= query.size()) {
    const size_t amp = std::min(query.find('&', i), query.size());
    const std::string_view pair = query.substr(i, amp - i);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string key = PercentDecode(pair.substr(0, eq), true);
      out[key] = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    }
    i = amp + 1;
  }
  return out;
}

}  // namespace augur::http
