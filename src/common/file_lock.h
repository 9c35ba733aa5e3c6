// FileLock: an exclusive advisory lock on a file (flock), held for the
// object's lifetime. augur takes one on DATA_DIR/LOCK so two processes never
// share a data directory. The kernel drops the lock when the process dies,
// so a kill -9 never leaves a stale lock behind.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace augur {

class FileLock {
 public:
  // Fails with kUnavailable when another process holds the lock.
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace augur
