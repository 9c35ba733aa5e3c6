#include "api/query_api.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "api/params.h"
#include "api/series_api.h"
#include "common/hex.h"
#include "common/time_format.h"
#include "model/json.h"

namespace augur::api {
namespace {

using nlohmann::json;

json SpansJson(const model::Batch& batch) {
  json spans = json::array();
  for (const auto& span : batch.spans) spans.push_back(model::SpanToJson(batch, span));
  return spans;
}

void Services(store::Store* store, http::Request&, http::Reply reply) {
  auto services = store->ListServices();
  if (!services.ok()) return reply(http::ErrorResponse(services.status()));
  json out = json::array();
  for (const auto& service : *services) {
    json resources = json::array();
    for (const auto& r : service.resources) {
      resources.push_back({{"attributes", model::ToJson(r.resource.attributes)},
                           {"first_seen", FormatRfc3339(r.first_seen_unix_nano)},
                           {"last_seen", FormatRfc3339(r.last_seen_unix_nano)}});
    }
    out.push_back({{"name", service.name},
                   {"first_seen", FormatRfc3339(service.first_seen_unix_nano)},
                   {"last_seen", FormatRfc3339(service.last_seen_unix_nano)},
                   {"resources", std::move(resources)}});
  }
  reply(JsonResponse({{"services", std::move(out)}}));
}

void Trace(store::Store* store, http::Request& req, http::Reply reply) {
  const std::string& id_text = req.path_params["trace_id"];
  const auto bytes = HexDecode(id_text);
  if (!bytes || bytes->size() != 16) {
    return reply(http::ErrorResponse(Status::InvalidArgument("trace id must be 32 hex digits, got '" + id_text + "'")));
  }
  model::TraceId id;
  std::copy(bytes->begin(), bytes->end(), id.begin());
  auto trace = store->GetTrace(id);
  if (!trace.ok()) return reply(http::ErrorResponse(trace.status()));
  if (trace->spans.empty()) return reply(http::ErrorResponse(Status::NotFound("no spans of trace " + id_text)));
  reply(JsonResponse({{"trace_id", HexEncode(id)}, {"spans", SpansJson(*trace)}}));
}

void Spans(store::Store* store, http::Request& req, http::Reply reply) {
  store::SpanQuery q;
  q.service = Param(req, "service");
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto spans = store->QuerySpans(q);
  if (!spans.ok()) return reply(http::ErrorResponse(spans.status()));
  reply(JsonResponse({{"spans", SpansJson(*spans)}}));
}

void Logs(store::Store* store, http::Request& req, http::Reply reply) {
  store::LogQuery q;
  q.service = Param(req, "service");
  if (const std::string severity = Param(req, "severity"); !severity.empty()) {
    int n = model::SeverityFromName(severity);
    if (n < 0) {
      const auto [p, ec] = std::from_chars(severity.data(), severity.data() + severity.size(), n);
      if (ec != std::errc() || p != severity.data() + severity.size() || n < 1 || n > 24) {
        return reply(http::ErrorResponse(Status::InvalidArgument(
            "severity must be trace, debug, info, warn, error, fatal or a number 1-24, got '" + severity + "'")));
      }
    }
    q.min_severity = n;
  }
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto logs = store->QueryLogs(q);
  if (!logs.ok()) return reply(http::ErrorResponse(logs.status()));
  json out = json::array();
  for (const auto& log : logs->logs) out.push_back(model::LogToJson(*logs, log));
  reply(JsonResponse({{"logs", std::move(out)}}));
}

void Metrics(store::Store* store, http::Request& req, http::Reply reply) {
  store::MetricQuery q;
  q.name = Param(req, "name");
  if (q.name.empty()) return reply(http::ErrorResponse(Status::InvalidArgument("the name parameter is required")));
  q.service = Param(req, "service");
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto result = store->QueryMetricPoints(q);
  if (!result.ok()) return reply(http::ErrorResponse(result.status()));
  // Streams come back one after another; the API promises time order overall.
  std::vector<std::pair<const model::Metric*, const model::MetricPoint*>> ordered;
  for (const auto& metric : result->metrics) {
    for (const auto& point : metric.points) ordered.emplace_back(&metric, &point);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second->time_unix_nano < b.second->time_unix_nano; });
  if (ordered.size() > q.limit) ordered.resize(q.limit);
  json points = json::array();
  for (const auto& [metric, point] : ordered) points.push_back(model::MetricPointToJson(*result, *metric, *point));
  reply(JsonResponse({{"name", q.name}, {"points", std::move(points)}}));
}

}  // namespace

void RegisterQueryRoutes(http::Server* server, store::Store* store, selfmon::Registry* metrics) {
  server->Route("GET", "/api/v1/services",
                [store](http::Request& r, http::Reply y) { Services(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/traces/{trace_id}",
                [store](http::Request& r, http::Reply y) { Trace(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/spans", [store](http::Request& r, http::Reply y) { Spans(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/logs", [store](http::Request& r, http::Reply y) { Logs(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/metrics",
                [store](http::Request& r, http::Reply y) { Metrics(store, r, std::move(y)); });
  RegisterSeriesRoute(server, store);
  server->Route("GET", "/metrics", [metrics](http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics->RenderText();
    reply(std::move(r));
  });
  server->Route(
      "GET", "/healthz",
      [](http::Request&, http::Reply reply) {
        reply(JsonResponse({{"status", "ok"}}));
      },
      /*authenticated=*/false);
}

}  // namespace augur::api
