// The store's SQL schema and connection settings. Internal to the store.
//
// The schema version lives in PRAGMA user_version; a later augur that changes
// the schema bumps kSchemaVersion and migrates older files in
// OpenWriteConnection().
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/sqlite_util.h"

namespace augur::store {

inline constexpr int kSchemaVersion = 1;

// Opens (creating if missing) the database at `path` for the one writer,
// applies the connection settings and creates or checks the schema.
StatusOr<Db> OpenWriteConnection(const std::string& path);

// Opens a read-only connection for queries. The writer's connection must be
// open (it creates the file and keeps the WAL index alive).
StatusOr<Db> OpenReadConnection(const std::string& path);

// Bytes of the pages in use (free pages excluded): what size retention bounds.
StatusOr<uint64_t> UsedBytes(Db& db);

}  // namespace augur::store
