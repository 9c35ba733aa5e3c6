// The OTLP/gRPC receiver: the trace, metrics and logs Export services.
//
// Each Export decodes the request, queues it, and answers once the batch is
// durable: OK (with partial_success when items were rejected),
// INVALID_ARGUMENT when nothing valid could be read, RESOURCE_EXHAUSTED when
// the queue is full (clients retry with backoff, as OTLP says), UNAVAILABLE
// when storage fails, UNAUTHENTICATED without the configured bearer token.
// gRPC itself handles gzip and enforces the message size limit, which it
// checks after decompression.
//
// Threads: gRPC's callback API; a call holds no thread while its batch waits
// to be written, and is finished from the pipeline's writer thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "ingest/pipeline.h"
#include "selfmon/metrics.h"

namespace augur::receiver {

struct GrpcReceiverOptions {
  std::string address = "127.0.0.1:4317";  // port 0 picks a free port
  size_t max_message_bytes = 20u << 20;
  std::string bearer_token;   // empty: no authentication
  std::string tls_cert_file;  // PEM; TLS is on when both files are set
  std::string tls_key_file;
  int max_threads = 8;
  size_t max_memory_bytes = 256u << 20;
};

class GrpcReceiver {
 public:
  // `pipeline` and `metrics` must outlive the receiver.
  GrpcReceiver(GrpcReceiverOptions options, ingest::Pipeline* pipeline, selfmon::Registry* metrics);
  ~GrpcReceiver();

  Status Start();
  // The port actually bound (after Start()).
  int port() const;
  // Refuses new calls and waits (up to a few seconds) for calls in flight.
  void Shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::receiver
