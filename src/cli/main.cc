// augur's command line. `augur serve` runs the engine; later subcommands
// talk to a running augur.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "app/serve.h"
#include "config/config.h"

namespace {

// Flags override the YAML file, which overrides the defaults; so flags are
// collected apart and applied after the file has been read.
struct ServeFlags {
  std::string config_file, data_dir, otlp_grpc_addr, otlp_http_addr, http_addr, auth_token, tls_cert, tls_key;
  std::string max_body_size, retention_max_age, retention_max_size, log_level;
  uint64_t queue_capacity = 0;
};

int RunServe(const ServeFlags& f) {
  augur::config::Config c;
  if (!f.config_file.empty()) {
    if (auto s = augur::config::LoadYamlFile(f.config_file, &c); !s.ok()) {
      spdlog::error("{}", s.ToString());
      return 2;
    }
  }
  if (const char* token = std::getenv("AUGUR_AUTH_TOKEN"); token != nullptr && *token != '\0') c.auth_token = token;
  auto set = [](const std::string& flag, std::string* field) {
    if (!flag.empty()) *field = flag;
  };
  set(f.data_dir, &c.data_dir);
  set(f.otlp_grpc_addr, &c.otlp_grpc_addr);
  set(f.otlp_http_addr, &c.otlp_http_addr);
  set(f.http_addr, &c.http_addr);
  set(f.auth_token, &c.auth_token);
  set(f.tls_cert, &c.tls_cert_file);
  set(f.tls_key, &c.tls_key_file);
  set(f.log_level, &c.log_level);
  if (f.queue_capacity != 0) c.queue_capacity_items = f.queue_capacity;
  struct Parsed {
    const std::string& text;
    uint64_t* field;
    augur::StatusOr<uint64_t> (*parse)(std::string_view);
  };
  for (const Parsed& p : {Parsed{f.max_body_size, &c.max_body_bytes, augur::config::ParseByteSize},
                          Parsed{f.retention_max_size, &c.retention_max_bytes, augur::config::ParseByteSize},
                          Parsed{f.retention_max_age, &c.retention_max_age_seconds, augur::config::ParseDuration}}) {
    if (p.text.empty()) continue;
    auto v = p.parse(p.text);
    if (!v.ok()) {
      spdlog::error("{}", v.status().ToString());
      return 2;
    }
    *p.field = *v;
  }
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  return augur::app::Serve(c);
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr, leaving stdout for command output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("augur"));
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  CLI::App app{"augur: a self-hosted AIOps engine for OpenTelemetry"};
  app.require_subcommand(1);

  ServeFlags f;
  CLI::App* serve = app.add_subcommand("serve", "Receive OTLP telemetry, store it, and serve the query API");
  serve->add_option("--config", f.config_file, "YAML configuration file")->check(CLI::ExistingFile);
  serve->add_option("--data-dir", f.data_dir, "Data directory (default: augur-data)");
  serve->add_option("--otlp-grpc-addr", f.otlp_grpc_addr, "OTLP/gRPC listen address (default: 127.0.0.1:4317)");
  serve->add_option("--otlp-http-addr", f.otlp_http_addr, "OTLP/HTTP listen address (default: 127.0.0.1:4318)");
  serve->add_option("--http-addr", f.http_addr, "Query API listen address (default: 127.0.0.1:8080)");
  serve->add_option("--auth-token", f.auth_token,
                    "Bearer token required on OTLP and the API (or set AUGUR_AUTH_TOKEN)");
  serve->add_option("--tls-cert", f.tls_cert, "PEM certificate chain; enables TLS with --tls-key");
  serve->add_option("--tls-key", f.tls_key, "PEM private key");
  serve->add_option("--max-body-size", f.max_body_size,
                    "Largest request body, also after decompression (default: 20MiB)");
  serve->add_option("--max-body-bytes", f.max_body_size, "Same as --max-body-size");
  serve->add_option("--queue-capacity", f.queue_capacity, "Ingest queue capacity in items (default: 200000)");
  serve->add_option("--retention-max-age", f.retention_max_age, "Delete data ingested longer ago (default: 7d)");
  serve->add_option("--retention-max-size", f.retention_max_size, "Keep the database under this size (default: 10GiB)");
  serve->add_option("--log-level", f.log_level, "trace, debug, info, warn, error (default: info)");

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return RunServe(f);
  return 0;
}
