#include "store/reader_pool.h"

namespace augur::store {

StatusOr<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxReaders; });
    if (!idle_.empty()) {
      std::unique_ptr<Reader> reader = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(reader));
    }
    ++open_;
  }
  // Opening takes a while; other threads may borrow meanwhile.
  auto reader = Reader::Open(path_);
  if (!reader.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    return reader.status();
  }
  return Lease(this, std::move(*reader));
}

void ReaderPool::Release(std::unique_ptr<Reader> reader) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(reader));
  }
  cv_.notify_one();
}

}  // namespace augur::store
