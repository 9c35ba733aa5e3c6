#include "otlp/protobuf_logging.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

namespace augur::otlp {
namespace {

void ForwardToSpdlog(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    spdlog::critical("protobuf {}:{}: {}", filename, line, message);
  } else {
    spdlog::debug("protobuf {}:{}: {}", filename, line, message);
  }
}

}  // namespace

void InstallProtobufLogHandler() {
  google::protobuf::SetLogHandler(&ForwardToSpdlog);
}

}  // namespace augur::otlp
