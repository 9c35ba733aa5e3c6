// otlp_load: OTLP/HTTP trace load generator, driven by `bench/run.sh ingest`.
//
// N keep-alive HTTP/1.1 connections, one thread each, POST
// ExportTraceServiceRequest bodies to /v1/traces until a duration has passed
// or a span count has been sent. The bodies are encoded before the clock
// starts and reused round-robin, each send only refreshing their timestamps
// and ids in place (see "The pool" below) and gzipping them when the request
// goes compressed: the generator shares a small machine with the server under
// test, so it should spend its CPU on sending, not on encoding. A 429 is
// retried after its Retry-After, as the Collector's exporter does; any other
// failure is counted as an error and the batch is dropped.
//
// Prints a key=value summary on stdout, one pair per line; client_prep_cpu_s
// is the time spent refreshing and gzipping bodies.

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/gzip.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace collector = opentelemetry::proto::collector::trace::v1;
namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
using Attributes = google::protobuf::RepeatedPtrField<common::KeyValue>;

struct Options {
  std::string target = "127.0.0.1:4318";
  std::string path = "/v1/traces";
  int connections = 2;
  int batch = 512;
  double duration_s = 20;
  uint64_t max_spans = 0;
  double gzip_share = 0.5;
  int gzip_level = 1;
  int pool = 64;
  uint64_t seed = 1;
  int max_backoff_ms = 1000;
};

// ---------------------------------------------------------------------------
// Request bodies: a small web shop. A frontend serves HTTP requests and calls
// backends over HTTP; backends query PostgreSQL or Redis. Each trace is a tree
// of spans across services, so a batch holds several resources, as one from
// a Collector's batch processor does.

struct Service {
  const char* name;
  const char* version;
  const char* language;
  const char* sdk_version;
  const char* platform;  // cloud.platform; "aws_lambda" services also get faas.* attributes
};

constexpr std::array<Service, 5> kServices = {{
    {"frontend", "2.14.1", "go", "1.28.0", "aws_ecs"},
    {"cart", "1.9.0", "java", "1.40.0", "aws_ecs"},
    {"inventory", "3.2.7", "python", "1.25.0", "aws_ecs"},
    {"checkout", "0.18.3", "nodejs", "1.24.1", "aws_ecs"},
    {"pricing", "5.0.2", "python", "1.25.0", "aws_lambda"},
}};

// An HTTP route served by kServices[service]; the first five are the frontend's.
struct Route {
  size_t service;
  const char* method;
  const char* route;
};

constexpr std::array<Route, 10> kRoutes = {{
    {0, "GET", "/items/{id}"},
    {0, "GET", "/items"},
    {0, "POST", "/cart/items"},
    {0, "GET", "/cart"},
    {0, "POST", "/checkout"},
    {1, "GET", "/carts/{user_id}"},
    {1, "POST", "/carts/{user_id}/items"},
    {2, "GET", "/stock/{sku}"},
    {3, "POST", "/orders"},
    {4, "GET", "/prices/{sku}"},
}};

struct Query {
  const char* system;
  const char* operation;
  const char* table;  // or Redis key prefix
  const char* statement;
};

constexpr std::array<Query, 6> kQueries = {{
    {"postgresql", "SELECT", "items", "SELECT id, name, description, price_cents FROM items WHERE id = $1"},
    {"postgresql", "SELECT", "items",
     "SELECT id, name, price_cents FROM items WHERE category_id = $1 ORDER BY rank LIMIT 50"},
    {"postgresql", "UPDATE", "stock", "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2 AND available >= $1"},
    {"postgresql", "INSERT", "orders", "INSERT INTO orders (user_id, total_cents, created_at) VALUES ($1, $2, now())"},
    {"redis", "GET", "cart", "GET cart:?"},
    {"redis", "HSET", "session", "HSET session:? last_seen ?"},
}};

constexpr std::array<const char*, 5> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "okhttp/4.12.0",
};

constexpr std::array<const char*, 6> kInternalOps = {
    "render item page",   "validate cart",      "compute totals",
    "load feature flags", "serialize response", "apply discounts",
};

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

class BatchBuilder {
 public:
  explicit BatchBuilder(uint64_t seed) : rng_(seed) {
    for (size_t i = 0; i < kServices.size(); ++i) instance_ids_.push_back(RandomHex(16));
  }

  // One request of exactly `spans` spans. Its last trace is cut short when the
  // batch is full, as batches cut traces at arbitrary points in practice too.
  std::string Build(int spans) {
    collector::ExportTraceServiceRequest request;
    request_ = &request;
    scopes_.clear();
    budget_ = spans;
    while (budget_ > 0) AddTrace();
    return request.SerializeAsString();
  }

 private:
  struct SpanRef {
    trace::Span* span = nullptr;
    size_t service = 0;
    std::string trace_id;
    uint64_t start = 0;
    uint64_t end = 0;
  };

  // The ScopeSpans of a service in the request being built, created on first use.
  trace::ScopeSpans* Scope(size_t service) {
    auto it = scopes_.find(service);
    if (it != scopes_.end()) return it->second;
    trace::ResourceSpans* rs = request_->add_resource_spans();
    rs->set_schema_url("https://opentelemetry.io/schemas/1.24.0");
    const Service& s = kServices[service];
    Attributes* attrs = rs->mutable_resource()->mutable_attributes();
    Str(attrs, "service.name", s.name);
    Str(attrs, "service.namespace", "shop");
    Str(attrs, "service.version", s.version);
    Str(attrs, "service.instance.id", instance_ids_[service]);
    Str(attrs, "host.name", std::string("ip-10-0-") + std::to_string(service) + "-17.eu-west-1.compute.internal");
    Str(attrs, "host.arch", "amd64");
    Str(attrs, "os.type", "linux");
    Str(attrs, "telemetry.sdk.name", "opentelemetry");
    Str(attrs, "telemetry.sdk.language", s.language);
    Str(attrs, "telemetry.sdk.version", s.sdk_version);
    Str(attrs, "cloud.provider", "aws");
    Str(attrs, "cloud.region", "eu-west-1");
    Str(attrs, "cloud.platform", s.platform);
    if (std::string_view(s.platform) == "aws_lambda") {
      Str(attrs, "faas.name", std::string(s.name) + "-fn");
      Str(attrs, "faas.version", "$LATEST");
    }
    trace::ScopeSpans* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name(std::string("io.opentelemetry.") + s.language + ".http");
    ss->mutable_scope()->set_version(s.sdk_version);
    scopes_.emplace(service, ss);
    return ss;
  }

  // A span of `service`, child of `parent` (or a root when null), within the
  // parent's time range. False when the batch is full.
  bool NewSpan(size_t service, const SpanRef* parent, SpanRef& out, std::string name, trace::Span::SpanKind kind) {
    if (budget_ == 0) return false;
    --budget_;
    trace::Span* span = Scope(service)->add_spans();
    out.trace_id = parent ? parent->trace_id : RandomBytes(16);
    span->set_trace_id(out.trace_id);
    span->set_span_id(RandomBytes(8));
    out.service = service;
    // W3C "sampled", and "parent is remote" known: true for a server span
    // called by another service.
    span->set_flags(parent && kind == trace::Span::SPAN_KIND_SERVER ? 0x301 : 0x101);
    if (parent) {
      span->set_parent_span_id(parent->span->span_id());
      // Starts in the first quarter of the parent, takes 10-100% of the rest.
      out.start = parent->start + Uniform(0, (parent->end - parent->start) / 4);
      const uint64_t rest = parent->end - out.start;
      out.end = out.start + Uniform(rest / 10, rest);
    } else {
      // Root spans end in the last few seconds and last 1-500 ms, log-uniformly.
      const double dur = std::exp(std::uniform_real_distribution<double>(std::log(1.0), std::log(500.0))(rng_));
      out.end = NowUnixNano() - Uniform(0, 5'000'000'000);
      out.start = out.end - static_cast<uint64_t>(dur * kMilli);
    }
    span->set_name(std::move(name));
    span->set_kind(kind);
    span->set_start_time_unix_nano(out.start);
    span->set_end_time_unix_nano(out.end);
    out.span = span;
    return true;
  }

  void AddTrace() {
    const Route& route = kRoutes[Uniform(0, 4)];  // traces enter through the frontend
    ServerSpan(route, nullptr, 0);
  }

  void ServerSpan(const Route& route, const SpanRef* parent, int depth) {
    SpanRef self;
    if (!NewSpan(route.service, parent, self, std::string(route.method) + " " + route.route,
                 trace::Span::SPAN_KIND_SERVER)) {
      return;
    }
    const bool failed = Chance(0.03);
    const int status = failed ? 500 : (Chance(0.05) ? 404 : 200);
    Attributes* a = self.span->mutable_attributes();
    Str(a, "http.request.method", route.method);
    Str(a, "http.route", route.route);
    Str(a, "url.path", ConcretePath(route.route));
    Str(a, "url.scheme", depth == 0 ? "https" : "http");
    Int(a, "http.response.status_code", status);
    Str(a, "server.address", depth == 0 ? "shop.example.com" : kServices[route.service].name);
    Int(a, "server.port", depth == 0 ? 443 : 8080);
    Str(a, "client.address", RandomIp());
    Str(a, "user_agent.original", depth == 0 ? kUserAgents[Uniform(0, kUserAgents.size() - 1)] : "Go-http-client/1.1");
    Str(a, "network.protocol.version", depth == 0 ? "2" : "1.1");
    if (failed) Fail(self.span, "upstream request failed");

    const int children = static_cast<int>(Uniform(1, depth == 0 ? 4 : 2));
    for (int i = 0; i < children; ++i) {
      const uint64_t pick = Uniform(0, 9);
      if (pick < 4) {
        DbSpan(route.service, self);
      } else if (pick < 6) {
        InternalSpan(route.service, self);
      } else if (depth < 2) {
        HttpClientSpan(self, depth);
      }
    }
  }

  void HttpClientSpan(const SpanRef& parent, int depth) {
    const Route& callee = kRoutes[Uniform(5, kRoutes.size() - 1)];
    SpanRef self;
    if (!NewSpan(parent.service, &parent, self, callee.method, trace::Span::SPAN_KIND_CLIENT)) return;
    const bool failed = Chance(0.02);
    const std::string host = kServices[callee.service].name;
    Attributes* a = self.span->mutable_attributes();
    Str(a, "http.request.method", callee.method);
    Str(a, "url.full", "http://" + host + ":8080" + ConcretePath(callee.route));
    Str(a, "server.address", host);
    Int(a, "server.port", 8080);
    Int(a, "http.response.status_code", failed ? 503 : 200);
    Str(a, "network.protocol.version", "1.1");
    Str(a, "network.peer.address", RandomIp());
    Int(a, "network.peer.port", 8080);
    if (failed) Fail(self.span, "503 Service Unavailable");
    ServerSpan(callee, &self, depth + 1);
  }

  void DbSpan(size_t service, const SpanRef& parent) {
    const Query& q = kQueries[Uniform(0, kQueries.size() - 1)];
    const bool redis = std::string_view(q.system) == "redis";
    SpanRef self;
    if (!NewSpan(service, &parent, self,
                 redis ? std::string(q.operation) : std::string(q.operation) + " shop." + q.table,
                 trace::Span::SPAN_KIND_CLIENT)) {
      return;
    }
    Attributes* a = self.span->mutable_attributes();
    Str(a, "db.system", q.system);
    Str(a, "db.namespace", redis ? "0" : "shop");
    Str(a, "db.operation.name", q.operation);
    Str(a, "db.collection.name", q.table);
    Str(a, "db.statement", q.statement);
    Str(a, "server.address", redis ? "cache-1.internal" : "db-1.internal");
    Int(a, "server.port", redis ? 6379 : 5432);
    Str(a, "network.peer.address", RandomIp());
    Int(a, "thread.id", static_cast<int64_t>(Uniform(1, 64)));
    if (Chance(0.01)) Fail(self.span, "canceling statement due to statement timeout");
  }

  void InternalSpan(size_t service, const SpanRef& parent) {
    const char* op = kInternalOps[Uniform(0, kInternalOps.size() - 1)];
    SpanRef self;
    if (!NewSpan(service, &parent, self, op, trace::Span::SPAN_KIND_INTERNAL)) return;
    Attributes* a = self.span->mutable_attributes();
    Str(a, "code.function", "handle");
    Str(a, "code.namespace", std::string("shop.") + kServices[service].name + ".handlers");
    Str(a, "code.filepath", std::string("/app/") + kServices[service].name + "/handlers.py");
    Int(a, "code.lineno", static_cast<int64_t>(Uniform(20, 900)));
    Int(a, "thread.id", static_cast<int64_t>(Uniform(1, 64)));
    Str(a, "thread.name", "worker-" + std::to_string(Uniform(1, 16)));
    Int(a, "app.items.count", static_cast<int64_t>(Uniform(0, 50)));
    Bool(a, "app.cache.hit", Chance(0.7));
  }

  // Status ERROR and an "exception" event, as SDKs record a failed operation.
  void Fail(trace::Span* span, const std::string& message) {
    span->mutable_status()->set_code(trace::Status::STATUS_CODE_ERROR);
    span->mutable_status()->set_message(message);
    trace::Span::Event* e = span->add_events();
    e->set_time_unix_nano(span->end_time_unix_nano() -
                          Uniform(0, span->end_time_unix_nano() - span->start_time_unix_nano()));
    e->set_name("exception");
    Str(e->mutable_attributes(), "exception.type", "shop.UpstreamError");
    Str(e->mutable_attributes(), "exception.message", message);
    Str(e->mutable_attributes(), "exception.stacktrace",
        "shop.UpstreamError: " + message +
            "\n  at handle (/app/handlers.py:212)\n  at dispatch (/app/server.py:88)\n  at serve (/app/server.py:41)");
  }

  std::string ConcretePath(std::string_view route) {
    std::string out;
    for (size_t i = 0; i < route.size(); ++i) {
      if (route[i] != '{') {
        out += route[i];
        continue;
      }
      i = route.find('}', i);
      out += std::to_string(Uniform(1000, 999999));
    }
    return out;
  }

  static void Str(Attributes* attrs, std::string key, std::string value) {
    common::KeyValue* kv = attrs->Add();
    kv->set_key(std::move(key));
    kv->mutable_value()->set_string_value(std::move(value));
  }
  static void Int(Attributes* attrs, std::string key, int64_t value) {
    common::KeyValue* kv = attrs->Add();
    kv->set_key(std::move(key));
    kv->mutable_value()->set_int_value(value);
  }
  static void Bool(Attributes* attrs, std::string key, bool value) {
    common::KeyValue* kv = attrs->Add();
    kv->set_key(std::move(key));
    kv->mutable_value()->set_bool_value(value);
  }

  uint64_t Uniform(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::string RandomBytes(size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng_());
    out[0] |= 1;  // never all zero, which OTLP forbids
    return out;
  }
  std::string RandomHex(size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (char c : RandomBytes(n)) {
      out += kDigits[(static_cast<unsigned char>(c) >> 4)];
      out += kDigits[c & 0xf];
    }
    return out;
  }
  std::string RandomIp() {
    return "10." + std::to_string(Uniform(0, 3)) + "." + std::to_string(Uniform(0, 255)) + "." +
           std::to_string(Uniform(1, 254));
  }

  static constexpr uint64_t kMilli = 1'000'000;

  std::mt19937_64 rng_;
  std::vector<std::string> instance_ids_;
  collector::ExportTraceServiceRequest* request_ = nullptr;
  std::unordered_map<size_t, trace::ScopeSpans*> scopes_;
  int budget_ = 0;
};

// ---------------------------------------------------------------------------
// The pool. Replaying bodies verbatim would show the server the same span ids
// and timestamps again and again: its time indexes would take inserts at
// random old positions instead of at the "now" end, and trace lookups would
// find ever-growing traces. So each send patches a copy in place: timestamps
// move by the time elapsed since the pool was built, and ids are XORed with the
// request number (consistently, so parent links hold). Only gzip then costs
// the generator real work, once per gzipped request.

// Offsets of what each send patches in a serialized request.
struct Patches {
  std::vector<uint32_t> times;      // fixed64 span start/end and event times
  std::vector<uint32_t> trace_ids;  // 16 bytes
  std::vector<uint32_t> span_ids;   // 8 bytes: span and parent span ids
};

// Walks the protobuf wire format of an ExportTraceServiceRequest as far as
// needed (request > resource_spans > scope_spans > spans > events) and records
// the offsets of the fields above.
class PatchFinder {
 public:
  explicit PatchFinder(std::string_view body) : body_(body) {}

  Patches Find() {
    Message(0, body_.size(), Level::kRequest);
    return std::move(patches_);
  }

 private:
  enum class Level { kRequest, kResourceSpans, kScopeSpans, kSpan, kEvent };

  uint64_t Varint(size_t& pos) const {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto byte = static_cast<uint8_t>(body_.at(pos++));
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
  }

  void Message(size_t pos, size_t end, Level level) {
    while (pos < end) {
      const uint64_t tag = Varint(pos);
      const uint64_t field = tag >> 3;
      switch (tag & 7) {
        case 0: Varint(pos); break;
        case 1:  // fixed64
          if ((level == Level::kSpan && (field == 7 || field == 8)) || (level == Level::kEvent && field == 1)) {
            patches_.times.push_back(static_cast<uint32_t>(pos));
          }
          pos += 8;
          break;
        case 2: {
          const size_t len = Varint(pos);
          Child(pos, len, level, field);
          pos += len;
          break;
        }
        case 5: pos += 4; break;  // fixed32
        default: throw std::runtime_error("unexpected wire type in a generated request");
      }
    }
  }

  void Child(size_t pos, size_t len, Level level, uint64_t field) {
    const auto at = static_cast<uint32_t>(pos);
    switch (level) {
      case Level::kRequest:
        if (field == 1) Message(pos, pos + len, Level::kResourceSpans);
        break;
      case Level::kResourceSpans:
        if (field == 2) Message(pos, pos + len, Level::kScopeSpans);
        break;
      case Level::kScopeSpans:
        if (field == 2) Message(pos, pos + len, Level::kSpan);
        break;
      case Level::kSpan:
        if (field == 1 && len == 16) patches_.trace_ids.push_back(at);
        if ((field == 2 || field == 4) && len == 8) patches_.span_ids.push_back(at);
        if (field == 11) Message(pos, pos + len, Level::kEvent);
        break;
      case Level::kEvent: break;
    }
  }

  std::string_view body_;
  Patches patches_;
};

static_assert(std::endian::native == std::endian::little, "fixed64 fields are patched in place as host integers");

void Patch(std::string& body, const Patches& patches, uint64_t time_shift, uint64_t id_key) {
  for (uint32_t at : patches.times) {
    uint64_t t;
    std::memcpy(&t, body.data() + at, 8);
    t += time_shift;
    std::memcpy(body.data() + at, &t, 8);
  }
  auto xor8 = [&](uint32_t at) {
    uint64_t id;
    std::memcpy(&id, body.data() + at, 8);
    id ^= id_key;
    std::memcpy(body.data() + at, &id, 8);
  };
  for (uint32_t at : patches.trace_ids) xor8(at + 8);  // the low half: the high half stays as generated
  for (uint32_t at : patches.span_ids) xor8(at);
}

struct Pool {
  std::vector<std::string> bodies;
  std::vector<Patches> patches;
  uint64_t built_unix_nano = 0;  // the "now" the bodies' timestamps were generated around
};

Pool BuildPool(const Options& o) {
  Pool pool;
  BatchBuilder builder(o.seed);
  pool.built_unix_nano = NowUnixNano();
  for (int i = 0; i < o.pool; ++i) {
    pool.bodies.push_back(builder.Build(o.batch));
    pool.patches.push_back(PatchFinder(pool.bodies.back()).Find());
  }
  return pool;
}

// Spreads gzip requests evenly: request i is gzipped when the running count
// floor(i * share) steps up, so any window of requests has the asked share.
bool UseGzip(uint64_t i, double share) {
  return std::floor(static_cast<double>(i + 1) * share) > std::floor(static_cast<double>(i) * share);
}

// ---------------------------------------------------------------------------
// Sending.

struct Reply {
  int status = 0;  // 0: the connection failed
  int64_t rejected_spans = 0;
  std::chrono::milliseconds retry_after{-1};  // -1: no Retry-After header
};

// One keep-alive HTTP/1.1 connection, reopened after a failure or a
// "Connection: close".
class Connection {
 public:
  explicit Connection(tcp::resolver::results_type endpoints) : endpoints_(std::move(endpoints)), stream_(ioc_) {}

  Reply Post(http::request<http::span_body<const char>>& req) {
    Reply reply;
    beast::error_code ec;
    if (!open_) {
      stream_.expires_after(std::chrono::seconds(10));
      stream_.connect(endpoints_, ec);
      if (ec) return Fail(ec);
      stream_.socket().set_option(tcp::no_delay(true));
      open_ = true;
    }
    stream_.expires_after(std::chrono::seconds(60));
    http::write(stream_, req, ec);
    if (ec) return Fail(ec);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res, ec);
    if (ec) return Fail(ec);
    reply.status = res.result_int();
    if (reply.status == 200 && !res.body().empty()) {
      collector::ExportTraceServiceResponse body;
      if (body.ParseFromString(res.body())) reply.rejected_spans = body.partial_success().rejected_spans();
    }
    if (auto it = res.find(http::field::retry_after); it != res.end()) {
      // Only the delta-seconds form; augur does not send HTTP dates.
      reply.retry_after = std::chrono::seconds(std::atoll(std::string(it->value()).c_str()));
    }
    if (!res.keep_alive()) Close();
    return reply;
  }

  const std::string& last_error() const { return last_error_; }

 private:
  Reply Fail(const beast::error_code& ec) {
    last_error_ = ec.message();
    Close();
    return Reply{};
  }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    open_ = false;
  }

  tcp::resolver::results_type endpoints_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  std::string last_error_;
};

struct Stats {
  uint64_t requests = 0;  // export requests, each counted once however often retried
  uint64_t gzip_requests = 0;
  uint64_t attempts = 0;
  uint64_t retries = 0;    // 429 answers
  uint64_t errors = 0;     // other answers and failed connections; the batch is dropped
  uint64_t abandoned = 0;  // batches still being retried after 429s when the run ended
  uint64_t spans_sent = 0;
  uint64_t spans_accepted = 0;
  uint64_t bytes_sent = 0;
  std::vector<uint32_t> rtt_us;     // round trip of each accepted attempt
  std::vector<uint32_t> export_us;  // accepted exports, from the first attempt to the 200, backoff included
  uint64_t body_bytes_plain = 0;    // of the requests sent plain
  uint64_t body_bytes_gzip = 0;     // of the requests sent gzipped
  Clock::duration prep{};           // patching and gzipping bodies
  std::string first_error;
};

struct Shared {
  std::atomic<uint64_t> next_request{0};
  uint64_t max_requests = UINT64_MAX;
  Clock::time_point deadline;
};

uint32_t Micros(Clock::duration d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

void RunConnection(const Options& o, const Pool& pool, const tcp::resolver::results_type& endpoints, Shared& shared,
                   Stats& st) {
  Connection conn(endpoints);
  http::request<http::span_body<const char>> req{http::verb::post, o.path, 11};
  req.set(http::field::host, o.target);
  req.set(http::field::user_agent, "augur-otlp-load");
  req.set(http::field::content_type, "application/x-protobuf");
  req.keep_alive(true);
  std::string plain, compressed;  // this request's body, reused across requests

  for (;;) {
    const uint64_t i = shared.next_request.fetch_add(1, std::memory_order_relaxed);
    if (i >= shared.max_requests || Clock::now() >= shared.deadline) return;
    const bool gzip = UseGzip(i, o.gzip_share);
    const Clock::time_point prep_start = Clock::now();
    const size_t k = i % pool.bodies.size();
    plain = pool.bodies[k];
    Patch(plain, pool.patches[k], NowUnixNano() - pool.built_unix_nano, i + 1);
    if (gzip) compressed = augur::GzipCompress(plain, o.gzip_level);
    const std::string& body = gzip ? compressed : plain;
    st.prep += Clock::now() - prep_start;
    req.body() = {body.data(), body.size()};
    if (gzip) {
      req.set(http::field::content_encoding, "gzip");
    } else {
      req.erase(http::field::content_encoding);
    }
    req.prepare_payload();
    ++st.requests;
    st.gzip_requests += gzip;
    (gzip ? st.body_bytes_gzip : st.body_bytes_plain) += body.size();
    st.spans_sent += static_cast<uint64_t>(o.batch);

    const Clock::time_point first = Clock::now();
    for (int failures_429 = 0;; ++failures_429) {
      const Clock::time_point t0 = Clock::now();
      const Reply r = conn.Post(req);
      const Clock::time_point t1 = Clock::now();
      ++st.attempts;
      st.bytes_sent += body.size();
      if (r.status == 200) {
        st.spans_accepted += static_cast<uint64_t>(o.batch - r.rejected_spans);
        st.rtt_us.push_back(Micros(t1 - t0));
        st.export_us.push_back(Micros(t1 - first));
        break;
      }
      if (r.status != 429) {
        ++st.errors;
        if (st.first_error.empty()) {
          st.first_error = r.status == 0 ? conn.last_error() : "HTTP " + std::to_string(r.status);
        }
        // Don't spin on a refused connection.
        if (r.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        break;
      }
      ++st.retries;
      // Retry-After when given, else exponential backoff from 10 ms; capped.
      std::chrono::milliseconds delay =
          r.retry_after.count() > 0 ? r.retry_after : std::chrono::milliseconds(10 << std::min(failures_429, 10));
      delay = std::min(delay, std::chrono::milliseconds(o.max_backoff_ms));
      if (t1 + delay >= shared.deadline) {
        ++st.abandoned;  // the run ends before the retry could go out
        break;
      }
      std::this_thread::sleep_for(delay);
    }
  }
}

double PercentileMs(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"OTLP/HTTP trace load generator: replays pre-built span batches over keep-alive connections"};
  app.add_option("--target", o.target, "HOST:PORT of the OTLP/HTTP receiver")->capture_default_str();
  app.add_option("--path", o.path, "request path")->capture_default_str();
  app.add_option("-c,--connections", o.connections, "connections, one thread each")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("-b,--batch", o.batch, "spans per request")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app.add_option("-d,--duration", o.duration_s, "seconds to send for")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("-n,--spans", o.max_spans, "stop after this many spans (0: no limit; the duration still applies)")
      ->capture_default_str();
  app.add_option("--gzip", o.gzip_share, "share of requests sent gzip-compressed, 0..1")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--gzip-level", o.gzip_level, "zlib level for gzipped requests (1: fastest, as the Collector sends)")
      ->capture_default_str()
      ->check(CLI::Range(1, 9));
  app.add_option("--pool", o.pool, "request bodies built before the clock starts; each send patches times and ids")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", o.seed, "random seed of the bodies")->capture_default_str();
  app.add_option("--max-backoff-ms", o.max_backoff_ms, "cap on the wait before retrying a 429")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  const size_t colon = o.target.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "otlp_load: --target must be HOST:PORT\n";
    return 2;
  }
  tcp::resolver::results_type endpoints;
  try {
    net::io_context ioc;
    endpoints = tcp::resolver(ioc).resolve(o.target.substr(0, colon), o.target.substr(colon + 1));
  } catch (const std::exception& e) {
    std::cerr << "otlp_load: cannot resolve " << o.target << ": " << e.what() << "\n";
    return 2;
  }

  const Pool pool = BuildPool(o);

  Shared shared;
  if (o.max_spans > 0) shared.max_requests = (o.max_spans + static_cast<uint64_t>(o.batch) - 1) / o.batch;
  std::vector<Stats> stats(static_cast<size_t>(o.connections));
  const Clock::time_point start = Clock::now();
  shared.deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  {
    std::vector<std::jthread> threads;
    for (Stats& st : stats) {
      threads.emplace_back([&o, &pool, &endpoints, &shared, &st] { RunConnection(o, pool, endpoints, shared, st); });
    }
  }  // joins
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  Stats total;
  for (Stats& st : stats) {
    total.requests += st.requests;
    total.gzip_requests += st.gzip_requests;
    total.attempts += st.attempts;
    total.retries += st.retries;
    total.errors += st.errors;
    total.abandoned += st.abandoned;
    total.spans_sent += st.spans_sent;
    total.spans_accepted += st.spans_accepted;
    total.bytes_sent += st.bytes_sent;
    total.body_bytes_plain += st.body_bytes_plain;
    total.body_bytes_gzip += st.body_bytes_gzip;
    total.prep += st.prep;
    total.rtt_us.insert(total.rtt_us.end(), st.rtt_us.begin(), st.rtt_us.end());
    total.export_us.insert(total.export_us.end(), st.export_us.begin(), st.export_us.end());
    if (total.first_error.empty()) total.first_error = st.first_error;
  }

  std::printf("target=%s\n", o.target.c_str());
  std::printf("connections=%d\n", o.connections);
  std::printf("batch_spans=%d\n", o.batch);
  std::printf("pool_bodies=%d\n", o.pool);
  const uint64_t gzip_requests = total.gzip_requests, plain_requests = total.requests - gzip_requests;
  std::printf("body_bytes_plain=%.0f\n",
              plain_requests ? static_cast<double>(total.body_bytes_plain) / plain_requests : 0.0);
  std::printf("body_bytes_gzip=%.0f\n",
              gzip_requests ? static_cast<double>(total.body_bytes_gzip) / gzip_requests : 0.0);
  std::printf("gzip_share=%.3f\n",
              total.requests ? static_cast<double>(total.gzip_requests) / static_cast<double>(total.requests) : 0.0);
  std::printf("duration_s=%.3f\n", elapsed);
  std::printf("requests=%llu\n", static_cast<unsigned long long>(total.requests));
  std::printf("attempts=%llu\n", static_cast<unsigned long long>(total.attempts));
  std::printf("retries=%llu\n", static_cast<unsigned long long>(total.retries));
  std::printf("errors=%llu\n", static_cast<unsigned long long>(total.errors));
  std::printf("abandoned=%llu\n", static_cast<unsigned long long>(total.abandoned));
  std::printf("spans_sent=%llu\n", static_cast<unsigned long long>(total.spans_sent));
  std::printf("spans_accepted=%llu\n", static_cast<unsigned long long>(total.spans_accepted));
  std::printf("spans_per_s=%.0f\n", static_cast<double>(total.spans_accepted) / elapsed);
  std::printf("mb_sent_per_s=%.1f\n", static_cast<double>(total.bytes_sent) / elapsed / 1e6);
  std::printf("client_prep_cpu_s=%.2f\n", std::chrono::duration<double>(total.prep).count());
  std::printf("p50_ms=%.2f\n", PercentileMs(total.rtt_us, 0.50));
  std::printf("p99_ms=%.2f\n", PercentileMs(total.rtt_us, 0.99));
  std::printf("max_ms=%.2f\n", PercentileMs(total.rtt_us, 1.0));
  std::printf("export_p99_ms=%.2f\n", PercentileMs(total.export_us, 0.99));
  if (!total.first_error.empty()) std::printf("first_error=%s\n", total.first_error.c_str());
  return total.spans_accepted > 0 ? 0 : 1;
}
