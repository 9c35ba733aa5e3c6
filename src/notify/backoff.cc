#include "notify/backoff.h"

#include <algorithm>

namespace augur::notify {
namespace {

// A uniform draw in [0, 1) from the message id and the attempt: FNV-1a,
// then a finalizer (FNV's high bits mix poorly on short inputs).
double Jitter(std::string_view message_id, uint32_t attempts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto byte = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  };
  for (unsigned char c : message_id) byte(c);
  for (int i = 0; i < 4; ++i) byte(static_cast<unsigned char>(attempts >> (8 * i)));
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<double>(h >> 11) / static_cast<double>(uint64_t{1} << 53);
}

}  // namespace

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, uint32_t attempts, std::string_view message_id,
                                     std::optional<uint64_t> retry_after_seconds) {
  const int64_t max = std::max<int64_t>(policy.max_delay.count(), 1);
  int64_t base = std::clamp<int64_t>(policy.initial_delay.count(), 1, max);
  for (uint32_t i = 1; i < attempts && base < max; ++i) base = std::min(max, base * 2);
  const double half = static_cast<double>(base) / 2;
  int64_t delay = static_cast<int64_t>(half + half * Jitter(message_id, attempts));
  if (retry_after_seconds) {
    const int64_t asked = static_cast<int64_t>(std::min<uint64_t>(*retry_after_seconds, max / 1000 + 1)) * 1000;
    delay = std::max(delay, asked);
  }
  return std::chrono::milliseconds(std::clamp<int64_t>(delay, 1, max));
}

bool GiveUp(const RetryPolicy& policy, uint32_t attempts, std::chrono::milliseconds age, bool permanent) {
  return permanent || attempts >= policy.max_attempts || age >= policy.max_age;
}

bool IsPermanentStatus(unsigned status) {
  return status >= 400 && status < 500 && status != 408 && status != 425 && status != 429;
}

}  // namespace augur::notify
