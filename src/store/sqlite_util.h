// Small RAII wrappers over the SQLite C API, with errors as Status.
//
// Db owns a connection and Stmt a prepared statement; both are move-only and
// used by one thread at a time. Bind errors (a value over SQLite's size limit,
// out of memory) are remembered and reported by the next Step(), so callers
// can bind a row's values without checking each call. Internal to the store.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace augur::store {

// A query bound (time or limit) as SQLite's int64, clamped: UINT64_MAX
// ("no bound") becomes INT64_MAX.
inline int64_t SqlTime(uint64_t t) {
  return static_cast<int64_t>(std::min<uint64_t>(t, std::numeric_limits<int64_t>::max()));
}
inline int64_t SqlLimit(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

// kIOError carrying SQLite's message: "<what>: <sqlite message>".
Status SqliteError(sqlite3* db, std::string_view what);

class Db {
 public:
  // `flags` as for sqlite3_open_v2 (SQLITE_OPEN_NOMUTEX is always added: a
  // connection is never shared between threads at the same time).
  static StatusOr<Db> Open(const std::string& path, int flags);
  Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Db& operator=(Db&& other) noexcept;
  ~Db();

  sqlite3* get() const { return db_; }
  // Runs statements that return no rows we need (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // Runs a statement returning one integer (e.g. "PRAGMA page_count").
  StatusOr<int64_t> QueryInt(const char* sql);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  // Prepared as long-lived (SQLITE_PREPARE_PERSISTENT): statements are cached
  // and reused for the life of the connection.
  static StatusOr<Stmt> Prepare(sqlite3* db, std::string_view sql);
  Stmt(Stmt&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)) {}
  Stmt& operator=(Stmt&& other) noexcept;
  ~Stmt();

  // Parameters are 1-based. Text and blobs are bound without copying: they
  // must stay valid until the statement is reset or rebound.
  void BindInt(int i, int64_t v) { Check(sqlite3_bind_int64(stmt_, i, v)); }
  void BindUint(int i, uint64_t v) { BindInt(i, static_cast<int64_t>(v)); }
  void BindDouble(int i, double v) { Check(sqlite3_bind_double(stmt_, i, v)); }
  void BindNull(int i) { Check(sqlite3_bind_null(stmt_, i)); }
  void BindText(int i, std::string_view v) {
    Check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void BindBlob(int i, std::span<const uint8_t> v) {
    Check(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC));
  }

  // Advances: true when a row is ready, false when done.
  StatusOr<bool> Step();
  // Steps to completion (for statements that return no rows), then resets.
  Status Run();
  // Makes the statement ready to run again and ends its read of the database.
  void Reset();

  // Columns are 0-based.
  bool IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  uint64_t ColumnUint(int i) const { return static_cast<uint64_t>(ColumnInt(i)); }
  double ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string_view ColumnText(int i) const;
  std::span<const uint8_t> ColumnBlob(int i) const;

 private:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when leaving a scope, so no statement keeps a read
// snapshot open (which would hold back WAL checkpoints).
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& stmt_;
};

// An explicit transaction: Commit() or roll back on destruction.
class Transaction {
 public:
  // `begin` is "BEGIN" (a read snapshot) or "BEGIN IMMEDIATE" (a write).
  static StatusOr<Transaction> Begin(Db* db, const char* begin);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace augur::store
