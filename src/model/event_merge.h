// The rules by which the store records change events (store.h, PutEvent):
// ids for events posted without one, and the merge of an explicit and an
// inferred report of one deployment. Pure functions, shared by the store
// (what it keeps) and the insight correlator (what it relates).
#pragma once

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
// when they share the service and version.
bool IsVersionedDeployment(const model::ChangeEvent& event);

// `event.sources` with `event.source` added (at the end) when it is
// non-empty and missing, and duplicates dropped.
void NormalizeSources(model::ChangeEvent* event);

// One event from two reports of the same deployment (same service, type
// DEPLOYMENT and version): the explicit (non-"telemetry") report gives the
// id, source, description and changes, and previous_version when it has
// one. When both are explicit or both inferred, the stored report keeps its
// id and the incoming one gives what it has (non-empty source, description,
// changes, previous_version). The earliest non-zero time is kept, and
// sources are the union, stored ones first.
model::ChangeEvent MergeEvents(const model::ChangeEvent& stored, const model::ChangeEvent& incoming);

}  // namespace augur::model
