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
//   auth_token: s3cret          # bearer token for OTLP and the API
//   tls: {cert_file: server.pem, key_file: server.key}
//   retention: {max_age: 7d, max_size: 10GiB}
//   log_level: info
//
// Unknown keys are errors, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace augur::config {

struct Config {
  std::string data_dir = "augur-data";
  std::string otlp_grpc_addr = "127.0.0.1:4317";
  std::string otlp_http_addr = "127.0.0.1:4318";
  std::string http_addr = "127.0.0.1:8080";
  std::string auth_token;
  std::string tls_cert_file;
  std::string tls_key_file;
  uint64_t max_body_bytes = 20ULL << 20;
  uint64_t queue_capacity_items = 200'000;
  uint64_t retention_max_age_seconds = 7 * 86400;
  uint64_t retention_max_bytes = 10ULL << 30;
  std::string log_level = "info";
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
