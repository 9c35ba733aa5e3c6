#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace augur::http {
namespace {

namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// A plain blocking client: one request per connection.
bh::response<bh::string_body> Send(const tcp::endpoint& to, bh::verb method, const std::string& target,
                                   const std::string& body = "", const std::string& token = "") {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(to);
  bh::request<bh::string_body> req(method, target, 11);
  req.set(bh::field::host, "localhost");
  if (!token.empty()) req.set(bh::field::authorization, "Bearer " + token);
  req.body() = body;
  req.prepare_payload();
  bh::write(stream, req);
  beast::flat_buffer buffer;
  bh::response<bh::string_body> res;
  beast::error_code ec;
  bh::read(stream, buffer, res, ec);
  return res;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options) {
    options.address = "127.0.0.1:0";
    options.name = "test";
    server_ = std::make_unique<Server>(options, &metrics_);
    server_->Route("GET", "/hello", [](Request& req, Reply reply) {
      Response r;
      r.content_type = "text/plain";
      r.body = "hello " + req.query["name"];
      reply(std::move(r));
    });
    server_->Route("GET", "/items/{id}", [](Request& req, Reply reply) {
      Response r;
      r.body = req.path_params["id"];
      reply(std::move(r));
    });
    server_->Route("POST", "/later", [this](Request& req, Reply reply) {
      // Reply from another thread, later, as the OTLP receiver does. The
      // reply holds the connection, which must not outlive the server (the
      // receiver's replies all happen before the server stops): TearDown
      // waits for this thread to let go of it.
      replying_.fetch_add(1);
      std::thread([this, body = req.body, reply = std::move(reply)]() mutable {
        Response r;
        r.body = std::to_string(body.size());
        Reply held = std::move(reply);
        held(std::move(r));
        held = nullptr;
        replying_.fetch_sub(1);
      }).detach();
    });
    server_->Route(
        "GET", "/healthz", [](Request&, Reply reply) { reply(Response{}); }, /*authenticated=*/false);
    ASSERT_TRUE(server_->Start().ok());
    endpoint_ = server_->local_endpoint();
    ASSERT_NE(endpoint_.port(), 0);
  }

  void TearDown() override {
    while (replying_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server_.reset();
  }

  selfmon::Registry metrics_;
  std::atomic<int> replying_{0};
  std::unique_ptr<Server> server_;
  tcp::endpoint endpoint_;
};

TEST_F(ServerTest, RoutesAndDecodesQueryAndPathParameters) {
  StartServer({});
  auto res = Send(endpoint_, bh::verb::get, "/hello?name=gray%20failure");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "hello gray failure");
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/items/abc123").body(), "abc123");
}

TEST_F(ServerTest, RepliesFromAnotherThread) {
  StartServer({});
  auto res = Send(endpoint_, bh::verb::post, "/later", std::string(1000, 'x'));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "1000");
}

TEST_F(ServerTest, AnswersUnknownPathsAndMethods) {
  StartServer({});
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/nope").result_int(), 404u);
  EXPECT_EQ(Send(endpoint_, bh::verb::post, "/hello").result_int(), 405u);
}

TEST_F(ServerTest, RefusesBodiesOverTheLimit) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  auto res = Send(endpoint_, bh::verb::post, "/later", std::string(4096, 'x'));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_NE(res.body().find("exceeds the limit of 1024 bytes"), std::string::npos);
  EXPECT_EQ(Send(endpoint_, bh::verb::post, "/later", std::string(1024, 'x')).result_int(), 200u);
}

TEST_F(ServerTest, ChecksTheBearerToken) {
  ServerOptions options;
  options.bearer_token = "s3cret";
  StartServer(options);
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/hello").result_int(), 401u);
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/hello", "", "wrong").result_int(), 401u);
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/hello", "", "s3cret").result_int(), 200u);
  EXPECT_EQ(Send(endpoint_, bh::verb::get, "/healthz").result_int(), 200u);
}

TEST_F(ServerTest, RecordsRequestMetrics) {
  StartServer({});
  Send(endpoint_, bh::verb::get, "/hello");
  Send(endpoint_, bh::verb::get, "/nope");
  const std::string text = metrics_.RenderText();
  EXPECT_NE(text.find("augur_http_requests_total{server=\"test\",route=\"/hello\",code=\"200\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"unmatched\",code=\"404\"} 1"), std::string::npos);
}

// Slowloris: a client that keeps a connection by sending its header a byte
// at a time must still be cut off once the read timeout has passed, although
// every single read finishes quickly.
TEST_F(ServerTest, ClosesConnectionsWhoseHeaderComesTooSlowly) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  StartServer(options);
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(endpoint_);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<bool> closed{false};
  std::thread trickle([&] {
    // Never ends the header; stops when the server has closed or after 5 s.
    const std::string header = "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(100, 'a');
    for (size_t i = 0; i < 50 && !closed; ++i) {
      beast::error_code ec;
      boost::asio::write(socket, boost::asio::buffer(&header[i], 1), ec);
      if (ec) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The server has not closed: end the read below, so the test fails on its time rather than hangs.
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
  });
  char byte;
  beast::error_code ec;
  const size_t n = socket.read_some(boost::asio::buffer(&byte, 1), ec);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  closed = true;
  trickle.join();
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

// The timeout counts from the start of each request, so a keep-alive
// connection serves requests for longer than the timeout in total.
TEST_F(ServerTest, KeepsAliveAcrossRequestsLongerThanTheTimeout) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  StartServer(options);
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(endpoint_);
  beast::flat_buffer buffer;
  for (int i = 0; i < 4; ++i) {
    bh::request<bh::string_body> req(bh::verb::get, "/hello?name=" + std::to_string(i), 11);
    req.set(bh::field::host, "localhost");
    bh::write(stream, req);
    bh::response<bh::string_body> res;
    bh::read(stream, buffer, res);
    EXPECT_EQ(res.body(), "hello " + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
}

TEST(ParseAddress, AcceptsHostPortForms) {
  EXPECT_EQ(ParseAddress("127.0.0.1:4317")->port(), 4317);
  EXPECT_TRUE(ParseAddress("[::1]:0").ok());
  EXPECT_TRUE(ParseAddress("localhost:8080").ok());
  EXPECT_FALSE(ParseAddress("example.com:80").ok());
  EXPECT_FALSE(ParseAddress("127.0.0.1").ok());
  EXPECT_FALSE(ParseAddress("127.0.0.1:99999").ok());
}

}  // namespace
}  // namespace augur::http
