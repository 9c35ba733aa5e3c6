#include "receiver/otlp_http.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/gzip.h"
#include "otlp/decode.h"

namespace augur::receiver {
namespace {

// gRPC status codes used in google.rpc.Status bodies.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcUnimplemented = 12;
constexpr int kGrpcUnavailable = 14;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The media type without parameters: "application/json; charset=utf-8" → "application/json".
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  return Lower(t);
}

const char* ContentType(otlp::Encoding e) {
  return e == otlp::Encoding::kJson ? "application/json" : "application/x-protobuf";
}

http::Response StatusResponse(otlp::Encoding encoding, const Status& status) {
  http::Response r;
  r.status = http::HttpStatusFor(status.code());
  r.content_type = ContentType(encoding);
  int grpc_code = kGrpcInvalidArgument;
  switch (status.code()) {
    case Status::Code::kResourceExhausted: grpc_code = kGrpcResourceExhausted; break;
    case Status::Code::kUnsupported: grpc_code = kGrpcUnimplemented; break;
    case Status::Code::kUnavailable: grpc_code = kGrpcUnavailable; break;
    default: break;
  }
  r.body = otlp::EncodeErrorStatus(encoding, grpc_code, status.message());
  if (status.code() == Status::Code::kResourceExhausted || status.code() == Status::Code::kUnavailable) {
    // The queue drains in well under a second at full speed; one second keeps clients from spinning.
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

void HandleExport(otlp::Signal signal, ingest::Pipeline* pipeline, size_t max_body_bytes, http::Request& request,
                  http::Reply reply) {
  const std::string media_type = MediaType(request.Header("content-type"));
  otlp::Encoding encoding;
  if (media_type == "application/x-protobuf") {
    encoding = otlp::Encoding::kProtobuf;
  } else if (media_type == "application/json") {
    encoding = otlp::Encoding::kJson;
  } else {
    return reply(
        StatusResponse(otlp::Encoding::kJson,
                       Status::Unsupported("unsupported content type '" + std::string(request.Header("content-type")) +
                                           "'; OTLP/HTTP takes application/x-protobuf or application/json")));
  }

  std::string decompressed;
  std::string_view body = request.body;
  const std::string content_encoding = Lower(request.Header("content-encoding"));
  if (content_encoding == "gzip" || content_encoding == "deflate") {
    auto inflated = GunzipBounded(request.body, max_body_bytes);
    if (!inflated.ok()) return reply(StatusResponse(encoding, inflated.status()));
    decompressed = std::move(inflated.value());
    body = decompressed;
  } else if (!content_encoding.empty() && content_encoding != "identity") {
    return reply(StatusResponse(
        encoding, Status::Unsupported("unsupported content encoding '" + content_encoding + "'; use gzip or none")));
  }

  auto decoded = otlp::Decode(signal, encoding, body);
  if (!decoded.ok()) return reply(StatusResponse(encoding, decoded.status()));
  pipeline->RejectFutureItems(&decoded.value());
  const int64_t rejected = decoded->rejected;
  auto message = std::make_shared<std::string>(std::move(decoded->error_message));
  // The reply is needed both by the write's callback and, if the queue refuses, right here.
  auto shared_reply = std::make_shared<http::Reply>(std::move(reply));
  const Status submitted = pipeline->Submit(signal, ingest::Protocol::kHttp, std::move(decoded.value()),
                                            [signal, encoding, rejected, message, shared_reply](const Status& written) {
                                              if (!written.ok())
                                                return (*shared_reply)(StatusResponse(encoding, written));
                                              http::Response r;
                                              r.content_type = ContentType(encoding);
                                              r.body = otlp::EncodeResponse(signal, encoding, rejected, *message);
                                              (*shared_reply)(std::move(r));
                                            });
  if (!submitted.ok()) (*shared_reply)(StatusResponse(encoding, submitted));
}

}  // namespace

void RegisterOtlpHttpRoutes(http::Server* server, ingest::Pipeline* pipeline, size_t max_body_bytes) {
  const std::pair<const char*, otlp::Signal> routes[] = {{"/v1/traces", otlp::Signal::kTraces},
                                                         {"/v1/metrics", otlp::Signal::kMetrics},
                                                         {"/v1/logs", otlp::Signal::kLogs}};
  for (const auto& [path, signal] : routes) {
    server->Route("POST", path, [signal, pipeline, max_body_bytes](http::Request& request, http::Reply reply) {
      HandleExport(signal, pipeline, max_body_bytes, request, std::move(reply));
    });
  }
}

}  // namespace augur::receiver
