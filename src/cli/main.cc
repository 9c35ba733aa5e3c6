// augur's command line. `augur serve` runs the engine; the other
// subcommands talk to a running augur through its REST API (api_client.h)
// and print tables (render.h), or JSON with --json.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "app/serve.h"
#include "cli/api_client.h"
#include "cli/render.h"
#include "cli/replay.h"
#include "common/time_format.h"
#include "config/config.h"

namespace {

// Flags override the YAML file, which overrides the defaults; so flags are
// collected apart and applied after the file has been read.
struct ServeFlags {
  std::string config_file, data_dir, otlp_grpc_addr, otlp_http_addr, http_addr, auth_token, tls_cert, tls_key;
  std::string max_body_size, retention_max_age, retention_max_size, log_level, web_dir;
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
  set(f.web_dir, &c.web_dir);
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

// Flags shared by the subcommands that talk to a running augur.
struct ClientFlags {
  std::string api_url, auth_token;
  bool json = false;
};

void AddClientFlags(CLI::App* cmd, ClientFlags* f) {
  cmd->add_option("--api-url", f->api_url, "augur's API (default: $AUGUR_API_URL or http://127.0.0.1:8080)");
  cmd->add_option("--auth-token", f->auth_token, "Bearer token (default: $AUGUR_AUTH_TOKEN)");
  cmd->add_flag("--json", f->json, "Print the API's JSON instead of a table");
}

augur::cli::ApiClient ClientFor(const ClientFlags& f) {
  augur::cli::ApiClientOptions o;
  if (const char* url = std::getenv("AUGUR_API_URL"); url != nullptr && *url != '\0') o.url = url;
  if (!f.api_url.empty()) o.url = f.api_url;
  if (const char* token = std::getenv("AUGUR_AUTH_TOKEN"); token != nullptr && *token != '\0') o.bearer_token = token;
  if (!f.auth_token.empty()) o.bearer_token = f.auth_token;
  return augur::cli::ApiClient(o);
}

// Prints an answer as JSON or through `render`; 1 with the error on failure.
int Print(const ClientFlags& f, const augur::StatusOr<nlohmann::json>& answer,
          std::string (*render)(const nlohmann::json&)) {
  if (!answer.ok()) {
    std::fprintf(stderr, "augur: %s\n", answer.status().message().c_str());
    return 1;
  }
  const std::string text = f.json ? answer.value().dump(2) + "\n" : render(answer.value());
  std::fputs(text.c_str(), stdout);
  return 0;
}

struct EventFlags {
  std::string type, service, version, time, description, source = "cli";
  std::vector<std::string> sets;
};

int RunEvent(const ClientFlags& c, const EventFlags& e) {
  nlohmann::json body = {{"type", e.type}, {"service", e.service}, {"source", e.source}};
  if (!e.version.empty()) body["version"] = e.version;
  if (!e.description.empty()) body["description"] = e.description;
  if (!e.time.empty()) body["time"] = e.time;
  nlohmann::json changes = nlohmann::json::array();
  for (const std::string& kv : e.sets) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "augur: --set takes KEY=NEW, got '%s'\n", kv.c_str());
      return 2;
    }
    changes.push_back({{"key", kv.substr(0, eq)}, {"new", kv.substr(eq + 1)}});
  }
  body["changes"] = changes;
  return Print(c, ClientFor(c).Post("/api/v1/events", body), augur::cli::RenderEvent);
}

struct RangeFlags {
  std::string service, from, to, status;
  std::string order;  // insights only; the API checks the value, as it does --status
  size_t limit = 0;
};

void AddRangeFlags(CLI::App* cmd, RangeFlags* r) {
  cmd->add_option("--service", r->service, "Only this service");
  cmd->add_option("--from", r->from, "From this time (RFC 3339 or Unix s/ms/us/ns)");
  cmd->add_option("--to", r->to, "Up to this time");
  cmd->add_option("--limit", r->limit, "At most this many");
}

std::map<std::string, std::string> RangeQuery(const RangeFlags& r) {
  return {{"service", r.service}, {"from", r.from},   {"to", r.to},
          {"status", r.status},   {"order", r.order}, {"limit", r.limit == 0 ? "" : std::to_string(r.limit)}};
}

int RunReplay(const ClientFlags& c, augur::cli::ReplayOptions o, const std::string& baseline, const std::string& fault,
              const std::string& start, const std::string& otlp_url) {
  auto b = augur::config::ParseDuration(baseline);
  auto f = augur::config::ParseDuration(fault);
  if (!b.ok() || !f.ok()) {
    std::fprintf(stderr, "augur: %s\n", (!b.ok() ? b.status() : f.status()).message().c_str());
    return 2;
  }
  o.baseline_ns = *b * 1'000'000'000ULL;
  o.fault_ns = *f * 1'000'000'000ULL;
  if (!start.empty()) {
    auto t = augur::ParseTimestamp(start);
    if (!t.ok()) {
      std::fprintf(stderr, "augur: --start: %s\n", t.status().message().c_str());
      return 2;
    }
    o.start_ns = *t;
  }
  ClientFlags otlp_flags = c;
  otlp_flags.api_url = otlp_url;
  augur::cli::ApiClient otlp = ClientFor(otlp_flags);
  augur::cli::ApiClient api = ClientFor(c);
  auto r = augur::cli::Replay(o, &otlp, &api);
  if (!r.ok()) {
    std::fprintf(stderr, "augur: replay failed: %s\n", r.status().message().c_str());
    return 1;
  }
  std::printf(
      "replayed %s: %llu spans, %llu metric points, %llu log records in %llu exports (%llu retries); "
      "trouble from %s\n",
      o.scenario.c_str(), static_cast<unsigned long long>(r->spans), static_cast<unsigned long long>(r->points),
      static_cast<unsigned long long>(r->logs), static_cast<unsigned long long>(r->exports),
      static_cast<unsigned long long>(r->retries), augur::FormatRfc3339(r->onset_ns).c_str());
  return 0;
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
  serve->add_option("--web-dir", f.web_dir, "The web console's built files, served at / (default: the build's)");
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

  ClientFlags client;
  EventFlags event;
  CLI::App* event_cmd = app.add_subcommand("event", "Record a change event (a deployment, a config change, ...)");
  event_cmd->require_subcommand(1);
  struct EventKind {
    const char* name;
    const char* type;
    const char* help;
  };
  for (const EventKind& k : {EventKind{"deploy", "DEPLOYMENT", "A deployment of a new version and/or settings"},
                             EventKind{"config", "CONFIG_CHANGE", "A configuration change"},
                             EventKind{"infra", "INFRASTRUCTURE", "An infrastructure change"},
                             EventKind{"security", "SECURITY_CHANGE", "A security change"},
                             EventKind{"schema", "SCHEMA_CHANGE", "A schema change"}}) {
    CLI::App* sub = event_cmd->add_subcommand(k.name, k.help);
    sub->add_option("--service", event.service, "The service that changed")->required();
    sub->add_option("--version", event.version, "Its new version");
    sub->add_option("--set", event.sets, "KEY=NEW: a changed setting (repeatable; the old value comes from augur)");
    sub->add_option("--time", event.time, "When it happened (default: now)");
    sub->add_option("--description", event.description, "What changed, in words");
    sub->add_option("--source", event.source, "Who records it (default: cli)");
    AddClientFlags(sub, &client);
    sub->callback([&event, type = std::string(k.type)] { event.type = type; });
  }

  RangeFlags range;
  CLI::App* events_cmd = app.add_subcommand("events", "List change events");
  AddRangeFlags(events_cmd, &range);
  AddClientFlags(events_cmd, &client);

  CLI::App* anomalies_cmd = app.add_subcommand("anomalies", "List anomalies");
  AddRangeFlags(anomalies_cmd, &range);
  anomalies_cmd->add_option("--status", range.status, "ongoing or closed");
  AddClientFlags(anomalies_cmd, &client);

  CLI::App* insights_cmd = app.add_subcommand("insights", "List insights");
  AddRangeFlags(insights_cmd, &range);
  insights_cmd->add_option("--status", range.status, "ONGOING or CLOSED");
  insights_cmd->add_option("--order", range.order,
                           "newest (start first, the default) or attention (the order to look at them: the "
                           "strongest anomaly first, then severity and reach)");
  AddClientFlags(insights_cmd, &client);

  std::string insight_id;
  CLI::App* insight_cmd = app.add_subcommand("insight", "Show one insight: summary, root cause, evidence, advice");
  insight_cmd->add_option("id", insight_id, "Insight id")->required();
  AddClientFlags(insight_cmd, &client);

  std::string feedback;
  CLI::App* feedback_cmd = app.add_subcommand("feedback", "Say what you think of an insight");
  feedback_cmd->add_option("id", insight_id, "Insight id")->required();
  feedback_cmd->add_option("feedback", feedback, "USEFUL, NOT_USEFUL, TOO_SENSITIVE or INCORRECT")->required();
  AddClientFlags(feedback_cmd, &client);

  augur::cli::ReplayOptions replay;
  std::string replay_baseline = "4h", replay_fault = "1h", replay_start, otlp_url = "http://127.0.0.1:4318";
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Send a generated incident to a running augur over OTLP/HTTP, with historical timestamps");
  replay_cmd->add_option("--scenario", replay.scenario,
                         "article, table-latency, deploy-errors, harmless-deploy, fault-no-deploy, two-faults, "
                         "healthy-day (default: article)");
  replay_cmd->add_option("--seed", replay.seed, "Random seed (default: 1)");
  replay_cmd->add_option("--baseline", replay_baseline, "Healthy traffic before the trouble (default: 4h)");
  replay_cmd->add_option("--fault", replay_fault, "Duration of the trouble (default: 1h)");
  replay_cmd->add_option("--start", replay_start, "Event time of the first request (default: so the replay ends now)");
  replay_cmd->add_option("--otlp-http-url", otlp_url, "augur's OTLP/HTTP endpoint (default: http://127.0.0.1:4318)");
  replay_cmd->add_flag("--post-events", replay.post_events, "Post the scenario's deployments to the API as events");
  replay_cmd->add_option("--speed", replay.speed, "Event seconds per wall second (default: as fast as possible)");
  AddClientFlags(replay_cmd, &client);

  std::string id;
  CLI::App* anomaly_cmd = app.add_subcommand("anomaly", "Show one anomaly");
  anomaly_cmd->add_option("id", id, "Anomaly id")->required();
  AddClientFlags(anomaly_cmd, &client);

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return RunServe(f);
  if (event_cmd->parsed()) return RunEvent(client, event);
  if (events_cmd->parsed()) {
    return Print(client, ClientFor(client).Get("/api/v1/events", RangeQuery(range)), augur::cli::RenderEvents);
  }
  if (anomalies_cmd->parsed()) {
    return Print(client, ClientFor(client).Get("/api/v1/anomalies", RangeQuery(range)), augur::cli::RenderAnomalies);
  }
  if (insights_cmd->parsed()) {
    return Print(client, ClientFor(client).Get("/api/v1/insights", RangeQuery(range)), augur::cli::RenderInsights);
  }
  if (insight_cmd->parsed()) {
    return Print(client, ClientFor(client).Get("/api/v1/insights/" + augur::cli::PercentEncode(insight_id)),
                 augur::cli::RenderInsight);
  }
  if (feedback_cmd->parsed()) {
    return Print(client,
                 ClientFor(client).Put("/api/v1/insights/" + augur::cli::PercentEncode(insight_id) + "/feedback",
                                       {{"feedback", feedback}}),
                 augur::cli::RenderInsight);
  }
  if (replay_cmd->parsed()) return RunReplay(client, replay, replay_baseline, replay_fault, replay_start, otlp_url);
  if (anomaly_cmd->parsed()) {
    return Print(client, ClientFor(client).Get("/api/v1/anomalies/" + augur::cli::PercentEncode(id)),
                 augur::cli::RenderAnomaly);
  }
  return 0;
}
