// The parts of an http:// or https:// URL a client needs to send a request.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace augur::notify {

struct HttpUrl {
  bool tls = false;    // https
  std::string host;    // without brackets for IPv6
  std::string port;    // "80" / "443" when the URL names none
  std::string target;  // path and query, "/" when empty; no fragment
  // The Host header: host, bracketed when IPv6, with ":port" unless the default.
  std::string HostHeader() const;
  bool operator==(const HttpUrl&) const = default;
};

// "https://hooks.example.com:8443/a/b?x=1" → {true, "hooks.example.com",
// "8443", "/a/b?x=1"}. InvalidArgument for another scheme, an empty host, a
// bad port, credentials ("user@host": put them in a header), spaces or
// control characters.
StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace augur::notify
