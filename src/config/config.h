// Config: everything `augur serve` can be told, with its defaults.
//
// Sources, later ones winning: the defaults below, a YAML file (--config),
// the AUGUR_AUTH_TOKEN environment variable, then command-line flags. The
// YAML file mirrors the flags:
//
//   data_dir: /var/lib/augur
//   otlp:
//     grpc_addr: 127.0.0.1:4317
//     http_addr: 127.0.0.1:4318
//     max_body_size: 20MiB
//     queue_capacity_items: 200000
//   api:
//     http_addr: 127.0.0.1:8080
//     web_dir: /usr/share/augur/web   # the console's built files; default: the build's
//   auth_token: s3cret          # bearer token for OTLP and the API
//   tls: {cert_file: server.pem, key_file: server.key}
//   retention: {max_age: 7d, max_size: 10GiB}
//   log_level: info
//   public_url: https://augur.example.com   # links in notifications
//   notifications:                           # docs/notifications.md
//     max_attempts: 15
//     max_age: 24h
//     max_backoff: 5m
//     timeout: 10s
//     sinks:
//       - name: ops-webhook
//         type: webhook                      # or slack
//         url: http://127.0.0.1:9000/hook
//         headers: {Authorization: "Bearer x"}
//         types: [NEW_INSIGHT, CLOSED_INSIGHT]
//         min_severity: MEDIUM
//
// Unknown keys are errors, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace augur::config {

// One destination of notifications. Checked when loaded: a known type, an
// http(s) URL, known message types and severity, header names and values
// that fit in an HTTP header.
struct NotificationSink {
  std::string name;  // unique; letters, digits, '-', '_', '.'
  std::string type;  // "webhook" (augur's JSON) or "slack" (Slack incoming webhook)
  std::string url;   // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
  std::vector<std::string> types;                            // message types to send; empty: all
  std::string min_severity;                                  // LOW, MEDIUM or HIGH; "": all
  std::string ca_file;  // PEM to trust for https instead of the system's CAs; "": the system's
};

inline constexpr size_t kMaxNotificationSinks = 16;

struct NotificationsConfig {
  std::vector<NotificationSink> sinks;  // at most kMaxNotificationSinks
  uint64_t max_attempts = 15;           // per message and sink, then it is dead
  uint64_t max_age_seconds = 86400;     // a message not delivered this long after it was queued is dead
  uint64_t max_backoff_seconds = 300;   // longest wait between two attempts (they start at 1 s and double)
  uint64_t timeout_seconds = 10;        // per request
};

struct Config {
  std::string data_dir = "augur-data";
  std::string otlp_grpc_addr = "127.0.0.1:4317";
  std::string otlp_http_addr = "127.0.0.1:4318";
  std::string http_addr = "127.0.0.1:8080";
  std::string web_dir;  // the web console's files (web/ built); "": where the build put them
  std::string auth_token;
  std::string tls_cert_file;
  std::string tls_key_file;
  uint64_t max_body_bytes = 20ULL << 20;
  uint64_t queue_capacity_items = 200'000;
  uint64_t retention_max_age_seconds = 7 * 86400;
  uint64_t retention_max_bytes = 10ULL << 30;
  std::string log_level = "info";
  std::string public_url;  // augur's address as its users reach it; "": no links
  NotificationsConfig notifications;
};

// Applies the keys present in the YAML file at `path` to `config`.
Status LoadYamlFile(const std::string& path, Config* config);
// Same, from YAML text (for tests).
Status LoadYaml(std::string_view yaml, Config* config);

// "20MiB", "512KB", "1GiB", "1048576" → bytes. KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024.
StatusOr<uint64_t> ParseByteSize(std::string_view text);
// "7d", "12h", "30m", "45s", "2w", "3600" (seconds) → seconds.
StatusOr<uint64_t> ParseDuration(std::string_view text);

}  // namespace augur::config
