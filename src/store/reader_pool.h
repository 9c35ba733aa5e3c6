// ReaderPool: a bounded set of Readers shared by the query threads.
// Internal to the store.
//
// Up to kMaxReaders connections are opened on demand and kept; a thread
// borrows one for a query and gives it back. When all are busy, Acquire()
// waits, so a burst of queries queues instead of opening connections without
// bound. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/reader.h"

namespace augur::store {

class ReaderPool {
 public:
  static constexpr size_t kMaxReaders = 4;

  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  // A borrowed reader, given back when the lease is destroyed.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Reader> reader) : pool_(pool), reader_(std::move(reader)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (reader_) pool_->Release(std::move(reader_));
    }
    Reader* operator->() const { return reader_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Reader> reader_;
  };

  StatusOr<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Reader> reader);

  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Reader>> idle_;  // guarded by mu_
  size_t open_ = 0;                            // idle or lent; guarded by mu_
};

}  // namespace augur::store
