#include "notify/http_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "notify/test_receiver.h"

namespace augur::notify {
namespace {

using std::chrono::milliseconds;
using testing::Received;
using testing::Receiver;

HttpUrl Url(const std::string& text) {
  auto url = ParseHttpUrl(text);
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  return url.ok() ? *url : HttpUrl{};
}

TEST(HttpClient, PostsTheBodyWithItsHeaders) {
  Receiver receiver;
  ASSERT_TRUE(receiver.start_status().ok()) << receiver.start_status().ToString();
  receiver.SetAnswer([](const Received&, size_t) { return http::Response{202, "text/plain", "queued", {}}; });
  HttpClient client;
  auto answer = client.Post(Url(receiver.Url("/hook")), {{"Authorization", "Bearer x"}, {"Idempotency-Key", "nt-1"}},
                            R"({"id":"nt-1"})", milliseconds(5000));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 202u);
  EXPECT_EQ(answer->body, "queued");
  EXPECT_FALSE(answer->retry_after_seconds.has_value());
  const auto got = receiver.Got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook");
  EXPECT_EQ(got[0].body, R"({"id":"nt-1"})");
  EXPECT_EQ(got[0].Header("content-type"), "application/json");
  EXPECT_EQ(got[0].Header("authorization"), "Bearer x");
  EXPECT_EQ(got[0].Header("idempotency-key"), "nt-1");
}

TEST(HttpClient, ReportsAnyStatusAndRetryAfter) {
  Receiver receiver;
  ASSERT_TRUE(receiver.start_status().ok());
  receiver.SetAnswer([](const Received&, size_t) {
    return http::Response{503, "text/plain", std::string(10'000, 'x'), {{"Retry-After", "7"}}};
  });
  HttpClient client;
  auto answer = client.Post(Url(receiver.Url("/hook")), {}, "{}", milliseconds(5000));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 503u);
  EXPECT_EQ(answer->retry_after_seconds, 7u);
  EXPECT_EQ(answer->body.size(), HttpClient::kMaxKeptBody);
}

TEST(HttpClient, NoAnswerIsUnavailable) {
  std::string url;
  {
    Receiver gone;
    url = gone.Url("/hook");
  }
  HttpClient client;
  auto refused = client.Post(Url(url), {}, "{}", milliseconds(5000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(refused.status().message().find("connect"), std::string::npos) << refused.status().ToString();

  Receiver silent;
  ASSERT_TRUE(silent.start_status().ok());
  silent.SetAnswer([](const Received&, size_t) { return http::Response{0, "", "", {}}; });
  const auto start = std::chrono::steady_clock::now();
  auto timed_out = client.Post(Url(silent.Url("/hook")), {}, "{}", milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(timed_out.ok());
  EXPECT_NE(timed_out.status().message().find("300 ms"), std::string::npos) << timed_out.status().ToString();
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(3000));
}

TEST(HttpClient, CancelEndsAPostAtOnce) {
  Receiver silent;
  ASSERT_TRUE(silent.start_status().ok());
  silent.SetAnswer([](const Received&, size_t) { return http::Response{0, "", "", {}}; });
  HttpClient client;
  std::thread canceller([&] {
    silent.WaitFor(1);
    client.Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto answer = client.Post(Url(silent.Url("/hook")), {}, "{}", milliseconds(20'000));
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().message(), "cancelled");
  // And every later one.
  EXPECT_FALSE(client.Post(Url(silent.Url("/hook")), {}, "{}", milliseconds(20'000)).ok());
}

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_notify_tls_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(testing::MakeSelfSignedCert(dir_ + "/cert.pem", dir_ + "/key.pem"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(HttpsTest, VerifiesTheReceiversCertificate) {
  Receiver receiver(dir_ + "/cert.pem", dir_ + "/key.pem");
  ASSERT_TRUE(receiver.start_status().ok()) << receiver.start_status().ToString();
  receiver.set_tls(true);
  HttpClient client;
  ASSERT_TRUE(client.PrepareTls(dir_ + "/cert.pem").ok());
  EXPECT_FALSE(client.PrepareTls(dir_ + "/missing.pem").ok());

  // Trusted, and the name matches.
  auto ok = client.Post(Url(receiver.Url("/hook", "localhost")), {}, "{}", milliseconds(5000), dir_ + "/cert.pem");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200u);
  ASSERT_EQ(receiver.Got().size(), 1u);

  // Not trusted by the system's CAs.
  auto untrusted = client.Post(Url(receiver.Url("/hook", "localhost")), {}, "{}", milliseconds(5000));
  ASSERT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.status().message().find("TLS"), std::string::npos) << untrusted.status().ToString();
  // Trusted, but issued to another name.
  auto wrong_name =
      client.Post(Url(receiver.Url("/hook", "127.0.0.1")), {}, "{}", milliseconds(5000), dir_ + "/cert.pem");
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_NE(wrong_name.status().message().find("TLS"), std::string::npos) << wrong_name.status().ToString();
  EXPECT_EQ(receiver.Got().size(), 1u);
}

}  // namespace
}  // namespace augur::notify
