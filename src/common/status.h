// Status and StatusOr: errors as values.
//
// A Status is either OK or carries a code and a human-readable message that
// says what was wrong ("span 3: trace_id has 5 bytes, want 16"). Codes map
// one-to-one onto the answers augur gives clients (HTTP status, gRPC code).
// Cheap to copy when OK. Not thread-safe to mutate; safe to share const.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace augur {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,    // malformed input: HTTP 400, gRPC INVALID_ARGUMENT
    kNotFound,           // HTTP 404, gRPC NOT_FOUND
    kTooLarge,           // body over the limit: HTTP 413
    kUnsupported,        // unsupported media type: HTTP 415, gRPC UNIMPLEMENTED
    kResourceExhausted,  // queue full: HTTP 429, gRPC RESOURCE_EXHAUSTED
    kUnavailable,        // shutting down or store failing: HTTP 503, gRPC UNAVAILABLE
    kUnauthenticated,    // bad or missing bearer token: HTTP 401
    kIOError,            // disk or database trouble
    kInternal,           // a bug in augur
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

const char* CodeName(Status::Code code);

// Either a value or a non-OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}                                  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace augur
