#include "notify/sink.h"

namespace augur::notify {

std::string_view SinkTypeName(SinkType type) {
  return type == SinkType::kSlack ? "slack" : "webhook";
}

bool Accepts(const Sink& sink, MessageType type, std::string_view severity) {
  if (sink.types != 0 && (sink.types & (1u << static_cast<int>(type))) == 0) return false;
  return model::SeverityRank(severity) >= sink.min_severity;
}

StatusOr<std::vector<Sink>> SinksFromConfig(const config::NotificationsConfig& config) {
  std::vector<Sink> out;
  for (const auto& c : config.sinks) {
    const std::string where = "notifications sink '" + c.name + "': ";
    for (const auto& other : out) {
      if (other.name == c.name) return Status::InvalidArgument(where + "two sinks have this name");
    }
    Sink sink;
    sink.name = c.name;
    if (c.type == "webhook") {
      sink.type = SinkType::kWebhook;
    } else if (c.type == "slack") {
      sink.type = SinkType::kSlack;
    } else {
      return Status::InvalidArgument(where + "unknown type '" + c.type + "'");
    }
    auto url = ParseHttpUrl(c.url);
    if (!url.ok()) return Status::InvalidArgument(where + url.status().message());
    sink.url = std::move(*url);
    sink.headers = c.headers;
    for (const auto& name : c.types) {
      const auto type = MessageTypeFromName(name);
      if (!type) return Status::InvalidArgument(where + "unknown message type '" + name + "'");
      sink.types |= 1u << static_cast<int>(*type);
    }
    if (!c.min_severity.empty()) {
      if (c.min_severity != "LOW" && c.min_severity != "MEDIUM" && c.min_severity != "HIGH") {
        return Status::InvalidArgument(where + "unknown severity '" + c.min_severity + "'");
      }
      sink.min_severity = model::SeverityRank(c.min_severity);
    }
    sink.ca_file = c.ca_file;
    out.push_back(std::move(sink));
  }
  return out;
}

}  // namespace augur::notify
