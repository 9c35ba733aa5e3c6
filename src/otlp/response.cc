// Export responses and error statuses, in protobuf or OTLP JSON.

#include <google/protobuf/util/json_util.h>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/decode.h"

namespace augur::otlp {
namespace {

std::string Serialize(Encoding encoding, const google::protobuf::Message& message) {
  std::string out;
  if (encoding == Encoding::kProtobuf) {
    message.SerializeToString(&out);
  } else {
    // Cannot fail for these messages: they have no Any fields to resolve.
    (void)google::protobuf::util::MessageToJsonString(message, &out);
  }
  return out;
}

// Sets the partial_success of an Export*ServiceResponse; `set_rejected` names
// the signal's count field.
template <typename Response, typename SetRejected>
std::string PartialSuccess(Encoding encoding, int64_t rejected, const std::string& error_message,
                           SetRejected set_rejected) {
  Response response;
  // The specification asks for an unset partial_success on full success, and
  // allows one with only a message as a warning.
  if (rejected != 0 || !error_message.empty()) {
    auto* partial = response.mutable_partial_success();
    set_rejected(partial, rejected);
    partial->set_error_message(error_message);
  }
  return Serialize(encoding, response);
}

}  // namespace

std::string EncodeResponse(Signal signal, Encoding encoding, int64_t rejected, const std::string& error_message) {
  namespace trace = opentelemetry::proto::collector::trace::v1;
  namespace metrics = opentelemetry::proto::collector::metrics::v1;
  namespace logs = opentelemetry::proto::collector::logs::v1;
  switch (signal) {
    case Signal::kTraces:
      return PartialSuccess<trace::ExportTraceServiceResponse>(
          encoding, rejected, error_message,
          [](trace::ExportTracePartialSuccess* p, int64_t n) { p->set_rejected_spans(n); });
    case Signal::kMetrics:
      return PartialSuccess<metrics::ExportMetricsServiceResponse>(
          encoding, rejected, error_message,
          [](metrics::ExportMetricsPartialSuccess* p, int64_t n) { p->set_rejected_data_points(n); });
    case Signal::kLogs:
      return PartialSuccess<logs::ExportLogsServiceResponse>(
          encoding, rejected, error_message,
          [](logs::ExportLogsPartialSuccess* p, int64_t n) { p->set_rejected_log_records(n); });
  }
  return {};
}

std::string EncodeErrorStatus(Encoding encoding, int grpc_code, const std::string& message) {
  google::rpc::Status status;
  status.set_code(grpc_code);
  status.set_message(message);
  return Serialize(encoding, status);
}

}  // namespace augur::otlp
