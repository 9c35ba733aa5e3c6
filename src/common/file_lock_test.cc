#include "common/file_lock.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace augur {
namespace {

TEST(FileLock, IsExclusiveUntilReleased) {
  const std::string path = (std::filesystem::temp_directory_path() / "augur_file_lock_test.lock").string();
  {
    auto first = FileLock::Acquire(path);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = FileLock::Acquire(path);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  }
  EXPECT_TRUE(FileLock::Acquire(path).ok());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace augur
