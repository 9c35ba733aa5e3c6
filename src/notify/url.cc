#include "notify/url.h"

#include <cctype>

namespace augur::notify {

std::string HttpUrl::HostHeader() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? "443" : "80")) out += ":" + port;
  return out;
}

StatusOr<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&](const std::string& why) { return Status::InvalidArgument("URL '" + std::string(url) + "': " + why); };
  for (unsigned char ch : url) {
    if (ch <= ' ' || ch == 0x7f) return bad("has a space or control character");
  }
  HttpUrl out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad("must start with http:// or https://");
  }
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  const std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  out.target = target.empty() ? "/" : (target.front() == '?' ? std::string("/").append(target) : std::string(target));
  if (authority.find('@') != std::string_view::npos) return bad("credentials in a URL are not supported; use headers");

  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed [");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has text after ]");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("has no host");
  if (port.empty()) {
    out.port = out.tls ? "443" : "80";
  } else {
    if (port.size() > 5) return bad("has a bad port");
    unsigned n = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad("has a bad port");
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 65535) return bad("has a bad port");
    out.port = std::to_string(n);
  }
  return out;
}

}  // namespace augur::notify
