// The store's SQL schema and connection settings. Internal to the store.
//
// The schema version lives in PRAGMA user_version; a later augur that changes
// the schema bumps kSchemaVersion and migrates older files in
// OpenWriteConnection(). Version 2 keeps spans in blocks; opening a version 1
// file drops its spans and keeps everything else. Version 3 adds anomalies,
// change events and analysis state; opening a version 2 file adds them.
// Version 4 adds insights and their feedback. Version 5 adds the
// notification outbox. Version 6 lets a service version be deployed more
// than once (a rollback to it). Opening an older file adds what it lacks.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/sqlite_util.h"

namespace augur::store {

inline constexpr int kSchemaVersion = 6;

// The writer keeps the start times of a span block's spans within this of
// one another, so the blocks holding spans that start in [from, to] are
// among those whose lowest start is in [from - kMaxBlockStartSpread, to].
inline constexpr uint64_t kMaxBlockStartSpread = 60'000'000'000ULL;  // 1 minute

// Opens (creating if missing) the database at `path` for the one writer,
// applies the connection settings and creates or checks the schema.
StatusOr<Db> OpenWriteConnection(const std::string& path);

// Opens one of the store's further write connections: for analysis
// results and change events (analysis_writer.h), and for the notification
// outbox (outbox.h). The writer's connection must be open
// (it creates and migrates the schema). Its busy timeout bounds how long a
// write waits for the ingest writer's transaction.
StatusOr<Db> OpenAnalysisWriteConnection(const std::string& path);

// Opens a read-only connection for queries. The writer's connection must be
// open (it creates the file and keeps the WAL index alive).
StatusOr<Db> OpenReadConnection(const std::string& path);

// Bytes of the pages in use (free pages excluded): what size retention bounds.
StatusOr<uint64_t> UsedBytes(Db& db);

}  // namespace augur::store
