// The OTLP/HTTP receiver: POST /v1/traces, /v1/metrics and /v1/logs.
//
// Follows the OTLP/HTTP specification: application/x-protobuf and
// application/json bodies, optionally gzip- (or deflate-) compressed; 200 with
// an Export*ServiceResponse (partial_success when items were rejected); 400
// with a google.rpc.Status saying what was malformed; 413 over the body limit
// (checked again after decompression, so a gzip bomb costs at most the limit);
// 415 for other content types or encodings; 429 with Retry-After when the
// ingest queue is full; 503 with Retry-After when storage fails. The answer
// is sent once the batch is durable.
//
// Threads: handlers run on the HTTP server's threads (decoding happens
// there) and reply from the pipeline's writer thread.
#pragma once

#include <cstddef>

#include "http/server.h"
#include "ingest/pipeline.h"

namespace augur::receiver {

void RegisterOtlpHttpRoutes(http::Server* server, ingest::Pipeline* pipeline, size_t max_body_bytes);

}  // namespace augur::receiver
