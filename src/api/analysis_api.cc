#include "api/analysis_api.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/insight_api.h"
#include "api/params.h"
#include "common/time_format.h"
#include "model/json.h"

namespace augur::api {
namespace {

using nlohmann::json;

// The source of events posted without one.
constexpr const char* kApiSource = "api";

void Anomalies(store::Store* store, http::Request& req, http::Reply reply) {
  store::AnomalyQuery q;
  q.service = Param(req, "service");
  q.status = Param(req, "status");
  if (!q.status.empty() && q.status != "ongoing" && q.status != "closed") {
    return reply(
        http::ErrorResponse(Status::InvalidArgument("status must be ongoing or closed, got '" + q.status + "'")));
  }
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto anomalies = store->QueryAnomalies(q);
  if (!anomalies.ok()) return reply(http::ErrorResponse(anomalies.status()));
  json out = json::array();
  for (const auto& a : *anomalies) out.push_back(model::AnomalyToJson(a));
  reply(JsonResponse({{"anomalies", std::move(out)}}));
}

void Anomaly(store::Store* store, http::Request& req, http::Reply reply) {
  auto anomaly = store->GetAnomaly(req.path_params["id"]);
  if (!anomaly.ok()) return reply(http::ErrorResponse(anomaly.status()));
  reply(JsonResponse(model::AnomalyToJson(*anomaly)));
}

void PostEvent(store::Store* store, const AnalysisRoutesOptions& options, http::Request& req, http::Reply reply) {
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return reply(http::ErrorResponse(Status::InvalidArgument("the body is not valid JSON")));
  auto event = model::ChangeEventFromJson(body);
  if (!event.ok()) return reply(http::ErrorResponse(event.status()));
  if (event->time_ns == 0) event->time_ns = options.now();
  if (event->source.empty()) event->source = kApiSource;
  auto stored = store->PutEvent(*event);
  if (!stored.ok()) return reply(http::ErrorResponse(stored.status()));
  if (options.on_event) options.on_event(*stored);
  reply(JsonResponse(model::ChangeEventToJson(*stored), 201));
}

void Events(store::Store* store, http::Request& req, http::Reply reply) {
  store::EventQuery q;
  q.service = Param(req, "service");
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto events = store->QueryEvents(q);
  if (!events.ok()) return reply(http::ErrorResponse(events.status()));
  json out = json::array();
  for (const auto& e : *events) out.push_back(model::ChangeEventToJson(e));
  reply(JsonResponse({{"events", std::move(out)}}));
}

void Event(store::Store* store, http::Request& req, http::Reply reply) {
  auto event = store->GetEvent(req.path_params["id"]);
  if (!event.ok()) return reply(http::ErrorResponse(event.status()));
  reply(JsonResponse(model::ChangeEventToJson(*event)));
}

// GET /api/v1/logs/patterns's body (docs/api.md).
nlohmann::json PatternsToJson(const std::vector<logs::PatternInfo>& patterns) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : patterns) {
    list.push_back({{"service", p.service},
                    {"template_id", std::to_string(p.template_id)},
                    {"template", p.text},
                    {"count", p.count},
                    {"first_seen", FormatRfc3339(p.first_seen_ns)},
                    {"last_seen", FormatRfc3339(p.last_seen_ns)},
                    {"trend", p.trend}});
  }
  return nlohmann::json{{"patterns", std::move(list)}};
}

}  // namespace

uint64_t SystemNowUnixNano() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

void RegisterAnalysisRoutes(http::Server* server, store::Store* store, AnalysisRoutesOptions options) {
  if (!options.now) options.now = SystemNowUnixNano;
  // Shared by the handlers, which the server keeps as long as it lives.
  auto shared = std::make_shared<const AnalysisRoutesOptions>(std::move(options));
  server->Route("GET", "/api/v1/anomalies",
                [store](http::Request& r, http::Reply y) { Anomalies(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/anomalies/{id}",
                [store](http::Request& r, http::Reply y) { Anomaly(store, r, std::move(y)); });
  server->Route("POST", "/api/v1/events",
                [store, shared](http::Request& r, http::Reply y) { PostEvent(store, *shared, r, std::move(y)); });
  server->Route("GET", "/api/v1/events", [store](http::Request& r, http::Reply y) { Events(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/events/{id}",
                [store](http::Request& r, http::Reply y) { Event(store, r, std::move(y)); });
  RegisterInsightRoutes(server, store, shared);
  if (shared->patterns) {
    server->Route("GET", "/api/v1/logs/patterns", [shared](http::Request& r, http::Reply y) {
      uint64_t from = 0, to = UINT64_MAX;
      size_t limit = 0;
      if (Status s = ParseRange(r, &from, &to, &limit); !s.ok()) return y(http::ErrorResponse(s));
      y(JsonResponse(PatternsToJson(shared->patterns(Param(r, "service"), from, to == UINT64_MAX ? 0 : to, limit))));
    });
  }
  if (shared->topology) {
    server->Route("GET", "/api/v1/topology", [shared](http::Request& r, http::Reply y) {
      uint64_t from = 0, to = UINT64_MAX;
      size_t limit = 0;
      if (Status s = ParseRange(r, &from, &to, &limit); !s.ok()) return y(http::ErrorResponse(s));
      if (to == UINT64_MAX) to = 0;  // not given: up to the watermark
      y(JsonResponse(topology::ToJson(shared->topology(from, to))));
    });
  }
}

}  // namespace augur::api
