#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>

#include "api/analysis_api.h"
#include "api/query_api.h"
#include "api/web_files.h"
#include "common/file_lock.h"
#include "http/server.h"
#include "ingest/analysis_stage.h"
#include "ingest/pipeline.h"
#include "model/attribute_key.h"
#include "model/change_event.h"
#include "model/insight.h"
#include "notify/notifier.h"
#include "otlp/protobuf_logging.h"
#include "receiver/otlp_grpc.h"
#include "receiver/otlp_http.h"
#include "selfmon/metrics.h"
#include "store/store.h"

namespace augur::app {
namespace {

std::string HostPort(const boost::asio::ip::tcp::endpoint& e) {
  return (e.address().is_v6() ? "[" + e.address().to_string() + "]" : e.address().to_string()) + ":" +
         std::to_string(e.port());
}

// The host part of HOST:PORT, to print the gRPC address gRPC actually bound.
std::string HostOf(const std::string& address) {
  return address.substr(0, address.rfind(':'));
}

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return 1;
}

}  // namespace

int Serve(const config::Config& config) {
  // Block the signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  otlp::InstallProtobufLogHandler();

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Fail(Status::IOError("cannot create data directory " + config.data_dir + ": " + ec.message()));
  auto lock = FileLock::Acquire((std::filesystem::path(config.data_dir) / "LOCK").string());
  if (!lock.ok()) return Fail(lock.status());

  selfmon::Registry metrics;
  auto store = store::Store::Open({config.data_dir, config.retention_max_age_seconds, config.retention_max_bytes});
  if (!store.ok()) return Fail(store.status());
  metrics.AddCallbackGauge("augur_store_bytes", "Bytes of the database in use.", {},
                           [s = store->get()] { return static_cast<double>(s->Stats().database_bytes); });
  metrics.AddCallbackCounter("augur_attribute_key_overflow_total",
                             "Attribute keys copied rather than interned because the table of interned keys was full.",
                             {}, [] { return model::InternOverflowCount(); });
  metrics.AddCallbackGauge("augur_attribute_keys_interned", "Attribute keys in the table of interned keys.", {},
                           [] { return static_cast<double>(model::InternedKeyCount()); });

  auto notify_options = notify::NotifierOptionsFromConfig(config);
  if (!notify_options.ok()) return Fail(notify_options.status());
  notify::Notifier notifier(store->get(), &metrics, std::move(*notify_options));
  if (Status s = notifier.Start(); !s.ok()) return Fail(s);

  ingest::AnalysisStageOptions analysis_options;
  analysis_options.on_insights = [&notifier](const std::vector<model::Insight>& written) {
    notifier.OnInsights(written);
  };
  ingest::AnalysisStage analysis(store->get(), &metrics, analysis_options);
  if (Status s = analysis.Start(); !s.ok()) return Fail(s);

  ingest::PipelineOptions pipeline_options;
  pipeline_options.queue_capacity_items = config.queue_capacity_items;
  ingest::Pipeline pipeline(store->get(), &metrics, pipeline_options, &analysis);
  pipeline.Start();

  receiver::GrpcReceiverOptions grpc_options;
  grpc_options.address = config.otlp_grpc_addr;
  grpc_options.max_message_bytes = config.max_body_bytes;
  grpc_options.bearer_token = config.auth_token;
  grpc_options.tls_cert_file = config.tls_cert_file;
  grpc_options.tls_key_file = config.tls_key_file;
  receiver::GrpcReceiver grpc(grpc_options, &pipeline, &metrics);

  auto http_options = [&](const char* name, const std::string& address) {
    http::ServerOptions o;
    o.name = name;
    o.address = address;
    o.max_body_bytes = config.max_body_bytes;
    o.bearer_token = config.auth_token;
    o.tls_cert_file = config.tls_cert_file;
    o.tls_key_file = config.tls_key_file;
    return o;
  };
  http::Server otlp_http(http_options("otlp_http", config.otlp_http_addr), &metrics);
  receiver::RegisterOtlpHttpRoutes(&otlp_http, &pipeline, config.max_body_bytes);
  http::Server api(http_options("api", config.http_addr), &metrics);
  api::RegisterQueryRoutes(&api, store->get(), &metrics);
  api::AnalysisRoutesOptions analysis_routes;
  analysis_routes.on_event = [&analysis](const model::ChangeEvent& e) { analysis.OnEvent(e); };
  analysis_routes.on_feedback = [&analysis](const model::Insight& in, const std::string& feedback) {
    analysis.OnFeedback(in, feedback);
  };
  analysis_routes.patterns = [&analysis](const std::string& service, uint64_t from, uint64_t to, size_t limit) {
    return analysis.Patterns(service, from, to, limit);
  };
  analysis_routes.topology = [&analysis](uint64_t from, uint64_t to) { return analysis.Topology(from, to); };
  api::RegisterAnalysisRoutes(&api, store->get(), std::move(analysis_routes));
  // The console last: its routes catch every path no route above took.
  const std::string web_dir = config.web_dir.empty() ? api::DefaultWebDir() : config.web_dir;
  if (auto files = api::RegisterWebRoutes(&api, web_dir); files.ok()) {
    spdlog::info("console: {} files from {}", *files, web_dir);
  } else if (!config.web_dir.empty()) {
    return Fail(files.status());  // asked for and not there: say so now
  } else {
    spdlog::warn("console not served ({}); build it with npm (README.md)", files.status().message());
  }

  if (Status s = grpc.Start(); !s.ok()) return Fail(s);
  spdlog::info("otlp_grpc listening on {}:{}", HostOf(config.otlp_grpc_addr), grpc.port());
  if (Status s = otlp_http.Start(); !s.ok()) return Fail(s);
  spdlog::info("otlp_http listening on {}", HostPort(otlp_http.local_endpoint()));
  if (Status s = api.Start(); !s.ok()) return Fail(s);
  spdlog::info("api listening on {}", HostPort(api.local_endpoint()));
  spdlog::info("augur ready (data dir {}{})", config.data_dir,
               config.auth_token.empty() ? "" : ", bearer token required");

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received signal {}, shutting down", received);
  grpc.Shutdown();
  otlp_http.Stop();
  pipeline.Stop();
  analysis.Stop();  // after the pipeline: it analyses what the pipeline committed last
  notifier.Stop();  // after the analysis: it queues the last insights' messages (sent at the next start)
  api.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace augur::app
