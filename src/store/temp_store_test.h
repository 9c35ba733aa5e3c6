// TempStoreTest: the GoogleTest fixture the store's tests share. Each test
// gets a fresh data directory (removed afterwards), a way to open the Store
// on it, and raw SQL access to its database for checking what was written
// and for building old schemas. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace augur::store {

// "d" + std::to_string(7) → "d7", by appending: g++ 12 at -O3 raises a false
// -Wrestrict on a string literal + std::string (libstdc++ inserts at 0).
inline std::string Numbered(std::string_view prefix, uint64_t n) {
  return std::string(prefix).append(std::to_string(n));
}

class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/augur_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(uint64_t max_age_seconds = 0, uint64_t max_bytes = 0) {
    auto store = Store::Open({dir_, max_age_seconds, max_bytes});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // The first column of the first row of `sql`.
  int64_t SqlInt(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir_ + "/augur.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sql;
    const int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
  }

  void SqlExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/augur.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::string dir_;
};

}  // namespace augur::store
