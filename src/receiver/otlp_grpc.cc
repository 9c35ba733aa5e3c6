#include "receiver/otlp_grpc.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "otlp/decode.h"

namespace augur::receiver {
namespace {

namespace trace_v1 = opentelemetry::proto::collector::trace::v1;
namespace metrics_v1 = opentelemetry::proto::collector::metrics::v1;
namespace logs_v1 = opentelemetry::proto::collector::logs::v1;

grpc::Status ToGrpc(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return grpc::Status::OK;
    case Status::Code::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, s.message()};
    case Status::Code::kResourceExhausted: return {grpc::StatusCode::RESOURCE_EXHAUSTED, s.message()};
    case Status::Code::kUnauthenticated: return {grpc::StatusCode::UNAUTHENTICATED, s.message()};
    case Status::Code::kTooLarge: return {grpc::StatusCode::RESOURCE_EXHAUSTED, s.message()};
    case Status::Code::kUnsupported: return {grpc::StatusCode::UNIMPLEMENTED, s.message()};
    case Status::Code::kNotFound: return {grpc::StatusCode::NOT_FOUND, s.message()};
    default: return {grpc::StatusCode::UNAVAILABLE, s.message()};
  }
}

// Finishes a call and records its latency and status code.
class MeasuredCall {
 public:
  MeasuredCall(grpc::ServerUnaryReactor* reactor, selfmon::Registry* metrics, otlp::Signal signal)
      : reactor_(reactor), metrics_(metrics), signal_(signal), start_(std::chrono::steady_clock::now()) {}
  // Deletes itself: exactly one Finish per call.
  void Finish(grpc::Status status) {
    const selfmon::Labels labels = {{"signal", otlp::SignalName(signal_)}};
    metrics_
        ->GetHistogram("augur_grpc_request_duration_seconds", "Time from OTLP/gRPC request to answer.", labels,
                       selfmon::LatencyBuckets())
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    selfmon::Labels with_code = labels;
    with_code.emplace_back("code", CodeLabel(status.error_code()));
    metrics_->GetCounter("augur_grpc_requests_total", "OTLP/gRPC requests answered.", with_code).Increment();
    reactor_->Finish(std::move(status));
    delete this;
  }

 private:
  static const char* CodeLabel(grpc::StatusCode code) {
    switch (code) {
      case grpc::StatusCode::OK: return "OK";
      case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
      case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
      case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
      case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
      default: return "OTHER";
    }
  }
  grpc::ServerUnaryReactor* reactor_;
  selfmon::Registry* metrics_;
  otlp::Signal signal_;
  std::chrono::steady_clock::time_point start_;
};

// Shared by the three services. The services take raw bytes (gRPC's raw
// callback API) rather than parsed messages: augur decodes them itself, so a
// malformed message gets INVALID_ARGUMENT with a message saying what was
// wrong, takes the same path as OTLP/HTTP protobuf, and no thread blocks while
// the batch is written.
class Exporter {
 public:
  Exporter(ingest::Pipeline* pipeline, selfmon::Registry* metrics, std::string token)
      : pipeline_(pipeline), metrics_(metrics), token_(std::move(token)) {}

  grpc::ServerUnaryReactor* Export(otlp::Signal signal, grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    auto* call = new MeasuredCall(reactor, metrics_, signal);
    if (!token_.empty()) {
      const auto& md = context->client_metadata();
      const auto it = md.find("authorization");
      if (it == md.end() || std::string_view(it->second.data(), it->second.size()) != "Bearer " + token_) {
        call->Finish({grpc::StatusCode::UNAUTHENTICATED, "missing or wrong bearer token"});
        return reactor;
      }
    }
    std::vector<grpc::Slice> slices;
    if (!request->Dump(&slices).ok()) {
      call->Finish({grpc::StatusCode::INTERNAL, "cannot read the request"});
      return reactor;
    }
    std::string body;
    body.reserve(request->Length());
    for (const auto& slice : slices) body.append(reinterpret_cast<const char*>(slice.begin()), slice.size());

    auto decoded = otlp::Decode(signal, otlp::Encoding::kProtobuf, body);
    if (!decoded.ok()) {
      call->Finish(ToGrpc(decoded.status()));
      return reactor;
    }
    pipeline_->RejectFutureItems(&decoded.value());
    const int64_t rejected = decoded->rejected;
    auto message = std::make_shared<std::string>(std::move(decoded->error_message));
    const Status submitted = pipeline_->Submit(signal, ingest::Protocol::kGrpc, std::move(decoded.value()),
                                               [signal, rejected, message, call, response](const Status& written) {
                                                 if (!written.ok()) return call->Finish(ToGrpc(written));
                                                 const std::string encoded = otlp::EncodeResponse(
                                                     signal, otlp::Encoding::kProtobuf, rejected, *message);
                                                 grpc::Slice slice(encoded);
                                                 *response = grpc::ByteBuffer(&slice, 1);
                                                 call->Finish(grpc::Status::OK);
                                               });
    if (!submitted.ok()) call->Finish(ToGrpc(submitted));
    return reactor;
  }

 private:
  ingest::Pipeline* pipeline_;
  selfmon::Registry* metrics_;
  const std::string token_;
};

template <typename Base>
class RawService final : public Base {
 public:
  RawService(Exporter* e, otlp::Signal signal) : exporter_(e), signal_(signal) {}
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* req,
                                   grpc::ByteBuffer* resp) override {
    return exporter_->Export(signal_, ctx, req, resp);
  }

 private:
  Exporter* exporter_;
  otlp::Signal signal_;
};

using TraceService = RawService<trace_v1::TraceService::WithRawCallbackMethod_Export<trace_v1::TraceService::Service>>;
using MetricsService =
    RawService<metrics_v1::MetricsService::WithRawCallbackMethod_Export<metrics_v1::MetricsService::Service>>;
using LogsService = RawService<logs_v1::LogsService::WithRawCallbackMethod_Export<logs_v1::LogsService::Service>>;

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

class GrpcReceiver::Impl {
 public:
  Impl(GrpcReceiverOptions options, ingest::Pipeline* pipeline, selfmon::Registry* metrics)
      : options_(std::move(options)),
        exporter_(pipeline, metrics, options_.bearer_token),
        traces_(&exporter_, otlp::Signal::kTraces),
        metrics_(&exporter_, otlp::Signal::kMetrics),
        logs_(&exporter_, otlp::Signal::kLogs) {}

  GrpcReceiverOptions options_;
  Exporter exporter_;
  TraceService traces_;
  MetricsService metrics_;
  LogsService logs_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

GrpcReceiver::GrpcReceiver(GrpcReceiverOptions options, ingest::Pipeline* pipeline, selfmon::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, metrics)) {}

GrpcReceiver::~GrpcReceiver() {
  Shutdown();
}

Status GrpcReceiver::Start() {
  const GrpcReceiverOptions& o = impl_->options_;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return Status::InvalidArgument("otlp_grpc: TLS needs both a certificate and a key file");
    }
    auto cert = ReadFile(o.tls_cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(o.tls_key_file);
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which would let a second augur share
  // the port silently; a taken port must be an error, as it is for HTTP.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(o.address, credentials, &impl_->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(o.max_message_bytes));
  // Bounds gRPC's own memory for connections and in-flight messages.
  grpc::ResourceQuota quota("augur_otlp_grpc");
  quota.Resize(o.max_memory_bytes);
  quota.SetMaxThreads(o.max_threads);
  builder.SetResourceQuota(quota);
  builder.RegisterService(&impl_->traces_);
  builder.RegisterService(&impl_->metrics_);
  builder.RegisterService(&impl_->logs_);
  impl_->server_ = builder.BuildAndStart();
  if (!impl_->server_ || impl_->port_ == 0) {
    impl_->server_.reset();
    return Status::IOError("otlp_grpc: cannot listen on " + o.address);
  }
  return Status::OK();
}

int GrpcReceiver::port() const {
  return impl_->port_;
}

void GrpcReceiver::Shutdown() {
  if (impl_->server_) {
    impl_->server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    impl_->server_.reset();
  }
}

}  // namespace augur::receiver
