#include "common/status.h"

namespace augur {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kInvalidArgument: return "INVALID_ARGUMENT";
    case Status::Code::kNotFound: return "NOT_FOUND";
    case Status::Code::kTooLarge: return "TOO_LARGE";
    case Status::Code::kUnsupported: return "UNSUPPORTED";
    case Status::Code::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case Status::Code::kUnavailable: return "UNAVAILABLE";
    case Status::Code::kUnauthenticated: return "UNAUTHENTICATED";
    case Status::Code::kIOError: return "IO_ERROR";
    case Status::Code::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace augur
