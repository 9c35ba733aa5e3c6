// Sink: one destination of notifications, as the notifier uses it: where to
// POST, in which format, with which headers, and which messages it wants.
// Built from the YAML config (config.h, docs/notifications.md).
//
// Plain value; thread-safe to share const.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "notify/message.h"
#include "notify/url.h"

namespace augur::notify {

enum class SinkType : uint8_t {
  kWebhook,  // augur's JSON message (payload.h)
  kSlack,    // a Slack incoming webhook: text + blocks
};

// "webhook", "slack": also the `sink_type` label of the self-metrics, which
// stays bounded whatever the config names its sinks.
std::string_view SinkTypeName(SinkType type);

struct Sink {
  std::string name;
  SinkType type = SinkType::kWebhook;
  HttpUrl url;
  std::vector<std::pair<std::string, std::string>> headers;
  uint32_t types = 0;    // bit (1 << MessageType) per wanted type; 0: all
  int min_severity = 0;  // model::SeverityRank; 0: all
  std::string ca_file;   // "": the system's CAs
};

// Whether `sink` wants a message of `type` about an insight of `severity`.
bool Accepts(const Sink& sink, MessageType type, std::string_view severity);

// The sinks of the config, checked again (the config checks them when it
// loads) and with their URLs parsed: InvalidArgument naming the sink.
StatusOr<std::vector<Sink>> SinksFromConfig(const config::NotificationsConfig& config);

}  // namespace augur::notify
