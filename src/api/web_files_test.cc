// The console's files over HTTP: content types, caching, the fallback to
// index.html, and that no request reaches a file outside the web directory.
#include "api/web_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>

#include "api/params.h"

namespace augur::api {
namespace {

namespace beast = boost::beast;
namespace bh = boost::beast::http;
namespace fs = std::filesystem;

constexpr const char* kSecret = "the secret outside the web directory";
constexpr const char* kIndexHtml = "<!doctype html><title>augur</title>";

struct Answer {
  unsigned status = 0;
  std::string content_type, cache_control, csp, body;
};

class WebFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_web_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    web_ = root_ / "web";
    fs::create_directories(web_ / "assets");
    WriteFile(web_ / "index.html", kIndexHtml);
    WriteFile(web_ / "assets" / "index-3f2a.js", "console.log(1)");
    WriteFile(web_ / "assets" / "index-9c1d.css", "body{}");
    WriteFile(web_ / "favicon.svg", "<svg/>");
    WriteFile(root_ / "secret.txt", kSecret);
    fs::create_symlink(root_ / "secret.txt", web_ / "link.txt");
    fs::create_directory_symlink(root_, web_ / "up");

    http::ServerOptions options;
    options.address = "127.0.0.1:0";
    options.bearer_token = "s3cret";
    server_ = std::make_unique<http::Server>(options, &metrics_);
    // An API route registered first, as serve.cc does.
    server_->Route("GET", "/api/v1/services", [](http::Request&, http::Reply reply) {
      reply(JsonResponse({{"services", 0}}));
    });
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  static void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  void Start() {
    auto files = RegisterWebRoutes(server_.get(), web_.string());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    EXPECT_EQ(*files, 4u);  // the symlinks are not served
    ASSERT_TRUE(server_->Start().ok());
  }

  // `target` goes on the wire as is: no client-side normalization of "..".
  Answer Send(const std::string& target, bh::verb method = bh::verb::get, const std::string& token = "") {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(server_->local_endpoint());
    bh::request<bh::string_body> req(method, target, 11);
    req.set(bh::field::host, "localhost");
    if (!token.empty()) req.set(bh::field::authorization, "Bearer " + token);
    req.prepare_payload();
    bh::write(stream, req);
    beast::flat_buffer buffer;
    bh::response<bh::string_body> res;
    bh::read(stream, buffer, res);
    auto header = [&](bh::field f) { return std::string(res[f]); };
    return {res.result_int(), header(bh::field::content_type), header(bh::field::cache_control),
            std::string(res["Content-Security-Policy"]), res.body()};
  }

  fs::path root_, web_;
  selfmon::Registry metrics_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(WebFilesTest, ServesFilesWithTypesAndCaching) {
  Start();
  Answer index = Send("/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, kIndexHtml);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.cache_control, "no-cache");
  EXPECT_NE(index.csp.find("script-src 'self'"), std::string::npos) << index.csp;
  EXPECT_EQ(Send("/index.html").body, kIndexHtml);

  Answer js = Send("/assets/index-3f2a.js");
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.cache_control, "public, max-age=31536000, immutable");
  EXPECT_TRUE(js.csp.empty());
  EXPECT_EQ(Send("/assets/index-9c1d.css").content_type, "text/css; charset=utf-8");
  Answer svg = Send("/favicon.svg");
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(svg.cache_control, "no-cache");  // not under assets/: no hash in its name
}

TEST_F(WebFilesTest, ConsoleRoutesFallBackToIndexButFilesAndApiDoNot) {
  Start();
  for (const char* path : {"/insights", "/insights/in-3c1f9a0b7e2d4c15", "/services", "/a/b/c/d/e/f/g/h"}) {
    Answer a = Send(path);
    EXPECT_EQ(a.status, 200u) << path;
    EXPECT_EQ(a.body, kIndexHtml) << path;
    EXPECT_EQ(a.cache_control, "no-cache") << path;
  }
  Answer missing = Send("/assets/index-0000.js");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.content_type, "application/json");
  EXPECT_EQ(Send("/api/v1/nothing").status, 404u);
  EXPECT_EQ(Send("/api").status, 404u);
  EXPECT_EQ(Send("/api/v1/insights/x/feedback/y").status, 404u);
  // Routes registered before still answer, with their token.
  EXPECT_EQ(Send("/api/v1/services").status, 401u);
  Answer services = Send("/api/v1/services", bh::verb::get, "s3cret");
  EXPECT_EQ(services.status, 200u);
  EXPECT_EQ(services.body, R"({"services":0})");
  EXPECT_EQ(Send("/", bh::verb::post).status, 405u);
}

TEST_F(WebFilesTest, NeverServesOutsideTheWebDirectory) {
  Start();
  for (const char* target : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                             "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/link.txt", "/up/secret.txt",
                             "/up/web/index.html", "//..//secret.txt", "/./../secret.txt"}) {
    Answer a = Send(target);
    EXPECT_EQ(a.body.find(kSecret), std::string::npos) << target;
    EXPECT_EQ(a.status, 404u) << target;
  }
}

TEST_F(WebFilesTest, RefusesADirectoryWithoutIndex) {
  fs::remove(web_ / "index.html");
  auto files = RegisterWebRoutes(server_.get(), web_.string());
  EXPECT_EQ(files.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(RegisterWebRoutes(server_.get(), (root_ / "none").string()).status().code(), Status::Code::kNotFound);
}

TEST(WebContentTypeTest, ByExtension) {
  EXPECT_EQ(WebContentType("a/b.html"), "text/html; charset=utf-8");
  EXPECT_EQ(WebContentType("x.woff2"), "font/woff2");
  EXPECT_EQ(WebContentType("x.json"), "application/json");
  EXPECT_EQ(WebContentType("README"), "application/octet-stream");
  EXPECT_EQ(WebContentType("x.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace augur::api
