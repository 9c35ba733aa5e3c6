// GET /api/v1/series over a real store in a temporary directory: what is
// counted per step, paging through the store, the bounds, and the route.
#include "api/series_api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace augur::api {
namespace {

namespace beast = boost::beast;
namespace bh = boost::beast::http;
using nlohmann::json;

constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kMs = 1'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;  // a multiple of 10 s

// A span of the test, built fluently: At(t).Name("GET").Error().
struct TestSpan {
  std::string service = "writer";
  std::string version;
  std::string name = "POST /items";
  model::SpanKind kind = model::SpanKind::kServer;
  uint64_t start = 0;
  uint64_t duration = 10 * kMs;
  bool error = false;
  std::string peer;  // CLIENT: peer.service

  TestSpan& Service(std::string v) { return service = std::move(v), *this; }
  TestSpan& Version(std::string v) { return version = std::move(v), *this; }
  TestSpan& Name(std::string v) { return name = std::move(v), *this; }
  TestSpan& Kind(model::SpanKind v) { return kind = v, *this; }
  TestSpan& Duration(uint64_t v) { return duration = v, *this; }
  TestSpan& Error(bool v = true) { return error = v, *this; }
  TestSpan& Peer(std::string v) { return peer = std::move(v), *this; }
};

TestSpan At(uint64_t start) {
  TestSpan t;
  t.start = start;
  return t;
}

// A request for writer's spans in [kT0, kT0 + 30 s) by 10 s, changed by `edit`.
template <typename F>
SeriesRequest Request(F&& edit) {
  SeriesRequest r;
  r.service = "writer";
  r.from_ns = kT0;
  r.to_ns = kT0 + 30 * kSecond;
  r.step_ns = 10 * kSecond;
  edit(r);
  return r;
}
SeriesRequest Request() {
  return Request([](SeriesRequest&) {});
}

class SeriesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_series_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto store = store::Store::Open({dir_, 0, 0});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Write(const std::vector<TestSpan>& spans) {
    model::Batch b;
    b.scopes.push_back({"test", "1", {}});
    std::map<std::pair<std::string, std::string>, uint32_t> resources;
    for (const TestSpan& t : spans) {
      auto [it, added] = resources.try_emplace({t.service, t.version}, static_cast<uint32_t>(b.resources.size()));
      if (added) {
        model::Resource r;
        r.service_name = t.service;
        r.attributes.push_back({"service.name", model::AnyValue{t.service}});
        if (!t.version.empty()) r.attributes.push_back({"service.version", model::AnyValue{t.version}});
        b.resources.push_back(std::move(r));
      }
      model::Span s;
      s.resource_index = it->second;
      ++next_id_;
      for (int i = 0; i < 8; ++i) {
        s.trace_id[i] = static_cast<uint8_t>(next_id_ >> (8 * i));
        s.span_id[i] = static_cast<uint8_t>(next_id_ >> (8 * i));
      }
      s.trace_id[15] = 1;
      s.name = t.name;
      s.kind = t.kind;
      s.start_time_unix_nano = t.start;
      s.end_time_unix_nano = t.start + t.duration;
      if (t.error) s.status_code = model::StatusCode::kError;
      if (!t.peer.empty()) s.attributes.push_back({"peer.service", model::AnyValue{t.peer}});
      b.spans.push_back(std::move(s));
    }
    ASSERT_TRUE(store_->Write({&b}).ok());
  }

  StatusOr<json> Compute(const SeriesRequest& r, const SeriesLimits& limits = {}) {
    return ComputeSeries(store_.get(), r, limits);
  }

  std::pair<unsigned, json> Get(const std::string& target) {
    if (!server_) {
      http::ServerOptions options;
      options.address = "127.0.0.1:0";
      server_ = std::make_unique<http::Server>(options, &metrics_);
      RegisterSeriesRoute(server_.get(), store_.get(), [] { return kT0 + 30 * kSecond; });
      EXPECT_TRUE(server_->Start().ok());
    }
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(server_->local_endpoint());
    bh::request<bh::string_body> req(bh::verb::get, target, 11);
    req.set(bh::field::host, "localhost");
    bh::write(stream, req);
    beast::flat_buffer buffer;
    bh::response<bh::string_body> res;
    bh::read(stream, buffer, res);
    return {res.result_int(), json::parse(res.body(), nullptr, false)};
  }

  uint64_t next_id_ = 0;
  std::string dir_;
  selfmon::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(SeriesApiTest, CountsErrorsAndQuantilesPerStep) {
  std::vector<TestSpan> spans;
  for (uint64_t i = 0; i < 10; ++i) spans.push_back(At(kT0 + i * 500 * kMs).Duration(10 * kMs));
  for (uint64_t i = 0; i < 20; ++i) {
    spans.push_back(At(kT0 + 10 * kSecond + i * 400 * kMs).Duration((i < 10 ? 100 : 300) * kMs).Error(i % 4 == 0));
  }
  // Not this series: another operation, an INTERNAL span, another service.
  spans.push_back(At(kT0 + kSecond).Name("GET /items"));
  spans.push_back(At(kT0 + kSecond).Kind(model::SpanKind::kInternal));
  spans.push_back(At(kT0 + kSecond).Service("reader"));
  Write(spans);

  auto s = Compute(Request([](SeriesRequest& r) {
    r.operation = "POST /items";
    r.kind = "SERVER";
  }));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const json& points = (*s)["points"];
  ASSERT_EQ(points.size(), 3u) << s->dump();
  EXPECT_EQ(points[0]["time"], FormatRfc3339(kT0));
  EXPECT_EQ(points[0]["count"], 10);
  EXPECT_EQ(points[0]["errors"], 0);
  EXPECT_NEAR(points[0]["p50"].get<double>(), 10, 0.2);
  EXPECT_EQ(points[1]["count"], 20);
  EXPECT_EQ(points[1]["errors"], 5);
  EXPECT_NEAR(points[1]["p50"].get<double>(), 100, 2);
  EXPECT_NEAR(points[1]["p90"].get<double>(), 300, 6);
  EXPECT_NEAR(points[1]["p99"].get<double>(), 300, 6);
  // A step without requests: zero count, no quantiles (not zero latency).
  EXPECT_EQ(points[2]["count"], 0);
  EXPECT_TRUE(points[2]["p50"].is_null());
  EXPECT_EQ((*s)["truncated"], false);
  EXPECT_EQ((*s)["step_s"], 10);

  // Without an operation: all of the service's requests (the INTERNAL span
  // still does not count).
  auto all = Compute(Request());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["points"][0]["count"], 11);
}

TEST_F(SeriesApiTest, ClientSpansByPeer) {
  std::vector<TestSpan> spans;
  for (uint64_t i = 0; i < 6; ++i) {
    spans.push_back(
        At(kT0 + i * kSecond).Name("GET").Kind(model::SpanKind::kClient).Peer(i % 3 == 0 ? "postgres" : "redis"));
  }
  // A CLIENT span naming no dependency: the analysis does not count it either.
  spans.push_back(At(kT0 + kSecond).Name("GET").Kind(model::SpanKind::kClient));
  Write(spans);
  auto redis = Compute(Request([](SeriesRequest& r) {
    r.operation = "GET";
    r.kind = "CLIENT";
    r.peer = "redis";
  }));
  ASSERT_TRUE(redis.ok());
  EXPECT_EQ((*redis)["points"][0]["count"], 4);
  auto any = Compute(Request([](SeriesRequest& r) {
    r.operation = "GET";
    r.kind = "CLIENT";
  }));
  ASSERT_TRUE(any.ok());
  EXPECT_EQ((*any)["points"][0]["count"], 6);
}

TEST_F(SeriesApiTest, VersionsAreCountedOnceOrApart) {
  std::vector<TestSpan> spans;
  for (uint64_t i = 0; i < 8; ++i) spans.push_back(At(kT0 + i * kSecond).Version(i < 3 ? "1" : "2"));
  Write(spans);
  auto all = Compute(Request());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["points"][0]["count"], 8);
  auto v2 = Compute(Request([](SeriesRequest& r) { r.version = "2"; }));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ((*v2)["points"][0]["count"], 5);
}

TEST_F(SeriesApiTest, PagesThroughSpansThatShareStartTimes) {
  // 3 spans per start time and pages of 7: page boundaries fall inside
  // groups of equal start times.
  std::vector<TestSpan> spans;
  for (uint64_t i = 0; i < 60; ++i) spans.push_back(At(kT0 + (i / 3) * kSecond));
  Write(spans);
  SeriesLimits limits;
  limits.page_spans = 7;
  auto s = Compute(Request(), limits);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["points"][0]["count"], 30);
  EXPECT_EQ((*s)["points"][1]["count"], 30);
  EXPECT_EQ((*s)["spans_read"], 60);
  EXPECT_EQ((*s)["truncated"], false);
}

TEST_F(SeriesApiTest, StopsAtTheSpanBoundAndSaysWhere) {
  std::vector<TestSpan> spans;
  for (uint64_t i = 0; i < 30; ++i) spans.push_back(At(kT0 + i * kSecond));
  Write(spans);
  SeriesLimits limits;
  limits.page_spans = 4;
  limits.max_spans = 15;
  auto s = Compute(Request(), limits);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["truncated"], true);
  EXPECT_EQ((*s)["spans_read"], 15);
  // Spans starting before 14 s were all read: only the first step is whole.
  ASSERT_EQ((*s)["points"].size(), 1u) << s->dump();
  EXPECT_EQ((*s)["points"][0]["count"], 10);
  EXPECT_EQ((*s)["complete_to"], FormatRfc3339(kT0 + 10 * kSecond));
}

TEST_F(SeriesApiTest, RefusesRequestsOutOfBounds) {
  auto code = [&](auto edit) { return Compute(Request(edit)).status().code(); };
  constexpr auto kInvalid = Status::Code::kInvalidArgument;
  EXPECT_EQ(code([](SeriesRequest& r) { r.service = ""; }), kInvalid);
  EXPECT_EQ(code([](SeriesRequest& r) { r.metric = "cpu.usage"; }), kInvalid);
  EXPECT_EQ(code([](SeriesRequest& r) { r.kind = "INTERNAL"; }), kInvalid);
  EXPECT_EQ(code([](SeriesRequest& r) { r.from_ns = r.to_ns; }), kInvalid);
  EXPECT_EQ(code([](SeriesRequest& r) {  // 86400 steps
              r.to_ns = kT0 + 86400 * kSecond;
              r.step_ns = kSecond;
            }),
            kInvalid);
  // Without a step, one is chosen that keeps a day to a few hundred steps.
  auto day = Compute(Request([](SeriesRequest& r) {
    r.to_ns = kT0 + 86400 * kSecond;
    r.step_ns = 0;
  }));
  ASSERT_TRUE(day.ok());
  EXPECT_GE((*day)["points"].size(), 100u);
  EXPECT_LE((*day)["points"].size(), 300u);
}

TEST_F(SeriesApiTest, Route) {
  Write({At(kT0 + kSecond), At(kT0 + 2 * kSecond).Error()});
  auto [status, body] =
      Get("/api/v1/series?service=writer&operation=POST%20%2Fitems&kind=server&metric=span.errors"
          "&step=10s&from=" +
          std::to_string(kT0 / kSecond));
  ASSERT_EQ(status, 200u) << body.dump();
  EXPECT_EQ(body["kind"], "SERVER");
  EXPECT_EQ(body["points"].size(), 3u);  // to: the test's wall clock, 30 s later
  EXPECT_EQ(body["points"][0]["count"], 2);
  EXPECT_EQ(body["points"][0]["errors"], 1);
  EXPECT_EQ(Get("/api/v1/series?service=writer&step=abc").first, 400u);
  EXPECT_EQ(Get("/api/v1/series?step=10").first, 400u);
}

}  // namespace
}  // namespace augur::api
