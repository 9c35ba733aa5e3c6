// `augur serve`: wires the components together and runs until SIGINT/SIGTERM.
//
//   OTLP/gRPC receiver ─┐
//                       ├─> ingest::Pipeline ─> store::Store (SQLite in data_dir)
//   OTLP/HTTP receiver ─┘        │ committed batches      ▲  ▲ anomalies, events, state
//                                └─> ingest::AnalysisStage ┘  │
//   query API (HTTP) ─────────────────────────────────────────┘ reads
//
// Shutdown order keeps every acknowledged batch durable: stop accepting,
// drain the pipeline (answering clients in flight), let the analysis finish
// what was committed and save its state, then stop the servers.
#pragma once

#include "config/config.h"

namespace augur::app {

// Returns the process exit code.
int Serve(const config::Config& config);

}  // namespace augur::app
