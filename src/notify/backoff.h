// When to try a failed delivery again, and when to give up.
//
// Exponential backoff with jitter: after the n-th failed attempt of a
// message, the next one waits base(n) = min(max_delay, initial_delay *
// 2^(n-1)), of which the upper half is jitter ("equal jitter": the wait is
// in [base/2, base)). The jitter is drawn from the message id and n, so it
// spreads the retries of different messages (and of several augurs) apart
// yet is the same on every run, which keeps tests and replays exact. A
// receiver's Retry-After (seconds) lengthens the wait, never beyond
// max_delay.
//
// A message is given up on (dead) once it has failed max_attempts times,
// or was first queued max_age ago, or the receiver refused it for good
// (IsPermanentStatus).
//
// Pure. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace augur::notify {

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{1'000};
  std::chrono::milliseconds max_delay{300'000};
  uint32_t max_attempts = 15;
  std::chrono::milliseconds max_age{24 * 3'600'000};
};

// The wait after the `attempts`-th failed attempt (attempts >= 1).
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, uint32_t attempts, std::string_view message_id,
                                     std::optional<uint64_t> retry_after_seconds = std::nullopt);

// Whether a message that has now failed `attempts` times and was queued
// `age` ago is dead. `permanent`: the receiver refused it for good.
bool GiveUp(const RetryPolicy& policy, uint32_t attempts, std::chrono::milliseconds age, bool permanent);

// A 4xx other than 408 (timeout), 425 (too early) and 429 (too many
// requests): the receiver refuses this request as it is, so sending the
// same bytes again cannot help. Everything else (5xx, 3xx, no answer) may
// pass later.
bool IsPermanentStatus(unsigned status);

}  // namespace augur::notify
