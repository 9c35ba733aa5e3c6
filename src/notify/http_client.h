// HttpClient: POSTs a notification to a receiver over http or https
// (Boost.Beast, OpenSSL) and reports what came back.
//
// One request per connection ("Connection: close"): notifications are few,
// and a fresh connection never trips over one the receiver closed while
// idle. Every request has one deadline for all of it: resolving the name,
// connecting, the TLS handshake, sending and reading the answer.
//
// https verifies the receiver's certificate chain and host name, against
// the system's CAs or a sink's own CA file, and sends SNI. Redirects are
// not followed (a 3xx is an answer like any other).
//
// Threads: Post() from one thread at a time (the notifier's sender);
// Cancel() from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "notify/url.h"

namespace boost::asio::ssl {
class context;
}

namespace augur::notify {

struct HttpResponse {
  unsigned status = 0;
  std::string body;                             // the first kMaxKeptBody bytes
  std::optional<uint64_t> retry_after_seconds;  // Retry-After, when given in seconds
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  static constexpr size_t kMaxKeptBody = 4096;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Loads the CA file for https receivers that use it ("": the system's
  // CAs). Post() loads them on first use too; calling this first reports a
  // missing or bad file at start-up rather than as a failed delivery.
  Status PrepareTls(const std::string& ca_file);

  // POSTs `body` (Content-Type: application/json) with `headers` to `url`.
  // Returns the receiver's answer, whatever its status, or kUnavailable
  // when none came within `timeout` (the message says why: no such host,
  // refused, TLS, timed out, cancelled).
  StatusOr<HttpResponse> Post(const HttpUrl& url, const Headers& headers, const std::string& body,
                              std::chrono::milliseconds timeout, const std::string& ca_file = "");

  // Makes the Post() in progress, and every later one, return kUnavailable
  // at once.
  void Cancel();

 private:
  StatusOr<boost::asio::ssl::context*> TlsContext(const std::string& ca_file);

  std::map<std::string, std::unique_ptr<boost::asio::ssl::context>> tls_;  // by CA file; the Post() thread's

  std::mutex mu_;
  boost::asio::io_context* active_ = nullptr;  // guarded by mu_: the Post() in progress
  bool cancelled_ = false;                     // guarded by mu_
};

}  // namespace augur::notify
