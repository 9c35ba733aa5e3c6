// The words of an insight: its title, severity, summary paragraph and
// recommendations, from its anomalies and ranking. Pure.
//
// Severity: HIGH when errors rose to at least 10 % of requests, latency
// grew at least threefold, or three or more services show anomalies;
// MEDIUM for other latency and errors anomalies, and for any anomaly scored
// 0.9 or more; LOW otherwise (traffic and metric shifts, forecasts far off).
//
// Recommendations, each with its reason: roll back a change on the root
// cause that preceded the onset; check a dependency whose calls slowed or
// failed; profile an operation whose own time grew with no change to blame;
// read the error logs of a service whose errors rose; for forecasts, act
// before the predicted time.
#pragma once

#include "insight/ranking.h"
#include "model/insight.h"

namespace augur::insight {

// Fills insight->name, severity, summary and recommendations. The insight's
// anomalies, roles, root cause and related events must be set.
void Narrate(const Ranking& ranking, model::Insight* insight);

}  // namespace augur::insight
