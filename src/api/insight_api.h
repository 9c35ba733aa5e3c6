// The insight routes of the analysis API (docs/api.md): insights as lists
// and one by one, and users' feedback on them. Registered by
// RegisterAnalysisRoutes (analysis_api.h), whose options they share: the
// wall clock stamps feedback, on_feedback hears of it.
//
// Threads: as analysis_api.h.
#pragma once

#include <memory>

#include "api/analysis_api.h"
#include "http/server.h"
#include "store/store.h"

namespace augur::api {

// GET /api/v1/insights, /api/v1/insights/{id}, /api/v1/insights/{id}/feedback;
// PUT /api/v1/insights/{id}/feedback.
void RegisterInsightRoutes(http::Server* server, store::Store* store,
                           std::shared_ptr<const AnalysisRoutesOptions> options);

}  // namespace augur::api
