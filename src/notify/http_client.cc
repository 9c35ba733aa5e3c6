#include "notify/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <exception>

namespace augur::notify {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr uint64_t kMaxResponseBody = 1 << 20;  // read and dropped beyond kMaxKeptBody

// What the exchange came to: an answer, or why there was none.
struct Outcome {
  bool done = false;
  std::optional<HttpResponse> response;
  std::string error;
};

std::optional<uint64_t> RetryAfterSeconds(std::string_view value) {
  uint64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;  // an HTTP date: ignored
  return seconds;
}

template <class Stream>
net::awaitable<void> SendAndReceive(Stream& stream, const http::request<http::string_body>& request, Outcome* out) {
  beast::error_code ec;
  co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out->error = "send: " + ec.message();
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  co_await http::async_read_header(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out->error = "receive: " + ec.message();
    co_return;
  }
  HttpResponse response;
  response.status = parser.get().result_int();
  if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end()) {
    response.retry_after_seconds = RetryAfterSeconds(std::string_view(it->value().data(), it->value().size()));
  }
  // The status is the answer; a body that cannot be read whole only
  // shortens what is kept of it.
  co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  std::string& body = parser.get().body();
  response.body = body.substr(0, HttpClient::kMaxKeptBody);
  out->response = std::move(response);
}

net::awaitable<void> Exchange(const HttpUrl& url, const http::request<http::string_body>& request, ssl::context* tls,
                              Outcome* out) {
  auto executor = co_await net::this_coro::executor;
  beast::error_code ec;
  tcp::resolver resolver(executor);
  const auto endpoints =
      co_await resolver.async_resolve(url.host, url.port, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out->error = "resolve " + url.host + ": " + ec.message();
    co_return;
  }
  beast::tcp_stream tcp_stream(executor);
  co_await tcp_stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out->error = "connect to " + url.HostHeader() + ": " + ec.message();
    co_return;
  }
  if (tls == nullptr) {
    co_await SendAndReceive(tcp_stream, request, out);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
  net::ip::make_address(url.host, ec);
  const bool is_ip = !ec;
  // SNI names hosts, never addresses (RFC 6066).
  if (!is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    out->error = "TLS: cannot set SNI";
    co_return;
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  co_await stream.async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    out->error = "TLS handshake with " + url.HostHeader() + ": " + ec.message();
    co_return;
  }
  co_await SendAndReceive(stream, request, out);
  // No TLS close_notify: the answer is complete (its length was known), and
  // receivers often do not answer one, which would only cost the timeout.
}

}  // namespace

HttpClient::HttpClient() = default;
HttpClient::~HttpClient() = default;

StatusOr<ssl::context*> HttpClient::TlsContext(const std::string& ca_file) {
  auto it = tls_.find(ca_file);
  if (it != tls_.end()) return it->second.get();
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                       ec);
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return Status::InvalidArgument("cannot load " + (ca_file.empty() ? std::string("the system's CAs") : ca_file) +
                                   ": " + ec.message());
  }
  ssl::context* raw = context.get();
  tls_.emplace(ca_file, std::move(context));
  return raw;
}

Status HttpClient::PrepareTls(const std::string& ca_file) {
  auto context = TlsContext(ca_file);
  return context.ok() ? Status::OK() : context.status();
}

StatusOr<HttpResponse> HttpClient::Post(const HttpUrl& url, const Headers& headers, const std::string& body,
                                        std::chrono::milliseconds timeout, const std::string& ca_file) {
  ssl::context* tls = nullptr;
  if (url.tls) {
    auto context = TlsContext(ca_file);
    if (!context.ok()) return Status::Unavailable(context.status().message());
    tls = *context;
  }
  http::request<http::string_body> request(http::verb::post, url.target, 11);
  request.set(http::field::host, url.HostHeader());
  request.set(http::field::user_agent, "augur");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::connection, "close");
  try {
    for (const auto& [name, value] : headers) request.insert(name, value);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("bad header: ") + e.what());
  }
  request.body() = body;
  request.prepare_payload();

  Outcome outcome;
  std::exception_ptr failure;
  net::io_context io;
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return Status::Unavailable("cancelled");
    active_ = &io;
  }
  net::co_spawn(io, Exchange(url, request, tls, &outcome), [&](std::exception_ptr e) {
    failure = e;
    outcome.done = true;
  });
  io.run_for(timeout);
  bool cancelled;
  {
    std::lock_guard lock(mu_);
    active_ = nullptr;
    cancelled = cancelled_;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      return Status::Unavailable(e.what());
    }
  }
  // An exchange still under way is abandoned: destroying `io` closes its
  // sockets.
  if (!outcome.done) {
    return Status::Unavailable(cancelled ? std::string("cancelled")
                                         : "no answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (!outcome.response) return Status::Unavailable(outcome.error);
  return std::move(*outcome.response);
}

void HttpClient::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (active_ != nullptr) active_->stop();
}

}  // namespace augur::notify
