// What a sink receives: the HTTP body of a message, per sink type
// (docs/notifications.md has examples).
//
// Webhook (augur's JSON):
//   {"id": "nt-…", "type": "NEW_INSIGHT", "time": "<event time, RFC 3339>",
//    "insight": {…the insight's summary, as GET /api/v1/insights lists it…},
//    "previous_severity": "MEDIUM",         SEVERITY_UPGRADED only
//    "anomaly": {…as GET /api/v1/anomalies…}, NEW_ANOMALY_ASSOCIATION only
//    "recommendation": {"name", "description", "reason", "related_events", "related_anomalies"},
//                                            NEW_RECOMMENDATION only
//    "url": "<public_url>/insights/in-…"}   the console's page, when public_url is set
//
// Slack (an incoming webhook's `text` and `blocks`): a title, severity and
// status, the summary, what the message is about, the root cause with its
// strongest evidence, a link, and the ids in a context line. Text is
// escaped for Slack's mrkdwn and cut to Slack's limits.
//
// Both carry the message id (the webhook in "id", Slack in the context
// line); the sender also puts it in the Idempotency-Key header.
// Pure. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model/insight.h"
#include "notify/message.h"
#include "notify/sink.h"

namespace augur::notify {

// The console's page of the insight: public_url + "/insights/" + id; ""
// when public_url is "".
std::string InsightLink(std::string_view public_url, std::string_view insight_id);

nlohmann::json WebhookPayload(const Message& message, const model::Insight& insight, std::string_view public_url);
nlohmann::json SlackPayload(const Message& message, const model::Insight& insight, std::string_view public_url);

// The body for a sink of `type`: one of the above, serialized (invalid
// UTF-8 in telemetry-derived text is replaced, never an error).
std::string RenderBody(SinkType type, const Message& message, const model::Insight& insight,
                       std::string_view public_url);

}  // namespace augur::notify
