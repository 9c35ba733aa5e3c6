#include "api/insight_api.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "api/params.h"
#include "common/time_format.h"
#include "insight/priority.h"
#include "model/insight_json.h"

namespace augur::api {
namespace {

using nlohmann::json;

void Insights(store::Store* store, http::Request& req, http::Reply reply) {
  store::InsightQuery q;
  q.service = Param(req, "service");
  // Either case: the anomalies' statuses are lower case, DevOps Guru's upper.
  q.status = Param(req, "status");
  std::transform(q.status.begin(), q.status.end(), q.status.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (!q.status.empty() && q.status != "ONGOING" && q.status != "CLOSED") {
    return reply(http::ErrorResponse(
        Status::InvalidArgument("status must be ONGOING or CLOSED, got '" + Param(req, "status") + "'")));
  }
  // newest (a time line, the default) or attention (which to look at first:
  // insight/priority.h).
  const std::string order = Param(req, "order");
  if (!order.empty() && order != "newest" && order != "attention") {
    return reply(
        http::ErrorResponse(Status::InvalidArgument("order must be newest or attention, got '" + order + "'")));
  }
  if (Status s = ParseRange(req, &q.from_unix_nano, &q.to_unix_nano, &q.limit); !s.ok()) {
    return reply(http::ErrorResponse(s));
  }
  auto insights = store->QueryInsights(q);
  if (!insights.ok()) return reply(http::ErrorResponse(insights.status()));
  if (order == "attention") std::stable_sort(insights->begin(), insights->end(), insight::AttendFirst);
  json out = json::array();
  for (const auto& in : *insights) out.push_back(model::InsightSummaryToJson(in));
  reply(JsonResponse({{"insights", std::move(out)}}));
}

void Insight(store::Store* store, http::Request& req, http::Reply reply) {
  auto insight = store->GetInsight(req.path_params["id"]);
  if (!insight.ok()) return reply(http::ErrorResponse(insight.status()));
  reply(JsonResponse(model::InsightToJson(*insight)));
}

void PutFeedback(store::Store* store, const AnalysisRoutesOptions& options, http::Request& req, http::Reply reply) {
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return reply(http::ErrorResponse(Status::InvalidArgument("the body is not valid JSON")));
  const auto it = body.is_object() ? body.find("feedback") : body.end();
  if (!body.is_object() || it == body.end() || !it->is_string()) {
    return reply(http::ErrorResponse(Status::InvalidArgument(R"(the body must be {"feedback": "<value>"})")));
  }
  const std::string feedback = it->get<std::string>();
  auto insight = store->PutFeedback(req.path_params["id"], feedback, options.now());
  if (!insight.ok()) return reply(http::ErrorResponse(insight.status()));
  if (options.on_feedback) options.on_feedback(*insight, feedback);
  reply(JsonResponse(model::InsightToJson(*insight)));
}

void Feedback(store::Store* store, http::Request& req, http::Reply reply) {
  const std::string& id = req.path_params["id"];
  // 404 for an unknown insight, rather than an empty history.
  if (auto insight = store->GetInsight(id); !insight.ok()) return reply(http::ErrorResponse(insight.status()));
  auto history = store->ListFeedback({id, kMaxLimit});
  if (!history.ok()) return reply(http::ErrorResponse(history.status()));
  json out = json::array();
  for (const auto& f : *history) out.push_back({{"feedback", f.feedback}, {"time", FormatRfc3339(f.time_unix_nano)}});
  reply(JsonResponse({{"insight_id", id}, {"feedback", std::move(out)}}));
}

}  // namespace

void RegisterInsightRoutes(http::Server* server, store::Store* store,
                           std::shared_ptr<const AnalysisRoutesOptions> options) {
  server->Route("GET", "/api/v1/insights",
                [store](http::Request& r, http::Reply y) { Insights(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/insights/{id}",
                [store](http::Request& r, http::Reply y) { Insight(store, r, std::move(y)); });
  server->Route("GET", "/api/v1/insights/{id}/feedback",
                [store](http::Request& r, http::Reply y) { Feedback(store, r, std::move(y)); });
  server->Route("PUT", "/api/v1/insights/{id}/feedback",
                [store, options](http::Request& r, http::Reply y) { PutFeedback(store, *options, r, std::move(y)); });
}

}  // namespace augur::api
