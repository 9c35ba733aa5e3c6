// The rules by which the store records change events (store.h, PutEvent):
// ids for events posted without one, and the merge of an explicit and an
// inferred report of one deployment. Pure functions, shared by the store
// (what it keeps) and the insight correlator (what it relates).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "model/change_event.h"

namespace augur::model {

// The source of events augur inferred from telemetry.
inline constexpr std::string_view kTelemetrySource = "telemetry";

// "ev-" + 16 hex digits of a 64-bit FNV-1a hash of the type, service, time
// and version, so posting the same event twice yields the same id.
std::string DerivedEventId(const model::ChangeEvent& event);

// A DEPLOYMENT with a non-empty version: the events the merge rule joins
// when they report the same deployment (below).
bool IsVersionedDeployment(const model::ChangeEvent& event);

// How far apart two reports of one deployment may lie: the explicit event
// is stamped when the deploy command ran, the inferred one at the first
// telemetry of the new version, which waits for the first request (a
// function that gets no traffic for a while). Beyond this, the same version
// deployed again (a rollback to it, a redeploy) is a change of its own.
inline constexpr uint64_t kDeploymentMergeWindowNs = 15 * 60'000'000'000ULL;

// Whether `a` and `b` may report the same deployment: both versioned
// deployments of the same service and version, at most
// kDeploymentMergeWindowNs apart. Callers also check that no deployment of
// another version of the service lies between them (a deploy and its
// rollback within the window are two changes).
bool MayBeSameDeployment(const model::ChangeEvent& a, const model::ChangeEvent& b);

// The event among `events` (any order) that `incoming` is another report
// of: one that MayBeSameDeployment with it, with no deployment of another
// version of the service strictly between the two; the nearest in time when
// several are; nullptr when none is. The store's SQL (store/
// analysis_writer.cc) applies the same rule to the rows it holds.
const model::ChangeEvent* FindSameDeployment(std::span<const model::ChangeEvent> events,
                                             const model::ChangeEvent& incoming);

// `event.sources` with `event.source` added (at the end) when it is
// non-empty and missing, and duplicates dropped.
void NormalizeSources(model::ChangeEvent* event);

// One event from two reports of the same deployment (MayBeSameDeployment): the explicit (non-"telemetry") report gives
// the id, source, description and changes, and previous_version when it has one. When both are explicit or both
// inferred, the stored report keeps its id and the incoming one gives what it has (non-empty source, description,
// changes, previous_version). The earliest non-zero time is kept, and
// sources are the union, stored ones first.
model::ChangeEvent MergeEvents(const model::ChangeEvent& stored, const model::ChangeEvent& incoming);

}  // namespace augur::model
