// ApiClient: the CLI's connection to a running augur's REST API.
//
// Plain HTTP/1.1 over TCP with Boost.Beast, one request per connection
// (the CLI sends a handful), a deadline per request, and the bearer token
// when one is set. Answers that are not 2xx become a Status carrying the
// API's own error message ({"error": "..."}), so the CLI can print it.
//
// Not thread-safe; the CLI uses one from its main thread.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/status.h"

namespace augur::cli {

struct ApiClientOptions {
  std::string url = "http://127.0.0.1:8080";  // http://HOST:PORT; https is not supported by the CLI yet
  std::string bearer_token;                   // empty: none
  std::chrono::milliseconds timeout{10'000};
};

class ApiClient {
 public:
  explicit ApiClient(ApiClientOptions options) : options_(std::move(options)) {}

  // GET path?query (values are percent-encoded here).
  StatusOr<nlohmann::json> Get(const std::string& path, const std::map<std::string, std::string>& query = {});
  StatusOr<nlohmann::json> Post(const std::string& path, const nlohmann::json& body);
  StatusOr<nlohmann::json> Put(const std::string& path, const nlohmann::json& body);
  // POST of any body (e.g. OTLP protobuf to an OTLP/HTTP receiver); the
  // answer's body as is. Non-2xx answers are errors as above; a 429 or 503
  // is kResourceExhausted / kUnavailable so callers can retry.
  StatusOr<std::string> PostRaw(const std::string& path, const std::string& body, const std::string& content_type);

 private:
  StatusOr<nlohmann::json> Send(const std::string& method, const std::string& target, const std::string* body);
  // One request; the status code and body of any answer, or an error when none came.
  StatusOr<std::pair<unsigned, std::string>> Exchange(const std::string& method, const std::string& target,
                                                      const std::string* body, const std::string& content_type);
  ApiClientOptions options_;
};

// "a b/c" → "a%20b%2Fc" (RFC 3986 unreserved characters stay).
std::string PercentEncode(std::string_view text);

}  // namespace augur::cli
