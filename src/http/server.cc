#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "http/url.h"

namespace augur::http {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return a == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

unsigned HttpStatusFor(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kUnauthenticated: return 401;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kTooLarge: return 413;
    case Status::Code::kUnsupported: return 415;
    case Status::Code::kResourceExhausted: return 429;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kIOError:
    case Status::Code::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& status) {
  Response r;
  r.status = HttpStatusFor(status.code());
  r.body = nlohmann::json{{"error", status.message()}}.dump();
  return r;
}

StatusOr<tcp::endpoint> ParseAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("address '" + address + "' is not HOST:PORT");
  std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) return Status::InvalidArgument("address '" + address + "' has a bad port");
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("address '" + address + "': '" + host + "' is not an IP address");
  return tcp::endpoint(ip, static_cast<uint16_t>(port));
}

namespace {

struct RouteEntry {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  bool authenticated;
};

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Matches(const RouteEntry& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      (*params)[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

// Compares without an early exit, so the time taken does not reveal how much of a token matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, selfmon::Registry* metrics)
      : options_(std::move(options)), metrics_(metrics), acceptor_(io_) {
    const selfmon::Labels labels = {{"server", options_.name}};
    connections_refused_ = &metrics_->GetCounter("augur_http_connections_refused_total",
                                                 "Connections closed at once because too many were open.", labels);
    metrics_->AddCallbackGauge("augur_http_open_connections", "Open HTTP connections.", labels,
                               [this] { return static_cast<double>(open_connections_.load()); });
    metrics_->AddCallbackGauge("augur_http_body_bytes_in_flight", "Request body bytes reserved by requests in flight.",
                               labels, [this] { return static_cast<double>(body_bytes_in_flight_.load()); });
  }

  Status Start();
  void Stop();

  ServerOptions options_;
  selfmon::Registry* metrics_;
  std::vector<RouteEntry> routes_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<ssl::context> tls_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> open_connections_{0};
  selfmon::Counter* connections_refused_;

  // The budget for request bodies in flight (read, being decoded, or waiting
  // to be written): a reservation is held from the header until the answer.
  bool ReserveBody(size_t bytes) {
    size_t held = body_bytes_in_flight_.load();
    do {
      if (held > 0 && held + bytes > options_.max_body_bytes_in_flight) return false;
    } while (!body_bytes_in_flight_.compare_exchange_weak(held, held + bytes));
    return true;
  }
  void ReleaseBody(size_t bytes) { body_bytes_in_flight_.fetch_sub(bytes); }
  std::atomic<size_t> body_bytes_in_flight_{0};

  // Answers a parsed request: matches a route, checks the token, runs the handler.
  void Dispatch(beast::http::request<beast::http::string_body>&& raw, Reply reply);

 private:
  void Accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, Server::Impl* server)
      : stream_(std::move(stream)), server_(server), timer_(stream_.get_executor()) {}
  ~Session() {
    ReleaseBody();
    server_->open_connections_.fetch_sub(1);
  }

  void Run() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Read(); });
    } else {
      SetDeadline(Clock::now() + server_->options_.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->Read();
      });
    }
  }

 private:
  // A request is read in two steps: the header, then (if the body may come)
  // the body. Between them the session reserves the body's size from the
  // server-wide budget for bodies in flight, so a crowd of large requests is
  // refused with 429 instead of taking memory without bound.
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(64 * 1024);
    SetDeadline(Clock::now() + server_->options_.read_timeout);
    beast::http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    namespace bh = beast::http;
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    const size_t body_bytes =
        parser_->content_length().value_or(parser_->chunked() ? server_->options_.max_body_bytes : 0);
    if (!server_->ReserveBody(body_bytes)) {
      Response busy = ErrorResponse(Status::ResourceExhausted("too many large requests in flight; retry later"));
      busy.headers.emplace_back("Retry-After", "1");
      return WriteAndDrain(std::move(busy), header.version());
    }
    reserved_ = body_bytes;
    const auto expect = header[bh::field::expect];
    if (body_bytes > 0 && expect.size() == 12 && beast::iequals(expect, "100-continue")) {
      // Clients that ask (curl does for large bodies) wait for this before sending the body.
      continue_.emplace(bh::status::continue_, header.version());
      return bh::async_write(stream_, *continue_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    SetDeadline(Clock::now() + server_->options_.read_timeout);
    beast::http::async_read(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto request = parser_->release();
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    server_->Dispatch(std::move(request), [self = this->shared_from_this(), version, keep_alive](Response r) {
      // Replies may come from any thread; the session's state is touched on its strand only.
      net::post(self->stream_.get_executor(), [self, version, keep_alive, r = std::move(r)]() mutable {
        self->Write(std::move(r), version, keep_alive);
      });
    });
  }

  void OnReadError(beast::error_code ec) {
    namespace bh = beast::http;
    if (ec == bh::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == bh::error::body_limit) {
      return WriteAndDrain(ErrorResponse(Status::TooLarge("request body exceeds the limit of " +
                                                          std::to_string(server_->options_.max_body_bytes) + " bytes")),
                           11);
    }
    WriteAndDrain(ErrorResponse(Status::InvalidArgument("malformed HTTP request: " + ec.message())), 11);
  }

  // Answers a request whose body was not read, then reads and discards what
  // the client still sends (up to a bound), so it sees the answer rather than
  // a connection reset from closing a socket with unread data.
  void WriteAndDrain(Response r, unsigned version) {
    draining_ = true;
    Write(std::move(r), version, /*keep_alive=*/false);
  }

  void Drain() {
    SetDeadline(Clock::now() + std::chrono::seconds(5));
    stream_.async_read_some(net::buffer(scratch_), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrainBytes) return;  // the session ends and the socket closes
      self->Drain();
    });
  }

  void Write(Response r, unsigned version, bool keep_alive) {
    namespace bh = beast::http;
    response_.emplace(static_cast<bh::status>(r.status), version);
    response_->set(bh::field::server, "augur");
    response_->set(bh::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) response_->set(k, v);
    response_->body() = std::move(r.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    bh::async_write(stream_, *response_, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      self->ReleaseBody();
      if (ec || !keep_alive) {
        self->Close();
        if (!ec && self->draining_) self->Drain();
        return;
      }
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    } else {
      SetDeadline(Clock::now() + std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  void ReleaseBody() {
    server_->ReleaseBody(reserved_);
    reserved_ = 0;
  }

  // Timeouts. Beast's tcp_stream::expires_after re-arms a kernel timer
  // (timerfd_settime) on every read and write, many times per request. Here
  // a deadline is a plain time point, moved once per phase (the header
  // and the wait for it on a keep-alive connection, then the body and the
  // answer), and one timer per session checks it: the timer never waits past
  // the deadline, and when it fires early, it waits again until the deadline.
  // Past the deadline it closes the socket, which fails the pending read or
  // write. Moving a deadline later therefore costs no system call.
  void SetDeadline(Clock::time_point deadline) {
    deadline_ = deadline;
    if (!timer_waiting_ || deadline < timer_.expiry()) WaitUntil(deadline);
  }

  void WaitUntil(Clock::time_point when) {
    timer_waiting_ = true;
    timer_.expires_at(when);
    // A weak pointer: the timer must not keep a finished session alive.
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      const auto self = weak.lock();
      if (!self || ec == net::error::operation_aborted) return;  // gone, or re-armed
      self->timer_waiting_ = false;
      if (Clock::now() < self->deadline_) return self->WaitUntil(self->deadline_);
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  static constexpr size_t kMaxDrainBytes = 64u << 20;

  Stream stream_;
  Server::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::optional<beast::http::response<beast::http::empty_body>> continue_;
  std::optional<beast::http::response<beast::http::string_body>> response_;
  size_t reserved_ = 0;  // bytes of the body budget this session holds
  net::steady_timer timer_;
  Clock::time_point deadline_;
  bool timer_waiting_ = false;
  bool draining_ = false;
  size_t drained_ = 0;
  std::array<char, 16384> scratch_;
};

}  // namespace

void Server::Impl::Dispatch(beast::http::request<beast::http::string_body>&& raw, Reply reply) {
  const auto start = Clock::now();
  Request request;
  request.method = std::string(raw.method_string().data(), raw.method_string().size());
  const std::string_view target(raw.target().data(), raw.target().size());
  const size_t q = target.find('?');
  request.path = PercentDecode(target.substr(0, q));
  if (q != std::string_view::npos) request.query = ParseQuery(target.substr(q + 1));
  for (const auto& field : raw) {
    std::string name(field.name_string().data(), field.name_string().size());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    request.headers.emplace_back(std::move(name), std::string(field.value().data(), field.value().size()));
  }
  request.body = std::move(raw.body());

  const std::vector<std::string> segments = SplitPath(request.path);
  const RouteEntry* route = nullptr;
  bool path_known = false;
  for (const auto& candidate : routes_) {
    std::map<std::string, std::string> params;
    if (!Matches(candidate, segments, &params)) continue;
    path_known = true;
    if (candidate.method == request.method) {
      route = &candidate;
      request.path_params = std::move(params);
      break;
    }
  }
  const std::string route_label = route != nullptr ? route->pattern : path_known ? "method_not_allowed" : "unmatched";
  // Wrap the reply to record the outcome; label values come from our routes and status codes only.
  Reply measured = [this, start, route_label, reply = std::move(reply)](Response r) {
    const selfmon::Labels labels = {{"server", options_.name}, {"route", route_label}};
    metrics_
        ->GetHistogram("augur_http_request_duration_seconds", "Time from request read to response ready.", labels,
                       selfmon::LatencyBuckets())
        .Observe(std::chrono::duration<double>(Clock::now() - start).count());
    selfmon::Labels with_code = labels;
    with_code.emplace_back("code", std::to_string(r.status));
    metrics_->GetCounter("augur_http_requests_total", "HTTP requests answered.", with_code).Increment();
    reply(std::move(r));
  };

  if (route == nullptr) {
    if (path_known) {
      Response r =
          ErrorResponse(Status::InvalidArgument("method " + request.method + " is not allowed on " + request.path));
      r.status = 405;
      return measured(std::move(r));
    }
    return measured(ErrorResponse(Status::NotFound("no such path: " + request.path)));
  }
  if (route->authenticated && !options_.bearer_token.empty()) {
    const std::string_view auth = request.Header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), auth.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }) ||
        !ConstantTimeEquals(auth.substr(kBearer.size()), options_.bearer_token)) {
      Response r = ErrorResponse(Status::Unauthenticated("missing or wrong bearer token"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return measured(std::move(r));
    }
  }
  route->handler(request, std::move(measured));
}

Status Server::Impl::Start() {
  auto endpoint = ParseAddress(options_.address);
  if (!endpoint.ok()) return endpoint.status();
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return Status::InvalidArgument(options_.name + ": TLS needs both a certificate and a key file");
    }
    tls_.emplace(ssl::context::tls_server);
    boost::system::error_code ec;
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec)
      return Status::InvalidArgument("cannot load TLS certificate " + options_.tls_cert_file + ": " + ec.message());
    tls_->use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("cannot load TLS key " + options_.tls_key_file + ": " + ec.message());
  }
  boost::system::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError(options_.name + ": cannot listen on " + options_.address + ": " + ec.message());
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i) threads_.emplace_back([this] { io_.run(); });
  return Status::OK();
}

void Server::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (open_connections_.fetch_add(1) >= options_.max_connections) {
        open_connections_.fetch_sub(1);
        connections_refused_->Increment();
        socket.close(ec);
      } else if (tls_) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_), this)
            ->Run();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), this)->Run();
      }
    }
    Accept();
  });
}

void Server::Impl::Stop() {
  if (acceptor_.is_open()) {
    net::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
  }
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Server::Server(ServerOptions options, selfmon::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {}

Server::~Server() {
  Stop();
}

void Server::Route(std::string method, std::string pattern, Handler handler, bool authenticated) {
  RouteEntry entry{std::move(method), pattern, SplitPath(pattern), std::move(handler), authenticated};
  impl_->routes_.push_back(std::move(entry));
}

Status Server::Start() {
  return impl_->Start();
}

void Server::Stop() {
  impl_->Stop();
}

tcp::endpoint Server::local_endpoint() const {
  boost::system::error_code ec;
  return impl_->acceptor_.local_endpoint(ec);
}

}  // namespace augur::http
