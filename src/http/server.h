// Server: a small asynchronous HTTP/1.1 server (Boost.Beast) shared by the
// OTLP/HTTP receiver and the query API.
//
// Each Server owns its io_context and threads, so a slow API query never
// delays ingest. It gives every connection a strand, reads one request at a
// time with a body limit, and hands it to the route's handler. A handler
// answers through Reply, exactly once, from any thread and at any later time
// (the OTLP receiver replies from the store's writer thread once the data is
// durable).
//
// What it enforces before a handler runs: the body limit (413), read
// timeouts, a bound on open connections, the bearer token when one is
// configured (401), TLS when a certificate and key are configured, and 404 /
// 405 for unknown paths and methods. It records request counts and latency
// per route in the registry.
//
// Threads: Route() before Start(); Start(), Stop() and local_endpoint() from
// one controlling thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "selfmon/metrics.h"

namespace augur::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // percent-decoded, without the query
  std::map<std::string, std::string> query;                  // percent-decoded; the last value wins
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::map<std::string, std::string> path_params;  // from route patterns like /api/v1/traces/{id}

  // The header's value, or "" (names are case-insensitive).
  std::string_view Header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&, Reply)>;

struct ServerOptions {
  std::string name;                        // "otlp_http" or "api": in logs and metric labels
  std::string address = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free port
  size_t max_body_bytes = 20u << 20;
  std::string bearer_token;   // empty: no authentication
  std::string tls_cert_file;  // PEM; TLS is on when both files are set
  std::string tls_key_file;
  size_t max_connections = 1024;
  // Bodies of all requests in flight together; over it, new requests get 429.
  // One request is always let through, whatever its size.
  size_t max_body_bytes_in_flight = 256u << 20;
  std::chrono::seconds read_timeout{30};  // also the keep-alive idle timeout
  int threads = 2;
};

class Server {
 public:
  Server(ServerOptions options, selfmon::Registry* metrics);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // `pattern` is a literal path, or has {name} segments that match one path
  // segment each and land in Request::path_params. `authenticated` = false
  // exempts the route from the bearer token (health checks).
  void Route(std::string method, std::string pattern, Handler handler, bool authenticated = true);

  // Binds and starts the threads. Fails when the address cannot be bound or
  // the TLS files cannot be loaded.
  Status Start();
  void Stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 public:
  class Impl;  // public only so server.cc's connection code can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// "HOST:PORT" (also "[::1]:PORT") → endpoint. HOST must be an IP address or "localhost".
StatusOr<boost::asio::ip::tcp::endpoint> ParseAddress(const std::string& address);

// A JSON error body {"error": message} with the status of `status`'s code.
Response ErrorResponse(const Status& status);
unsigned HttpStatusFor(Status::Code code);

}  // namespace augur::http
