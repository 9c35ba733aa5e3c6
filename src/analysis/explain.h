// Explanations: the one line an anomaly carries, from a detector's Finding
// and the series it came from (detect::Describe does the numbers; this
// names the subject):
//
//   span.duration   "p90 duration of POST /items on writer rose from 41 ms to 380 ms; expected 30–55 ms"
//                   "share of slow requests (over 52 ms) in POST /items on writer rose from 1% to 96%; ..."
//   span.errors     "error ratio of POST /items on writer rose from 0.5% to 12%; ..."
//   span.requests   "request count of POST /items on writer fell from 250 to 3; ..."
//   client spans    "p50 duration of calls from writer to redis (SET) rose ..."
//   OTLP metrics    "queue.size of writer (queue=orders) rose from 10 to 500; expected 4–16"
//
// Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "detect/finding.h"
#include "model/series_key.h"

namespace augur::analysis {

// What a RED series measures, without the metric: "POST /items on writer",
// or for a client span with a peer "calls from writer to redis (SET)".
std::string RedSubject(const model::SeriesKey& key);

// "<metric> of <service>", plus the attributes in parentheses if any.
std::string MetricSubject(const model::SeriesKey& key);

// The explanation of `f` on series `key` (its values in `unit`).
// `reference` is the latency the slow share counted above (span.duration
// only; 0 when unknown).
std::string Explain(const model::SeriesKey& key, const detect::Finding& f, std::string_view unit, double reference);

}  // namespace augur::analysis
